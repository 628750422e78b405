/* ktests for mm/reclaim_stats.c: the fault-latency counters and the TSC to
 * ns conversion that /proc/vmstat and /proc/fault_latency print. */
#include <kernel/ktest.h>
#include <mm/reclaim_stats.h>
#include <mm/kmalloc.h>
#include <arch/x86/tsc.h>

/* A fault that "started" 3000 cycles ago lands in its class's count, its
 * total and a histogram bucket at or above 2^11 (2048..4095 cycles, or a
 * later one if this thread was preempted in between). */
KTEST(fault_latency_record_counts)
{
	struct fault_latency_snapshot *a = kmalloc(sizeof(*a)), *b = kmalloc(sizeof(*b));
	const enum fault_class c = FAULT_CLASS_LEGACY; /* no user process runs during ktests */
	u32 low = 0, high = 0;

	KT_ASSERT(t, a && b);
	fault_latency_snapshot(a);
	fault_latency_record(c, fault_latency_start() - 3000);
	fault_latency_record(FAULT_CLASS_NONE, fault_latency_start()); /* not a fault: not counted */
	fault_latency_snapshot(b);
	KT_EXPECT_EQ(t, b->count[c] - a->count[c], 1);
	KT_EXPECT(t, b->cycles[c] - a->cycles[c] >= 3000);
	for (int k = 0; k < FAULT_LAT_BUCKETS; k++) {
		u32 grew = b->hist[c][k] - a->hist[c][k];
		if (k < 11)
			low += grew;
		else
			high += grew;
	}
	KT_EXPECT_EQ(t, low, 0);
	KT_EXPECT_EQ(t, high, 1);
	for (int k = 0; k < NR_FAULT_CLASSES; k++)
		if (k != c)
			KT_EXPECT_EQ(t, b->count[k], a->count[k]);
	kfree(a);
	kfree(b);
}

/* Cycles to ns with the boot calibration: exact for whole seconds, and no
 * overflow for a sum of ten hours (cycles * 10^6 would overflow a u64). */
KTEST(tsc_cycles_to_ns_no_overflow)
{
	u64 second = tsc_khz * 1000;

	KT_EXPECT_EQ(t, tsc_cycles_to_ns(0), 0);
	KT_EXPECT_EQ(t, tsc_cycles_to_ns(second), 1000000000ull);
	KT_EXPECT_EQ(t, tsc_cycles_to_ns(second * 36000) / 1000000000ull, 36000);
	KT_EXPECT_EQ(t, tsc_cycles_to_ns(tsc_khz), 1000000); /* one ms */
	kt_info(t, "tsc_khz %llu", tsc_khz);
}
