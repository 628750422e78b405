/*
 * Per-CPU deferred free lists (seed 003, Schwidefsky 2006, "the discarded
 * page list").
 *
 * An unmap takes frames and page tables out of an mm; they may be handed
 * back to the buddy allocator only once no CPU can still reach them through
 * a stale TLB entry. The unmapper's gather (mm/tlb_gather.h) flushes every
 * CPU that has the mm loaded, and then puts what it collected on *this*
 * CPU's deferred list. The lists are given back in batches:
 *
 *  - at this CPU's next LAPIC timer tick (deferred_free_tick),
 *  - at once when the list reaches DEFERRED_FREE_BATCH pages,
 *  - when the allocator is short (alloc_pages is about to fail, kppsd is
 *    about to kill for memory): deferred_free_drain_all() sends a
 *    call-function IPI (on_each_cpu) and every CPU empties its own list.
 *    Where an IPI could deadlock (the caller holds a spinlock, so a target
 *    spinning on it with interrupts off would never answer), the caller
 *    takes the lists itself under their locks.
 *
 * So the allocator never reports "no memory" while deferred pages sit on a
 * list, and at most ncpus * DEFERRED_FREE_BATCH pages wait, for at most a
 * tick.
 *
 * Invariants: a page on a list has PG_deferred, no owner, no swap slot, is
 * in no page table and in no TLB; cpu->dfree_count is its list's length.
 * Locks: cpu->dfree_lock (spinlock, innermost: only zone_lock is taken
 * after it is dropped) for each CPU's list. The owner is the only one that
 * adds; anyone may empty it.
 */
#ifndef MM_DEFERRED_FREE_H
#define MM_DEFERRED_FREE_H

#include <kernel/types.h>
#include <kernel/list.h>

#define DEFERRED_FREE_BATCH 128

struct page;

void deferred_free_init(void);
/* Put pages (a list through page->list, every TLB flushed) on this CPU's
 * list; frees the list at once if it grew to a batch. */
void deferred_free_pages(struct list_head *pages, u32 n);
void deferred_free_tick(void);          /* LAPIC timer, every CPU */
/* Memory is short: give back every CPU's list now. Returns the pages
 * freed. Any context (sends an IPI only when it may wait for one). */
u32 deferred_free_drain_all(void);
u32 deferred_free_pending(void);        /* pages on all lists now */
/* Tests only: while paused, ticks leave the lists alone. */
void deferred_free_pause_ticks(bool pause);

#endif
