/*
 * TLB coherence with an mm loaded on several CPUs (mm/tlb_gather.h,
 * mm/deferred_free.h, mm/dftlb.h). Kernel threads stand in for the threads
 * of a process: kthread_use_mm loads the test's mm on whatever CPU they
 * run, so its bit is in mm->cpu_mask exactly as a user thread's would be.
 *
 * QEMU's TLB is real in this sense: a vCPU keeps a translation until it
 * executes invlpg or loads CR3, so a missing shootdown shows up as a stale
 * read. A round counts only if the reader stayed on one CPU that loaded no
 * CR3 in between (its cr3_loads did not move), and kppsd is paused so no
 * delayed flush touches the test's mm.
 */
#include <kernel/ktest.h>
#include <kernel/sched.h>
#include <kernel/time.h>
#include <kernel/percpu.h>
#include <mm/mm.h>
#include <mm/frame.h>
#include <mm/kppsd.h>
#include <mm/vmstat.h>
#include <mm/dftlb.h>
#include <mm/pps.h>
#include <mm/tlb_gather.h>
#include <mm/deferred_free.h>
#include <arch/x86/cpu.h>
#include "pps_fixture.h"

#define VA 0x400000u
#define OLD 0x01D01D01u
#define ANON (VM_READ | VM_WRITE | VM_PURE_PRIVATE)

/* Is the frame in a free buddy block (as its head or inside one)? */
static bool frame_is_free(struct page *p)
{
	u32 pfn = page_to_pfn(p);

	for (u32 k = 0; k <= MAX_ORDER; k++) {
		struct page *head = pfn_to_page(pfn & ~((1u << k) - 1));
		if ((head->flags & PG_free) && head->order >= k)
			return true;
	}
	return false;
}

static int unmap(struct mm *mm, u32 start, u32 end)
{
	down_write(&mm->mmap_lock);
	int r = vma_unmap_range(mm, start, end);
	up_write(&mm->mmap_lock);
	return r;
}

static struct page *frame_at(struct mm *mm, u32 va)
{
	return pfn_to_page(pte_pfn(*pte_lookup(mm, va)));
}

/* Replace the page at va by a fresh one holding val, as munmap followed by
 * mmap(MAP_FIXED) and a write would, or MADV_DONTNEED and a write. Returns
 * the old frame. */
static struct page *replace(struct mm *mm, u32 va, u32 val, bool dontneed)
{
	struct page *old = frame_at(mm, va);
	struct vma *v = NULL;

	if (dontneed) {
		down_read(&mm->mmap_lock);
		if (!madvise_dontneed(mm, va, va + PAGE_SIZE))
			v = vma_find(mm, va);
		up_read(&mm->mmap_lock);
	} else {
		down_write(&mm->mmap_lock);
		vma_unmap_range(mm, va, va + PAGE_SIZE);
		v = vma_new(mm, va, va + PAGE_SIZE, ANON, NULL);
		if (v && vma_insert(mm, v))
			v = NULL;
		up_write(&mm->mmap_lock);
	}
	if (!v || handle_mm_fault(mm, va, FAULT_WRITE))
		return NULL;
	*(volatile u32 *)page_at(mm, va) = val;
	return old;
}

/* A kernel thread with the test's mm loaded, spinning with interrupts on
 * (so it takes the shootdown IPIs) until told to stop. */
struct user {
	struct mm *mm;
	volatile bool running, stop;
	volatile int cpu;
	/* the reader's protocol (tlb_shootdown_then_reuse): go = 2r-1 primes
	 * round r, go = 2r checks it; ack says which step is done */
	volatile u32 go, ack;
	volatile u32 seen_before, seen_after;
	volatile bool conclusive;
};

static void spin_user(void *arg)
{
	struct user *u = arg;

	kthread_use_mm(u->mm);
	irq_push();
	u->cpu = this_cpu_id();
	irq_pop();
	u->running = true;
	while (!u->stop)
		cpu_relax();
	kthread_unuse_mm();
}

/* Read VA once to load its translation, wait (interrupts on) while the
 * test replaces the page, read again: the second read must see the new
 * page whenever the CPU's TLB was not flushed by other means. */
