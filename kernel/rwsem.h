/*
 * Readers-writer semaphores that sleep: many readers or one writer. Used for
 * mm->mmap_lock, held across page faults and mmap calls, which may sleep
 * (allocating, and later waiting for the swap disk), so a spinlock won't do.
 * Writers are not starved: once a writer waits, new readers wait too.
 */
#ifndef KERNEL_RWSEM_H
#define KERNEL_RWSEM_H

#include <kernel/waitqueue.h>

struct rwsem {
	struct waitqueue wq;    /* its lock protects the fields below */
	int readers;            /* holding it for reading */
	bool writer;            /* one holds it for writing */
	int writers_waiting;
};

void rwsem_init(struct rwsem *s, const char *name);
void down_read(struct rwsem *s);
/* true if taken for reading without sleeping (no writer holds or waits) */
bool down_read_trylock(struct rwsem *s);
void up_read(struct rwsem *s);
void down_write(struct rwsem *s);
void up_write(struct rwsem *s);

#endif
