/*
 * /proc/fault_latency: user page fault latency by kind, as a log2
 * histogram (mm/reclaim_stats.h). The format is fixed, for
 * scripts/bench_scale.py and the tests:
 *
 *   tsc_khz 2096010
 *   class zero rescue swapin legacy
 *   count 1200 30 7 0
 *   total_ns 4500000 90000 2100000 0
 *   le_ns 1024 0 2 0 0
 *   le_ns 2048 ...
 *
 * A le_ns line counts the faults that took less than its first figure, in
 * ns, and at least half of it; only the buckets from the first used to
 * the last used are shown. The bucket edges are powers of two in TSC cycles,
 * converted with the boot calibration.
 *
 * No lock: a snapshot of the per-CPU counters (see reclaim_stats.c).
 */
#include <kernel/fs/procfs.h>
#include <mm/reclaim_stats.h>
#include <mm/kmalloc.h>
#include <kernel/errno.h>
#include <arch/x86/tsc.h>

static int show_fault_latency(struct seqbuf *sb, int pid)
{
	struct fault_latency_snapshot *s = kmalloc(sizeof(*s)); /* ~700 bytes: not on the stack */
	int first = FAULT_LAT_BUCKETS, last = -1;

	(void)pid;
	if (!s)
		return -ENOMEM;
	fault_latency_snapshot(s);
	sb_printf(sb, "tsc_khz %llu\nclass", tsc_khz);
	for (int c = 0; c < NR_FAULT_CLASSES; c++)
		sb_printf(sb, " %s", fault_class_names[c]);
	sb_printf(sb, "\ncount");
	for (int c = 0; c < NR_FAULT_CLASSES; c++)
		sb_printf(sb, " %llu", s->count[c]);
	sb_printf(sb, "\ntotal_ns");
	for (int c = 0; c < NR_FAULT_CLASSES; c++)
		sb_printf(sb, " %llu", tsc_cycles_to_ns(s->cycles[c]));
	sb_printf(sb, "\n");
	for (int b = 0; b < FAULT_LAT_BUCKETS; b++)
		for (int c = 0; c < NR_FAULT_CLASSES; c++)
			if (s->hist[c][b]) {
				first = MIN(first, b);
				last = b;
			}
	for (int b = first; b <= last; b++) {
		sb_printf(sb, "le_ns %llu", tsc_cycles_to_ns(2ull << b));
		for (int c = 0; c < NR_FAULT_CLASSES; c++)
			sb_printf(sb, " %u", s->hist[c][b]);
		sb_printf(sb, "\n");
	}
	kfree(s);
	return 0;
}

void fault_latency_proc_init(void)
{
	procfs_register("fault_latency", false, show_fault_latency, NULL);
}
