/*
 * Sleeping for a time: sleep_ticks and sleep_ms, and timed waits
 * (sched_sleep_release_until: futex timeouts). A sleeper is on the
 * sleepers list with its deadline, wake_tick; CPU 0's tick, which keeps
 * jiffies, wakes those that are due (wake_sleepers).
 *
 * Invariants. A thread is on sleepers (sleep_node) only while in one of
 * these functions, and leaves it before returning: wake_sleepers takes it
 * off when due; a thread woken otherwise (a signal, a futex wake) takes
 * itself off. "Woken for time" is "taken off the list".
 *
 * Locks. sleep_lock protects sleepers and every wake_tick on it. Order: a
 * wait queue's (or futex bucket's) lock, then sleep_lock, then rq locks.
 * sleep_lock is dropped only once the sleeper holds its rq_lock, and
 * wake_sleepers wakes under sleep_lock, so a due sleeper is never woken
 * before it is asleep.
 */
#include <kernel/sched.h>
#include <kernel/panic.h>
#include <kernel/time.h>
#include <kernel/errno.h>
#include <kernel/spinlock.h>
#include <arch/x86/cpu.h>
#include "sched_internal.h"

static DEFINE_SPINLOCK(sleep_lock);     /* sleepers, their wake_tick */
static LIST_HEAD(sleepers);

int sleep_ticks(u64 n)
{
	struct thread *me = current();
	u64 deadline = jiffies + (n ? n : 1);

	while (jiffies < deadline) {
		if (signal_pending())
			return -EINTR;
		spin_lock(&sleep_lock);
		me->wake_tick = deadline;
		list_add_tail(&me->sleep_node, &sleepers);
		me->interruptible = true;
		sched_sleep_release(&sleep_lock);
		me->interruptible = false;
		/* Woken early (a signal)? Then we may still be on the list. */
		spin_lock(&sleep_lock);
		if (!list_empty(&me->sleep_node))
			list_del(&me->sleep_node);
		spin_unlock(&sleep_lock);
	}
	return 0;
}

int sleep_ms(u32 ms)
{
	return sleep_ticks(ms_to_ticks(ms));
}

/* Sleep until sched_wake() or jiffies >= deadline, releasing `held` (a
 * wait queue's or futex bucket's lock) once rq_lock is taken. sleep_lock,
 * too, is dropped only under rq_lock, so neither kind of waker can find
 * us on its list and wake us before we are asleep; a deadline that passed
 * before we got onto the timer list is seen under rq_lock (jiffies moves
 * before wake_sleepers looks). Lock order: held, sleep_lock, rq_lock. */
void sched_sleep_release_until(struct spinlock *held, u64 deadline)
{
	struct thread *me = current();
	struct cpu *c;

	if (me->is_idle)
		panic("the idle thread of cpu %d tried to sleep", me->cpu->id);
	spin_lock(&sleep_lock);
	me->wake_tick = deadline;
	list_add_tail(&me->sleep_node, &sleepers);
	c = rq_lock_this();
	spin_unlock(&sleep_lock);
	spin_unlock(held);
	if ((me->interruptible && me->sigpending) || jiffies >= deadline) {
		spin_unlock(&c->rq_lock);
	} else {
		me->state = T_SLEEPING;
		__schedule(c);
	}
	spin_lock(&sleep_lock);
	if (!list_empty(&me->sleep_node))
		list_del(&me->sleep_node);
	spin_unlock(&sleep_lock);
}

static void wake_sleepers(void)
{
	struct list_head *p, *n;
	struct thread *due[16];
	int ndue = 0, i;

	spin_lock(&sleep_lock);
	list_for_each_safe(p, n, &sleepers) {
		struct thread *t = list_entry(p, struct thread, sleep_node);
		if (t->wake_tick <= jiffies) {
			list_del(&t->sleep_node);
			due[ndue++] = t;
			if (ndue == (int)ARRAY_SIZE(due))
				break; /* the rest wait for the next tick */
		}
	}
	/* Wake under sleep_lock: a due thread may not have reached
	 * T_SLEEPING yet, and it will not until we let go of sleep_lock. */
	for (i = 0; i < ndue; i++)
		sched_wake(due[i]);
	spin_unlock(&sleep_lock);
}

/* CPU 0's tick (from sched_tick), interrupts off. */
void sched_sleep_tick(void)
{
	if (!list_empty(&sleepers))
		wake_sleepers();
}
