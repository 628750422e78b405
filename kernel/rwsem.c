/* Sleeping readers-writer semaphores (see rwsem.h). */
#include <kernel/rwsem.h>
#include <kernel/sched.h>
#include <kernel/panic.h>

void rwsem_init(struct rwsem *s, const char *name)
{
	waitqueue_init(&s->wq, name);
	s->readers = 0;
	s->writer = false;
	s->writers_waiting = 0;
}

void down_read(struct rwsem *s)
{
	for (;;) {
		spin_lock(&s->wq.lock);
		if (!s->writer && !s->writers_waiting) {
			s->readers++;
			spin_unlock(&s->wq.lock);
			return;
		}
		waitqueue_sleep_locked(&s->wq);
	}
}

bool down_read_trylock(struct rwsem *s)
{
	bool got = false;

	spin_lock(&s->wq.lock);
	if (!s->writer && !s->writers_waiting) {
		s->readers++;
		got = true;
	}
	spin_unlock(&s->wq.lock);
	return got;
}

void up_read(struct rwsem *s)
{
	spin_lock(&s->wq.lock);
	BUG_ON(s->readers <= 0);
	s->readers--;
	spin_unlock(&s->wq.lock);
	if (s->readers == 0)
		wake_up(&s->wq);
}

void down_write(struct rwsem *s)
{
	bool counted = false;

	for (;;) {
		spin_lock(&s->wq.lock);
		if (!s->writer && s->readers == 0) {
			s->writer = true;
			if (counted)
				s->writers_waiting--;
			spin_unlock(&s->wq.lock);
			return;
		}
		if (!counted) {
			s->writers_waiting++;
			counted = true;
		}
		waitqueue_sleep_locked(&s->wq);
	}
}

void up_write(struct rwsem *s)
{
	spin_lock(&s->wq.lock);
	BUG_ON(!s->writer);
	s->writer = false;
	spin_unlock(&s->wq.lock);
	wake_up(&s->wq);
}
