/*
 * ktests of the I/O windows: stage 4 (mm/pps.c) and swap-in
 * (mm/pps_fault.c) drop page_table_lock while the disk works, holding
 * mmap_lock only for reading, so other readers of the same mm run
 * meanwhile. pps_io_window_hook runs the racing operation at exactly that
 * moment, which makes each race happen every time:
 *
 *  - MADV_DONTNEED during a swap-in: the busy entries are dropped; the
 *    reader must free its pages and the slots' uses, install nothing, and
 *    the range must read back as zeros (not its old data);
 *  - fork during a swap-in: the child gets idle SwappedPTEs of its own,
 *    which it can fault in, and nothing is freed twice;
 *  - MADV_DONTNEED during stage 4's write: it must wait for the stepper
 *    (pps_lock), so no page leaves the mm while it is being written.
 *
 * kppsd is paused throughout, so that only the test steps these mms.
 */
#include <kernel/ktest.h>
#include <kernel/sched.h>
#include <kernel/time.h>
#include <mm/mm.h>
#include <mm/pps.h>
#include <mm/kppsd.h>
#include <mm/frame.h>
#include <mm/swapfile.h>
#include <mm/vmstat.h>
#include <kernel/string.h>
#include "pps_fixture.h"

/* n written pages, all paged out to SwappedPTEs. */
static struct mm *swapped_mm(struct ktest *t, u32 n, struct vma **v)
{
	struct mm *mm = make_mm(n, v);

	if (!mm)
		return NULL;
	down_read(&mm->mmap_lock);
	int r = pps_reclaim_range(mm, (*v)->start, (*v)->end, PPS_STAGE_FREE);
	up_read(&mm->mmap_lock);
	KT_EXPECT_EQ(t, r, 0);
	KT_EXPECT_EQ(t, count_type(mm, *v, pte_swapped), n);
	ra_as_sweep(*v); /* the next fault reads all n (n <= 8) */
	return mm;
}

static struct {
	int calls;
	struct mm *child;               /* fork in the window */
	struct thread *zapper;          /* DONTNEED from another thread */
	volatile bool zapped;
	bool zapped_during_write;       /* the pages left while being written */
	u32 start, end;
	struct mm *mm;
} win;

/* ---- MADV_DONTNEED while the swap-in reads ---------------------------- */

static void dontneed_in_swapin(enum pps_io_window w, struct mm *mm, u32 start, u32 end)
{
	if (w != PPS_WINDOW_SWAPIN || win.calls++)
		return;
	/* This thread holds mmap_lock for reading (the fault), as a second
	 * thread of the process calling madvise would. */
	madvise_dontneed(mm, start, end);
}

static void swapin_vs_dontneed(struct ktest *t)
{
	u32 used = swap_used(), zapped = vm_events[SWAPIN_ZAPPED];
	struct vma *v;
	struct mm *mm = swapped_mm(t, 8, &v);

	KT_ASSERT(t, mm);
	memset(&win, 0, sizeof(win));
	pps_io_window_hook = dontneed_in_swapin;
	int r = handle_mm_fault(mm, v->start, 0);
	pps_io_window_hook = NULL;
	KT_EXPECT_EQ(t, win.calls, 1);
	KT_EXPECT_EQ(t, r, 0);
	KT_EXPECT_EQ(t, vm_events[SWAPIN_ZAPPED] - zapped, 8); /* the page and 7 read ahead */
	KT_EXPECT_EQ(t, count_type(mm, v, pte_none), 8);       /* nothing installed */
	KT_EXPECT_EQ(t, mm->rss, 0);
	KT_EXPECT_EQ(t, swap_used(), used);                    /* every slot's use ended once */
	/* The dropped range reads as zeros, not as its old data. */
	KT_EXPECT_EQ(t, handle_mm_fault(mm, v->start + PAGE_SIZE, 0), 0);
	pte_t got = *pte_lookup(mm, v->start + PAGE_SIZE);
	KT_EXPECT(t, pte_present(got) && *(u32 *)P2V(pte_pfn(got) << PAGE_SHIFT) == 0);
	put_last(t, mm);
	KT_EXPECT_EQ(t, swap_used(), used);
}

KTEST(io_window_swapin_vs_dontneed)
{
	KT_ASSERT(t, swap_enabled);
	kppsd_pause();
	swapin_vs_dontneed(t);
	kppsd_resume();
}

/* ---- fork while the swap-in reads ------------------------------------- */

/*
 * fork takes the parent's mmap_lock for writing (it write-protects the
 * parent's PTEs for copy-on-write), and the swap-in holds it for reading
 * across its disk read: a fork started in the window waits for the read.
 * Then the child shares the parent's pages (the one read and the ones read
 * ahead), or holds SwappedPTEs of the same slots that it reads through the
 * legacy swap-in (mm/cow.c): either way it sees the same contents.
 */
