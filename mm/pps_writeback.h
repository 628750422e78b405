/*
 * Write clustering for PPS (mm/pps.h): stage 4 writes the dirty pages of
 * many series with one disk command per run of consecutive slots, where it
 * used to write each series on its own (on random access a series is a
 * page or two: the pages around it are still in use).
 *
 * Each stepper (its struct pps_result) keeps, between the series it moves:
 *  - the attach reservation: stage 3 hands out slots from one run taken at
 *    once (mm/swap_slots.h), in address order, so the series of one pass
 *    get consecutive slots, and the next pass writes them as one run;
 *  - the relocate reservation: a dirty page whose slot does not continue
 *    the batch (a page read back from swap keeps its slot, wherever that
 *    is, and is written again once it is dirtied) gets this reservation's
 *    next slot instead and its old one is freed, if the old one is its own
 *    alone and pps_relocate= allows it (by default always; stray moves
 *    only a slot next to neither address neighbour's: pps_writeback.c
 *    weighs the two): the page
 *    is dirty, so the old slot's copy is stale and nobody needs it. A
 *    relocation writes no page that would not be written anyway; it only
 *    chooses where.
 *  - the write batch: claimed pages (UnmappedPTE, slot, PG_dirty, checked
 *    under page_table_lock) with consecutive slots, at most PPS_WB_MAX.
 *    It is written when the next page cannot continue it, when it is full,
 *    and when the stepper leaves the VMA (pps_wb_finish()).
 *
 * Invariants, and the locks they rest on:
 *  - A batch never outlives the stepper's hold of the mm's pps_lock (for
 *    writing) and mmap_lock (for reading): pps_step_range() calls
 *    pps_wb_finish() before it returns, and the flush asserts both. That is
 *    what keeps every claimed page in the mm, at its address, while
 *    page_table_lock is dropped between series and around the write:
 *    nobody frees a PPS page under a stepper (MADV_DONTNEED takes
 *    pps_lock; munmap, exit and fork take mmap_lock for writing).
 *  - A claimed page keeps its slot until its write is done: only a stepper
 *    changes a page's slot while the page stays in the mm (stage 3 gives
 *    one to pages that have none, relocation happens before the claim; a
 *    rescue keeps the slot).
 *  - A written page's PG_dirty is cleared only if it was dirty and unmapped
 *    when claimed. A fault may rescue it meanwhile and the CPU write to it,
 *    even during the DMA: that write sets D in its PTE, which stage 1 moves
 *    back into PG_dirty, so the page is written again (as before
 *    clustering). The slot then holds a copy at least as new as the claim.
 *  - Reserved slots count as used (count 1, no owner); pps_wb_finish()
 *    gives back the ones not handed out, so none outlives the step either.
 *  - A failed write loses nothing: every page of the batch stays in memory
 *    and dirty, and the failing slot is retired (its page gets a fresh one
 *    from stage 3 on the next pass).
 */
#ifndef MM_PPS_WRITEBACK_H
#define MM_PPS_WRITEBACK_H

#include <kernel/types.h>
#include <mm/swap_slots.h>
#include <arch/x86/pte.h>

/* Pages per write: 256 KiB, one ATA command (a DMA PRD table carries
 * 2 MiB of pages, an LBA48 command 32 MiB: swap_io.h, drivers/ata/ata.h). */
#define PPS_WB_MAX 64
/* The shortest batch a pressure pass writes while memory is not low
 * (pps_result.wb_min; kppsd.c). */
#define PPS_WB_MIN_BATCH 16
/* Slots a reservation takes at once (fewer if no free run is that long). */
#define PPS_RESV_SLOTS 128

struct mm;
struct page;
struct pps_result;

struct pps_wb {
	struct mm *mm;                  /* whose pages the batch holds */
	u32 n;                          /* pages in the batch */
	u32 first_slot;                 /* their slots: first_slot .. + n - 1 */
	u32 last_end;                   /* the slot after the last write's run */
	bool resv_dry;                  /* the relocate reservation found no room */
	struct page *pages[PPS_WB_MAX];
	u32 vas[PPS_WB_MAX];
	struct swap_resv attach, relocate;
};

/* Stage 4 over one series of pt (n PTEs from start): claim its dirty
 * UnmappedPTEs into the batch, writing the batch whenever it is full or
 * the next page cannot continue its run. */
void pps_wb_write_series(struct mm *mm, u32 start, pte_t *pt, u32 n, struct pps_result *res);
/* Write the batch (if any) now. */
void pps_wb_flush(struct mm *mm, struct pps_result *res);
/* Write the batch and give the reservations back: the stepper leaves. */
void pps_wb_finish(struct mm *mm, struct pps_result *res);

#endif
