/* ktests for kernel/sched*.c and kernel/waitqueue.c. */
#include <kernel/ktest.h>
#include <kernel/sched.h>
#include <kernel/time.h>
#include <kernel/errno.h>
#include <kernel/panic.h>
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

/* Busy threads, twice as many as CPUs: new threads are spread over the
 * CPUs (idle ones first), so every CPU must end up running some of them. */
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

/* ---- per-CPU run queues: wake affinity, pulling, affinity ---------------- */

static u32 online_mask(void)
{
	return sched_online_mask();
}

/* A thread (not running) started pinned to `mask`, joinable. */
static struct thread *start_pinned(void (*fn)(void *), void *arg, u32 mask)
{
	struct thread *th = kthread_create_stopped(fn, arg, "sched_kt");

	if (!th)
		return NULL;
	th->detached = false;
	if (sched_setaffinity(th, mask) != 0)
		panic("sched_setaffinity 0x%x on a new thread failed", mask);
	kthread_wake_new(th);
	return th;
}

static int my_cpu(void)
{
	int id;

	irq_push();
	id = this_cpu_id();
	irq_pop();
	return id;
}

#define AFFINE_ROUNDS 20
static struct waitqueue affine_wq;
static volatile int affine_go, affine_back;

static void affine_sleeper(void *arg)
{
	(void)arg;
	for (int i = 0; i < AFFINE_ROUNDS; i++) {
		int before = my_cpu();
		wait_event(&affine_wq, affine_go > i);
		if (my_cpu() == before)
			affine_back++;
	}
}

/* Wake affinity: a thread woken by a thread running on another CPU goes
 * back to the CPU it slept on, which idles meanwhile. (The waker here is
 * busy; a wake from an interrupt on an idle CPU runs the thread there
 * instead, sched_balance.c: select_cpu.) Now and then a busy neighbour (kppsd)
 * may take its CPU at the wrong instant; most rounds come back. */
KTEST(sched_wake_affinity)
{
	struct thread *th;

	waitqueue_init(&affine_wq, "affine");
	affine_go = 0;
	affine_back = 0;
	KT_ASSERT(t, (th = kthread_create(affine_sleeper, NULL, "affine", false)));
	for (int i = 0; i < AFFINE_ROUNDS; i++) {
		while (READ_ONCE(th->state) != T_SLEEPING)
			yield();
		affine_go = i + 1;
		wake_up(&affine_wq);
	}
	kthread_join(th);
	kt_info(t, "came back to its cpu %d of %d times", affine_back, AFFINE_ROUNDS);
	KT_EXPECT(t, affine_back >= AFFINE_ROUNDS - 3);
}

#define PULL_MAX (2 * MAX_CPUS + 1)
static volatile u32 pull_ran_on[PULL_MAX];
static volatile u32 pull_progress[PULL_MAX];
static volatile bool pull_stop;

static void pull_worker(void *arg)
{
	int i = (int)(uintptr_t)arg;

	while (!pull_stop) {
		irq_push();
		pull_ran_on[i] |= 1u << this_cpu_id();
		irq_pop();
		pull_progress[i]++;
		cpu_relax();
	}
}

/* Pulling: 2n+1 busy threads all queued on one CPU (pinned there, then
 * let go); the idle CPUs must take them, and busy CPUs even out: every
 * CPU runs some, every thread keeps making progress, and the migrations
 * are counted. */
KTEST(sched_pull)
{
	struct thread *th[PULL_MAX];
	int n = 2 * ncpus_online + 1, cpu = my_cpu();
	u32 all = online_mask(), ran = 0, progress[PULL_MAX];
	u64 mig0 = sched_total_migrations(), deadline;

	pull_stop = false;
	for (int i = 0; i < n; i++) {
		pull_ran_on[i] = 0;
		pull_progress[i] = 0;
		KT_ASSERT(t, (th[i] = start_pinned(pull_worker, (void *)(uintptr_t)i, 1u << cpu)));
	}
	sleep_ticks(2);
	for (int i = 0; i < n; i++) {
		KT_EXPECT_EQ(t, pull_ran_on[i] & ~(1u << cpu), 0u); /* pinned: there only */
		pull_ran_on[i] = 0;
		KT_EXPECT_EQ(t, sched_setaffinity(th[i], ~0u), 0);
	}
	deadline = jiffies + 20 * hz; /* TCG with many vCPUs on few host cores is slow */
	do {
		sleep_ticks(2);
		ran = 0;
		for (int i = 0; i < n; i++)
			ran |= pull_ran_on[i];
	} while (ran != all && jiffies < deadline);
	for (int i = 0; i < n; i++)
		progress[i] = pull_progress[i];
	sleep_ticks(hz / 5 + 1);
	for (int i = 0; i < n; i++)
		KT_EXPECT(t, pull_progress[i] > progress[i]); /* nobody starves */
	pull_stop = true;
	for (int i = 0; i < n; i++)
		kthread_join(th[i]);
	kt_info(t, "%d threads from cpu %d ran on cpus 0x%x of 0x%x, %llu migrations", n, cpu, ran,
		all, sched_total_migrations() - mig0);
	KT_EXPECT_EQ(t, ran, all);
	if (ncpus_online > 1)
		KT_EXPECT(t, sched_total_migrations() > mig0);
}

