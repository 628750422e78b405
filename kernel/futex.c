/*
 * Futexes (futex(2), 240): FUTEX_WAIT with an optional relative timeout,
 * FUTEX_WAKE, FUTEX_REQUEUE and FUTEX_CMP_REQUEUE, FUTEX_WAIT_BITSET (an
 * absolute timeout on CLOCK_MONOTONIC, or CLOCK_REALTIME with
 * FUTEX_CLOCK_REALTIME: what glibc's pthread_join and condition variables
 * use) and FUTEX_WAKE_BITSET, and their _PRIVATE twins.
 *
 * A waiter is a struct futex_q on its own kernel stack, queued in one of
 * FUTEX_BUCKETS hash buckets chosen by its key. Nothing else is allocated:
 * a futex exists only while someone waits on it. The key is (mm, uaddr),
 * except for a word in MAP_SHARED memory when the call is not _PRIVATE:
 * then it is (the shared anon object, the word's offset in it), the same
 * for every process that maps it, wherever it maps it (Linux keys such a
 * futex by the page's backing object too). A process-shared mutex or
 * semaphore between a parent and its children works that way; the object
 * lives as long as a waiter's process maps it.
 *
 * Locks: each bucket's spinlock protects its waiter list and, for every
 * futex_q on it, q->node, q->key and q->bucket (FUTEX_REQUEUE moves a
 * waiter to another bucket while holding both locks, lower address first).
 * A waker calls sched_wake() under the bucket lock, so the order is bucket,
 * then sleep_lock and rq_lock (sched.c, sched_sleep.c). "Woken" is "off the list": only a
 * waker takes a waiter off, except the waiter itself when it gives up.
 *
 * The lost wakeup. Reading the user word may fault, and the fault path
 * sleeps (mmap_lock, swap-in), so it cannot be read under a spinlock.
 * The waiter therefore queues itself first and reads the word after:
 *     waiter: lock; enqueue; unlock; v = *uaddr; if v != val: dequeue, -EAGAIN
 *     waker:  *uaddr = new; lock; dequeue and wake waiters; unlock
 * If the waiter read the old value, it was already queued before the
 * waker changed the word, so the waker's lock-and-scan finds it; if it
 * read the new value, it leaves. (The waker's store comes before its
 * locked xchg, a full barrier on x86, and the waker can take the lock only
 * after the waiter's enqueue and unlock are visible.) Then it sleeps with
 * sched_sleep_release(bucket lock): a waker that finds it takes the same
 * lock, so it sees the waiter either still running (it will not sleep:
 * it rechecks "on the list" under the lock) or fully asleep.
 *
 * Timeouts: the deadline is on the TSC clock (uptime_ms), like
 * nanosleep's; sched_sleep_release_until sleeps in ticks, and a waiter
 * woken before the deadline (ticks may run at another rate) sleeps again.
 *
 * Lifetime: a futex_q is taken off its list before futex_wait_key returns
 * (every return path looks under the bucket lock), and a waker touches a
 * waiter only under the lock, so the hash never points at a thread that
 * has gone. Every sleep is interruptible: a fatal signal (exit_group)
 * ends it with -EINTR. So a process's waiters, all its own threads, are
 * gone before its mm can be freed, and no stale key can match a new mm.
 */
#include <kernel/futex.h>
#include <kernel/sched.h>
#include <kernel/proc.h>
#include <kernel/syscall.h>
#include <kernel/errno.h>
#include <kernel/time.h>
#include <kernel/list.h>
#include <kernel/lock_assert.h>
#include <mm/uaccess.h>
#include <mm/mm.h>
#include <mm/anon.h>
#include <uapi/ppsos/futex.h>
#include <uapi/ppsos/time.h>

#define FUTEX_HASH_BITS 6
#define FUTEX_BUCKETS (1 << FUTEX_HASH_BITS)

struct futex_bucket {
	struct spinlock lock;
	struct list_head waiters;       /* struct futex_q, via node */
};

/* What a futex is: (mm, uaddr), or (shared anon object, offset in it). */
struct futex_key {
	const void *base;
	u32 off;
};

struct futex_q {
	struct list_head node;          /* in bucket->waiters; empty once woken */
	struct futex_key key;
	struct thread *thread;
	u32 bitset;                     /* woken by wakes sharing a bit (FUTEX_WAIT_BITSET) */
	struct futex_bucket *volatile bucket; /* whose lock guards node */
};

