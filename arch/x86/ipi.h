/*
 * Inter-processor interrupts: run a function on every CPU, kick an idle CPU.
 */
#ifndef ARCH_X86_IPI_H
#define ARCH_X86_IPI_H

#include <kernel/types.h>

struct cpu;

/* Run fn(arg) on every online CPU, this one included (directly, with
 * interrupts off). With wait, return once every CPU has run it. Safe with
 * interrupts off and from several CPUs at once: a waiting CPU keeps running
 * the requests sent to it, so two senders never wait on each other. */
void on_each_cpu(void (*fn)(void *), void *arg, bool wait);
/* Same, on the online CPUs in mask (bit n: cpu n) only. */
void on_cpus(u32 mask, void (*fn)(void *), void *arg, bool wait);
void ipi_send_resched(struct cpu *c);
void ipi_init(void);
extern volatile u32 ipi_sent; /* call-function IPIs sent, for statistics */

#endif