static void read_user(void *arg)
{
	struct user *u = arg;
	struct cpu *c = NULL;
	u64 loads = 0;
	u32 seen = 0;

	kthread_use_mm(u->mm);
	u->running = true;
	while (!u->stop) {
		u32 g = u->go;
		if (g == seen) {
			cpu_relax(); /* interrupts on: shootdowns get in */
			continue;
		}
		seen = g;
		irq_push();
		if (g & 1) {
			c = this_cpu();
			loads = c->cr3_loads;
			u->seen_before = *(volatile u32 *)VA;
		} else {
			u->conclusive = this_cpu() == c && c->cr3_loads == loads;
			u->seen_after = *(volatile u32 *)VA;
		}
		irq_pop();
		u->ack = g;
	}
	kthread_unuse_mm();
}

/* Tell the reader to do step g and wait until it has (2 s at most). */
static bool reader_step(struct user *u, u32 g)
{
	u64 deadline = jiffies + 2 * hz;

	u->go = g;
	while (u->ack != g)
		if (jiffies > deadline)
			return false;
	return true;
}

static bool wait_running(struct user *u, int n)
{
	u64 deadline = jiffies + 5 * hz;

	for (int i = 0; i < n; i++)
		while (!u[i].running)
			if (jiffies > deadline)
				return false;
	return true;
}

static void stop_all(struct user *u, struct thread **th, int n)
{
	for (int i = 0; i < n; i++)
		u[i].stop = true;
	for (int i = 0; i < n; i++)
		if (th[i])
			kthread_join(th[i]);
}

/*
 * A reader on another CPU holds the translation of VA in its TLB; the test
 * unmaps VA and maps a fresh page there (odd rounds), or drops the page
 * with MADV_DONTNEED and writes a fresh one (even rounds). After the call
 * returns the
 * reader never sees the old content, and the old frame is not back in the
 * allocator before every CPU flushed: right after the call it is on a
 * deferred list (ticks paused), and the shootdown went to the reader.
 */
KTEST(tlb_shootdown_then_reuse)
{
	struct vma *v;
	struct mm *mm;
	static struct user u;
	struct thread *th;
	u32 conclusive = 0, stale = 0, rounds = 40;

	KT_REQUIRE_CPUS(t, 2);
	mm = make_mm(1, &v);
	KT_ASSERT(t, mm);
	kppsd_pause();
	*(volatile u32 *)page_at(mm, VA) = OLD;
	u = (struct user){ .mm = mm };
	th = kthread_create(read_user, &u, "tlb-reader", false);
	KT_ASSERT(t, th && wait_running(&u, 1));
	for (u32 r = 1; r <= rounds; r++) {
		KT_ASSERT(t, reader_step(&u, 2 * r - 1));
		KT_EXPECT_EQ(t, u.seen_before, OLD + r - 1);
		u32 ipi0 = vm_events[TLB_IPI], deferred0 = vm_events[DFREE_DEFERRED];
		deferred_free_pause_ticks(true);
		struct page *old = replace(mm, VA, OLD + r, r % 2 == 0);
		if (!old)
			deferred_free_pause_ticks(false);
		KT_ASSERT(t, old);
		/* flushed everywhere, but not yet given back */
		KT_EXPECT(t, old->flags & PG_deferred);
		KT_EXPECT(t, !frame_is_free(old) && old != frame_at(mm, VA));
		/* the frame; and for munmap the page table too: no VMA was left
		 * in its 4 MiB (MADV_DONTNEED never frees a table) */
		KT_EXPECT_EQ(t, vm_events[DFREE_DEFERRED] - deferred0, r % 2 == 0 ? 1 : 2);
		bool ipi = vm_events[TLB_IPI] != ipi0;
		deferred_free_pause_ticks(false);
		KT_ASSERT(t, reader_step(&u, 2 * r));
		if (u.conclusive) {
			conclusive++;
			KT_EXPECT(t, ipi); /* its CPU had the mm loaded throughout */
			if (u.seen_after != OLD + r) {
				stale++;
				kt_info(t, "round %u: read %#x after the unmap returned, want %#x", r,
					u.seen_after, OLD + r);
			}
		}
	}
	kt_info(t, "%u of %u rounds conclusive, %u stale", conclusive, rounds, stale);
	KT_EXPECT(t, conclusive >= rounds / 2);
	KT_EXPECT_EQ(t, stale, 0);
	stop_all(&u, &th, 1);
	kppsd_resume();
	put_last(t, mm);
}

