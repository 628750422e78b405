/*
 * PPS aging: which old pages stage 2 unmaps first, and how many.
 *
 * The six stages (pps.h) say how a page leaves memory; this file says
 * which pages go. Exact LRU would evict the page whose last access is the
 * oldest. PPS sees accesses only through the accessed bit, which stage 1
 * clears once per kppsd pass, so it keeps per page the number of the last
 * pass that found the bit set (page->age_seq): the page's idle age is
 * pps_age_seq - age_seq passes. LRU order is idle-age order, to within
 * one pass.
 *
 * A pressure pass (kppsd, memory below the low watermark) unmaps the
 * oldest pages first, and only as many as the free target still lacks
 * once the pages already on their way out (stages 3 to 5) are counted:
 *
 *   - every pass counts the idle ages of the old present pages it walks
 *     (a histogram of PPS_AGE_BUCKETS buckets, exact for the young ones,
 *     coarser for the old);
 *   - the next pressure pass takes the previous pass's histogram and
 *     picks the smallest idle age whose bucket and the older ones hold
 *     its budget of pages (pps_age_begin_pass); stage 2 unmaps only pages
 *     at least that old, and at most the budget (pps_age_may_unmap).
 *
 * The periodic pass (no pressure) keeps its rule: any page idle for a
 * whole pass is unmapped (and written, a second later), so that pages
 * sit ready for a quick reclaim; a request (madvise, /proc/PID/reclaim,
 * GDB's pps-step) unmaps every old page in its range.
 *
 * Scan resistance: a page read back from swap in a sequential sweep
 * (its VMA's read-ahead window is at full size, swap_ra.h) and whose
 * refault distance says memory could not have kept it anyway is put on
 * probation: its idle age starts at the oldest bucket, and the first
 * accessed bit stage 1 finds on it is the sweep's own touch, not a reuse,
 * so it does not make the page young. A sweep over more than memory then
 * evicts the pages it has just passed, the way OPT does, and keeps the
 * rest resident for the next sweep, where LRU would evict everything just
 * before its reuse. A page touched again once off probation is young like
 * any other.
 *
 * Refault distance (as Linux's mm/workingset.c): stage 5 stamps each slot
 * it frees a page to with the count of PPS evictions so far; a swap-in
 * reads the stamp back: the evictions since then are how much more memory
 * would have kept the page. A distance below the resident PPS pages means
 * the page belongs to the working set (vmstat workingset_refault counts
 * all, workingset_activate those).
 *
 * Locks: the counters and histograms are kppsd's (one pass at a time; a
 * request pass does not touch them). page->age_seq and PG_probation are
 * changed under the owner mm's page_table_lock, like every PPS field of a
 * page. The slot stamps are written by stage 5 and read by swap-in, both
 * under the page_table_lock of the mm whose PTE holds the slot; a torn
 * or stale stamp only makes a figure wrong, never a page.
 */
#ifndef MM_PPS_AGE_H
#define MM_PPS_AGE_H

#include <kernel/types.h>

struct page;
struct pps_result;

#define PPS_AGE_BUCKETS 64
/* Passes a page read ahead may wait to be used before stage 5 drops it. */
#define PPS_RA_GRACE 3

/* The number of kppsd passes so far: the clock of page->age_seq. */
extern volatile u32 pps_age_seq;
/* PPS frames freed so far (stage 5): the clock of refault distances. */
extern volatile u32 pps_evictions;

/* The bucket of an idle age (passes). */
u32 pps_age_bucket(u32 idle);

/*
 * kppsd, before a pass: advance the clock, and set res's stage-2 rule:
 * under pressure, unmap at most `budget` pages, the oldest first (from the
 * last pass's histogram); periodic (pressure false): any page idle for a
 * pass. A pass with res left zeroed (requests) unmaps every old page.
 */
void pps_age_begin_pass(struct pps_result *res, bool pressure, u32 budget);
/* kppsd, after a pass: its histogram becomes the next pass's guide. */
void pps_age_end_pass(struct pps_result *res);

/* Stage 1 found the accessed bit set on p (page_table_lock held). */
void pps_age_referenced(struct page *p);
/* Stage 2: may this old page be unmapped in this pass? Counts it in the
 * histogram and takes it from the budget when the answer is yes
 * (page_table_lock held). */
bool pps_age_may_unmap(struct page *p, struct pps_result *res);

/* A page coming into a PPS PTE (demand zero, swap-in): young, or on
 * probation (see above). page_table_lock held. */
void pps_age_new(struct page *p, bool probation);

/* Stage 5 freed the page whose copy is in slot (page_table_lock held). */
void pps_age_evicted(u32 slot);
/* A swap-in of slot: true if its refault distance says the working set
 * did not fit (the page would be back in memory had there been room for
 * it). Counted in vmstat. */
bool pps_age_refault(u32 slot);

/* kppsd, before a pass, no lock held: the slot stamps, once swap is on. */
void pps_age_setup_slots(u32 nslots);

/* For /proc/kppsd: the last pressure pass's rule. */
struct pps_age_stats {
	u32 seq, evictions;
	u32 min_idle;           /* idle age stage 2 asked for (passes) */
	u32 budget;             /* pages it could unmap */
	u32 hist[PPS_AGE_BUCKETS];  /* last pass: old pages per idle bucket */
};
void pps_age_get_stats(struct pps_age_stats *st);

#endif
