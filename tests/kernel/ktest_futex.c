/*
 * ktests for kernel/futex.c: the hash, wake counts, requeue, timeouts,
 * signals and the lost-wakeup race. Kernel threads have no user memory,
 * so the futex words here are kernel words under a made-up mm (the key is
 * only compared, never dereferenced), read by kread instead of
 * copy_from_user.
 */
#include <kernel/ktest.h>
#include <kernel/futex.h>
#include <kernel/sched.h>
#include <kernel/time.h>
#include <kernel/errno.h>
#include <uapi/ppsos/signal.h>

static int fake_mm_token;
#define FAKE_MM ((struct mm *)&fake_mm_token)
#define KEY(w) ((u32)(uintptr_t)&(w))

static int kread(u32 uaddr, u32 *val)
{
	*val = *(volatile u32 *)(uintptr_t)uaddr;
	return 0;
}

/* A read that sometimes sleeps, as copy_from_user does on a fault, and is
 * sometimes preempted just after reading: together they widen every
 * window between queueing, reading the word and going to sleep. (Reading
 * before queueing, the bug this pattern avoids, loses wakeups here.) */
static volatile u32 slow_reads;
static int kread_slow(u32 uaddr, u32 *val)
{
	u32 n = __atomic_add_fetch(&slow_reads, 1, __ATOMIC_SEQ_CST);

	if (n % 2 == 0)
		yield();
	kread(uaddr, val);
	if (n % 3 == 0)
		yield();
	return 0;
}

struct waiter {
	volatile u32 *word;
	u32 val;
	u64 deadline;
	volatile int result;
	volatile bool done;
};

static void wait_thread(void *arg)
{
	struct waiter *w = arg;

	w->result = futex_wait_key(FAKE_MM, KEY(*w->word), w->val, w->deadline, kread);
	w->done = true;
}

/* Wait (a bounded time) until n threads are queued on word. */
static bool await_waiters(volatile u32 *word, int n)
{
	u64 end = jiffies + 10 * hz;

	while (futex_waiters(FAKE_MM, KEY(*word)) != n && jiffies < end)
		sleep_ticks(1);
	return futex_waiters(FAKE_MM, KEY(*word)) == n;
}

static int count_done(struct waiter *w, int n)
{
	int d = 0;

	for (int i = 0; i < n; i++)
		d += w[i].done;
	return d;
}

static struct thread *start_waiter(struct waiter *w, volatile u32 *word, u32 val, u64 deadline)
{
	w->word = word;
	w->val = val;
	w->deadline = deadline;
	w->result = 12345;
	w->done = false;
	return kthread_create(wait_thread, w, "futex_wait", false);
}

static volatile u32 word_a, word_b;

KTEST(futex_wake_nobody)
{
	KT_EXPECT_EQ(t, futex_wake(FAKE_MM, KEY(word_a), 1), 0);
	KT_EXPECT_EQ(t, futex_waiters(FAKE_MM, KEY(word_a)), 0);
}

KTEST(futex_wait_value_changed)
{
	word_a = 1;
	KT_EXPECT_EQ(t, futex_wait_key(FAKE_MM, KEY(word_a), 0, FUTEX_NO_DEADLINE, kread), -EAGAIN);
	KT_EXPECT_EQ(t, futex_waiters(FAKE_MM, KEY(word_a)), 0);
}

KTEST(futex_wait_timeout)
{
	u64 before = uptime_ms();

	word_a = 0;
	KT_EXPECT_EQ(t, futex_wait_key(FAKE_MM, KEY(word_a), 0, before + 50, kread), -ETIMEDOUT);
	KT_EXPECT(t, uptime_ms() - before >= 50);
	KT_EXPECT_EQ(t, futex_waiters(FAKE_MM, KEY(word_a)), 0);
	/* A deadline already gone: no sleep at all. */
	KT_EXPECT_EQ(t, futex_wait_key(FAKE_MM, KEY(word_a), 0, uptime_ms(), kread), -ETIMEDOUT);
}

/* FUTEX_WAKE wakes as many as asked and says how many it woke. */
KTEST(futex_wake_counts)
{
	struct waiter w[4];
	struct thread *th[4];

	word_a = 0;
	for (int i = 0; i < 4; i++)
		KT_ASSERT(t, (th[i] = start_waiter(&w[i], &word_a, 0, FUTEX_NO_DEADLINE)));
	KT_EXPECT(t, await_waiters(&word_a, 4));
	KT_EXPECT_EQ(t, futex_wake(FAKE_MM, KEY(word_a), 1), 1);
	KT_EXPECT(t, await_waiters(&word_a, 3));
	KT_EXPECT_EQ(t, futex_wake(FAKE_MM, KEY(word_b), 10), 0); /* another key */
	KT_EXPECT_EQ(t, futex_wake(FAKE_MM, KEY(word_a), 10), 3);
	for (int i = 0; i < 4; i++) {
		kthread_join(th[i]);
		KT_EXPECT_EQ(t, w[i].result, 0);
	}
	KT_EXPECT_EQ(t, futex_waiters(FAKE_MM, KEY(word_a)), 0);
}

/* REQUEUE wakes nr_wake, moves nr_requeue to the second word, leaves the
 * rest; CMP_REQUEUE does nothing if the word is not the expected one. */
