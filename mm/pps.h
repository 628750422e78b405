/*
 * PPS, the Pure Private Page System (seed 000): reclaim of private
 * anonymous pages at the VMA layer, by walking page tables.
 *
 * Every PTE of a VM_PURE_PRIVATE VMA waits to leave one of six stages
 * (enum pps_stage); a *series* is a run of consecutive PTEs in the same
 * stage (at most PPS_SERIES_MAX, within one page table), and one step
 * moves a whole series one stage on:
 *
 *   1 AGE     present, young -> old: clear A (D moves to PG_dirty), queue a dftlb task
 *   2 UNMAP   present, old   -> UnmappedPTE, once its dftlb task is done everywhere
 *   3 ATTACH  UnmappedPTE    -> a swap slot attached (in address order, from a reservation)
 *   4 WRITE   ... and dirty  -> written to the slot (batched across series: one
 *                               disk command per run of slots, mm/pps_writeback.h)
 *   5 FREE    ... and clean  -> SwappedPTE, the frame freed
 *   6 SWAPPED SwappedPTE     (nothing to do)
 *
 * Locks, in this order (asserted by every step):
 *  - the mm's mmap_lock, for reading: the VMAs and page tables stay put;
 *  - its pps_lock, for writing: one stepper per mm (kppsd, madvise,
 *    /proc/PID/reclaim), and no page leaves the mm under a stepper:
 *    MADV_DONTNEED, the one path that frees pages with mmap_lock held only
 *    for reading, takes pps_lock too. That is what lets stage 4 drop
 *    page_table_lock around its disk write and still find its pages;
 *  - page_table_lock around every look at or change of a PTE and of the
 *    PPS fields of its page (flags, swap_slot, dftlb_seq). Entries change
 *    by cmpxchg: the CPU sets A and D, and faults rescue pages, at any time.
 */
#ifndef MM_PPS_H
#define MM_PPS_H

#include <kernel/types.h>
#include <mm/pps_age.h>
#include <mm/pps_writeback.h>

#define PPS_SERIES_MAX 32

/* The stage a PTE waits to leave (its step does what the name says). */
enum pps_stage {
	PPS_STAGE_NONE = 0,     /* none of PPS's business: empty, PROT_NONE */
	PPS_STAGE_AGE = 1,      /* present, young: clear the accessed bit */
	PPS_STAGE_UNMAP = 2,    /* present, old: make it an UnmappedPTE */
	PPS_STAGE_ATTACH = 3,   /* UnmappedPTE, no slot: attach a swap slot */
	PPS_STAGE_WRITE = 4,    /* UnmappedPTE, slot, dirty: write the page */
	PPS_STAGE_FREE = 5,     /* UnmappedPTE, slot, clean: free the frame */
	PPS_STAGE_SWAPPED = 6,  /* SwappedPTE: on the disk only */
	PPS_NR_STAGES
};
/* kppsd's periodic pass stops here (pages stay, time to be rescued);
 * a pass under pressure, and a reclaim request, go on to FREE. */
#define PPS_STAGE_PERIODIC_MAX PPS_STAGE_WRITE

struct mm;
struct vma;

struct dftlb_task;

/* One stepper's state and tally: kppsd's pass, or one reclaim request. */
struct pps_result {
	struct dftlb_task *task;        /* the delayed flush being filled */
	struct mm *task_mm;
	enum pps_stage only_stage;      /* NONE: every stage up to max; S: just S */
	u32 scanned;
	/* PTEs whose step of stage s was done: moved[PPS_STAGE_AGE] accessed
	 * bits cleared, ..., moved[PPS_STAGE_FREE] frames freed. */
	u32 moved[PPS_NR_STAGES];
	/* PTEs seen in each stage by the walk, before they moved. */
	u32 seen[PPS_NR_STAGES];
	/* Stage 2's rule (mm/pps_age.h): aged false (a request) unmaps every
	 * old page; otherwise pages in idle-age buckets min_bucket to max_bucket, at
	 * most budget of them, and hist counts the old pages by idle age. */
	bool aged;
	u32 min_bucket, max_bucket, budget;
	u32 boundary_left;      /* of the budget, for pages in min_bucket itself */
	u32 hist[PPS_AGE_BUCKETS];
	u32 freed;              /* frames freed (stage 5) */
	bool swap_full;
	int io_errors;
	u32 busy_mms;           /* kppsd: mms skipped, mmap_lock held for writing */
	/* Stages 3 and 4's slot reservations and write batch: empty again
	 * when pps_step_range() returns (mm/pps_writeback.h). */
	struct pps_wb wb;
	/* A batch of fewer pages than this is not written when the stepper
	 * leaves the VMA: its pages wait, dirty and unmapped, for the next
	 * pass to make it longer (0: write whatever there is). */
	u32 wb_min;
	u32 wb_deferred;        /* batches left for the next pass that way */
};

