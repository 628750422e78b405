/*
 * Scheduler statistics for /proc, kmon and tests: thread count, context
 * switches, migrations, idle time, and sched_dump's table of threads.
 *
 * Everything here is read without the rq locks that guard it (a CPU's
 * counters change under its rq_lock, a thread's state under its CPU's): a
 * snapshot that may be an instant stale, never a torn list walk, since the
 * list of threads is walked under threads_lock (sched.c). No other lock is
 * taken; threads_lock is never held with an rq lock.
 */
#include <kernel/sched.h>
#include <kernel/time.h>
#include <kernel/spinlock.h>
#include "sched_internal.h"

/* Idle ticks, counting those a stopped timer skipped so far. */
u64 sched_idle_ticks(struct cpu *c)
{
	u64 n = c->idle_ticks;

	if (c->tick_stopped)
		n += jiffies - c->tick_stop_jiffies;
	return n;
}

int sched_thread_count(void)
{
	return nthreads;
}

u64 sched_total_switches(void)
{
	struct cpu *c;
	u64 n = 0;

	for_each_online_cpu(c)
		n += c->ctx_switches;
	return n;
}

u64 sched_total_migrations(void)
{
	struct cpu *c;
	u64 n = 0;

	for_each_online_cpu(c)
		n += c->nr_migrations;
	return n;
}

static const char *state_name(enum thread_state s)
{
	switch (s) {
	case T_RUNNABLE: return "runnable";
	case T_RUNNING: return "running";
	case T_SLEEPING: return "sleeping";
	case T_DEAD: return "dead";
	}
	return "?";
}

void sched_dump(void (*out)(const char *fmt, ...))
{
	struct list_head *p;
	struct cpu *c;

	/* Print under threads_lock (no thread leaves the list meanwhile);
	 * states are read without their rq locks, a snapshot that may be an
	 * instant stale. out() is printk, which takes only the console lock. */
	spin_lock(&threads_lock);
	out("  tid name             state     cpu  switches migrations allowed ran-on\n");
	list_for_each(p, &all_threads) {
		struct thread *t = list_entry(p, struct thread, all_node);
		out("  %3d %-16s %-9s %3d %9llu %10llu 0x%-5x 0x%x\n", t->tid, t->name,
		    state_name(t->state), t->cpu ? t->cpu->id : -1, t->switches, t->migrations,
		    t->cpus_allowed & sched_online_mask(), t->ran_on_mask);
	}
	spin_unlock(&threads_lock);
	for_each_online_cpu(c)
		out("  cpu%d: queued %d, switches %llu, migrations in %llu, tick %s\n", c->id,
		    c->nr_queued, c->ctx_switches, c->nr_migrations,
		    c->tick_stopped ? "stopped" : "running");
}
