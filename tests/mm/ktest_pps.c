/*
 * ktests for PPS: the delayed flush table and its gate (mm/dftlb.c), and
 * the stages on a real address space built here (mm/pps.c). The PTE
 * encodings have their own file, tests/arch/ktest_pte.c.
 */
#include <kernel/ktest.h>
#include <kernel/sched.h>
#include <kernel/time.h>
#include <mm/mm.h>
#include <mm/pps.h>
#include <mm/kppsd.h>
#include <mm/dftlb.h>
#include <mm/frame.h>
#include <mm/swapfile.h>
#include <mm/vmstat.h>
#include <arch/x86/pte.h>
#include <kernel/string.h>
#include "pps_fixture.h"

/* A walker of the mm list must not bring back an mm whose last reference
 * is gone (mm_put unlists it a moment later and frees it). */
KTEST(mm_tryget_skips_a_dying_mm)
{
	struct mm *mm;

	kppsd_pause(); /* its passes take references too: none while we fake one count */
	mm = mm_create();
	if (!mm)
		kppsd_resume();
	KT_ASSERT(t, mm);
	spin_lock(&mm_list_lock);        /* as a walker of the list holds it */
	KT_EXPECT(t, mm_tryget(mm));
	spin_unlock(&mm_list_lock);
	KT_EXPECT_EQ(t, mm->users, 2);
	mm_put(mm);
	mm->users = 0;                  /* as mm_put leaves it, before list_del */
	spin_lock(&mm_list_lock);
	KT_EXPECT(t, !mm_tryget(mm));
	spin_unlock(&mm_list_lock);
	KT_EXPECT_EQ(t, mm->users, 0);
	mm->users = 1;
	mm_put(mm);
	kppsd_resume();
}

/* A task is done only when every CPU named in it has drained it. */
static void fill_and_drain(struct ktest *t)
{
	struct mm *mm = mm_create();
	struct dftlb_task *task;
	u32 seq;

	KT_ASSERT(t, mm);
	mm->cpu_mask = ~0u; /* pretend every CPU has run it */
	task = dftlb_open(mm);
	KT_EXPECT(t, dftlb_add_range(task, 0x10000, 0x20000));
	KT_EXPECT(t, dftlb_add_range(task, 0x20000, 0x30000)); /* merges */
	KT_EXPECT_EQ(t, task->nranges, 1);
	for (int i = 1; i < DFTLB_RANGES; i++)
		KT_EXPECT(t, dftlb_add_range(task, 0x100000 * (i + 1), 0x100000 * (i + 1) + 0x1000));
	KT_EXPECT(t, !dftlb_add_range(task, 0x900000, 0x901000)); /* full */
	seq = dftlb_close(task);
	if (ncpus_online > 1)
		KT_EXPECT(t, !dftlb_seq_done(seq) || task->cpu_mask == 0);
	/* every CPU's timer drains it within a few ticks */
	u64 deadline = jiffies + 5 * hz;
	while (!dftlb_seq_done(seq) && jiffies < deadline)
		sleep_ticks(1);
	KT_EXPECT(t, dftlb_seq_done(seq));
	KT_EXPECT_EQ(t, task->cpu_mask, 0);
	KT_EXPECT(t, dftlb_seq_done(0)); /* "no flush needed" */
	mm->cpu_mask = 0;
	/* A full table of undrained tasks waits for the CPUs' ticks instead
	 * of failing (and instead of IPIs, unless the ticks stop coming).
	 * Idle CPUs with their tick stopped are left out of the masks, so
	 * here the table fills only if other CPUs are busy. */
	for (int i = 0; i < DFTLB_TASKS + 4; i++) {
		mm->cpu_mask = ~0u;
		dftlb_close(dftlb_open(mm));
	}
	deadline = jiffies + 5 * hz;
	while (dftlb_pending() && jiffies < deadline)
		sleep_ticks(1);
	KT_EXPECT_EQ(t, dftlb_pending(), 0);
	mm->cpu_mask = 0; /* the pretence ends: a dying mm is loaded nowhere */
	/* Done tasks give their mm references back when reaped. */
	put_last(t, mm);
}