/* CR3 loads on the CPUs of a mask: a CPU that left the mm and came back
 * during a try leaves the mask as it was, but not this. */
static u64 cr3_loads_of(u32 mask)
{
	u64 n = 0;

	for (int c = 0; c < MAX_CPUS; c++)
		if (mask & (1u << c))
			n += cpus[c].cr3_loads;
	return n;
}

/*
 * tlb_ipi counts exactly the other CPUs in the mask: the test thread and
 * two spinners have the mm loaded on three CPUs, and an unmap interrupts
 * the two others. A try counts only if the mask did not change around the
 * call (nobody switched away or migrated meanwhile). With the mm loaded
 * here alone, an unmap sends nothing.
 */
KTEST(tlb_ipi_counts_other_cpus_in_mask)
{
	static struct user u[2];
	struct thread *th[2] = { NULL, NULL };
	struct vma *v;
	struct mm *mm;
	u32 exact = 0, tries = 0, me;

	KT_REQUIRE_CPUS(t, 4);
	mm = make_mm(32, &v);
	KT_ASSERT(t, mm);
	kppsd_pause();
	for (int i = 0; i < 2; i++) {
		u[i] = (struct user){ .mm = mm };
		th[i] = kthread_create(spin_user, &u[i], "tlb-spinner", false);
	}
	kthread_use_mm(mm);
	if (!th[0] || !th[1] || !wait_running(u, 2))
		ktest_fail(t, __FILE__, __LINE__, "spinners did not start");
	for (u32 va = VA; va < VA + 32 * PAGE_SIZE && th[0] && th[1]; va += PAGE_SIZE, tries++) {
		irq_push();
		me = 1u << this_cpu_id();
		u32 before = mm->cpu_mask, ipi0 = vm_events[TLB_IPI];
		u64 loads = cr3_loads_of(before);
		irq_pop();
		unmap(mm, va, va + PAGE_SIZE);
		irq_push();
		u32 after = mm->cpu_mask, sent = vm_events[TLB_IPI] - ipi0;
		bool same = after == before && (me & after) && me == 1u << this_cpu_id() &&
			    cr3_loads_of(after) == loads;
		irq_pop();
		if (same && __builtin_popcount(before) == 3) {
			exact++;
			KT_EXPECT_EQ(t, sent, 2);
		}
	}
	kt_info(t, "%u of %u unmaps with the mm on exactly 3 CPUs, each counted 2", exact, tries);
	KT_EXPECT(t, exact >= 8);
	stop_all(u, th, 2);
	/* alone now: a local flush, no IPI */
	u32 ipi0 = vm_events[TLB_IPI];
	KT_EXPECT(t, __builtin_popcount(mm->cpu_mask) == 1);
	KT_EXPECT_EQ(t, unmap(mm, 0, USER_TOP), 0);
	KT_EXPECT_EQ(t, vm_events[TLB_IPI] - ipi0, 0);
	KT_EXPECT(t, pte_lookup(mm, VA) == NULL); /* no VMA left: the table went too */
	kthread_unuse_mm();
	kppsd_resume();
	put_last(t, mm);
}

/*
 * A delayed flush task closed while the mm is loaded on three other CPUs
 * is done only after all three have ticked (or loaded another CR3): each
 * bit that leaves its mask belongs to a CPU that has ticked since the
 * close, and no IPI is sent; nor does PPS send one when it then unmaps
 * the pages through the gate.
 *
 * The counts are read before the close: a tick already under way then may
 * be the one that drains the task, and a CPU counts a tick (and a CR3
 * load) only after its drain, so its count ends above the one read here.
 * A bit can be seen gone a moment before that count moves, so the test
 * waits (briefly) for the count of each CPU whose bit went.
 */
