/*
 * sched_setaffinity(2) and sched_getaffinity(2), Linux's i386 ABI:
 *
 *   sched_setaffinity(pid, len, const unsigned long *mask)  -> 0
 *   sched_getaffinity(pid, len, unsigned long *mask)        -> bytes written
 *
 * pid 0 is the caller. A CPU mask here is one u32 (MAX_CPUS <= 32), so the
 * kernel's cpumask size is 4 bytes: setaffinity reads at most 4 bytes (a
 * shorter mask leaves the upper CPUs out), getaffinity wants len to hold
 * every CPU and be a multiple of 4 and writes exactly 4. Errors: -EFAULT
 * (bad pointer), -ESRCH (no such pid), -EINVAL (no online CPU in the mask,
 * or getaffinity's len too small or unaligned).
 *
 * The work is sched_setaffinity()/sched_getaffinity(), below the
 * syscalls: a thread's cpus_allowed changes under its CPU's rq_lock, and a
 * thread no longer allowed on its CPU leaves it (see sched_setaffinity).
 * A process's thread is found under proc_lock, which is held while it is
 * used so that it cannot exit meanwhile (order: proc_lock, then rq locks).
 */
#include <kernel/sched.h>
#include <kernel/lock_assert.h>
#include <arch/x86/cpu.h>
#include <arch/x86/ipi.h>
#include "sched_internal.h"
#include <kernel/syscall.h>
#include <kernel/proc.h>
#include <kernel/errno.h>
#include <kernel/spinlock.h>
#include <mm/uaccess.h>

#define CPUMASK_BYTES sizeof(u32)

/* The target, with proc_lock held unless it is the caller itself (which
 * cannot exit under us, and may need to schedule() to leave its CPU). */
static struct thread *target_get(u32 pid, bool *locked)
{
	struct thread *t;

	*locked = false;
	if (pid == 0)
		return current();
	spin_lock(&proc_lock);
	t = (s32)pid > 0 ? thread_find_by_tid((int)pid) : NULL; /* a TID, as on Linux */
	if (t && t != current()) {
		*locked = true;
		return t;
	}
	spin_unlock(&proc_lock);
	return t;
}

static void target_put(bool locked)
{
	if (locked)
		spin_unlock(&proc_lock);
}

long sys_sched_setaffinity(u32 pid, u32 len, u32 umask, u32 a4, u32 a5)
{
	u32 mask = 0;
	struct thread *t;
	bool locked;
	int r;

	(void)a4;
	(void)a5;
	if (copy_from_user(&mask, umask, len < CPUMASK_BYTES ? len : CPUMASK_BYTES))
		return -EFAULT;
	if (!(t = target_get(pid, &locked)))
		return -ESRCH;
	r = sched_setaffinity(t, mask);
	target_put(locked);
	return r;
}

long sys_sched_getaffinity(u32 pid, u32 len, u32 umask, u32 a4, u32 a5)
{
	struct thread *t;
	bool locked;
	u32 mask;

	(void)a4;
	(void)a5;
	if (len < ((u32)ncpus_found + 7) / 8 || len % CPUMASK_BYTES)
		return -EINVAL;
	if (!(t = target_get(pid, &locked)))
		return -ESRCH;
	mask = sched_getaffinity(t);
	target_put(locked);
	if (copy_to_user(umask, &mask, CPUMASK_BYTES))
		return -EFAULT;
	return CPUMASK_BYTES;
}

/* ---- in the kernel ---------------------------------------------------------- */

/* The CPU it may no longer run on learns at once: a queued thread is
 * moved now, a running one is preempted (an IPI, or yield() if it is the
 * caller, which then must hold no spinlock) and pushed by its CPU once off
 * its stack, a sleeping one is placed right when woken. */
int sched_setaffinity(struct thread *t, u32 mask)
{
	struct cpu *c;

	if (!(mask & sched_online_mask()))
		return -EINVAL;
	if (t->is_idle)
		return -EINVAL;
	c = rq_lock_thread(t);
	t->cpus_allowed = mask;
	if ((mask & CPU_BIT(c)) || t->state == T_SLEEPING || t->state == T_DEAD) {
		spin_unlock(&c->rq_lock);
	} else if (t->state == T_RUNNABLE && !list_empty(&t->rq_node)) {
		dequeue(c, t);
		place(t, c);
	} else if (t->state == T_RUNNING && t == current()) {
		spin_unlock(&c->rq_lock);
		yield();
	} else if (t->state == T_RUNNING) {
		spin_unlock(&c->rq_lock);
		ipi_send_resched(c);    /* it sets c->need_resched */
	} else {
		/* runnable on no queue: whoever is placing it reads the new mask */
		spin_unlock(&c->rq_lock);
	}
	return 0;
}

u32 sched_getaffinity(struct thread *t)
{
	return t->cpus_allowed & sched_online_mask();
}
