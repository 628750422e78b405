/*
 * The legacy page system: pages that are not pure private (seeds 001 and
 * 002). PPS (mm/pps.h) takes only pages with one owner PTE; a page shared
 * after fork, or by a MAP_SHARED mapping, is a *legacy* page:
 *
 *   - PG_legacy is set, owner_mm is NULL;
 *   - page->anon is its VMA family's anon object (mm/anon.h) and
 *     page->index its offset there, so every PTE that maps it can be found
 *     (object-based rmap, seed 001), or, with rmap=chain, page->chain
 *     lists those PTEs directly (PTE chains, seed 002, mm/pte_chain.h);
 *   - page->mapcount counts the PTEs that hold it (present or PROT_NONE;
 *     a legacy page is never an UnmappedPTE), page->count its references
 *     (mapcount, +1 in the swap cache or a shared object's table, +1 per
 *     pin held across a TLB flush or an I/O). legacy_page_put frees the
 *     frame when count reaches 0.
 *
 * Who may change a legacy PTE: the holder of its mm's page_table_lock,
 * calling page_add_rmap after pointing a PTE at a legacy page and
 * page_remove_rmap after taking one away. page_remove_rmap does not drop
 * the mapping's reference: the caller puts it (legacy_page_put) once every
 * CPU that may cache the old translation has flushed (the TLB gather does
 * it for unmaps), so a frame is never reused while a TLB still maps it.
 *
 * Reverse-map walks (the clock, re-entry into PPS, GDB) go page -> the
 * (mm, va) pairs that may map it, through whichever rmap is chosen at boot
 * (rmap=anon|chain); rmap_collect returns them with a reference on each
 * mm, and rmap_lock_pte checks one under its page_table_lock.
 *
 * Locks:
 *  - rmap_lock (spinlock, one for the whole legacy system): every field
 *    above, PG_legacy/PG_swapcache/PG_locked/PG_writeback, the swap cache,
 *    the PTE chains, the anon objects' VMA lists and shared tables. Taken
 *    inside page_table_lock, never the other way round (a walker that holds
 *    it and wants a PTE collects first, drops it, then locks the PTE's mm).
 *    Only zone_lock and the swap area's lock nest inside it.
 */
#ifndef MM_RMAP_H
#define MM_RMAP_H

#include <kernel/types.h>
#include <kernel/spinlock.h>
#include <kernel/waitqueue.h>
#include <arch/x86/pte.h>

struct page;
struct mm;
struct vma;

extern struct spinlock rmap_lock;
/* Sleepers waiting for a legacy page to be read (PG_locked) or a shared
 * table entry to be filled (SHM_BUSY); woken when either ends. */
extern struct waitqueue legacy_wq;
void legacy_init(void);         /* at boot, after swap_init */

/* rmap=: which reverse map finds a legacy page's PTEs. */
enum rmap_mode { RMAP_ANON, RMAP_CHAIN, RMAP_NMODES };
extern enum rmap_mode rmap_mode;
/* reclaim=: pps (PPS for private VMAs, the clock for legacy pages) or
 * clock (no VMA is pure private; every page is legacy and the clock
 * reclaims them all). */
enum reclaim_mode { RECLAIM_PPS, RECLAIM_CLOCK, RECLAIM_NMODES };
extern enum reclaim_mode reclaim_mode;

/* A legacy page gained a mapping: the PTE at va of v (ptep, in v->mm) now
 * holds it. Sets page->anon/index from v when it had no mapping, counts
 * mapcount and count, links the chain. page_table_lock of v->mm held. */
void page_add_rmap(struct page *p, struct vma *v, u32 va, pte_t *ptep);
/* The PTE at va of mm (ptep) no longer holds p; old is what it held, and
 * its D bit moves into PG_dirty (under rmap_lock, as every change of a
 * legacy page's flags). mapcount down, chain unlinked. The reference
 * stays, for the caller to put after the flush. */
void page_remove_rmap(struct page *p, struct mm *mm, u32 va, pte_t *ptep, pte_t old);
/* Make p, the owned page of the PTE at va of v, a legacy page of v's anon
 * object (fork, reclaim=clock): mapcount 1, count 1; a slot it held moves
 * to the swap cache. page_table_lock held, v->anon set. */
void page_make_legacy(struct page *p, struct vma *v, u32 va, pte_t *ptep);
/* The opposite (re-entry into PPS): p, mapped only by the PTE at va of v
 * and referenced by nothing else, gets (v->mm, va) as its one owner. Its
 * slot, if the swap cache held one nobody else uses, stays attached as a
 * clean copy (PPS stage 3 done). page_table_lock and rmap_lock held. */
void page_make_owned(struct page *p, struct vma *v, u32 va, pte_t *ptep);

void legacy_page_get(struct page *p);
/* Drop one reference; frees the frame at 0. Returns true if it did. */
bool legacy_page_put(struct page *p);

/* Is the legacy page p the only thing its one mapping can see, so that a
 * write may go to it in place (a COW fault that need not copy)? mapcount
 * 1, no writeback, and no other user of its swap slot. rmap_lock held. */
bool legacy_page_exclusive(struct page *p);

/* The places that may map a page, for a walk. */
struct rmap_ref {
	struct mm *mm;          /* referenced: mm_put when done */
	u32 va;
};
#define RMAP_REFS_MAX 64
/* Up to max places that may map p (a reference on each mm); the count.
 * More than max: the first max (the caller may not act on the page).
 * rmap_lock NOT held (taken here). */
int rmap_collect(struct page *p, struct rmap_ref *refs, int max);
void rmap_refs_put(struct rmap_ref *refs, int n);
/* Lock r->mm's page_table_lock and return the PTE at r->va if it holds
 * p (present or PROT_NONE); NULL, unlocked, if not. */
pte_t *rmap_lock_pte(struct rmap_ref *r, struct page *p);

/* The two reverse maps behind rmap_collect (rmap.c dispatches). */
struct rmap_ops {
	const char *name;
	/* page_table_lock and rmap_lock held */
	void (*link)(struct page *p, struct mm *mm, u32 va, pte_t *ptep);
	void (*unlink)(struct page *p, struct mm *mm, u32 va, pte_t *ptep);
	/* rmap_lock held: the candidates, as rmap_collect; mm_tryget_rmap on each */
	int (*collect)(struct page *p, struct rmap_ref *refs, int max);
};
extern const struct rmap_ops rmap_anon_ops, rmap_chain_ops;

/* A reference on mm found through the rmap (rmap_lock held: its VMA or
 * PTE is still linked, so the mm is not freed yet); false if its last
 * reference is gone and it is being torn down. */
bool mm_tryget_rmap(struct mm *mm);

/* Gauges for /proc/meminfo and /proc/vmstat. */
struct rmap_stats {
	u32 legacy_pages;       /* frames with PG_legacy */
	u32 swapcache_pages;    /* ... in the swap cache */
	u32 anon_objects;       /* live anon objects */
	u32 anon_bytes;         /* their memory, shared tables included */
	u32 chain_pages;        /* rmap=chain: next-pointer pages paired with page tables */
};
void rmap_get_stats(struct rmap_stats *st);
extern volatile u32 nr_legacy_pages, nr_anon_objects, nr_anon_bytes, nr_chain_pages, nr_swapcache_pages;

#endif