#define BUCKET(i) [i] = { SPINLOCK_INIT("futex_bucket"), LIST_HEAD_INIT(buckets[i].waiters) }
#define BUCKET4(i) BUCKET(i), BUCKET(i + 1), BUCKET(i + 2), BUCKET(i + 3)
#define BUCKET16(i) BUCKET4(i), BUCKET4(i + 4), BUCKET4(i + 8), BUCKET4(i + 12)
static struct futex_bucket buckets[FUTEX_BUCKETS] = {
	BUCKET16(0), BUCKET16(16), BUCKET16(32), BUCKET16(48)
};

static struct futex_bucket *bucket_of(const struct futex_key *k)
{
	u32 h = ((u32)k->base ^ (k->off >> 2) ^ (k->off >> 12)) * 0x9E3779B1u; /* Knuth's golden ratio */

	return &buckets[h >> (32 - FUTEX_HASH_BITS)];
}

static bool q_matches(const struct futex_q *q, const struct futex_key *k)
{
	return q->key.base == k->base && q->key.off == k->off;
}

/* The key of uaddr in mm: by its shared object when it lies in MAP_SHARED
 * memory and the call is not _PRIVATE, else (mm, uaddr). */
static struct futex_key key_of(struct mm *mm, u32 uaddr, bool private)
{
	struct futex_key k = { mm, uaddr };
	struct vma *v;

	if (private)
		return k;
	down_read(&mm->mmap_lock);
	v = vma_find(mm, uaddr);
	if (v && (v->flags & VM_SHARED) && v->anon) {
		k.base = v->anon;
		k.off = (vma_page_index(v, uaddr) << PAGE_SHIFT) | (uaddr & (PAGE_SIZE - 1));
	}
	up_read(&mm->mmap_lock);
	return k;
}

/* Lock the bucket q is on. A requeue may move q between reading
 * q->bucket and locking it; it changes q->bucket only with the old
 * bucket's lock held, so once we hold the lock of q->bucket, it stays. */
static struct futex_bucket *q_lock(struct futex_q *q)
{
	for (;;) {
		struct futex_bucket *b = q->bucket;

		spin_lock(&b->lock);
		if (b == q->bucket)
			return b;
		spin_unlock(&b->lock);
	}
}

/* Take a waiter off and wake it. Under the lock: once the waiter sees
 * itself off the list it may return and its stack (q) be reused. */
static void wake_q(struct futex_bucket *b, struct futex_q *q)
{
	ASSERT_HELD(&b->lock);
	list_del(&q->node);
	sched_wake(q->thread);
}

static void lock_two(struct futex_bucket *a, struct futex_bucket *b)
{
	if (a == b) {
		spin_lock(&a->lock);
	} else if (a < b) {
		spin_lock(&a->lock);
		spin_lock(&b->lock);
	} else {
		spin_lock(&b->lock);
		spin_lock(&a->lock);
	}
}

static void unlock_two(struct futex_bucket *a, struct futex_bucket *b)
{
	spin_unlock(&a->lock);
	if (a != b)
		spin_unlock(&b->lock);
}

int futex_read_user(u32 uaddr, u32 *val)
{
	return copy_from_user(val, uaddr, sizeof(*val));
}

/* Wait on key k; the word to compare is at uaddr of the caller. */
static int wait_k(const struct futex_key *k, u32 uaddr, u32 val, u64 deadline, u32 bitset,
		  futex_read_fn read)
{
	struct futex_q q = { .key = *k, .thread = current(), .bitset = bitset };
	struct futex_bucket *b = bucket_of(k);
	u64 now = 0;
	u32 cur;
	int err;

	q.bucket = b;
	spin_lock(&b->lock);
	list_add_tail(&q.node, &b->waiters);
	spin_unlock(&b->lock);

	/* Queued: a waker that changes the word from now on finds us. */
	err = read(uaddr, &cur);
	if (!err && cur != val)
		err = -EAGAIN;

	for (;;) {
		b = q_lock(&q);
		if (list_empty(&q.node)) {
			/* A waker took us off: that is our answer, even if a
			 * signal or the deadline came too (the wake is not lost). */
			spin_unlock(&b->lock);
			return 0;
		}
		if (!err && signal_pending())
			err = -EINTR;
		if (!err && deadline != FUTEX_NO_DEADLINE && (now = uptime_ms()) >= deadline)
			err = -ETIMEDOUT;
		if (err) {
			list_del(&q.node);
			spin_unlock(&b->lock);
			return err;
		}
		current()->interruptible = true;
		if (deadline == FUTEX_NO_DEADLINE)
			sched_sleep_release(&b->lock);
		else /* in ticks, at most ~12 days at a time: the loop sleeps again if woken early */
			sched_sleep_release_until(&b->lock,
						  jiffies + ms_to_ticks(MIN(deadline - now, 1u << 30)));
		current()->interruptible = false;
		/* Woken by a waker, a signal, the deadline, or for nothing:
		 * the loop tells which. */
	}
}

