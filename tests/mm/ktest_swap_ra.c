/*
 * ktests of the adaptive swap read-ahead (mm/swap_ra.h) and of PPS aging
 * (mm/pps_age.h): random major faults read one page each, a sweep doubles
 * its window at each fault, and stage 2 under pressure unmaps the oldest
 * pages first, no more than its budget.
 */
#include "pps_fixture.h"
#include <mm/pps.h>
#include <mm/pps_age.h>
#include <mm/swap_ra.h>
#include <mm/kppsd.h>
#include <mm/vmstat.h>
#include <mm/frame.h>
#include <kernel/string.h>

/* n written pages, all swapped out (SwappedPTEs), with a fresh window. */
static struct mm *swapped(struct ktest *t, u32 n, struct vma **v)
{
	struct mm *mm = make_mm(n, v);

	if (!mm)
		return NULL;
	down_read(&mm->mmap_lock);
	KT_EXPECT_EQ(t, pps_reclaim_range(mm, (*v)->start, (*v)->end, PPS_STAGE_FREE), 0);
	up_read(&mm->mmap_lock);
	KT_EXPECT_EQ(t, count_type(mm, *v, pte_swapped), n);
	(*v)->ra = (struct swap_ra){ 0 };
	return mm;
}

/* Pages one fault at page i reads (pswpin grows by that much). */
static u32 fault_reads(struct ktest *t, struct mm *mm, struct vma *v, u32 i)
{
	u32 in = vm_events[PSWPIN];
	KT_EXPECT_EQ(t, handle_mm_fault(mm, v->start + i * PAGE_SIZE, 0), 0);
	pte_t got = *pte_lookup(mm, v->start + i * PAGE_SIZE);
	KT_EXPECT(t, pte_present(got) && *(u32 *)P2V(pte_pfn(got) << PAGE_SHIFT) == 0xC0DE0000 + i);
	return vm_events[PSWPIN] - in;
}

KTEST(swap_ra_random_reads_one)
{
	struct vma *v;

	kppsd_pause();
	struct mm *mm = swapped(t, 64, &v);
	KT_ASSERT(t, mm);
	/* Far apart, none next to the last: the faulting page alone. */
	static const u32 at[] = { 40, 3, 60, 17, 29 };
	for (u32 k = 0; k < ARRAY_SIZE(at); k++)
		KT_EXPECT_EQ(t, fault_reads(t, mm, v, at[k]), 1);
	KT_EXPECT_EQ(t, v->ra.win, 1);
	put_last(t, mm);
	kppsd_resume();
}

KTEST(swap_ra_sweep_doubles_window)
{
	struct vma *v;
	u32 saved = swap_readahead_window;

	kppsd_pause();
	swap_readahead_window = 16;
	struct mm *mm = swapped(t, 64, &v);
	KT_ASSERT(t, mm);
	/* A sweep: each fault reads a window, the sweep uses (rescues) every
	 * page of it, and the next fault comes right after it. */
	static const u32 want[] = { 1, 2, 4, 8, 16, 16 };
	u32 page = 0;
	for (u32 k = 0; k < ARRAY_SIZE(want); k++) {
		u32 got = fault_reads(t, mm, v, page);
		KT_EXPECT_EQ(t, got, want[k]);
		for (u32 j = 1; j < got; j++) {
			KT_EXPECT(t, pte_unmapped(*pte_lookup(mm, v->start + (page + j) * PAGE_SIZE)));
			KT_EXPECT_EQ(t, handle_mm_fault(mm, v->start + (page + j) * PAGE_SIZE, 0), 0);
		}
		page += got;
	}
	KT_EXPECT(t, swap_ra_sweeping(v));
	/* The sweep ends. The next fault still trusts the last window's hits
	 * (it reads on to the VMA's end: 62 and 63); the one after, with no
	 * hit since, reads its page alone. */
	KT_EXPECT_EQ(t, fault_reads(t, mm, v, 62), 2);
	KT_EXPECT_EQ(t, fault_reads(t, mm, v, 50), 1);
	KT_EXPECT(t, !swap_ra_sweeping(v));
	swap_readahead_window = saved;
	put_last(t, mm);
	kppsd_resume();
}

/* A rescue (mm/pps_fault.c): an UnmappedPTE's frame mapped back with no
 * I/O. A read-ahead page rescued is a hit of its VMA's window; a page
 * stage 2 unmapped is not. The read-ahead page keeps its slot (clean). */
