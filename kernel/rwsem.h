/*
 * Readers-writer semaphores that sleep: many readers or one writer. Used for
 * mm->mmap_lock, held across page faults and mmap calls, which may sleep
 * (allocating, and later waiting for the swap disk), so a spinlock won't do.
 * Writers are not starved: once a writer waits, new readers wait too.
 *
 * Who holds what is recorded so that "caller holds mmap_lock" can be an
 * assertion (rwsem_held, ASSERT_HELD in kernel/lock_assert.h): the writer
 * in s->owner, and each thread's read holds in its struct thread
 * (debug builds only: a short array, like lockdep's held-lock stack).
 */
#ifndef KERNEL_RWSEM_H
#define KERNEL_RWSEM_H

#include <kernel/waitqueue.h>

struct thread;

struct rwsem {
	struct waitqueue wq;    /* its lock protects the fields below */
	int readers;            /* holding it for reading */
	bool writer;            /* one holds it for writing */
	int writers_waiting;
	struct thread *owner;   /* the writer, or NULL */
};

void rwsem_init(struct rwsem *s, const char *name);
void down_read(struct rwsem *s);
/* true if taken for reading without sleeping (no writer holds or waits) */
bool down_read_trylock(struct rwsem *s);
void up_read(struct rwsem *s);
void down_write(struct rwsem *s);
bool down_write_trylock(struct rwsem *s);  /* without waiting; false if taken */
void up_write(struct rwsem *s);
/* Does the calling thread hold s (for reading or writing)? For writing? */
bool rwsem_held(struct rwsem *s);
bool rwsem_write_held(struct rwsem *s);

#endif
