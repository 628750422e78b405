/*
 * "Caller holds X" as an assertion, not a comment.
 *
 *     ASSERT_HELD(&mm->page_table_lock);   a spinlock held by this CPU
 *     ASSERT_HELD(&mm->mmap_lock);         an rwsem held by this thread
 *     ASSERT_WRITE_HELD(&mm->mmap_lock);   ... held by it for writing
 *
 * Debug builds check them (the tests always run debug builds); without
 * DEBUG they compile away like ASSERT. A spinlock knows its owner CPU
 * (interrupts stay off while one is held, so the holder cannot move); an
 * rwsem knows its writer and each thread records its read holds.
 */
#ifndef KERNEL_LOCK_ASSERT_H
#define KERNEL_LOCK_ASSERT_H

#include <kernel/panic.h>
#include <kernel/spinlock.h>
#include <kernel/rwsem.h>

#define lock_held(l) _Generic((l), struct spinlock *: spin_held, struct rwsem *: rwsem_held)(l)
#define ASSERT_HELD(l) ASSERT(lock_held(l))
#define ASSERT_WRITE_HELD(s) ASSERT(rwsem_write_held(s))

#endif
