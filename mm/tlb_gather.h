/*
 * The TLB gather (Linux's mmu_gather): what an unmap takes away from an mm,
 * collected under page_table_lock and let go once every CPU has flushed.
 *
 *     struct tlb_gather tlb;
 *     tlb_gather_init(&tlb, mm);
 *     spin_lock(&mm->page_table_lock);
 *     pte_zap_range(&tlb, start, end);           // PTEs cleared, frames gathered
 *                                                // (or tlb_zap_range without the lock)
 *     pgtable_free_range(&tlb, floor, ceiling);  // empty tables gathered (write lock only)
 *     spin_unlock(&mm->page_table_lock);
 *     tlb_finish(&tlb);                          // flush, then the frames go
 *
 * Why: with threads an mm can be loaded on several CPUs (mm->cpu_mask), and
 * each may still hold the old translations in its TLB, or a page-directory
 * entry in its paging-structure caches. A frame freed before they flush
 * could be given to someone else while a thread still writes into it.
 *
 * tlb_finish flushes [start, end) on this CPU and, by IPI, on every other
 * CPU in mm->cpu_mask, and waits for them (mm_flush_tlb_range, counted in
 * tlb_ipi); only then do the gathered pages go on this CPU's deferred free
 * list (mm/deferred_free.h), which hands them to the allocator in batches.
 * When it returns, no CPU can use a translation the gather recorded.
 *
 * A freed page table widens the range to its whole 4 MiB, so the targets
 * reload CR3 (more than 32 pages), which also drops cached directory
 * entries (invlpg is not relied on for those).
 *
 * Locks: the gather itself is the caller's (on its stack). tlb_finish sends
 * IPIs and waits: no spinlock may be held (asserted when it sends).
 */
#ifndef MM_TLB_GATHER_H
#define MM_TLB_GATHER_H

#include <kernel/types.h>
#include <kernel/list.h>

struct mm;
struct page;

#define TLB_LEGACY_MAX 64

struct tlb_gather {
	struct mm *mm;
	u32 start, end;         /* translations taken away (start >= end: none) */
	struct list_head pages; /* frames and page tables to free, through page->list */
	u32 nr_pages;
	/* Legacy pages (mm/rmap.h) whose mapping's reference is put after
	 * the flush: another mm may map them too, so they cannot go on a
	 * list through page->list; when this is full the zap stops, the
	 * gather is finished and the zap goes on (tlb_zap_range). */
	struct page *legacy[TLB_LEGACY_MAX];
	u32 nr_legacy;
};

void tlb_gather_init(struct tlb_gather *tlb, struct mm *mm);
/* The translations of [start, end) changed or went away: flush them. */
void tlb_gather_range(struct tlb_gather *tlb, u32 start, u32 end);
/* A frame the zap took away: free it after the flush. The range to flush
 * is the caller's to widen (tlb_gather_range), and only for entries that
 * were present: an UnmappedPTE or PROT_NONE one is in no TLB. */
void tlb_gather_page(struct tlb_gather *tlb, struct page *p);
/* A legacy page whose PTE the zap cleared (page_remove_rmap done): its
 * reference is put after the flush. False, nothing done, when full. */
bool tlb_gather_legacy(struct tlb_gather *tlb, struct page *p);
/* The page table that mapped the 4 MiB at va: free it after the flush. */
void tlb_gather_table(struct tlb_gather *tlb, u32 va, struct page *pt);
/* Flush every CPU that may hold the range, then let the pages go. */
void tlb_finish(struct tlb_gather *tlb);
/* Zap [start, end) of tlb->mm: takes page_table_lock, and whenever the
 * gather's legacy batch fills, drops it and finishes the gather on the
 * way. The caller holds what keeps the tables alive (mm.h). */
void tlb_zap_range(struct tlb_gather *tlb, u32 start, u32 end);

#endif
