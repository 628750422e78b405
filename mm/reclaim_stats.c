/*
 * Reclaim's cost counters (see reclaim_stats.h).
 *
 * Allocation stalls: two atomic u32 counters (a stall is a sleep already).
 *
 * Faults: one slot per CPU (cache-line aligned, so CPUs never share a line),
 * each written only by its CPU with interrupts off: this_cpu_id() is
 * stable and no other thread of this CPU can be halfway through the same
 * adds. The u64 sums are read without a lock by /proc: a reader re-reads a
 * word until two reads agree, which catches most torn reads of the two
 * halves; the figure is a snapshot anyway.
 *
 * kppsd's passes: only the thread in kppsd_pass writes pass_stats and
 * pass_waited, between reclaim_pass_begin and _end (kppsd_pass runs only in
 * kppsd's thread; one pass at a time, and begin and end on the same
 * thread, are asserted). pass_thread names it, so that swap_io_sync and
 * dftlb_open can tell a pass's waits from a fault's or another stepper's
 * (madvise, /proc/PID/reclaim).
 */
#include <mm/reclaim_stats.h>
#include <mm/pps.h>
#include <kernel/percpu.h>
#include <kernel/spinlock.h>
#include <kernel/sched.h>
#include <kernel/fs/procfs.h>
#include <kernel/panic.h>
#include <arch/x86/tsc.h>

const char *const fault_class_names[NR_FAULT_CLASSES] = {
	[FAULT_CLASS_ZERO] = "zero",
	[FAULT_CLASS_RESCUE] = "rescue",
	[FAULT_CLASS_SWAPIN] = "swapin",
	[FAULT_CLASS_LEGACY] = "legacy",
};

struct fault_cpu_stats {
	u64 count[NR_FAULT_CLASSES];
	u64 cycles[NR_FAULT_CLASSES];
	u32 hist[NR_FAULT_CLASSES][FAULT_LAT_BUCKETS];
} __attribute__((aligned(64)));

static struct fault_cpu_stats fault_stats[MAX_CPUS];

static struct {
	u64 passes, pressure_passes;
	u64 scanned, freed;          /* PTEs the passes looked at; frames stage 5 freed */
	u64 cycles;                  /* time in passes */
	u64 wait_cycles[NR_PASS_WAITS]; /* ... of which asleep, by reason */
	u32 cost_hist[NR_PASS_KINDS][PASS_COST_BUCKETS];
} pass_stats;
static struct thread *volatile pass_thread;
static volatile u32 alloc_stalls;    /* atomic: any faulting thread */
static volatile u32 alloc_stall_us;  /* atomic adds of whole us (a u32 of us: 71 minutes) */
static u64 pass_waited;              /* this pass's waits so far */

static const char *const pass_wait_names[NR_PASS_WAITS] = {
	[PASS_WAIT_SWAP_IO] = "io",
	[PASS_WAIT_DFTLB] = "dftlb",
};

static u32 log2_u64(u64 v)
{
	u32 hi = (u32)(v >> 32), b;

	if (hi) {
		__asm__("bsrl %1, %0" : "=r"(b) : "rm"(hi));
		return b + 32;
	}
	if (!(u32)v)
		return 0;
	__asm__("bsrl %1, %0" : "=r"(b) : "rm"((u32)v));
	return b;
}

void fault_latency_record(enum fault_class c, u64 t0)
{
	u64 d = rdtsc() - t0;

	if (c >= NR_FAULT_CLASSES)
		return;
	if ((s64)d < 0)
		d = 0; /* migrated to a CPU whose TSC lags: no time, not 2^64 */
	u32 b = MIN(log2_u64(d), FAULT_LAT_BUCKETS - 1u);
	irq_push();
	struct fault_cpu_stats *s = &fault_stats[this_cpu_id()];
	s->count[c]++;
	s->cycles[c] += d;
	s->hist[c][b]++;
	irq_pop();
}

/* Four buckets per power of two: 0..3 are exact, then bucket 4m-4+q
 * holds [(4+q) << (m-2), (5+q) << (m-2)) for m >= 2, q in 0..3. */
static u32 pass_cost_bucket(u64 v)
{
	if (v < 4)
		return (u32)v;
	u32 m = log2_u64(v);
	return MIN(4 * m - 4 + (u32)((v >> (m - 2)) & 3), PASS_COST_BUCKETS - 1u);
}

u64 pass_cost_bucket_low(u32 b)
{
	if (b < 4)
		return b;
	return (u64)(4 + b % 4) << ((b + 4) / 4 - 2);
}

