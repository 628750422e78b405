/*
 * Wait queues (see waitqueue.h for the protocol that prevents lost wakeups).
 * Sleepers are linked through their wait_node. A sleeper may also be woken
 * by a signal (thread_signal) while still on the queue; it then takes itself
 * off, under the queue's lock, before doing anything else.
 */
#include <kernel/waitqueue.h>
#include <kernel/sched.h>
#include <kernel/lock_assert.h>

void waitqueue_init(struct waitqueue *wq, const char *name)
{
	spin_init(&wq->lock, name);
	list_init(&wq->sleepers);
}

void waitqueue_sleep_locked(struct waitqueue *wq)
{
	struct thread *me = current();

	ASSERT_HELD(&wq->lock);
	list_add_tail(&me->wait_node, &wq->sleepers);
	sched_sleep_release(&wq->lock);
	spin_lock(&wq->lock);
	if (!list_empty(&me->wait_node))
		list_del(&me->wait_node);
	spin_unlock(&wq->lock);
}

void wake_up_locked(struct waitqueue *wq, bool all)
{
	ASSERT_HELD(&wq->lock);
	while (!list_empty(&wq->sleepers)) {
		struct thread *t = list_first_entry(&wq->sleepers, struct thread, wait_node);
		list_del(&t->wait_node);
		sched_wake(t);
		if (!all)
			break;
	}
}

static void wake(struct waitqueue *wq, bool all)
{
	spin_lock(&wq->lock);
	wake_up_locked(wq, all);
	spin_unlock(&wq->lock);
}

void complete(struct completion *c)
{
	spin_lock(&c->wq.lock);
	c->done = true;
	wake_up_locked(&c->wq, true);
	spin_unlock(&c->wq.lock);
}

void wait_for_completion(struct completion *c)
{
	wait_event(&c->wq, c->done);
}

void wake_up(struct waitqueue *wq) { wake(wq, true); }
void wake_up_one(struct waitqueue *wq) { wake(wq, false); }
