/* pidfds: file descriptors naming processes (kernel/pidfd.c). */
#ifndef KERNEL_PIDFD_H
#define KERNEL_PIDFD_H

#include <kernel/types.h>

int pidfd_to_pid(u32 fd); /* the pid, or -EBADF */

#endif
