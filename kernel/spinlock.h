/*
 * Spinlocks. Taking one disables interrupts on this CPU until the last lock
 * is released (the nesting is counted per CPU, as xv6's pushcli does), so an
 * interrupt handler can never spin on a lock its own CPU holds. A lock
 * remembers its owner CPU and the caller that took it, which catches
 * recursion, release by another CPU, and shows up in a panic report.
 *
 * Rule: never sleep or call schedule() holding a spinlock (sched.c checks).
 */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include <kernel/types.h>

struct cpu;

struct spinlock {
	volatile u32 locked;
	const char *name;
	struct cpu *owner;      /* CPU holding it, or NULL */
	void *owner_pc;         /* where it was taken, for debugging */
};

#define SPINLOCK_INIT(n) { 0, n, NULL, NULL }
#define DEFINE_SPINLOCK(v) struct spinlock v = SPINLOCK_INIT(#v)

void spin_init(struct spinlock *l, const char *name);
void spin_lock(struct spinlock *l);
bool spin_trylock(struct spinlock *l);
void spin_unlock(struct spinlock *l);
bool spin_held(struct spinlock *l);

/* The irq-off nesting that spinlocks use, for code that needs it alone. */
void irq_push(void);
void irq_pop(void);

#endif