static volatile u32 pin_ran_on;
static volatile bool pin_stop;

static void pin_worker(void *arg)
{
	(void)arg;
	while (!pin_stop) {
		/* One locked instruction: a plain |= on the new CPU could read
		 * the old CPU's bit just before the test clears the word, and
		 * write it back just after (the test saw 3 for 1 so once). */
		irq_push();
		atomic_or(&pin_ran_on, 1u << this_cpu_id());
		irq_pop();
		cpu_relax();
	}
}

/* Affinity: a thread pinned to one CPU runs only there; a new mask that
 * leaves that CPU out moves it at once (it is running: its CPU is told to
 * switch away and push it). Bad masks are refused. */
KTEST(sched_affinity_pin)
{
	struct thread *th;
	int last = ncpus_online - 1, other = 0;
	u64 deadline;

	pin_stop = false;
	pin_ran_on = 0;
	KT_ASSERT(t, (th = start_pinned(pin_worker, NULL, 1u << last)));
	sleep_ticks(hz / 10 + 1);
	KT_EXPECT_EQ(t, pin_ran_on, 1u << last);
	KT_EXPECT_EQ(t, sched_getaffinity(th), 1u << last);

	KT_EXPECT_EQ(t, sched_setaffinity(th, 0), -EINVAL);
	KT_EXPECT_EQ(t, sched_setaffinity(th, 1u << 31), -EINVAL); /* no online CPU */
	KT_EXPECT_EQ(t, sched_getaffinity(th), 1u << last);         /* unchanged */

	KT_EXPECT_EQ(t, sched_setaffinity(th, 1u << other), 0);
	deadline = jiffies + 5 * hz;
	while (th->cpu->id != other && jiffies < deadline)
		sleep_ticks(1);
	KT_EXPECT_EQ(t, th->cpu->id, other);
	pin_ran_on = 0;
	sleep_ticks(hz / 10 + 1);
	KT_EXPECT_EQ(t, pin_ran_on, 1u << other);
	kt_info(t, "pinned to cpu %d, moved to cpu %d, %llu migration(s)", last, other,
		th->migrations);
	if (last != other)
		KT_EXPECT(t, th->migrations >= 1);
	pin_stop = true;
	kthread_join(th);
}

/* ---- no thread runs on two CPUs -------------------------------------------- */

#define RING_MAX (2 * MAX_CPUS)
#define RING_ROUNDS 200
static struct waitqueue ring_wq[RING_MAX];
static volatile int ring_turn;
static volatile u32 ring_done;
static int ring_n;

static void ring_worker(void *arg)
{
	int me = (int)(uintptr_t)arg;

	for (int r = 0; r < RING_ROUNDS; r++) {
		wait_event(&ring_wq[me], ring_turn == me);
		ring_turn = (me + 1) % ring_n;
		wake_up(&ring_wq[ring_turn]);
	}
	atomic_add_return(&ring_done, 1);
}

/* A token passed round a ring of 2n threads, each woken by the previous
 * one from another CPU, while their masks keep changing under them: wakes
 * racing with sleeps, placement, pushes and pulls. __schedule asserts
 * (debug builds) that the thread it switches to is on no other CPU, and
 * that it belongs to this CPU; a lost wakeup hangs the test. */
KTEST(sched_wake_migrate_stress)
{
	struct thread *th[RING_MAX];
	u32 all = online_mask();
	u32 masks[] = { all, 1u, all & 0x5, all & 0xa, all & 0x6, 1u << (ncpus_online - 1) };
	u64 mig0 = sched_total_migrations(), sw0 = sched_total_switches();
	int k = 0;

	ring_n = 2 * ncpus_online;
	ring_turn = 0;
	ring_done = 0;
	for (int i = 0; i < ring_n; i++)
		waitqueue_init(&ring_wq[i], "ring");
	for (int i = 0; i < ring_n; i++)
		KT_ASSERT(t, (th[i] = kthread_create(ring_worker, (void *)(uintptr_t)i, "ring", false)));
	while (ring_done < (u32)ring_n) {
		for (int i = 0; i < ring_n; i++) {
			u32 m = masks[k++ % ARRAY_SIZE(masks)];
			if (m)
				sched_setaffinity(th[i], m);
		}
		yield();
	}
	for (int i = 0; i < ring_n; i++)
		kthread_join(th[i]);
	kt_info(t, "%d threads, %d rounds: %llu switches, %llu migrations", ring_n, RING_ROUNDS,
		sched_total_switches() - sw0, sched_total_migrations() - mig0);
	KT_EXPECT(t, sched_total_switches() - sw0 >= (u64)ring_n * RING_ROUNDS);
}
