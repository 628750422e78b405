/*
 * Adaptive swap read-ahead over the VMA neighbourhood (as Linux 4.14's
 * VMA-based swap read-ahead): each VMA keeps a window, the pages a major
 * fault reads (the faulting one and the SwappedPTEs after it, mm/pps_fault.c).
 *
 *   - a major fault looks at how many of the pages the last one read ahead
 *     were used since (rescued: mm/pps_fault.c counts them), the hits:
 *     when they are at least half the last window, the window becomes the
 *     next power of two above hits + 2; otherwise it is 2 if this fault is
 *     right next to the last one (a sweep starting), else 1 (the faulting
 *     page alone). Linux keeps half the last window instead of dropping
 *     to 1, and counts any hit as growth; on uniform random access over
 *     more than memory that keeps it reading 4 to 8 pages a fault for one
 *     used, because random touches land on read-ahead pages by chance;
 *   - it never exceeds swap_ra= (swap_readahead_window).
 *
 * On random access the window is 1 after a fault or two: a major fault
 * reads one page, none is wasted. On a sweep it doubles at every fault up
 * to swap_ra=. vmstat: swap_ra (pages read ahead), swap_ra_hit (those used),
 * swap_ra_grow / swap_ra_shrink (faults whose window changed).
 *
 * A VMA whose window is full is being swept: its pages read back are
 * candidates for probation (mm/pps_age.h).
 *
 * Locks: the window lives in the VMA and changes under its mm's
 * page_table_lock (the fault and the rescue both hold it): threads of one
 * mm share the VMA's window, as they share its pages.
 */
#ifndef MM_SWAP_RA_H
#define MM_SWAP_RA_H

#include <kernel/types.h>

struct vma;

/* What a VMA remembers between its major faults. */
struct swap_ra {
	u32 prev_va;    /* the page of the last major fault */
	u16 win;        /* the last window (0: no fault yet) */
	u16 hits;       /* read-ahead pages used since the last major fault */
	bool cold;      /* the last one was a sweep's, beyond memory (pps_age.h) */
};

extern u32 swap_readahead_window;       /* swap_ra=: the largest window */

/* A major fault at va: the window for it (1..swap_ra=). page_table_lock held. */
u32 swap_ra_window(struct vma *v, u32 va);
/* A read-ahead page of v was used (rescued). page_table_lock held. */
void swap_ra_hit(struct vma *v);
/* Is v being swept (its window at the largest)? */
bool swap_ra_sweeping(const struct vma *v);

#endif