/* Paused kppsd queues no tasks of its own while this counts them. */
KTEST(dftlb_fill_and_drain)
{
	kppsd_pause();
	fill_and_drain(t);
	kppsd_resume();
}

static bool is_old_present(pte_t p) { return pte_present(p) && !pte_young(p); }

/*
 * Series finding: runs of PTEs in one stage, cut by a change of stage, by
 * PPS_SERIES_MAX, by the end of a page table and by the range's end.
 * 100 pages from 0x7E0000, so page 32 starts a new page table (0x800000);
 * pages 40-43 never touched (none); page 3 old, page 10 an UnmappedPTE.
 */
static void series_finding(struct ktest *t)
{
	static const struct { u32 first, last; int stage; } want[] = {
		{ 0, 3, 1 }, { 3, 4, 2 }, { 4, 10, 1 }, { 10, 11, 3 },
		{ 11, 32, 1 },          /* the page table ends at 0x800000 */
		{ 32, 40, 1 }, { 40, 44, 0 },
		{ 44, 76, 1 },          /* PPS_SERIES_MAX */
		{ 76, 100, 1 },
	};
	const u32 base = 0x7E0000, n = 100;
	struct mm *mm = mm_create();
	struct vma *v = mm ? vma_new(mm, base, base + n * PAGE_SIZE,
				     VM_READ | VM_WRITE | VM_PURE_PRIVATE, NULL) : NULL;
	u32 va, i = 0;
	enum pps_stage stage;

	KT_ASSERT(t, v);
	down_write(&mm->mmap_lock);
	int err = vma_insert(mm, v);
	up_write(&mm->mmap_lock);
	KT_ASSERT(t, !err);
	KT_ASSERT(t, PPS_SERIES_MAX == 32);
	for (u32 k = 0; k < n; k++)
		if ((k < 40 || k > 43) && handle_mm_fault(mm, base + k * PAGE_SIZE, FAULT_WRITE))
			ktest_fail(t, __FILE__, __LINE__, "fault on page %u failed", k);
	spin_lock(&mm->page_table_lock);
	for (u32 k = 0; k < n; k++) {
		pte_t *p = pte_lookup(mm, base + k * PAGE_SIZE);
		if (pte_present(*p))
			*p = pte_mkyoung(*p);
	}
	pte_t *p3 = pte_lookup(mm, base + 3 * PAGE_SIZE), *p10 = pte_lookup(mm, base + 10 * PAGE_SIZE);
	*p3 = pte_mkold(*p3);
	*p10 = pte_mkunmapped(*p10);
	spin_unlock(&mm->page_table_lock);

	for (va = base; va < v->end && i < ARRAY_SIZE(want); i++) {
		u32 s_end = pps_find_series(mm, va, v->end, &stage);
		KT_EXPECT_EQ(t, (va - base) / PAGE_SIZE, want[i].first);
		KT_EXPECT_EQ(t, (s_end - base) / PAGE_SIZE, want[i].last);
		KT_EXPECT_EQ(t, stage, want[i].stage);
		va = s_end;
	}
	KT_EXPECT_EQ(t, i, ARRAY_SIZE(want));
	KT_EXPECT_EQ(t, va, v->end);
	/* the range's end cuts a series too */
	KT_EXPECT_EQ(t, pps_find_series(mm, base + 44 * PAGE_SIZE, base + 46 * PAGE_SIZE, &stage),
		     base + 46 * PAGE_SIZE);
	/* and a step scans every PTE of the range once */
	struct pps_result r = { 0 };
	r.only_stage = PPS_STAGE_SWAPPED; /* look, move nothing */
	down_read(&mm->mmap_lock);
	down_write(&mm->pps_lock);
	pps_step_range(mm, v, v->start, v->end, PPS_STAGE_FREE, &r);
	up_write(&mm->pps_lock);
	up_read(&mm->mmap_lock);
	KT_EXPECT_EQ(t, r.scanned, n);
	KT_EXPECT_EQ(t, r.moved[1] + r.moved[2] + r.moved[3], 0);
	put_last(t, mm);
}

