/*
 * The system-wide /proc files: meminfo, vmstat, cpuinfo, uptime, stat. Formats
 * follow Linux's, so tools and habits carry over (`free` reads meminfo).
 */
#include <kernel/fs/procfs.h>
#include <kernel/fs/vfs.h>
#include <kernel/percpu.h>
#include <kernel/sched.h>
#include <kernel/time.h>
#include <kernel/string.h>
#include <mm/frame.h>
#include <mm/deferred_free.h>
#include <mm/kmalloc.h>
#include <mm/mm.h>
#include <mm/vmstat.h>
#include <mm/rmap.h>
#include <mm/swapfile.h>
#include <mm/pps.h>
#include <mm/reclaim_stats.h>
#include <kernel/proc.h>
#include <arch/x86/tsc.h>
#include <arch/x86/cpu.h>

static u32 anon_pages(void)
{
	struct list_head *p;
	u32 n = 0;

	spin_lock(&mm_list_lock);
	list_for_each(p, &mm_list)
		n += list_entry(p, struct mm, mm_list)->rss;
	spin_unlock(&mm_list_lock);
	return n;
}

static void kb_line(struct seqbuf *sb, const char *name, u32 kb)
{
	sb_printf(sb, "%-15s %8u kB\n", name, kb);
}

/* The seed's PPS statistics: PTEs of every VM_PURE_PRIVATE VMA by type. */
static void pps_totals(struct pps_counts *c)
{
	struct mm *mms[NPROC * 2];
	struct list_head *p;
	int n = 0;

	spin_lock(&mm_list_lock);
	list_for_each(p, &mm_list) {
		if (n == (int)ARRAY_SIZE(mms))
			break;
		mms[n] = list_entry(p, struct mm, mm_list);
		if (mm_tryget(mms[n]))
			n++;
	}
	spin_unlock(&mm_list_lock);
	for (int i = 0; i < n; i++) {
		down_read(&mms[i]->mmap_lock);
		pps_count_mm(mms[i], c);
		up_read(&mms[i]->mmap_lock);
		mm_put(mms[i]);
	}
}

static int show_meminfo(struct seqbuf *sb, int pid)
{
	(void)pid;
	kb_line(sb, "MemTotal:", nr_managed_pages() * 4);
	kb_line(sb, "MemFree:", nr_free_pages() * 4);
	kb_line(sb, "MemAvailable:", nr_free_pages() * 4);
	kb_line(sb, "Buffers:", 0);
	kb_line(sb, "Cached:", 0);
	struct pps_counts c = { 0 };
	pps_totals(&c);
	/* pages in memory whose copy on swap is still valid (their slot
	 * stays while they are clean: a re-eviction needs no write) */
	kb_line(sb, "SwapCached:", c.swapcached * 4);
	kb_line(sb, "AnonPages:", anon_pages() * 4);
	kb_line(sb, "Slab:", (u32)(kmalloc_bytes_in_use() / 1024));
	kb_line(sb, "KernelStack:", sched_thread_count() * (KSTACK_SIZE / 1024));
	kb_line(sb, "SwapTotal:", swap_total_pages() * 4);
	kb_line(sb, "SwapFree:", swap_free_pages() * 4);
	kb_line(sb, "PpsTotal:", (c.present + c.unmapped + c.swapped) * 4);
	kb_line(sb, "PpsPte:", c.present * 4);
	kb_line(sb, "PpsUnmapped:", c.unmapped * 4);
	kb_line(sb, "PpsSwapped:", c.swapped * 4);
	/* PpsPte and PpsUnmapped by stage (mm/pps.h): what is young, what
	 * old, what waits for a slot, a write, or its frame's release. */
	kb_line(sb, "PpsYoung:", c.stage[PPS_STAGE_AGE] * 4);
	kb_line(sb, "PpsOld:", c.stage[PPS_STAGE_UNMAP] * 4);
	kb_line(sb, "PpsUnmappedNoSlot:", c.stage[PPS_STAGE_ATTACH] * 4);
	kb_line(sb, "PpsUnmappedDirty:", c.stage[PPS_STAGE_WRITE] * 4);
	kb_line(sb, "PpsUnmappedClean:", c.stage[PPS_STAGE_FREE] * 4);
	/* The legacy page system (mm/rmap.h): its pages, the swap cache,
	 * and what each reverse map costs (the 2002 pte_chain argument). */
	struct rmap_stats rs;
	rmap_get_stats(&rs);
	kb_line(sb, "Legacy:", rs.legacy_pages * 4);
	kb_line(sb, "LegacySwapCache:", rs.swapcache_pages * 4);
	kb_line(sb, "AnonObjects:", (rs.anon_bytes + 1023) / 1024); /* their number: vmstat */
	kb_line(sb, "PteChain:", rs.chain_pages * 4);
	return 0;
}

