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
	s->owner = NULL;
}

/* The calling thread's record of its read holds (debug builds). A read
 * hold taken more times than the record has room for is simply not
 * recorded: rwsem_held() then answers from the count alone. */
static void note_read(struct rwsem *s)
{
#ifdef DEBUG
	struct thread *t = current();
	if (t->nheld_read < THREAD_HELD_RWSEMS)
		t->held_read[t->nheld_read++] = s;
#else
	(void)s;
#endif
}

static void forget_read(struct rwsem *s)
{
#ifdef DEBUG
	struct thread *t = current();
	for (u32 i = t->nheld_read; i-- > 0;)
		if (t->held_read[i] == s) {
			t->held_read[i] = t->held_read[--t->nheld_read];
			return;
		}
#else
	(void)s;
#endif
}

bool rwsem_write_held(struct rwsem *s)
{
	return s->writer && s->owner == current();
}

bool rwsem_held(struct rwsem *s)
{
	if (rwsem_write_held(s))
		return true;
#ifdef DEBUG
	struct thread *t = current();
	for (u32 i = 0; i < t->nheld_read; i++)
		if (t->held_read[i] == s)
			return true;
	if (t->nheld_read < THREAD_HELD_RWSEMS)
		return false;
#endif
	return s->readers > 0; /* cannot tell whose: at least someone's */
}

void down_read(struct rwsem *s)
{
	for (;;) {
		spin_lock(&s->wq.lock);
		if (!s->writer && !s->writers_waiting) {
			s->readers++;
			spin_unlock(&s->wq.lock);
			note_read(s);
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
	if (got)
		note_read(s);
	return got;
}

void up_read(struct rwsem *s)
{
	spin_lock(&s->wq.lock);
	BUG_ON(s->readers <= 0);
	s->readers--;
	forget_read(s);
	spin_unlock(&s->wq.lock);
	if (s->readers == 0)
		wake_up(&s->wq);
}

bool down_write_trylock(struct rwsem *s)
{
	bool got = false;

	spin_lock(&s->wq.lock);
	if (!s->writer && s->readers == 0 && !s->writers_waiting) {
		s->writer = true;
		s->owner = current();
		got = true;
	}
	spin_unlock(&s->wq.lock);
	return got;
}

void down_write(struct rwsem *s)
{
	bool counted = false;

	for (;;) {
		spin_lock(&s->wq.lock);
		if (!s->writer && s->readers == 0) {
			s->writer = true;
			s->owner = current();
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
	s->owner = NULL;
	spin_unlock(&s->wq.lock);
	wake_up(&s->wq);
}
