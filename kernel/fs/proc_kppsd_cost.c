/*
 * /proc/kppsd_cost: kppsd's passes by their cost per scanned PTE, waits
 * for the disk and the delayed flushes excluded (mm/reclaim_stats.h). The
 * format is fixed, for scripts/bench_scale.py and the tests:
 *
 *   tsc_khz 2096010
 *   min_scanned 1024
 *   kind periodic pressure
 *   ge_ns 120.500 3 0
 *   ge_ns 143.100 7 1
 *
 * A ge_ns line counts the passes of each kind whose cost per PTE was at
 * least its first figure (ns, three decimals) and less than the next
 * line's (four buckets per power of two of TSC cycles); only the buckets
 * from the first used to the last used are shown. Only passes that scanned at least min_scanned
 * PTEs count. The totals (kppsd_pass_ns, kppsd_scanned, ...) are in
 * /proc/vmstat.
 *
 * No lock: a snapshot; only kppsd's thread writes the histogram.
 */
#include <kernel/fs/procfs.h>
#include <kernel/errno.h>
#include <mm/reclaim_stats.h>
#include <mm/kmalloc.h>
#include <arch/x86/tsc.h>

static int show_kppsd_cost(struct seqbuf *sb, int pid)
{
	u32 (*hist)[PASS_COST_BUCKETS] = kmalloc(NR_PASS_KINDS * sizeof(*hist)); /* 800 bytes: not on the stack */
	int first = PASS_COST_BUCKETS, last = -1;

	(void)pid;
	if (!hist)
		return -ENOMEM;
	pass_cost_snapshot(hist);
	sb_printf(sb, "tsc_khz %llu\nmin_scanned %u\nkind periodic pressure\n", tsc_khz,
		  PASS_COST_MIN_SCANNED);
	for (int k = 0; k < NR_PASS_KINDS; k++)
		for (int b = 0; b < PASS_COST_BUCKETS; b++)
			if (hist[k][b]) {
				first = MIN(first, b);
				last = MAX(last, b);
			}
	for (int b = first; b <= last; b++) {
		/* ns with three decimals: a PTE costs tens to thousands of ns. */
		u64 ps = tsc_cycles_to_ns(pass_cost_bucket_low(b) * 1000);
		sb_printf(sb, "ge_ns %llu.%03llu %u %u\n", ps / 1000, ps % 1000, hist[PASS_PERIODIC][b],
			  hist[PASS_PRESSURE][b]);
	}
	kfree(hist);
	return 0;
}

void kppsd_cost_proc_init(void)
{
	procfs_register("kppsd_cost", false, show_kppsd_cost, NULL);
}