KTEST(pps_series_finding)
{
	kppsd_pause();
	series_finding(t);
	kppsd_resume();
}

/* The stages, one step at a time, on 40 pages (two series: 32 + 8). */
static void stages_and_gate(struct ktest *t)
{
	u32 slots_before = swap_total_pages() - swap_free_pages();
	struct vma *v;
	struct mm *mm = make_mm(40, &v);
	struct pps_result r = { 0 };

	KT_ASSERT(t, mm);
	KT_ASSERT(t, swap_enabled);
	mm->cpu_mask = ~0u; /* every CPU may hold its translations */
	down_read(&mm->mmap_lock);
	down_write(&mm->pps_lock); /* the stepper's locks (mm/pps.h) */
	pps_step_range(mm, v, v->start, v->end, 5, &r);
	pps_end_pass(&r);
	KT_EXPECT_EQ(t, r.moved[1], 40);
	KT_EXPECT_EQ(t, count_type(mm, v, is_old_present), 40);
	struct page *p0 = pfn_to_page(pte_pfn(*pte_lookup(mm, v->start)));
	KT_EXPECT(t, p0->flags & PG_dirty); /* D moved into the page */

	/* The gate: while the task is not drained everywhere, stage 2 waits. */
	if (ncpus_online > 1 && !dftlb_seq_done(p0->dftlb_seq)) {
		struct pps_result r2 = { 0 };
		pps_step_range(mm, v, v->start, v->end, 5, &r2);
		pps_end_pass(&r2);
		KT_EXPECT_EQ(t, r2.moved[2], 0);
	}
	u64 deadline = jiffies + 5 * hz;
	while (!dftlb_seq_done(p0->dftlb_seq) && jiffies < deadline)
		sleep_ticks(1);
	/* A page touched again (A set) is young again: it skips stage 2. */
	*pte_lookup(mm, v->start) = pte_mkyoung(*pte_lookup(mm, v->start));

	memset(&r, 0, sizeof(r));
	pps_step_range(mm, v, v->start, v->end, 5, &r);
	pps_end_pass(&r);
	KT_EXPECT_EQ(t, r.moved[2], 39);
	KT_EXPECT_EQ(t, count_type(mm, v, pte_unmapped), 39);
	KT_EXPECT(t, pte_present(*pte_lookup(mm, v->start)));
	for (int step = 3; step <= 5; step++) {
		memset(&r, 0, sizeof(r));
		pps_step_range(mm, v, v->start, v->end, 5, &r);
		pps_end_pass(&r);
		KT_EXPECT_EQ(t, r.moved[step], 39);
	}
	KT_EXPECT_EQ(t, count_type(mm, v, pte_swapped), 39);
	KT_EXPECT_EQ(t, mm->rss, 1);
	up_write(&mm->pps_lock);
	up_read(&mm->mmap_lock);

	/* Swap-in with read-ahead, and a rescue of a read-ahead page. */
	u32 before = swap_free_pages();
	ra_as_sweep(v);
	KT_EXPECT_EQ(t, handle_mm_fault(mm, v->start + 5 * PAGE_SIZE, 0), 0);
	pte_t got = *pte_lookup(mm, v->start + 5 * PAGE_SIZE);
	KT_EXPECT(t, pte_present(got));
	KT_EXPECT_EQ(t, *(u32 *)P2V(pte_pfn(got) << PAGE_SHIFT), 0xC0DE0005);
	KT_EXPECT(t, pte_unmapped(*pte_lookup(mm, v->start + 6 * PAGE_SIZE))); /* read ahead */
	KT_EXPECT_EQ(t, handle_mm_fault(mm, v->start + 6 * PAGE_SIZE, 0), 0); /* rescue */
	got = *pte_lookup(mm, v->start + 6 * PAGE_SIZE);
	KT_EXPECT(t, pte_present(got) && *(u32 *)P2V(pte_pfn(got) << PAGE_SHIFT) == 0xC0DE0006);
	KT_EXPECT_EQ(t, swap_free_pages(), before); /* slots stay with clean pages */

	/* Every page, every PTE type, goes back: frames and slots (the
	 * runner checks the frames; the slots are checked here). Page 0 may
	 * hold a slot too by now: it was one stage behind the others, and on
	 * one CPU (or once its flush is drained) it follows them. */
	mm->cpu_mask = 0; /* the pretence ends: a dying mm is loaded nowhere */
	put_last(t, mm);
	KT_EXPECT_EQ(t, swap_total_pages() - swap_free_pages(), slots_before);
	kt_info(t, "40 pages: aged, gated, unmapped, slotted, written, swapped, read back");
}