static bool ticked_since(int c, const u64 *ticks, const u64 *loads)
{
	u64 deadline = jiffies + hz / 2;

	while (cpus[c].ticks == ticks[c] && cpus[c].cr3_loads == loads[c] && jiffies < deadline)
		cpu_relax();
	return cpus[c].ticks != ticks[c] || cpus[c].cr3_loads != loads[c];
}

KTEST(tlb_dftlb_waits_for_three_cpus)
{
	static struct user u[3];
	struct thread *th[3] = { NULL, NULL, NULL };
	struct vma *v;
	struct mm *mm;
	u64 ticks[MAX_CPUS], loads[MAX_CPUS], deadline;
	u32 mask = 0, left, ipi0 = vm_events[TLB_IPI];

	KT_REQUIRE_CPUS(t, 4);
	mm = make_mm(4, &v);
	KT_ASSERT(t, mm);
	kppsd_pause();
	for (int i = 0; i < 3; i++) {
		u[i] = (struct user){ .mm = mm };
		th[i] = kthread_create(spin_user, &u[i], "tlb-spinner", false);
	}
	if (!th[0] || !th[1] || !th[2] || !wait_running(u, 3))
		ktest_fail(t, __FILE__, __LINE__, "spinners did not start");
	deadline = jiffies + 5 * hz;
	while (__builtin_popcount(mm->cpu_mask) != 3 && jiffies < deadline)
		sleep_ticks(1);
	KT_EXPECT_EQ(t, __builtin_popcount(mm->cpu_mask), 3);

	struct dftlb_task *task = dftlb_open(mm);
	dftlb_add_range(task, VA, VA + 4 * PAGE_SIZE);
	irq_push(); /* counts, close and mask with no tick of ours in between */
	for (int c = 0; c < MAX_CPUS; c++) {
		ticks[c] = cpus[c].ticks;
		loads[c] = cpus[c].cr3_loads;
	}
	u32 seq = dftlb_close(task);
	mask = task->cpu_mask;
	irq_pop();
	kt_info(t, "task %u owed by cpu mask %#x", seq, mask);
	KT_EXPECT_EQ(t, __builtin_popcount(mask), 3);
	left = mask;
	deadline = jiffies + 5 * hz;
	while (left && jiffies < deadline) {
		bool done = dftlb_seq_done(seq); /* bits only go: read it first */
		u32 now = task->cpu_mask, gone = left & ~now;
		for (int c = 0; c < MAX_CPUS; c++)
			if (gone & (1u << c))
				KT_EXPECT(t, ticked_since(c, ticks, loads));
		KT_EXPECT(t, !done || now == 0);
		left = now;
	}
	KT_EXPECT_EQ(t, left, 0);
	KT_EXPECT(t, dftlb_seq_done(seq));
	KT_EXPECT_EQ(t, vm_events[TLB_IPI] - ipi0, 0);
	/* PPS reclaim of the pages, the mm still live on three CPUs: aged,
	 * gated by the delayed flush, unmapped, with no IPI either. */
	down_read(&mm->mmap_lock);
	KT_EXPECT_EQ(t, pps_reclaim_range(mm, VA, VA + 4 * PAGE_SIZE, PPS_STAGE_UNMAP), 0);
	up_read(&mm->mmap_lock);
	KT_EXPECT_EQ(t, count_type(mm, v, pte_unmapped), 4);
	KT_EXPECT_EQ(t, vm_events[TLB_IPI] - ipi0, 0);
	stop_all(u, th, 3);
	kppsd_resume();
	put_last(t, mm);
}

/* Put n fresh frames on this CPU's deferred list as an unmap would. */
struct pusher {
	u32 n;
	struct page *pages[16];
	volatile int cpu;
	volatile bool done;
};

