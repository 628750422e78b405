/* Deliberate kernel faults, to see (and test) the panic report. */
#ifndef KERNEL_CRASH_H
#define KERNEL_CRASH_H

#include <kernel/types.h>

bool crash_requested(void);
void crash_thread(void *arg);           /* runs the `crash=` option */
bool crash_by_name(const char *name);   /* false if the name is unknown */

#endif
