/*
 * ktests of the delayed TLB flush, one piece at a time (lab 4,
 * docs/labs/04-dftlb.md): who a closed task names (dftlb_close), the
 * stage-2 gate (dftlb_seq_done, used by stage2_unmap), and the drain in
 * every CPU's timer tick (dftlb_drain_local), all without an IPI.
 *
 * A "holder" is a kernel thread pinned to CPU 1 with the test's mm loaded
 * (kthread_use_mm), as a thread of the process would have it. While it
 * holds interrupts off, CPU 1 takes no timer tick, so a task it owes stays
 * owed for exactly as long as the test wants; then it lets ticks in again.
 * The test itself is pinned to CPU 0, with no user mm loaded (a kernel
 * thread runs on the kernel's page directory, as kppsd does). Stage 1 is
 * done by hand here, not by stage1_age: this lab's tests must not need
 * lab 3's code. kppsd is paused: nobody else opens tasks meanwhile.
 */
#include <kernel/ktest.h>
#include <kernel/sched.h>
#include <kernel/time.h>
#include <kernel/percpu.h>
#include <kernel/string.h>
#include <mm/mm.h>
#include <mm/pps.h>
#include <mm/kppsd.h>
#include <mm/dftlb.h>
#include <mm/vmstat.h>
#include <mm/frame.h>
#include <arch/x86/cpu.h>
#include <arch/x86/pte.h>
#include "pps_fixture.h"

struct holder {
	struct mm *mm;
	volatile bool running, hold, stop;
	volatile int cpu;
};

static void hold_mm(void *arg)
{
	struct holder *h = arg;

	kthread_use_mm(h->mm);
	irq_push(); /* no tick from here: nothing is drained on this CPU */
	h->cpu = this_cpu_id();
	h->running = true;
	while (h->hold)
		cpu_relax();
	irq_pop(); /* ticks again: the timer drains what this CPU owes */
	while (!h->stop)
		cpu_relax();
	kthread_unuse_mm();
}

/* The test on CPU 0, a holder of mm on CPU 1 (holding ticks off if hold). */
static struct thread *start_holder(struct ktest *t, struct holder *h, struct mm *mm, bool hold)
{
	struct thread *th;
	u64 deadline = jiffies + 5 * hz;

	*h = (struct holder){ .mm = mm, .hold = hold, .cpu = -1 };
	sched_setaffinity(current(), 1u << 0);
	while (this_cpu_id() != 0 && jiffies < deadline)
		yield();
	th = kthread_create_stopped(hold_mm, h, "dftlb-holder");
	if (!th)
		return NULL;
	th->detached = false;
	if (sched_setaffinity(th, 1u << 1)) {
		ktest_fail(t, __FILE__, __LINE__, "cannot pin the holder to CPU 1");
		h->hold = false;
		h->stop = true;
	}
	kthread_wake_new(th);
	while (!h->running && jiffies < deadline)
		sleep_ticks(1);
	if (!h->running)
		ktest_fail(t, __FILE__, __LINE__, "the holder did not start on CPU 1");
	return th;
}

static void stop_holder(struct holder *h, struct thread *th)
{
	h->hold = false;
	h->stop = true;
	if (th)
		kthread_join(th);
	sched_setaffinity(current(), ~0u);
}

/* Wait (ticks on) until task seq is done, at most `ticks`; true if it is. */
static bool wait_done(u32 seq, u64 ticks)
{
	u64 deadline = jiffies + ticks;

	while (!dftlb_seq_done(seq) && jiffies < deadline)
		sleep_ticks(1);
	return dftlb_seq_done(seq);
}

/*
 * dftlb_close names the CPUs that have the mm loaded, other than its own:
 * here CPU 1 only, so the task is not done until CPU 1 flushes. A task of
 * an mm loaded nowhere, or only on the closing CPU (which flushes its own
 * TLB in dftlb_close), is done the moment it is closed.
 */