/* Linux's quirk, kept for compatibility: nr <= 0 wakes one. */
static int wake_k(const struct futex_key *k, int nr, u32 bitset)
{
	struct futex_bucket *b = bucket_of(k);
	struct list_head *p, *n;
	int woken = 0;

	spin_lock(&b->lock);
	list_for_each_safe(p, n, &b->waiters) {
		struct futex_q *q = list_entry(p, struct futex_q, node);

		if (!q_matches(q, k) || !(q->bitset & bitset))
			continue;
		wake_q(b, q);
		if (++woken >= nr)
			break;
	}
	spin_unlock(&b->lock);
	return woken;
}

/* The compare is made before the bucket locks are taken (the read may
 * sleep). A change of the word after it acts as if it came after the
 * requeue: every waiter still leaves only by a wake, a signal or its
 * deadline, on uaddr or uaddr2. */
static int requeue_k(const struct futex_key *k1, u32 uaddr, const struct futex_key *k2, int nr_wake,
		     int nr_requeue, const u32 *cmpval, futex_read_fn read)
{
	struct futex_bucket *b1 = bucket_of(k1), *b2 = bucket_of(k2);
	struct list_head *p, *n;
	int woken = 0, moved = 0;

	if (nr_wake < 0 || nr_requeue < 0)
		return -EINVAL;
	if (cmpval) {
		u32 cur;
		int err = read(uaddr, &cur);

		if (err)
			return err;
		if (cur != *cmpval)
			return -EAGAIN;
	}
	lock_two(b1, b2);
	list_for_each_safe(p, n, &b1->waiters) {
		struct futex_q *q = list_entry(p, struct futex_q, node);

		if (!q_matches(q, k1))
			continue;
		if (woken < nr_wake) {
			wake_q(b1, q);
			woken++;
		} else if (moved < nr_requeue) {
			/* Same bucket: the key changes in place (moving it to
			 * the tail would meet it again in this walk). */
			if (b1 != b2) {
				list_del(&q->node);
				list_add_tail(&q->node, &b2->waiters);
				q->bucket = b2;
			}
			q->key = *k2;
			moved++;
		} else {
			break;
		}
	}
	unlock_two(b1, b2);
	return woken + moved;
}

int futex_waiters(struct mm *mm, u32 uaddr)
{
	struct futex_key k = { mm, uaddr };
	struct futex_bucket *b = bucket_of(&k);
	struct list_head *p;
	int count = 0;

	spin_lock(&b->lock);
	list_for_each(p, &b->waiters)
		count += q_matches(list_entry(p, struct futex_q, node), &k);
	spin_unlock(&b->lock);
	return count;
}

/* The (mm, uaddr) forms: private keys (the ktests, CLONE_CHILD_CLEARTID). */
int futex_wait_key(struct mm *mm, u32 uaddr, u32 val, u64 deadline, futex_read_fn read)
{
	return futex_wait_bitset(mm, uaddr, val, deadline, FUTEX_BITSET_MATCH_ANY, read);
}

int futex_wait_bitset(struct mm *mm, u32 uaddr, u32 val, u64 deadline, u32 bitset,
		      futex_read_fn read)
{
	struct futex_key k = { mm, uaddr };
	return wait_k(&k, uaddr, val, deadline, bitset, read);
}

int futex_wake(struct mm *mm, u32 uaddr, int nr)
{
	return futex_wake_bitset(mm, uaddr, nr, FUTEX_BITSET_MATCH_ANY);
}

int futex_wake_bitset(struct mm *mm, u32 uaddr, int nr, u32 bitset)
{
	struct futex_key k = { mm, uaddr };
	return wake_k(&k, nr, bitset);
}