static void push_deferred(void *arg)
{
	struct pusher *p = arg;
	struct list_head l;

	list_init(&l);
	for (u32 i = 0; i < p->n; i++) {
		p->pages[i] = alloc_page();
		if (!p->pages[i])
			p->n = i;
		else
			list_add_tail(&p->pages[i]->list, &l);
	}
	irq_push();
	p->cpu = this_cpu_id();
	deferred_free_pages(&l, p->n);
	irq_pop();
	p->done = true;
}

/*
 * The deferred lists go back at the tick: with ticks paused an unmap's
 * frames stay deferred, and a few ticks after resuming they are free.
 */
KTEST(tlb_deferred_free_drains_at_tick)
{
	struct vma *v;
	struct mm *mm = make_mm(8, &v);
	struct page *old[8];
	u32 tick0;

	KT_ASSERT(t, mm);
	kppsd_pause();
	for (int i = 0; i < 8; i++)
		old[i] = frame_at(mm, VA + i * PAGE_SIZE);
	deferred_free_pause_ticks(true);
	tick0 = vm_events[DFREE_TICK];
	KT_EXPECT_EQ(t, unmap(mm, VA, VA + 8 * PAGE_SIZE), 0);
	for (int i = 0; i < 8; i++)
		KT_EXPECT(t, (old[i]->flags & PG_deferred) && !frame_is_free(old[i]));
	KT_EXPECT(t, deferred_free_pending() >= 8);
	deferred_free_pause_ticks(false);
	sleep_ticks(3);
	for (int i = 0; i < 8; i++)
		KT_EXPECT(t, !(old[i]->flags & PG_deferred));
	KT_EXPECT(t, vm_events[DFREE_TICK] - tick0 >= 8);
	kppsd_resume();
	put_last(t, mm);
}

/*
 * When the allocator runs dry while another CPU's list holds pages, it
 * collects every list with a call-function IPI before failing: with
 * ticks paused, 16 pages wait on another CPU; the test takes every free
 * frame; the last takes come from those 16, and alloc_page returns NULL
 * only once no deferred page is left anywhere.
 */
KTEST(tlb_deferred_free_drains_by_ipi_when_short)
{
	static struct pusher p;
	struct thread *th;
	struct list_head taken;
	u32 ntaken = 0, ipi0, pending;
	struct page *pg;

	kppsd_pause();
	deferred_free_pause_ticks(true);
	p = (struct pusher){ .n = 16, .cpu = -1 };
	th = kthread_create(push_deferred, &p, "tlb-pusher", false);
	if (!th) {
		deferred_free_pause_ticks(false);
		kppsd_resume();
		KT_ASSERT(t, th);
	}
	while (!p.done)
		cpu_relax(); /* keep this CPU busy: the pusher runs on another */
	kthread_join(th);
	KT_EXPECT_EQ(t, p.n, 16);
	for (u32 i = 0; i < p.n; i++)
		KT_EXPECT(t, p.pages[i]->flags & PG_deferred);
	pending = deferred_free_pending();
	KT_EXPECT(t, pending >= 16);
	kt_info(t, "16 pages deferred on cpu %d", p.cpu);

	ipi0 = vm_events[DFREE_IPI];
	list_init(&taken);
	while ((pg = alloc_page())) {
		list_add_tail(&pg->list, &taken);
		ntaken++;
	}
	u32 left = deferred_free_pending(), by_ipi = vm_events[DFREE_IPI] - ipi0;
	while (!list_empty(&taken)) {
		pg = list_first_entry(&taken, struct page, list);
		list_del(&pg->list);
		free_page(pg);
	}
	deferred_free_pause_ticks(false);
	kppsd_resume();
	kt_info(t, "took %u frames, %u came back from the lists by IPI", ntaken, by_ipi);
	KT_EXPECT_EQ(t, left, 0);
	KT_EXPECT(t, by_ipi >= 16);
	for (u32 i = 0; i < p.n; i++)
		KT_EXPECT(t, !(p.pages[i]->flags & PG_deferred));
}

/* Loading the mm that is already loaded loads nothing; cr3_loads counts
 * the real switches. (The scheduler calls mm_activate at every switch, so
 * two threads of one mm switch on a CPU with no CR3 load.) */