static void close_names_cpus(struct ktest *t)
{
	struct holder h;
	struct vma *v;
	struct mm *mm = make_mm(4, &v), *other = mm_create();
	u32 ipi0 = vm_events[TLB_IPI];

	KT_ASSERT(t, mm && other);
	struct thread *th = start_holder(t, &h, mm, true);
	KT_EXPECT(t, th && h.cpu == 1);
	KT_EXPECT_EQ(t, mm->cpu_mask, 1u << 1);

	struct dftlb_task *task = dftlb_open(mm);
	KT_EXPECT(t, dftlb_add_range(task, v->start, v->end));
	u32 seq = dftlb_close(task);
	KT_EXPECT_EQ(t, seq, task->seq);
	KT_EXPECT(t, task->closed);
	KT_EXPECT_EQ(t, task->cpu_mask, 1u << 1); /* CPU 1 owes it; CPU 0 (we) does not */
	KT_EXPECT(t, !dftlb_seq_done(seq));

	/* loaded nowhere: nobody can hold its translations */
	struct dftlb_task *t2 = dftlb_open(other);
	u32 seq2 = dftlb_close(t2);
	KT_EXPECT(t, t2->closed && t2->cpu_mask == 0 && dftlb_seq_done(seq2));
	/* loaded here only: dftlb_close flushes this CPU itself */
	kthread_use_mm(other);
	KT_EXPECT_EQ(t, other->cpu_mask, 1u << this_cpu_id());
	t2 = dftlb_open(other);
	dftlb_add_range(t2, 0x400000, 0x401000);
	seq2 = dftlb_close(t2);
	KT_EXPECT(t, t2->closed && t2->cpu_mask == 0 && dftlb_seq_done(seq2));
	kthread_unuse_mm();
	KT_EXPECT(t, dftlb_seq_done(0)); /* a page never aged owes nothing */

	h.hold = false; /* CPU 1 ticks again and drains */
	KT_EXPECT(t, wait_done(seq, hz));
	stop_holder(&h, th);
	KT_EXPECT_EQ(t, vm_events[TLB_IPI] - ipi0, 0);
	put_last(t, other);
	put_last(t, mm);
}

KTEST(dftlb_close_names_cpus)
{
	KT_REQUIRE_CPUS(t, 2);
	kppsd_pause();
	close_names_cpus(t);
	kppsd_resume();
}

static bool is_old_present(pte_t p) { return pte_present(p) && !pte_young(p); }

/*
 * The gate: 8 pages aged by hand as stage 1 would (A and D cleared, the
 * range queued in a task, the task's number in each page), page 2 touched
 * again (young). While CPU 1 owes the task, stage 2 unmaps nothing; once
 * CPU 1 has ticked, it unmaps the 7 old pages and leaves the young one.
 */
static void stage2_gate(struct ktest *t)
{
	struct holder h;
	struct vma *v;
	struct mm *mm = make_mm(8, &v);
	struct pps_result r;
	u32 ipi0 = vm_events[TLB_IPI], forced0 = vm_events[DFTLB_FORCED];

	KT_ASSERT(t, mm);
	struct thread *th = start_holder(t, &h, mm, true);
	KT_EXPECT(t, th && h.cpu == 1);

	struct dftlb_task *task = dftlb_open(mm);
	dftlb_add_range(task, v->start, v->end);
	spin_lock(&mm->page_table_lock);
	for (u32 va = v->start; va < v->end; va += PAGE_SIZE) {
		pte_t *p = pte_lookup(mm, va);
		struct page *pg = pfn_to_page(pte_pfn(*p));
		pg->flags |= PG_dirty;
		pg->dftlb_seq = task->seq;
		*p = pte_mkold(pte_mkclean(*p));
	}
	spin_unlock(&mm->page_table_lock);
	u32 seq = dftlb_close(task);

	memset(&r, 0, sizeof(r));
	r.only_stage = PPS_STAGE_UNMAP;
	down_read(&mm->mmap_lock);
	down_write(&mm->pps_lock);
	pps_step_range(mm, v, v->start, v->end, PPS_STAGE_FREE, &r);
	pps_end_pass(&r);
	KT_EXPECT(t, !dftlb_seq_done(seq));
	KT_EXPECT_EQ(t, r.moved[PPS_STAGE_UNMAP], 0); /* CPU 1 may still cache them */
	KT_EXPECT_EQ(t, count_type(mm, v, is_old_present), 8);

	h.hold = false;
	KT_EXPECT(t, wait_done(seq, hz));
	spin_lock(&mm->page_table_lock);
	pte_t *p2 = pte_lookup(mm, v->start + 2 * PAGE_SIZE);
	*p2 = pte_mkyoung(*p2); /* touched again since it was aged */
	spin_unlock(&mm->page_table_lock);
	memset(&r, 0, sizeof(r));
	r.only_stage = PPS_STAGE_UNMAP;
	pps_step_range(mm, v, v->start, v->end, PPS_STAGE_FREE, &r);
	pps_end_pass(&r);
	up_write(&mm->pps_lock);
	up_read(&mm->mmap_lock);
	KT_EXPECT_EQ(t, r.moved[PPS_STAGE_UNMAP], 7);
	KT_EXPECT_EQ(t, count_type(mm, v, pte_unmapped), 7);
	KT_EXPECT(t, pte_present(*pte_lookup(mm, v->start + 2 * PAGE_SIZE)));
	stop_holder(&h, th);
	KT_EXPECT_EQ(t, vm_events[TLB_IPI] - ipi0, 0);
	KT_EXPECT_EQ(t, vm_events[DFTLB_FORCED] - forced0, 0);
	if (r.moved[PPS_STAGE_UNMAP] == 7 && vm_events[TLB_IPI] == ipi0)
		kt_info(t, "stage 2 waited for CPU 1's tick, then unmapped 7 of 8 pages; tlb_ipi +0");
	put_last(t, mm);
}

