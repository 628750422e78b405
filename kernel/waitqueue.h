/*
 * Wait queues: sleep until a condition holds, woken by whoever makes it hold.
 *
 * wait_event(wq, cond) checks cond under wq->lock, and a sleeper leaves
 * wq->lock only after taking the run-queue lock, so a wake_up() between the
 * check and the sleep cannot be lost: the waker needs wq->lock too, and
 * finds the sleeper already on the queue. The condition's writer must set
 * it before calling wake_up(). Lock order: wq->lock, then rq_lock.
 */
#ifndef KERNEL_WAITQUEUE_H
#define KERNEL_WAITQUEUE_H

#include <kernel/spinlock.h>
#include <kernel/list.h>

struct waitqueue {
	struct spinlock lock;
	struct list_head sleepers;  /* struct thread, via wait_node */
};

void waitqueue_init(struct waitqueue *wq, const char *name);
void wake_up(struct waitqueue *wq);       /* wake every sleeper */
void wake_up_locked(struct waitqueue *wq, bool all); /* wq->lock held */
void wake_up_one(struct waitqueue *wq);
/* Sleep once on wq; call with wq->lock held, returns with it released
 * (and off the queue, whoever woke us). */
void waitqueue_sleep_locked(struct waitqueue *wq);

#define wait_event(wq, cond)                                    \
	do {                                                    \
		for (;;) {                                      \
			spin_lock(&(wq)->lock);                 \
			if (cond) {                             \
				spin_unlock(&(wq)->lock);       \
				break;                          \
			}                                       \
			waitqueue_sleep_locked(wq);             \
		}                                               \
	} while (0)

/*
 * A completion: one event that a waiter waits for, often with the waiter's
 * own stack holding it. complete() sets `done` and wakes under the queue's
 * lock, so the waiter cannot see `done`, return and free the completion
 * while complete() is still touching it (the trap of "set a flag, then
 * wake_up()").
 */
struct completion {
	struct waitqueue wq;
	volatile bool done;
};

static inline void completion_init(struct completion *c, const char *name)
{
	waitqueue_init(&c->wq, name);
	c->done = false;
}
void complete(struct completion *c);
void wait_for_completion(struct completion *c);

/* Same, but give up with -EINTR when a signal is pending; 0 when cond holds.
 * Needs kernel/sched.h (signal_pending) where it is used. */
#define wait_event_interruptible(wq, cond)                              \
	({                                                              \
		int __ret = 0;                                          \
		for (;;) {                                              \
			spin_lock(&(wq)->lock);                         \
			if (cond) {                                     \
				spin_unlock(&(wq)->lock);               \
				break;                                  \
			}                                               \
			if (signal_pending()) {                         \
				spin_unlock(&(wq)->lock);               \
				__ret = -EINTR;                         \
				break;                                  \
			}                                               \
			current()->interruptible = true;                \
			waitqueue_sleep_locked(wq);                     \
			current()->interruptible = false;               \
		}                                                       \
		__ret;                                                  \
	})

#endif
