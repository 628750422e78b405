/*
 * Wait queues (see waitqueue.h for the protocol that prevents lost wakeups).
 * Sleepers are linked through their rq_node: a thread is on a wait queue or
 * on the run queue, never both.
 */
#include <kernel/waitqueue.h>
#include <kernel/sched.h>

void waitqueue_init(struct waitqueue *wq, const char *name)
{
	spin_init(&wq->lock, name);
	list_init(&wq->sleepers);
}

void waitqueue_sleep_locked(struct waitqueue *wq)
{
	struct thread *me = current();

	list_add_tail(&me->rq_node, &wq->sleepers);
	sched_sleep_release(&wq->lock);
}

static void wake(struct waitqueue *wq, bool all)
{
	spin_lock(&wq->lock);
	while (!list_empty(&wq->sleepers)) {
		struct thread *t = list_first_entry(&wq->sleepers, struct thread, rq_node);
		list_del(&t->rq_node);
		sched_wake(t);
		if (!all)
			break;
	}
	spin_unlock(&wq->lock);
}

void wake_up(struct waitqueue *wq) { wake(wq, true); }
void wake_up_one(struct waitqueue *wq) { wake(wq, false); }
