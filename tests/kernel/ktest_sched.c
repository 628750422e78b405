/* ktests for kernel/sched.c and kernel/waitqueue.c. */
#include <kernel/ktest.h>
#include <kernel/sched.h>
#include <kernel/time.h>
#include <arch/x86/cpu.h>

static volatile u32 spread_mask;
static volatile bool spread_stop;

static void spin_and_record(void *arg)
{
	(void)arg;
	while (!spread_stop) {
		irq_push();
		atomic_or(&spread_mask, 1u << this_cpu_id());
		irq_pop();
		cpu_relax();
	}
}

/* Busy threads, twice as many as CPUs: with one global run queue and
 * preemption, every CPU must end up running some of them. */
KTEST(kthread_spread)
{
	struct thread *th[2 * MAX_CPUS];
	int n = 2 * ncpus_online;
	u32 all = 0;
	struct cpu *c;
	u64 deadline = jiffies + 20 * hz; /* generous: TCG with 8 vCPUs is slow */

	for_each_online_cpu(c)
		all |= 1u << c->id;
	spread_mask = 0;
	spread_stop = false;
	for (int i = 0; i < n; i++)
		KT_ASSERT(t, (th[i] = kthread_create(spin_and_record, NULL, "spread", false)));
	while ((spread_mask & all) != all && jiffies < deadline)
		sleep_ticks(1);
	spread_stop = true;
	for (int i = 0; i < n; i++)
		kthread_join(th[i]);
	kt_info(t, "threads ran on %d of %d cpus (mask 0x%x)", __builtin_popcount(spread_mask & all),
		ncpus_online, spread_mask);
	KT_EXPECT_EQ(t, spread_mask & all, all);
}

static void exit_with(void *arg)
{
	kthread_exit((int)(uintptr_t)arg);
}

static void return_normally(void *arg)
{
	(void)arg;
}

KTEST(kthread_join_exit_code)
{
	struct thread *a = kthread_create(exit_with, (void *)42, "exit42", false);
	struct thread *b = kthread_create(return_normally, NULL, "ret0", false);

	KT_ASSERT(t, a && b);
	KT_EXPECT_EQ(t, kthread_join(a), 42);
	KT_EXPECT_EQ(t, kthread_join(b), 0);
}

static struct waitqueue ping_wq, pong_wq;
static volatile int turn, rounds_done;
#define PINGPONG_ROUNDS 300

static void pinger(void *arg)
{
	int me = (int)(uintptr_t)arg;

	for (int i = 0; i < PINGPONG_ROUNDS; i++) {
		wait_event(me ? &pong_wq : &ping_wq, turn == me);
		rounds_done++;
		turn = !me;
		wake_up(me ? &ping_wq : &pong_wq);
	}
}

/* Two threads hand a token back and forth: a lost wakeup would hang one
 * of them forever (and the test with it). */
KTEST(waitqueue_pingpong)
{
	waitqueue_init(&ping_wq, "ping");
	waitqueue_init(&pong_wq, "pong");
	turn = 0;
	rounds_done = 0;
	struct thread *a = kthread_create(pinger, (void *)0, "ping", false);
	struct thread *b = kthread_create(pinger, (void *)1, "pong", false);
	KT_ASSERT(t, a && b);
	kthread_join(a);
	kthread_join(b);
	KT_EXPECT_EQ(t, rounds_done, 2 * PINGPONG_ROUNDS);
}

KTEST(sleep_ticks_sleeps)
{
	u64 before = jiffies;

	sleep_ticks(5);
	KT_EXPECT(t, jiffies - before >= 5);
	before = jiffies;
	sleep_ms(50);
	KT_EXPECT(t, jiffies - before >= ms_to_ticks(50));
}

KTEST(yield_returns)
{
	for (int i = 0; i < 100; i++)
		yield();
	KT_EXPECT(t, irqs_enabled());
}