KTEST(tlb_same_mm_switch_keeps_cr3)
{
	struct mm *mm = mm_create();

	KT_ASSERT(t, mm);
	kthread_use_mm(mm);
	irq_push();
	struct cpu *c = this_cpu();
	u64 loads = c->cr3_loads;
	u32 cr3 = read_cr3();
	mm_activate(mm);
	KT_EXPECT_EQ(t, c->cr3_loads, loads);
	KT_EXPECT_EQ(t, read_cr3(), cr3);
	KT_EXPECT(t, mm->cpu_mask & (1u << c->id));
	mm_activate(NULL);
	KT_EXPECT_EQ(t, c->cr3_loads, loads + 1);
	KT_EXPECT(t, !(mm->cpu_mask & (1u << c->id)));
	mm_activate(mm);
	KT_EXPECT_EQ(t, c->cr3_loads, loads + 2);
	irq_pop();
	kthread_unuse_mm();
	KT_EXPECT_EQ(t, mm->cpu_mask, 0);
	mm_put(mm);
}

struct opener {
	struct mm *mm;
	struct dftlb_task *task;
	volatile bool done;
};

static void open_task(void *arg)
{
	struct opener *o = arg;

	o->task = dftlb_open(o->mm);
	o->done = true;
}

/*
 * Every slot of the delayed flush table held by an *open* task: flushing
 * cannot free one, so dftlb_open waits (dftlb_open_waits) for a close
 * instead of forcing drains with IPIs (dftlb_forced, tlb_ipi unchanged).
 */
KTEST(tlb_dftlb_open_waits_for_a_close)
{
	static struct dftlb_task *held[DFTLB_TASKS];
	static struct opener o;
	struct mm *mm = mm_create();
	struct thread *th;
	u32 waits0 = vm_events[DFTLB_OPEN_WAITS], forced0 = vm_events[DFTLB_FORCED];
	u32 ipi0 = vm_events[TLB_IPI];

	KT_ASSERT(t, mm);
	kppsd_pause(); /* no other stepper takes slots meanwhile */
	for (int i = 0; i < DFTLB_TASKS; i++)
		held[i] = dftlb_open(mm);
	o = (struct opener){ .mm = mm };
	th = kthread_create(open_task, &o, "tlb-opener", false);
	KT_EXPECT(t, th);
	sleep_ticks(5);
	KT_EXPECT(t, !o.done);
	KT_EXPECT_EQ(t, vm_events[DFTLB_OPEN_WAITS] - waits0, th ? 1 : 0);
	dftlb_close(held[0]); /* mm loaded nowhere: done at once, the slot free */
	if (th)
		kthread_join(th);
	KT_EXPECT(t, o.done && o.task == held[0]);
	KT_EXPECT_EQ(t, vm_events[DFTLB_FORCED] - forced0, 0);
	KT_EXPECT_EQ(t, vm_events[TLB_IPI] - ipi0, 0);
	for (int i = 1; i < DFTLB_TASKS; i++)
		dftlb_close(held[i]);
	if (o.task)
		dftlb_close(o.task);
	kppsd_resume();
	put_last(t, mm);
}

/* The reader of tlb_dftlb_flushes_only_its_ranges: odd go loads the
 * translations of both pages, even go reads both again. */
struct reader2 {
	struct mm *mm;
	volatile bool running, stop;
	volatile u32 go, ack;
	volatile u32 a, b;
	volatile bool conclusive;
};

static void read_two(void *arg)
{
	struct reader2 *u = arg;
	struct cpu *c = NULL;
	u64 loads = 0;
	u32 seen = 0;

	kthread_use_mm(u->mm);
	u->running = true;
	while (!u->stop) {
		u32 g = u->go;
		if (g == seen) {
			cpu_relax(); /* interrupts on: the ticks drain the delayed flushes */
			continue;
		}
		seen = g;
		irq_push();
		if (g & 1) {
			c = this_cpu();
			loads = c->cr3_loads;
			u->a = *(volatile u32 *)VA;
			u->b = *(volatile u32 *)(VA + PAGE_SIZE);
		} else {
			u->conclusive = this_cpu() == c && c->cr3_loads == loads;
			u->a = *(volatile u32 *)VA;
			u->b = *(volatile u32 *)(VA + PAGE_SIZE);
		}
		irq_pop();
		u->ack = g;
	}
	kthread_unuse_mm();
}

