/*
 * The clock: a one-handed clock over physical frames (seed 002, LaHaise
 * 1997), the page-centric reclaimer of legacy pages (mm/rmap.h) and, with
 * reclaim=clock, of every page. It is the baseline PPS is measured against.
 *
 * The hand moves over the frames in pfn order. At a legacy page it
 * test-and-clears the accessed bit of every PTE that maps it (found
 * through the rmap): one young -> the page stays (PG_referenced). A page
 * found old everywhere is evicted: a swap slot, the swap cache, every PTE
 * becomes a SwappedPTE (a shared object's entries become none, the object
 * keeps the slot), a TLB shootdown IPI to the CPUs that have each mm
 * loaded, the write if the page is dirty, and the frame freed.
 *
 * kppsd runs it under memory pressure, after its PPS pass (mm/kppsd.c).
 * Locks: none held on entry; it takes rmap_lock, then each mm's
 * page_table_lock through rmap_lock_pte, never holding a spinlock across
 * an IPI or I/O.
 */
#ifndef MM_CLOCK_H
#define MM_CLOCK_H

#include <kernel/types.h>

struct clock_result {
	u32 scanned;            /* frames the hand passed */
	u32 referenced;         /* legacy pages found young, kept */
	u32 unmapped;           /* PTEs unmapped */
	u32 written;            /* pages written */
	u32 freed;              /* frames freed */
	bool swap_full;
	int io_errors;
};

/* Move the hand until `target` frames are freed or it has gone once round
 * every frame; returns the frames freed (also in res, added to vmstat).
 * res is filled from zero. One pass at a time: a second caller returns 0
 * at once. No lock held; may sleep (I/O) and send IPIs. */
u32 clock_pass(u32 target, struct clock_result *res);
/* Where the hand is, and the last pass's tally (GDB, /proc/kppsd). */
extern u32 clock_hand;
extern struct clock_result clock_last;

#endif