KTEST(dftlb_stage2_gate)
{
	KT_REQUIRE_CPUS(t, 2);
	kppsd_pause();
	stage2_gate(t);
	kppsd_resume();
}

/*
 * The drain rides on the timer: CPU 1 runs the mm with interrupts on and
 * flushes at its next tick (its tick count moves), with no IPI. Then more
 * tasks than the table holds: dftlb_open waits for ticks to free slots
 * (dftlb_full_waits) instead of forcing a drain (dftlb_forced).
 */
static void drain_at_tick(struct ktest *t)
{
	struct holder h;
	struct vma *v;
	struct mm *mm = make_mm(4, &v);
	u32 ipi0 = vm_events[TLB_IPI], forced0 = vm_events[DFTLB_FORCED];

	KT_ASSERT(t, mm);
	struct thread *th = start_holder(t, &h, mm, false);
	KT_EXPECT(t, th && h.cpu == 1);

	struct dftlb_task *task = dftlb_open(mm);
	dftlb_add_range(task, v->start, v->end);
	/* The counts before the close: CPU 1 counts a tick (or CR3 load)
	 * after its drain, so the one that drains this task ends above them. */
	irq_push(); /* counts, close and mask with no tick of ours between */
	u64 ticks = cpus[1].ticks, loads = cpus[1].cr3_loads;
	u32 seq = dftlb_close(task), mask = task->cpu_mask;
	irq_pop();
	KT_EXPECT(t, mask == (1u << 1) || mask == 0); /* 0: CPU 1 ticked in between */
	bool done = wait_done(seq, hz);
	KT_EXPECT(t, done);
	sleep_ticks(1); /* the draining interrupt's count comes just after its drain */
	KT_EXPECT(t, !mask || cpus[1].ticks > ticks || cpus[1].cr3_loads != loads);
	if (done) {
		/* more tasks than slots, each owed by CPU 1 */
		u32 first = 0, last = 0;
		for (int i = 0; i < DFTLB_TASKS + 8; i++) {
			struct dftlb_task *x = dftlb_open(mm);
			dftlb_add_range(x, v->start, v->end);
			last = dftlb_close(x);
			if (!first)
				first = last;
		}
		KT_EXPECT(t, wait_done(last, hz));
		KT_EXPECT_EQ(t, dftlb_pending(), 0);
		KT_EXPECT(t, dftlb_seq_done(first));
	}
	stop_holder(&h, th);
	KT_EXPECT_EQ(t, vm_events[TLB_IPI] - ipi0, 0);
	KT_EXPECT_EQ(t, vm_events[DFTLB_FORCED] - forced0, 0);
	put_last(t, mm);
}

KTEST(dftlb_drain_at_tick)
{
	KT_REQUIRE_CPUS(t, 2);
	kppsd_pause();
	drain_at_tick(t);
	kppsd_resume();
}

/*
 * The drain never follows t->mm. A CPU draining from tick_stop reads a
 * task's closed flag and its own bit; at that moment a closer may clear
 * the bit for it (the CPU is idle), the task is done, and dftlb_reap sets
 * t->mm to NULL. The drainer, still in the middle, must not touch the mm:
 * it compares CR3 with t->cr3. Here that moment is made by hand: a task
 * that names this CPU with its mm already dropped, drained with ticks off.
 * (Once, CI saw dftlb_drain_local fault on a NULL t->mm in exitrace.)
 */
static void drain_after_reap(struct ktest *t)
{
	struct vma *v;
	struct mm *mm = make_mm(4, &v);

	KT_ASSERT(t, mm);
	struct dftlb_task *task = dftlb_open(mm); /* open: no drain looks at it */
	dftlb_add_range(task, v->start, v->end);
	irq_push(); /* no tick here: we drain by hand, once */
	u32 me = 1u << this_cpu_id();
	KT_EXPECT_EQ(t, task->cr3, V2P(mm->pgdir));
	task->cpu_mask = me;    /* what the drainer saw... */
	task->closed = true;
	task->mm = NULL;        /* ...and what dftlb_reap did meanwhile */
	dftlb_drain_local();
	KT_EXPECT_EQ(t, task->cpu_mask & me, 0); /* not our mm in CR3: nothing owed */
	task->mm = mm;          /* the reference dftlb_open took, for dftlb_reap */
	irq_pop();
	dftlb_reap();
	KT_EXPECT(t, task->mm == NULL);
	put_last(t, mm);
}

KTEST(dftlb_drain_after_reap)
{
	kppsd_pause();
	drain_after_reap(t);
	kppsd_resume();
}
