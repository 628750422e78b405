/* ktests for the LAPIC timers (arch/x86/lapic.c, kernel/time.c). */
#include <kernel/ktest.h>
#include <kernel/sched.h>
#include <kernel/time.h>
#include <kernel/string.h>
#include <arch/x86/tsc.h>

static volatile bool tick_busy_stop;

static void tick_busy(void *arg)
{
	(void)arg;
	while (!tick_busy_stop)
		cpu_relax();
}

/* Every CPU's timer ticks while it has work. (An idle CPU stops its timer,
 * kernel/sched_idle.c: tickless idle; so each CPU gets a busy thread pinned to
 * it for the while.) */
KTEST(timer_all_cpus)
{
	struct thread *busy[MAX_CPUS];
	u64 before[MAX_CPUS];
	char line[160];
	int len = 0;
	struct cpu *c;

	tick_busy_stop = false;
	for_each_online_cpu(c) {
		KT_ASSERT(t, (busy[c->id] = kthread_create_stopped(tick_busy, NULL, "tick_busy")));
		busy[c->id]->detached = false;
		KT_ASSERT(t, sched_setaffinity(busy[c->id], 1u << c->id) == 0);
		kthread_wake_new(busy[c->id]);
	}
	for_each_online_cpu(c)
		before[c->id] = c->ticks;
	sleep_ticks(hz / 5 + 1);
	tick_busy_stop = true;
	for_each_online_cpu(c)
		kthread_join(busy[c->id]);
	for_each_online_cpu(c) {
		u64 d = c->ticks - before[c->id];
		len += snprintf(line + len, sizeof(line) - MIN((size_t)len, sizeof(line)), " cpu%d +%llu", c->id, d);
		KT_EXPECT(t, d > 0);
	}
	kt_info(t, "ticks in %u ms:%s", ticks_to_ms(hz / 5 + 1), line);
}

/* A loose check of the PIT calibration: 500 ms of TSC time should see
 * about hz/2 ticks. QEMU under load can drop ticks, so only a factor of
 * four off (a broken calibration) fails. */
KTEST(timer_rate)
{
	u64 j0 = jiffies, t0 = rdtsc_now();

	sleep_ms(500);
	u64 us = tsc_to_us(rdtsc_now() - t0), ticks = jiffies - j0;
	u64 expect = us * hz / 1000000;
	kt_info(t, "%llu ticks in %llu us at hz=%u (expected about %llu)", ticks, us, hz, expect);
	KT_EXPECT(t, ticks * 4 >= expect && ticks <= expect * 4);
}
