/*
 * What reclaim costs: kppsd's time per pass and per scanned PTE, and the
 * latency of user page faults by kind (mm/reclaim_stats.c). Figures for
 * /proc/vmstat and /proc/fault_latency, and for `make bench-scale`
 * (scripts/bench_scale.py), which checks that both stay flat as a process
 * grows.
 *
 * Time is the TSC (rdtsc), converted to ns with the boot calibration
 * (arch/x86/tsc.c) only when read. Under QEMU TCG the TSC follows host
 * time: the figures are wall time, including the waits (mmap_lock, the
 * disk, kppsd below the min watermark) a fault or a pass went through.
 *
 * Hot path: a fault costs two rdtsc and a few adds to this CPU's own slot,
 * interrupts off (irq_push) so no other thread on this CPU interleaves;
 * no lock, no atomic. A pass's figures are written by the one thread that
 * runs kppsd's passes. Readers sum without a lock: a snapshot.
 */
#ifndef MM_RECLAIM_STATS_H
#define MM_RECLAIM_STATS_H

#include <kernel/types.h>
#include <arch/x86/cpu.h>

struct pps_result;
struct seqbuf;

/* The kinds of user page fault, by what handle_mm_fault found. */
enum fault_class {
	FAULT_CLASS_ZERO,   /* none PTE: demand zero or a file page copied (minor) */
	FAULT_CLASS_RESCUE, /* UnmappedPTE mapped back (minor, no I/O) */
	FAULT_CLASS_SWAPIN, /* SwappedPTE: read from swap, or waited for another's read (major) */
	FAULT_CLASS_LEGACY, /* a legacy VMA's fault (COW, swap cache, shmem) */
	NR_FAULT_CLASSES,
	FAULT_CLASS_NONE = NR_FAULT_CLASSES, /* not counted: bad address, failed fault */
};

/* Log2 buckets of fault latency in TSC cycles: bucket b holds [2^b, 2^(b+1)). */
#define FAULT_LAT_BUCKETS 40

static inline u64 fault_latency_start(void) { return rdtsc(); }
/* One fault of class c that started at t0 (fault_latency_start()) is done. */
void fault_latency_record(enum fault_class c, u64 t0);

/* A kppsd pass: begin once it may run (pass_sem held), end with its tally. */
struct reclaim_pass_timer {
	u64 t0;
};
void reclaim_pass_begin(struct reclaim_pass_timer *t);
void reclaim_pass_end(struct reclaim_pass_timer *t, const struct pps_result *res, bool pressure);
/* Where a pass sleeps rather than works. */
enum pass_wait {
	PASS_WAIT_SWAP_IO, /* swap_io_sync: stage 4's writes */
	PASS_WAIT_DFTLB,   /* dftlb_open: every delayed-flush slot busy, waiting for ticks */
	NR_PASS_WAITS,
};
/* This thread waited `cycles` there; counted only if it is running a
 * kppsd pass (a fault's swap-in read is the fault's latency). */
void reclaim_pass_waited(enum pass_wait w, u64 cycles);

/* Passes by their cost per scanned PTE, waits excluded: a histogram with
 * four buckets per power of two of TSC cycles (pass_cost_bucket_low()),
 * of the passes that scanned at least PASS_COST_MIN_SCANNED PTEs (a pass
 * over a few dozen PTEs costs its fixed part). */
#define PASS_COST_BUCKETS 100
#define PASS_COST_MIN_SCANNED 1024
/* Periodic passes (stages 1-4) and pressure passes (1-5, every frame they
 * can free; a full pass on request counts as one) do different work per
 * PTE: a histogram each. */
enum pass_kind { PASS_PERIODIC, PASS_PRESSURE, NR_PASS_KINDS };
u64 pass_cost_bucket_low(u32 b);   /* the bucket's lowest cycles per PTE */
void pass_cost_snapshot(u32 hist[NR_PASS_KINDS][PASS_COST_BUCKETS]);

/* A user-page allocation below the min watermark waited `cycles` for
 * kppsd (pps_alloc_user_page): the share of fault latency that is reclaim's. */
void reclaim_alloc_stalled(u64 cycles);

u64 tsc_cycles_to_ns(u64 cycles);

/* The totals, "name value" lines for /proc/vmstat. */
void reclaim_stats_show_vmstat(struct seqbuf *sb);
/* Per class: count, total ns, and the histogram's bucket counts. */
struct fault_latency_snapshot {
	u64 count[NR_FAULT_CLASSES];
	u64 cycles[NR_FAULT_CLASSES];
	u32 hist[NR_FAULT_CLASSES][FAULT_LAT_BUCKETS];
};
void fault_latency_snapshot(struct fault_latency_snapshot *s);
extern const char *const fault_class_names[NR_FAULT_CLASSES];

#endif
