/*
 * Where threads run: placement of a woken, new or pushed thread on a CPU
 * (place, select_cpu), and pulling, an idle or less busy CPU taking a
 * queued thread from a busier one (pull_one, the periodic balance in
 * sched_balance_tick).
 *
 * Invariants. A thread moves only while on no CPU, with both CPUs' rq
 * locks held (set_cpu), and only to a CPU in its cpus_allowed (if none of
 * those is online, anywhere). A thread being placed is runnable on no
 * queue, so wakers leave it alone and pullers cannot see it. Load and
 * idleness (cpu_idle, cpu_load) are read without the CPU's lock: they are
 * hints, which may make a placement wrong for an instant, never unsafe.
 *
 * Locks (order in sched.c). place() is entered with the thread's CPU's
 * rq_lock and takes the target's in CPU-id order (rq_lock_two); pull_one
 * holds the puller's rq_lock and only trylocks the busy one's, so it may
 * take them in any order; kick_idle_for_queued takes one rq_lock alone.
 * Nothing else is locked here.
 */
#include <kernel/sched.h>
#include <kernel/lock_assert.h>
#include <arch/x86/cpu.h>
#include <arch/x86/ipi.h>
#include "sched_internal.h"

#define BALANCE_TICKS 4         /* a busy CPU looks for a busier one this often */

/* ---- placement: where a woken, new or pushed thread goes ---------------- */

u32 sched_online_mask(void)
{
	struct cpu *c;
	u32 m = 0;

	for_each_online_cpu(c)
		m |= CPU_BIT(c);
	return m;
}

/* Idle: running its idle thread with nothing queued. Read without its
 * lock, so a hint: placement may be wrong for an instant, never unsafe. */
static bool cpu_idle(struct cpu *c)
{
	return c->curr == c->idle && c->nr_queued == 0;
}

static int cpu_load(struct cpu *c)
{
	return c->nr_queued + (c->curr != c->idle);
}

/* An idle CPU in mask: this one if it is idle (no IPI needed), else the
 * lowest-numbered. NULL if none. */
static struct cpu *find_idle(u32 mask)
{
	struct cpu *self = this_cpu(), *c;

	if ((mask & CPU_BIT(self)) && cpu_idle(self))
		return self;
	for_each_online_cpu(c)
		if ((mask & CPU_BIT(c)) && cpu_idle(c))
			return c;
	return NULL;
}

static struct cpu *least_loaded(u32 mask)
{
	struct cpu *best = NULL, *c;

	for_each_online_cpu(c)
		if ((mask & CPU_BIT(c)) && (!best || cpu_load(c) < cpu_load(best)))
			best = c;
	return best;
}

/* Where a woken (or new, or pushed) thread goes, first match:
 *
 * 1. This CPU, if it is running its idle thread: an interrupt on an idle
 *    CPU woke t (the disk's, the timer's). This CPU is awake and schedules
 *    on the way out of the interrupt; any other costs a reschedule IPI
 *    and, under QEMU's TCG, the wakeup of a second host thread. Without
 *    this rule every disk interrupt on CPU 0 woke the vCPU that thrash or
 *    kppsd had last run on: `thrash 40 20000` at -smp 4 sent 1500-3500
 *    reschedule IPIs instead of about 150, and on a busy host took up to
 *    several times its -smp 1 time. More than one thread may pile up here this way; a
 *    busy CPU's tick hands the extra ones to idle CPUs
 *    (kick_idle_for_queued).
 * 2. Wake affinity: the CPU t last ran on, if it idles (its caches still
 *    hold t's memory).
 * 3. Any idle CPU (the last one is busy, or t never ran).
 * 4. The last CPU, busy as it is; or, for a new thread or one whose CPU
 *    is no longer allowed, the least loaded.
 *
 * Only CPUs in t->cpus_allowed count. */
static struct cpu *select_cpu(struct thread *t)
{
	u32 allowed = t->cpus_allowed & sched_online_mask();
	struct cpu *last = t->cpu, *self = this_cpu(), *c;

	if (!allowed)   /* its CPUs went away: anywhere rather than nowhere */
		allowed = sched_online_mask();
	if ((allowed & CPU_BIT(self)) && self->curr == self->idle)
		return self;
	if (t->switches && (allowed & CPU_BIT(last)) && cpu_idle(last))
		return last;
	if ((c = find_idle(allowed)))
		return c;
	if (t->switches && (allowed & CPU_BIT(last)))
		return last;
	return least_loaded(allowed);
}