KTEST(futex_requeue_moves)
{
	struct waiter w[5];
	struct thread *th[5];
	u32 expect = 7;

	word_a = 0;
	word_b = 0;
	for (int i = 0; i < 5; i++)
		KT_ASSERT(t, (th[i] = start_waiter(&w[i], &word_a, 0, FUTEX_NO_DEADLINE)));
	KT_ASSERT(t, await_waiters(&word_a, 5));
	KT_EXPECT_EQ(t, futex_requeue_key(FAKE_MM, KEY(word_a), KEY(word_b), 1, 3, &expect, kread),
		     -EAGAIN);
	KT_EXPECT_EQ(t, futex_waiters(FAKE_MM, KEY(word_a)), 5);
	KT_EXPECT_EQ(t, futex_requeue_key(FAKE_MM, KEY(word_a), KEY(word_b), -1, 3, NULL, kread),
		     -EINVAL);
	expect = 0;
	KT_EXPECT_EQ(t, futex_requeue_key(FAKE_MM, KEY(word_a), KEY(word_b), 1, 3, &expect, kread), 4);
	KT_EXPECT(t, await_waiters(&word_a, 1));
	KT_EXPECT_EQ(t, futex_waiters(FAKE_MM, KEY(word_b)), 3);
	/* Waking the old word now finds only the one left there. */
	KT_EXPECT_EQ(t, futex_wake(FAKE_MM, KEY(word_a), 10), 1);
	KT_EXPECT_EQ(t, futex_wake(FAKE_MM, KEY(word_b), 10), 3);
	for (int i = 0; i < 5; i++) {
		kthread_join(th[i]);
		KT_EXPECT_EQ(t, w[i].result, 0);
	}
	KT_EXPECT_EQ(t, count_done(w, 5), 5);
}

/* Requeue onto the same word: nothing moves, all stay findable. */
KTEST(futex_requeue_same_word)
{
	struct waiter w[3];
	struct thread *th[3];

	word_a = 0;
	for (int i = 0; i < 3; i++)
		KT_ASSERT(t, (th[i] = start_waiter(&w[i], &word_a, 0, FUTEX_NO_DEADLINE)));
	KT_ASSERT(t, await_waiters(&word_a, 3));
	KT_EXPECT_EQ(t, futex_requeue_key(FAKE_MM, KEY(word_a), KEY(word_a), 0, 10, NULL, kread), 3);
	KT_EXPECT_EQ(t, futex_waiters(FAKE_MM, KEY(word_a)), 3);
	KT_EXPECT_EQ(t, futex_wake(FAKE_MM, KEY(word_a), 10), 3);
	for (int i = 0; i < 3; i++) {
		kthread_join(th[i]);
		KT_EXPECT_EQ(t, w[i].result, 0);
	}
}

/* A signal ends the wait with -EINTR and takes the waiter off (exit_group
 * relies on it). */
KTEST(futex_signal_interrupts)
{
	struct waiter w;
	struct thread *th;

	word_a = 0;
	KT_ASSERT(t, (th = start_waiter(&w, &word_a, 0, FUTEX_NO_DEADLINE)));
	KT_ASSERT(t, await_waiters(&word_a, 1));
	thread_signal(th, SIGKILL);
	kthread_join(th);
	KT_EXPECT_EQ(t, w.result, -EINTR);
	KT_EXPECT_EQ(t, futex_waiters(FAKE_MM, KEY(word_a)), 0);
}

/* A timed waiter woken before its deadline returns 0 (and leaves the
 * timer list: sched_sleep_release_until takes it off). */
KTEST(futex_timed_wait_woken)
{
	struct waiter w;
	struct thread *th;

	word_a = 0;
	KT_ASSERT(t, (th = start_waiter(&w, &word_a, 0, uptime_ms() + 30000)));
	KT_ASSERT(t, await_waiters(&word_a, 1));
	KT_EXPECT_EQ(t, futex_wake(FAKE_MM, KEY(word_a), 1), 1);
	kthread_join(th);
	KT_EXPECT_EQ(t, w.result, 0);
}

/*
 * The lost-wakeup race: two threads hand a turn back and forth through one
 * futex word, each waiting while the word is the other's turn and waking
 * the other after changing it, with a read that sometimes sleeps between
 * queueing and reading. A lost wakeup leaves a thread asleep with its turn
 * come; the deadline turns that hang into a counted failure (the partner
 * is in a tight loop: five seconds without a wake is one lost).
 */
#define PINGPONG_ROUNDS 1000
static volatile u32 turn;
static volatile int lost, rounds;
static volatile bool stop;

static void futex_pinger(void *arg)
{
	u32 me = (u32)(uintptr_t)arg, other = !me;

	for (int i = 0; i < PINGPONG_ROUNDS && !stop; i++) {
		while (turn != me && !stop) {
			int r = futex_wait_key(FAKE_MM, KEY(turn), other, uptime_ms() + 5000, kread_slow);
			if (r == -ETIMEDOUT) {
				__atomic_add_fetch(&lost, 1, __ATOMIC_SEQ_CST);
				stop = true; /* one is enough; the partner times out too */
			}
		}
		if (stop)
			break;
		__atomic_add_fetch(&rounds, 1, __ATOMIC_SEQ_CST);
		turn = other;
		futex_wake(FAKE_MM, KEY(turn), 1);
	}
}

KTEST(futex_pingpong_no_lost_wakeup)
{
	struct thread *a, *b;

	turn = 0;
	lost = 0;
	rounds = 0;
	stop = false;
	a = kthread_create(futex_pinger, (void *)0, "fping", false);
	b = kthread_create(futex_pinger, (void *)1, "fpong", false);
	KT_ASSERT(t, a && b);
	kthread_join(a);
	kthread_join(b);
	kt_info(t, "%d rounds, %d lost wakeups, %u reads", rounds, lost, slow_reads);
	KT_EXPECT_EQ(t, lost, 0);
	KT_EXPECT_EQ(t, rounds, 2 * PINGPONG_ROUNDS);
	KT_EXPECT_EQ(t, futex_waiters(FAKE_MM, KEY(turn)), 0);
}