/* kppsd is paused throughout: its periodic pass would otherwise age (or
 * give a slot to) these pages between the steps, and the counts above would
 * depend on its timing. */
KTEST(pps_stages_and_gate)
{
	kppsd_pause();
	stages_and_gate(t);
	kppsd_resume();
}

/*
 * Two threads fault on one SwappedPTE of one mm at the same moment: the
 * first claims it (and its read-ahead neighbours) with the swap-in busy
 * bit and reads; the second sees the bit and waits for that read. One
 * major fault, one read of the 8 pages, and both find the right data.
 */
struct faulter {
	struct mm *mm;
	u32 va;
	volatile int *go;
	int ret;
};

static void fault_once(void *arg)
{
	struct faulter *f = arg;

	while (!*f->go)
		yield();
	down_read(&f->mm->mmap_lock);
	f->ret = handle_mm_fault(f->mm, f->va, 0);
	up_read(&f->mm->mmap_lock);
}

static void swapin_one_read(struct ktest *t)
{
	struct vma *v;
	struct mm *mm = make_mm(8, &v);
	volatile int go = 0;

	KT_ASSERT(t, mm);
	KT_ASSERT(t, swap_enabled);
	down_read(&mm->mmap_lock);
	KT_EXPECT_EQ(t, pps_reclaim_range(mm, v->start, v->end, 5), 0);
	up_read(&mm->mmap_lock);
	KT_EXPECT_EQ(t, count_type(mm, v, pte_swapped), 8);

	ra_as_sweep(v);
	u32 maj = vm_events[PGMAJFAULT], in = vm_events[PSWPIN], cmds = vm_events[SWAP_READ_CMDS];
	struct faulter f[2] = { { mm, v->start, &go, -1 }, { mm, v->start, &go, -1 } };
	struct thread *th[2] = { kthread_create(fault_once, &f[0], "faulter0", false),
				 kthread_create(fault_once, &f[1], "faulter1", false) };
	KT_ASSERT(t, th[0] && th[1]);
	go = 1;
	kthread_join(th[0]);
	kthread_join(th[1]);
	KT_EXPECT_EQ(t, f[0].ret, 0);
	KT_EXPECT_EQ(t, f[1].ret, 0);
	KT_EXPECT_EQ(t, vm_events[PGMAJFAULT] - maj, 1);
	KT_EXPECT_EQ(t, vm_events[PSWPIN] - in, 8);     /* the page and 7 read ahead */
	KT_EXPECT_EQ(t, vm_events[SWAP_READ_CMDS] - cmds, 1); /* consecutive slots */
	pte_t got = *pte_lookup(mm, v->start);
	KT_EXPECT(t, pte_present(got) && *(u32 *)P2V(pte_pfn(got) << PAGE_SHIFT) == 0xC0DE0000);
	KT_EXPECT_EQ(t, count_type(mm, v, pte_unmapped), 7);
	for (u32 i = 1; i < 8; i++) {
		pte_t u = *pte_lookup(mm, v->start + i * PAGE_SIZE);
		KT_EXPECT(t, pte_unmapped(u) && *(u32 *)P2V(pte_pfn(u) << PAGE_SHIFT) == 0xC0DE0000 + i);
	}
	put_last(t, mm);
}

KTEST(pps_swapin_one_read)
{
	kppsd_pause();
	swapin_one_read(t);
	kppsd_resume();
}