/* c has a new queued thread: make it look soon. An idle CPU gets a
 * reschedule IPI (or, if it is us, schedules on irq exit); a busy one picks
 * it up when its running thread's slice ends. */
static void kick(struct cpu *c)
{
	if (c->curr != c->idle)
		return;
	if (c == this_cpu())
		c->need_resched = true;
	else
		ipi_send_resched(c);
}

/* Queue t, runnable and on no CPU and no queue, on an allowed CPU. `from`
 * is t->cpu, whose rq_lock the caller holds; returns with it released. */
void place(struct thread *t, struct cpu *from)
{
	struct cpu *to;

	ASSERT_HELD(&from->rq_lock);
	to = select_cpu(t);
	if (to != from) {
		/* Both locks in order. While we hold neither, t is runnable on
		 * no queue: a waker leaves it alone (not sleeping), a puller
		 * cannot see it, and only we move it. */
		spin_unlock(&from->rq_lock);
		rq_lock_two(from, to);
		ASSERT(t->cpu == from);
		set_cpu(t, from, to);
	}
	enqueue(to, t);
	kick(to);
	rq_unlock_two(from, to);
}

/* ---- pulling: an idle CPU takes queued work from a busy one -------------- */

/* Take from o's queue, whose rq_lock we hold, a thread allowed on c. The
 * queue's tail is taken: the thread that waited least, whose cache
 * footprint there is the coldest. */
static bool pull_from(struct cpu *c, struct cpu *o)
{
	struct list_head *p;

	for (p = o->runq.prev; p != &o->runq; p = p->prev) {
		struct thread *t = list_entry(p, struct thread, rq_node);
		if (t->cpus_allowed & CPU_BIT(c)) {
			dequeue(o, t);
			set_cpu(t, o, c);
			enqueue(c, t);
			return true;
		}
	}
	return false;
}

/* One thread allowed on c, queued on a CPU with at least two threads more
 * than c's `load`, moved to c's queue: the busiest such CPU first, then
 * the next (the busiest one's queued threads may all be pinned to it).
 * c's rq_lock held; the others are taken with trylock (any order is then
 * deadlock-free), and left alone if contended. */
bool pull_one(struct cpu *c, int load)
{
	u32 tried = CPU_BIT(c);

	ASSERT_HELD(&c->rq_lock);
	for (;;) {
		struct cpu *o, *busiest = NULL;
		bool pulled;

		for_each_online_cpu(o)
			if (!(tried & CPU_BIT(o)) && o->nr_queued && cpu_load(o) >= load + 2 &&
			    (!busiest || cpu_load(o) > cpu_load(busiest)))
				busiest = o;
		if (!busiest)
			return false;
		tried |= CPU_BIT(busiest);
		if (!spin_trylock(&busiest->rq_lock))
			continue;
		pulled = pull_from(c, busiest);
		spin_unlock(&busiest->rq_lock);
		if (pulled)
			return true;
	}
}

/* A busy CPU with threads waiting: if one of them may run on an idle CPU,
 * wake that CPU (its timer may be off) so that it pulls. */
static void kick_idle_for_queued(struct cpu *c)
{
	struct list_head *p;
	struct cpu *idle;
	u32 want = 0;

	spin_lock(&c->rq_lock);
	list_for_each(p, &c->runq)
		want |= list_entry(p, struct thread, rq_node)->cpus_allowed;
	spin_unlock(&c->rq_lock);
	want &= ~CPU_BIT(c);
	if (want && (idle = find_idle(want)))
		ipi_send_resched(idle);
}

/* A busy CPU's tick (from sched_tick), interrupts off, no lock held. */
void sched_balance_tick(struct cpu *c)
{
	if (ncpus_online == 1)
		return;
	if (c->nr_queued)
		kick_idle_for_queued(c);
	/* Busy CPUs even out too, now and then: one with two threads more
	 * than us gives us one. */
	if (c->ticks % BALANCE_TICKS == 0) {
		spin_lock(&c->rq_lock);
		pull_one(c, cpu_load(c));
		spin_unlock(&c->rq_lock);
	}
}