static void forker(void *arg)
{
	(void)arg;
	win.child = mm_dup(win.mm);
	win.zapped = true; /* "done" */
}

static void fork_in_swapin(enum pps_io_window w, struct mm *mm, u32 start, u32 end)
{
	(void)start, (void)end;
	if (w != PPS_WINDOW_SWAPIN || win.calls++)
		return;
	win.mm = mm;
	win.zapper = kthread_create(forker, NULL, "forker", false);
	for (int i = 0; i < 10 && win.zapper && !win.zapped; i++)
		sleep_ticks(1);
	win.zapped_during_write = win.zapped; /* must stay false: fork waits */
}

static void swapin_vs_fork(struct ktest *t)
{
	u32 used = swap_used();
	struct vma *v;
	struct mm *mm = swapped_mm(t, 8, &v);

	KT_ASSERT(t, mm);
	memset(&win, 0, sizeof(win));
	pps_io_window_hook = fork_in_swapin;
	down_read(&mm->mmap_lock);
	int r = pps_swapin(mm, v, v->start);
	up_read(&mm->mmap_lock);
	pps_io_window_hook = NULL;
	KT_EXPECT_EQ(t, r, 0);
	KT_EXPECT_EQ(t, win.calls, 1);
	KT_ASSERT(t, win.zapper);
	kthread_join(win.zapper);
	KT_EXPECT(t, !win.zapped_during_write); /* the fork waited for the read */
	struct mm *child = win.child;
	KT_ASSERT(t, child);
	for (u32 i = 0; i < 8; i++) {
		u32 va = v->start + i * PAGE_SIZE;
		for (int k = 0; k < 3; k++) /* swap-in, then a read-ahead page's rescue */
			if (!pte_present(*pte_lookup(child, va)))
				KT_EXPECT_EQ(t, handle_mm_fault(child, va, 0), 0);
		pte_t c = *pte_lookup(child, va);
		KT_EXPECT(t, pte_present(c) && *(u32 *)P2V(pte_pfn(c) << PAGE_SHIFT) == 0xC0DE0000 + i);
	}
	/* The first page: the same frame in both (shared copy-on-write). */
	KT_EXPECT_EQ(t, pte_pfn(*pte_lookup(child, v->start)), pte_pfn(*pte_lookup(mm, v->start)));
	put_last(t, child);
	put_last(t, mm);
	KT_EXPECT_EQ(t, swap_used(), used);
}

KTEST(io_window_swapin_vs_fork)
{
	KT_ASSERT(t, swap_enabled);
	kppsd_pause();
	swapin_vs_fork(t);
	kppsd_resume();
}

/* ---- MADV_DONTNEED while stage 4 writes -------------------------------- */

static void zapper(void *arg)
{
	(void)arg;
	down_read(&win.mm->mmap_lock);
	madvise_dontneed(win.mm, win.start, win.end);
	win.zapped = true;
	up_read(&win.mm->mmap_lock);
}

/* Another thread of the process drops the range while the write is in
 * flight; give it every chance to get in before the write completes. */
static void dontneed_in_write(enum pps_io_window w, struct mm *mm, u32 start, u32 end)
{
	if (w != PPS_WINDOW_WRITE || win.calls++)
		return;
	win.mm = mm;
	win.start = start;
	win.end = end;
	win.zapper = kthread_create(zapper, NULL, "zapper", false);
	for (int i = 0; i < 20 && win.zapper && !win.zapped; i++)
		sleep_ticks(1);
	win.zapped_during_write = win.zapped;
}

static void write_vs_dontneed(struct ktest *t)
{
	u32 used = swap_used();
	struct vma *v;
	struct mm *mm = make_mm(8, &v);

	KT_ASSERT(t, mm);
	memset(&win, 0, sizeof(win));
	pps_io_window_hook = dontneed_in_write;
	down_read(&mm->mmap_lock);
	int r = pps_reclaim_range(mm, v->start, v->end, PPS_STAGE_FREE);
	up_read(&mm->mmap_lock);
	pps_io_window_hook = NULL;
	KT_EXPECT_EQ(t, r, 0);
	KT_ASSERT(t, win.zapper);
	kthread_join(win.zapper);
	KT_EXPECT_EQ(t, win.calls, 1);
	KT_EXPECT(t, !win.zapped_during_write); /* the zapper waited for the stepper */
	KT_EXPECT(t, win.zapped);
	KT_EXPECT_EQ(t, count_type(mm, v, pte_none), 8);
	KT_EXPECT_EQ(t, mm->rss, 0);
	put_last(t, mm);
	KT_EXPECT_EQ(t, swap_used(), used);
}

KTEST(io_window_write_vs_dontneed)
{
	KT_ASSERT(t, swap_enabled);
	kppsd_pause();
	write_vs_dontneed(t);
	kppsd_resume();
}