static int show_vmstat(struct seqbuf *sb, int pid)
{
	(void)pid;
	sb_printf(sb, "nr_free_pages %u\n", nr_free_pages());
	sb_printf(sb, "nr_anon_pages %u\n", anon_pages());
	sb_printf(sb, "nr_deferred_free %u\n", deferred_free_pending()); /* flushed, not yet given back */
	/* what a leak check compares (make grade does, at every run's end) */
	sb_printf(sb, "nr_swap_used %u\n", swap_total_pages() - swap_free_pages());
	sb_printf(sb, "nr_kmalloc_bytes %u\n", (u32)kmalloc_bytes_in_use());
	struct rmap_stats rs;
	rmap_get_stats(&rs);
	sb_printf(sb, "nr_legacy_pages %u\n", rs.legacy_pages);
	sb_printf(sb, "nr_legacy_swapcache %u\n", rs.swapcache_pages);
	sb_printf(sb, "nr_anon_objects %u\n", rs.anon_objects);
	sb_printf(sb, "nr_anon_object_bytes %u\n", rs.anon_bytes);
	sb_printf(sb, "nr_pte_chain_pages %u\n", rs.chain_pages);
	for (int i = 0; i < NR_VM_EVENTS; i++)
		sb_printf(sb, "%s %u\n", vm_event_names[i], vm_events[i]);
	reclaim_stats_show_vmstat(sb); /* kppsd's pass time, fault latency (u64 sums) */
	return 0;
}

static int show_cpuinfo(struct seqbuf *sb, int pid)
{
	u32 a, b, c, d, sig, vendor[4] = { 0 }, brand[13] = { 0 };
	struct cpu *cp;

	(void)pid;
	cpuid(0, &a, &vendor[0], &vendor[2], &vendor[1]);
	cpuid(1, &sig, &b, &c, &d);
	cpuid(0x80000000, &a, &b, &c, &d);
	if (a >= 0x80000004)
		for (u32 i = 0; i < 3; i++)
			cpuid(0x80000002 + i, &brand[4 * i], &brand[4 * i + 1], &brand[4 * i + 2],
			      &brand[4 * i + 3]);
	for_each_online_cpu(cp) {
		sb_printf(sb, "processor\t: %d\n", cp->id);
		sb_printf(sb, "vendor_id\t: %s\n", (char *)vendor);
		sb_printf(sb, "cpu family\t: %u\n", (sig >> 8) & 0xF);
		sb_printf(sb, "model\t\t: %u\n", (sig >> 4) & 0xF);
		sb_printf(sb, "model name\t: %s\n", brand[0] ? (char *)brand : "unknown");
		sb_printf(sb, "stepping\t: %u\n", sig & 0xF);
		sb_printf(sb, "cpu MHz\t\t: %llu.%03llu\n", tsc_khz / 1000, tsc_khz % 1000);
		sb_printf(sb, "apicid\t\t: %u\n", cp->apic_id);
		sb_printf(sb, "timer ticks\t: %llu\n\n", cp->ticks);
	}
	return 0;
}

static int show_uptime(struct seqbuf *sb, int pid)
{
	u64 up = uptime_ms(), idle = 0;
	struct cpu *c;

	(void)pid;
	for_each_online_cpu(c)
		idle += sched_idle_ticks(c);
	idle = idle * 1000 / hz;
	sb_printf(sb, "%llu.%02llu %llu.%02llu\n", up / 1000, (up % 1000) / 10, idle / 1000,
		  (idle % 1000) / 10);
	return 0;
}

/* Linux's ctxt line (context switches since boot, every CPU), and the
 * threads moved between CPUs (Linux has no such line; its per-task
 * nr_migrations is in /proc/PID/sched). No cpu lines: we count busy and
 * idle ticks but not user and system time apart. */
static int show_stat(struct seqbuf *sb, int pid)
{
	(void)pid;
	sb_printf(sb, "ctxt %llu\n", sched_total_switches());
	sb_printf(sb, "migrations %llu\n", sched_total_migrations());
	return 0;
}

void proc_system_init(void)
{
	procfs_register("meminfo", false, show_meminfo, NULL);
	procfs_register("vmstat", false, show_vmstat, NULL);
	procfs_register("cpuinfo", false, show_cpuinfo, NULL);
	procfs_register("uptime", false, show_uptime, NULL);
	procfs_register("stat", false, show_stat, NULL);
}