/* One step over [start, end) of v: every series moves at most one stage,
 * and only out of stages up to max_stage. */
void pps_step_range(struct mm *mm, struct vma *v, u32 start, u32 end, enum pps_stage max_stage,
		    struct pps_result *res);
/* Stage moves in res (all stages), also added to /proc/vmstat. */
u32 pps_count_moves(const struct pps_result *res);
/* The series that starts at va (its page table must exist): the PTEs from
 * va on in the same stage as va's, at most PPS_SERIES_MAX, not past end nor
 * past va's page table. Returns its end and sets *stage (1..6; 0: a PTE
 * that is none of PPS's business, such as an empty one). PTEs may change
 * meanwhile (the CPU, faults): each stage re-checks under page_table_lock
 * and converts by cmpxchg. */
u32 pps_find_series(struct mm *mm, u32 va, u32 end, enum pps_stage *stage);

/* The series being moved right now, for GDB (scripts/gdb: pps-series)
 * and anyone stopped in pps_series_enter(). */
struct pps_series {
	struct mm *mm;
	struct vma *vma;
	u32 start, end;         /* [start, end) */
	enum pps_stage stage;   /* the stage it leaves (AGE..FREE) */
};
extern struct pps_series pps_current_series;
/* Called just before a series moves on: a breakpoint here (pps-break-stage
 * N puts one with the condition stage == N) stops at every move. */
void pps_series_enter(enum pps_stage stage, struct mm *mm, u32 start, u32 end);

/*
 * The I/O windows: stage 4 and swap-in drop page_table_lock while the disk
 * works, and other CPUs may then change the PTEs. A ktest sets this hook to
 * run a racing operation at exactly that moment (NULL otherwise).
 */
enum pps_io_window { PPS_WINDOW_WRITE, PPS_WINDOW_SWAPIN };
extern void (*pps_io_window_hook)(enum pps_io_window w, struct mm *mm, u32 start, u32 end);

/* Publish the open delayed-flush task (call after stepping an mm). */
void pps_end_pass(struct pps_result *res);

/* The stage a PTE of a VM_PURE_PRIVATE VMA waits to leave (NONE: empty,
 * PROT_NONE). Reads the page of an UnmappedPTE (swap_slot, PG_dirty): a
 * decision needs page_table_lock; without it the answer is a figure
 * (/proc, the frame map). */
enum pps_stage pps_pte_stage(pte_t pte);

/* Counts of one mm's PPS PTEs, for /proc (mmap_lock held by the caller). */
struct pps_counts {
	u32 present, unmapped, swapped;
	u32 swapcached;         /* present or unmapped, and still holding a slot */
	/* By the stage each PTE waits to leave (stage_of(): 1 young, 2 old,
	 * 3 unmapped without a slot, 4 ... dirty, 5 ... clean, 6 swapped),
	 * so /proc/meminfo shows how far reclaim has taken the pages. */
	u32 stage[PPS_NR_STAGES];
};
void pps_count_mm(struct mm *mm, struct pps_counts *c);

/* Faults (mm/pps_fault.c). page_table_lock is NOT held on entry. */
int pps_rescue(struct mm *mm, struct vma *v, u32 va);
int pps_swapin(struct mm *mm, struct vma *v, u32 va);
void pps_fault_init(void);
extern u32 swap_readahead_window;

/* Reclaim on request: madvise(MADV_COLD / MADV_PAGEOUT), /proc/PID/reclaim.
 * Runs stages 1..max_stage on the range, waiting for the flush gate. */
int pps_reclaim_range(struct mm *mm, u32 start, u32 end, enum pps_stage max_stage);

#endif