void reclaim_pass_begin(struct reclaim_pass_timer *t)
{
	ASSERT(!pass_thread); /* one pass at a time: kppsd's thread only */
	pass_thread = current();
	pass_waited = 0;
	t->t0 = rdtsc();
}

void reclaim_pass_end(struct reclaim_pass_timer *t, const struct pps_result *res, bool pressure)
{
	u64 d = rdtsc() - t->t0;

	ASSERT(pass_thread == current());
	if ((s64)d < 0)
		d = 0;
	pass_stats.passes++;
	pass_stats.pressure_passes += pressure;
	pass_stats.scanned += res->scanned;
	pass_stats.freed += res->freed;
	pass_stats.cycles += d;
	if (res->scanned >= PASS_COST_MIN_SCANNED)
		pass_stats.cost_hist[pressure ? PASS_PRESSURE : PASS_PERIODIC]
				    [pass_cost_bucket((d - MIN(d, pass_waited)) / res->scanned)]++;
	pass_thread = NULL;
}

void reclaim_pass_waited(enum pass_wait w, u64 cycles)
{
	if (pass_thread != current() || (s64)cycles <= 0 || w >= NR_PASS_WAITS)
		return;
	pass_stats.wait_cycles[w] += cycles;
	pass_waited += cycles;
}

void reclaim_alloc_stalled(u64 cycles)
{
	atomic_inc(&alloc_stalls);
	atomic_add_return(&alloc_stall_us, (u32)tsc_to_us((s64)cycles < 0 ? 0 : cycles));
}

void pass_cost_snapshot(u32 hist[NR_PASS_KINDS][PASS_COST_BUCKETS])
{
	for (int k = 0; k < NR_PASS_KINDS; k++)
		for (int b = 0; b < PASS_COST_BUCKETS; b++)
			hist[k][b] = pass_stats.cost_hist[k][b];
}

u64 tsc_cycles_to_ns(u64 cycles)
{
	/* In two parts: cycles * 10^6 alone would overflow after a few hours. */
	return cycles / tsc_khz * 1000000 + cycles % tsc_khz * 1000000 / tsc_khz;
}

static u64 read_u64(const volatile u64 *p)
{
	u64 a, b;

	do {
		a = *p;
		b = *p;
	} while (a != b);
	return a;
}

void fault_latency_snapshot(struct fault_latency_snapshot *s)
{
	*s = (struct fault_latency_snapshot){ 0 };
	for (int cpu = 0; cpu < MAX_CPUS; cpu++) {
		struct fault_cpu_stats *f = &fault_stats[cpu];
		for (int c = 0; c < NR_FAULT_CLASSES; c++) {
			s->count[c] += read_u64(&f->count[c]);
			s->cycles[c] += read_u64(&f->cycles[c]);
			for (int b = 0; b < FAULT_LAT_BUCKETS; b++)
				s->hist[c][b] += f->hist[c][b];
		}
	}
}

void reclaim_stats_show_vmstat(struct seqbuf *sb)
{
	struct fault_latency_snapshot s;

	sb_printf(sb, "kppsd_passes %llu\n", read_u64(&pass_stats.passes));
	sb_printf(sb, "kppsd_pressure_passes %llu\n", read_u64(&pass_stats.pressure_passes));
	sb_printf(sb, "kppsd_scanned %llu\n", read_u64(&pass_stats.scanned));
	sb_printf(sb, "kppsd_freed %llu\n", read_u64(&pass_stats.freed));
	sb_printf(sb, "kppsd_pass_ns %llu\n", tsc_cycles_to_ns(read_u64(&pass_stats.cycles)));
	for (int w = 0; w < NR_PASS_WAITS; w++)
		sb_printf(sb, "kppsd_pass_%s_ns %llu\n", pass_wait_names[w],
			  tsc_cycles_to_ns(read_u64(&pass_stats.wait_cycles[w])));
	sb_printf(sb, "allocstall %u\n", alloc_stalls);
	sb_printf(sb, "allocstall_us %u\n", alloc_stall_us);
	fault_latency_snapshot(&s);
	for (int c = 0; c < NR_FAULT_CLASSES; c++) {
		sb_printf(sb, "fault_%s %llu\n", fault_class_names[c], s.count[c]);
		sb_printf(sb, "fault_%s_ns %llu\n", fault_class_names[c], tsc_cycles_to_ns(s.cycles[c]));
	}
}