KTEST(pps_rescue_readahead_page)
{
	struct vma *v;

	kppsd_pause();
	struct mm *mm = swapped(t, 16, &v);
	KT_ASSERT(t, mm);
	ra_as_sweep(v);
	KT_EXPECT_EQ(t, fault_reads(t, mm, v, 0), 8);   /* page 0 and 7 ahead */
	u32 va = v->start + 3 * PAGE_SIZE;
	pte_t ra = *pte_lookup(mm, va);
	KT_ASSERT(t, pte_unmapped(ra));
	u32 in = vm_events[PSWPIN], maj = vm_events[PGMAJFAULT], used = swap_used();
	u32 rescues = vm_events[PPS_RESCUE], hits = vm_events[SWAP_RA_HIT];
	KT_EXPECT_EQ(t, handle_mm_fault(mm, va, 0), 0);
	pte_t got = *pte_lookup(mm, va);
	KT_EXPECT(t, pte_present(got) && pte_pfn(got) == pte_pfn(ra));   /* the same frame */
	KT_EXPECT_EQ(t, *(u32 *)P2V(pte_pfn(got) << PAGE_SHIFT), 0xC0DE0003);
	KT_EXPECT_EQ(t, vm_events[PSWPIN] - in, 0);
	KT_EXPECT_EQ(t, vm_events[PGMAJFAULT] - maj, 0);
	KT_EXPECT_EQ(t, vm_events[PPS_RESCUE] - rescues, 1);
	KT_EXPECT_EQ(t, vm_events[SWAP_RA_HIT] - hits, 1);
	KT_EXPECT_EQ(t, v->ra.hits, 1);
	KT_EXPECT_EQ(t, swap_used(), used);             /* its slot stays attached */
	KT_EXPECT(t, pfn_to_page(pte_pfn(got))->swap_slot != 0);

	/* Page 0, present: stage 2 unmaps it, a touch rescues it, no hit. */
	down_read(&mm->mmap_lock);
	KT_EXPECT_EQ(t, pps_reclaim_range(mm, v->start, v->start + PAGE_SIZE, PPS_STAGE_UNMAP), 0);
	up_read(&mm->mmap_lock);
	pte_t un = *pte_lookup(mm, v->start);
	KT_ASSERT(t, pte_unmapped(un));
	hits = vm_events[SWAP_RA_HIT];
	KT_EXPECT_EQ(t, handle_mm_fault(mm, v->start, FAULT_WRITE), 0);
	got = *pte_lookup(mm, v->start);
	KT_EXPECT(t, pte_present(got) && pte_pfn(got) == pte_pfn(un));
	KT_EXPECT_EQ(t, *(u32 *)P2V(pte_pfn(got) << PAGE_SHIFT), 0xC0DE0000);
	KT_EXPECT_EQ(t, vm_events[SWAP_RA_HIT] - hits, 0);
	KT_EXPECT_EQ(t, vm_events[PSWPIN] - in, 0);
	put_last(t, mm);
	kppsd_resume();
}

/* Stage 2 with an aged rule: only pages idle long enough, at most the
 * budget, and the histogram counts every old page it looked at. */
KTEST(pps_age_oldest_first_within_budget)
{
	struct vma *v;

	kppsd_pause();
	struct mm *mm = make_mm(16, &v);
	KT_ASSERT(t, mm);
	down_read(&mm->mmap_lock);
	down_write(&mm->pps_lock);
	struct pps_result r = { 0 };
	pps_step_range(mm, v, v->start, v->end, PPS_STAGE_AGE, &r); /* all old now */
	pps_end_pass(&r);
	KT_EXPECT_EQ(t, r.moved[PPS_STAGE_AGE], 16);
	u64 deadline = jiffies + 5 * hz;
	while (dftlb_pending() && jiffies < deadline) {
		dftlb_reap();
		sleep_ticks(1);
	}
	/* Pages 8..15 were last seen young 10 passes before pages 0..7. */
	spin_lock(&mm->page_table_lock);
	for (u32 i = 0; i < 16; i++)
		pfn_to_page(pte_pfn(*pte_lookup(mm, v->start + i * PAGE_SIZE)))->age_seq =
			pps_age_seq - (i < 8 ? 2 : 12);
	spin_unlock(&mm->page_table_lock);
	memset(&r, 0, sizeof(r));
	r.aged = true;
	r.min_bucket = pps_age_bucket(10);
	r.max_bucket = PPS_AGE_BUCKETS - 1;
	r.boundary_left = 5;
	r.budget = 5;
	pps_step_range(mm, v, v->start, v->end, PPS_STAGE_UNMAP, &r);
	pps_end_pass(&r);
	KT_EXPECT_EQ(t, r.moved[PPS_STAGE_UNMAP], 5);
	for (u32 i = 0; i < 16; i++) {
		bool unmapped = pte_unmapped(*pte_lookup(mm, v->start + i * PAGE_SIZE));
		KT_EXPECT(t, !unmapped || i >= 8); /* never a young one */
	}
	KT_EXPECT_EQ(t, r.hist[pps_age_bucket(2)], 8);
	KT_EXPECT_EQ(t, r.hist[pps_age_bucket(12)], 8);
	up_write(&mm->pps_lock);
	up_read(&mm->mmap_lock);
	put_last(t, mm);
	kppsd_resume();
}
