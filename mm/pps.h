/*
 * PPS, the Pure Private Page System (seed 000): reclaim of private
 * anonymous pages at the VMA layer, by walking page tables.
 *
 * Every PTE of a VM_PURE_PRIVATE VMA is in one of six stages; a *series*
 * is a run of consecutive PTEs in the same stage (at most PPS_SERIES_MAX),
 * and one step moves a whole series one stage on:
 *
 *   1 present, young  -> old: clear A (D moves to PG_dirty), queue a dftlb task
 *   2 present, old    -> UnmappedPTE, once its dftlb task is done everywhere
 *   3 UnmappedPTE     -> a swap slot attached (a contiguous batch per series)
 *   4 ... and dirty   -> written to the slot (one disk command per run)
 *   5 ... and clean   -> SwappedPTE, the frame freed
 *   6 SwappedPTE      (nothing to do)
 *
 * Locks: the caller holds the mm's mmap_lock for reading (the VMAs and
 * pages stay put, even across stage 4's disk I/O) and then its pps_lock
 * (one stepper per mm: kppsd, madvise and /proc/PID/reclaim never interleave on
 * one mm). PTEs change under page_table_lock, by cmpxchg, because the CPU
 * sets A and D and faults rescue pages at any moment.
 */
#ifndef MM_PPS_H
#define MM_PPS_H

#include <kernel/types.h>

#define PPS_SERIES_MAX 32

struct mm;
struct vma;

struct dftlb_task;

/* One stepper's state and tally: kppsd's pass, or one reclaim request. */
struct pps_result {
	struct dftlb_task *task;        /* the delayed flush being filled */
	struct mm *task_mm;
	int only_stage;                 /* 0: every stage up to max; N: just stage N */
	u32 scanned;
	u32 moved[7];           /* PTEs moved into stage n (1..5) */
	u32 freed;              /* frames freed (stage 5) */
	bool swap_full;
	int io_errors;
	u32 busy_mms;           /* kppsd: mms skipped, mmap_lock held for writing */
};

/* One step over [start, end) of v: every series moves at most one stage,
 * and only up to stage max_stage (4: kppsd's periodic pass, 5: reclaim). */
void pps_step_range(struct mm *mm, struct vma *v, u32 start, u32 end, int max_stage,
		    struct pps_result *res);
/* The series that starts at va (its page table must exist): the PTEs from
 * va on in the same stage as va's, at most PPS_SERIES_MAX, not past end nor
 * past va's page table. Returns its end and sets *stage (1..6; 0: a PTE
 * that is none of PPS's business, such as an empty one). PTEs may change
 * meanwhile (the CPU, faults): each stage re-checks under page_table_lock
 * and converts by cmpxchg. */
u32 pps_find_series(struct mm *mm, u32 va, u32 end, int *stage);

/* The series being moved right now, for GDB (scripts/gdb: pps-series)
 * and anyone stopped in pps_series_enter(). */
struct pps_series {
	struct mm *mm;
	struct vma *vma;
	u32 start, end;         /* [start, end) */
	int stage;              /* the stage it leaves (1..5) */
};
extern struct pps_series pps_current_series;
/* Called just before a series moves on: a breakpoint here (pps-break-stage
 * N puts one with the condition stage == N) stops at every move. */
void pps_series_enter(int stage, struct mm *mm, u32 start, u32 end);

/* Publish the open delayed-flush task (call after stepping an mm). */
void pps_end_pass(struct pps_result *res);

/* Counts of one mm's PPS PTEs, for /proc (mmap_lock held by the caller). */
struct pps_counts {
	u32 present, unmapped, swapped;
	u32 swapcached;         /* present or unmapped, and still holding a slot */
};
void pps_count_mm(struct mm *mm, struct pps_counts *c);

/* Faults (mm/pps_fault.c). page_table_lock is NOT held on entry. */
int pps_rescue(struct mm *mm, struct vma *v, u32 va);
int pps_swapin(struct mm *mm, struct vma *v, u32 va);
void pps_fault_init(void);
extern u32 swap_readahead_window;

/* Reclaim on request: madvise(MADV_COLD / MADV_PAGEOUT), /proc/PID/reclaim.
 * Runs stages 1..max_stage on the range, waiting for the flush gate. */
int pps_reclaim_range(struct mm *mm, u32 start, u32 end, int max_stage);

/* Allocating user pages: waits for kppsd below the min watermark. */
struct page *pps_alloc_user_page(void);
void kppsd_init(void);
void kppsd_wake(void);
/* Keep kppsd's passes off while a test steps an mm by hand. */
void kppsd_pause(void);
void kppsd_resume(void);

#endif