int futex_requeue_key(struct mm *mm, u32 uaddr, u32 uaddr2, int nr_wake, int nr_requeue,
		      const u32 *cmpval, futex_read_fn read)
{
	struct futex_key k1 = { mm, uaddr }, k2 = { mm, uaddr2 };
	return requeue_k(&k1, uaddr, &k2, nr_wake, nr_requeue, cmpval, read);
}

/* A relative struct timespec (i386: 32-bit fields) to a deadline in
 * uptime_ms, rounded up, and one more: uptime_ms is rounded down, and a
 * timeout must never be shorter than asked (POSIX). A zero timeout has
 * expired already. The TSC clock decides, as for nanosleep: jiffies only
 * set how long each sleep is, and may run at another rate under QEMU. */
static int timeout_to_deadline(u32 utime, u64 *deadline)
{
	struct timespec ts;
	u64 ns;

	if (copy_from_user(&ts, utime, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec > 999999999)
		return -EINVAL;
	ns = (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec;
	*deadline = ns ? uptime_ms() + (ns + 999999) / 1000000 + 1 : 0;
	return 0;
}

/* FUTEX_WAIT_BITSET's timeout: an absolute struct timespec on
 * CLOCK_MONOTONIC (uptime), or CLOCK_REALTIME (uptime + boot_epoch) with
 * FUTEX_CLOCK_REALTIME, to a deadline in uptime_ms, rounded up. A time
 * already past gives a deadline that has expired. */
static int abs_timeout_to_deadline(u32 utime, bool realtime, u64 *deadline)
{
	struct timespec ts;
	u64 ns, base = realtime ? (u64)boot_epoch_seconds() * 1000000000ull : 0;

	if (copy_from_user(&ts, utime, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec > 999999999)
		return -EINVAL;
	ns = (u64)(u32)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec;
	*deadline = ns > base ? (ns - base + 999999) / 1000000 : 0;
	return 0;
}

/* futex(uaddr, op, val, timeout or val2, uaddr2, val3); val3 is the sixth
 * argument, in %ebp, which the dispatcher does not pass. */
long sys_futex(u32 uaddr, u32 op, u32 val, u32 utime, u32 uaddr2)
{
	struct mm *mm = current_proc()->mm;
	u32 val3 = current_user_tf()->ebp;
	int cmd = op & FUTEX_CMD_MASK;
	u64 deadline = FUTEX_NO_DEADLINE;
	int err;

	if ((op & FUTEX_CLOCK_REALTIME) && cmd != FUTEX_WAIT_BITSET)
		return -ENOSYS; /* as Linux: only the bitset (and PI) waits take it */
	if (cmd != FUTEX_WAIT && cmd != FUTEX_WAKE && cmd != FUTEX_REQUEUE &&
	    cmd != FUTEX_CMP_REQUEUE && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAKE_BITSET)
		return -ENOSYS; /* PI futexes, FUTEX_WAKE_OP: not here */
	if (uaddr & 3)
		return -EINVAL;
	if (!user_range_ok(uaddr, 4))
		return -EFAULT;
	bool private = op & FUTEX_PRIVATE_FLAG;
	struct futex_key k = key_of(mm, uaddr, private);
	switch (cmd) {
	case FUTEX_WAIT:
		if (utime && (err = timeout_to_deadline(utime, &deadline)))
			return err;
		return wait_k(&k, uaddr, val, deadline, FUTEX_BITSET_MATCH_ANY, futex_read_user);
	case FUTEX_WAKE:
		return wake_k(&k, (int)val, FUTEX_BITSET_MATCH_ANY);
	case FUTEX_WAIT_BITSET:
		if (!val3)
			return -EINVAL;
		if (utime && (err = abs_timeout_to_deadline(utime, op & FUTEX_CLOCK_REALTIME, &deadline)))
			return err;
		return wait_k(&k, uaddr, val, deadline, val3, futex_read_user);
	case FUTEX_WAKE_BITSET:
		if (!val3)
			return -EINVAL;
		return wake_k(&k, (int)val, val3);
	default: { /* FUTEX_REQUEUE, FUTEX_CMP_REQUEUE: utime is val2 */
		if (uaddr2 & 3)
			return -EINVAL;
		if (!user_range_ok(uaddr2, 4))
			return -EFAULT;
		struct futex_key k2 = key_of(mm, uaddr2, private);
		return requeue_k(&k, uaddr, &k2, (int)val, (int)utime,
				 cmd == FUTEX_CMP_REQUEUE ? &val3 : NULL, futex_read_user);
	}
	}
}