static bool reader2_step(struct reader2 *u, u32 g)
{
	u64 deadline = jiffies + 2 * hz;

	u->go = g;
	while (u->ack != g)
		if (jiffies > deadline)
			return false;
	return true;
}

/* Exchange the PTEs of the two pages, with no flush: only the caller's
 * delayed flush task tells the reader's CPU. */
static void swap_ptes(struct mm *mm)
{
	spin_lock(&mm->page_table_lock);
	pte_t *a = pte_lookup(mm, VA), *b = pte_lookup(mm, VA + PAGE_SIZE), old = *a;
	*a = *b;
	*b = old;
	spin_unlock(&mm->page_table_lock);
}

/*
 * A delayed flush reaches another CPU at its tick and drops what the task
 * names, and only that (dftlb_drain_local: invlpg of the task's ranges on
 * a CPU that has the mm loaded, not a CR3 reload for one page). A reader
 * on another CPU has the translations of pages A and B; the test exchanges
 * their PTEs without flushing, and closes a task for A alone. Once the
 * task is done the reader sees A's new page, always, and B's old one while
 * it loaded no CR3 (QEMU keeps a translation until invlpg or a CR3 load;
 * its own TLB may still drop one now and then, so most rounds, not all).
 */
KTEST(tlb_dftlb_flushes_only_its_ranges)
{
	static struct reader2 u;
	struct thread *th;
	struct vma *v;
	struct mm *mm;
	u32 rounds = 20, conclusive = 0, precise = 0, ipi0 = vm_events[TLB_IPI];

	KT_REQUIRE_CPUS(t, 2);
	mm = make_mm(2, &v);
	KT_ASSERT(t, mm);
	kppsd_pause();
	u = (struct reader2){ .mm = mm };
	th = kthread_create(read_two, &u, "tlb-reader2", false);
	u64 start = jiffies;
	while (th && !u.running && jiffies < start + 5 * hz)
		sleep_ticks(1);
	KT_ASSERT(t, th && u.running);
	for (u32 r = 1; r <= rounds; r++) {
		u32 even = r % 2 == 0; /* which way the PTEs stand before this round */
		KT_ASSERT(t, reader2_step(&u, 2 * r - 1));
		KT_EXPECT_EQ(t, u.a, 0xC0DE0000 + even);
		swap_ptes(mm);
		struct dftlb_task *task = dftlb_open(mm);
		dftlb_add_range(task, VA, VA + PAGE_SIZE);
		u32 seq = dftlb_close(task);
		u64 deadline = jiffies + 2 * hz;
		while (!dftlb_seq_done(seq) && jiffies < deadline)
			cpu_relax();
		KT_EXPECT(t, dftlb_seq_done(seq));
		KT_ASSERT(t, reader2_step(&u, 2 * r));
		KT_EXPECT_EQ(t, u.a, 0xC0DE0000 + !even); /* A: flushed, its new page */
		if (u.conclusive) {
			conclusive++;
			if (u.b == 0xC0DE0000 + !even) /* B: its old page, still in the TLB */
				precise++;
		}
		/* B's stale entry must go before the next round: a shootdown */
		mm_flush_tlb_range(mm, VA + PAGE_SIZE, VA + 2 * PAGE_SIZE);
	}
	kt_info(t, "%u of %u rounds conclusive, %u kept the other page's stale entry", conclusive,
		rounds, precise);
	KT_EXPECT(t, conclusive >= rounds / 2);
	KT_EXPECT(t, precise * 2 >= conclusive && conclusive > 0);
	/* the PTEs back as they were (an even number of rounds) before teardown */
	u.stop = true;
	kthread_join(th);
	KT_EXPECT(t, vm_events[TLB_IPI] - ipi0 <= rounds); /* the shootdowns only */
	kppsd_resume();
	put_last(t, mm);
}
