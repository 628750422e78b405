/*
 * ktests of kppsd's stages one at a time (lab 3, docs/labs/03-kppsd-stages.md):
 * each builds by hand the PTEs its stage starts from, runs one step of
 * that stage only (pps_result.only_stage), and checks the PTEs, the pages
 * and the tally, so that each stage is graded alone. Stage 1 ages, stage 3
 * attaches slots, stage 5 frees frames. Series finding is
 * pps_series_finding (ktest_pps.c); stage 2's gate is lab 4's
 * (ktest_dftlb.c); stage 4's write batch has ktest_pps_writeback.c.
 * kppsd is paused: only the test steps the mm.
 */
#include <kernel/ktest.h>
#include <kernel/sched.h>
#include <kernel/time.h>
#include <kernel/string.h>
#include <mm/mm.h>
#include <mm/pps.h>
#include <mm/kppsd.h>
#include <mm/dftlb.h>
#include <mm/frame.h>
#include <mm/swapfile.h>
#include <arch/x86/pte.h>
#include "pps_fixture.h"

/* One step of stage `only` over the whole VMA, as a stepper (mm/pps.h). */
static void step_only(struct mm *mm, struct vma *v, enum pps_stage only, struct pps_result *r)
{
	memset(r, 0, sizeof(*r));
	r->only_stage = only;
	down_read(&mm->mmap_lock);
	down_write(&mm->pps_lock);
	pps_step_range(mm, v, v->start, v->end, PPS_STAGE_FREE, r);
	pps_end_pass(r);
	up_write(&mm->pps_lock);
	up_read(&mm->mmap_lock);
}

static struct page *page_of_pte(struct mm *mm, u32 va)
{
	return pfn_to_page(pte_pfn(*pte_lookup(mm, va)));
}

static bool is_old_present(pte_t p) { return pte_present(p) && !pte_young(p); }

/* Does the (closed) task numbered seq cover va? */
static bool task_covers(u32 seq, u32 va)
{
	for (int i = 0; i < DFTLB_TASKS; i++) {
		struct dftlb_task *x = &dftlb_table[i];
		if (x->seq != seq)
			continue;
		for (u32 r = 0; r < x->nranges; r++)
			if (va >= x->ranges[r].start && va < x->ranges[r].end)
				return true;
	}
	return false;
}

/*
 * Stage 1 on 40 young, dirty pages (two series, 32 + 8), page 9 already
 * old and clean: 39 aged. Each aged PTE loses A and D, its page keeps D
 * in PG_dirty and the number of the task that queued its range.
 */
static void stage1(struct ktest *t)
{
	struct vma *v;
	struct mm *mm = make_mm(40, &v);
	struct pps_result r;

	KT_ASSERT(t, mm);
	u32 va9 = v->start + 9 * PAGE_SIZE;
	spin_lock(&mm->page_table_lock);
	*pte_lookup(mm, va9) = pte_mkold(pte_mkclean(*pte_lookup(mm, va9)));
	spin_unlock(&mm->page_table_lock);
	u32 seq9 = page_of_pte(mm, va9)->dftlb_seq;

	step_only(mm, v, PPS_STAGE_AGE, &r);
	KT_EXPECT_EQ(t, r.moved[PPS_STAGE_AGE], 39);
	KT_EXPECT_EQ(t, count_type(mm, v, is_old_present), 40);
	u32 seq = page_of_pte(mm, v->start)->dftlb_seq, bad = 0;
	KT_EXPECT(t, seq != 0);
	for (u32 va = v->start; va < v->end; va += PAGE_SIZE) {
		struct page *p = page_of_pte(mm, va);
		if (va == va9)
			continue;
		if (pte_dirty(*pte_lookup(mm, va)) || !(p->flags & PG_dirty) || p->dftlb_seq != seq ||
		    !task_covers(seq, va))
			bad++;
	}
	KT_EXPECT_EQ(t, bad, 0); /* D moved to PG_dirty, the task's number kept, its range queued */
	KT_EXPECT_EQ(t, page_of_pte(mm, va9)->dftlb_seq, seq9); /* not young: not aged */

	step_only(mm, v, PPS_STAGE_AGE, &r);
	KT_EXPECT_EQ(t, r.moved[PPS_STAGE_AGE], 0); /* nothing young any more */

	u32 va3 = v->start + 3 * PAGE_SIZE;
	spin_lock(&mm->page_table_lock);
	*pte_lookup(mm, va3) = pte_mkyoung(*pte_lookup(mm, va3)); /* the CPU touches it */
	spin_unlock(&mm->page_table_lock);
	step_only(mm, v, PPS_STAGE_AGE, &r);
	KT_EXPECT_EQ(t, r.moved[PPS_STAGE_AGE], 1);
	KT_EXPECT(t, page_of_pte(mm, va3)->dftlb_seq > seq); /* a new task */
	put_last(t, mm);
}

KTEST(pps_stage1_age)
{
	kppsd_pause();
	stage1(t);
	kppsd_resume();
}

/*
 * Stage 3 on 40 UnmappedPTEs without slots, page 5 rescued (present): 39
 * slots, in address order, each used once, the pages dirty.
 */
static void stage3(struct ktest *t)
{
	struct vma *v;
	u32 used0 = swap_used();
	struct mm *mm = make_mm(40, &v);
	struct pps_result r;

	KT_ASSERT(t, mm);
	KT_ASSERT(t, swap_enabled);
	u32 va5 = v->start + 5 * PAGE_SIZE;
	spin_lock(&mm->page_table_lock);
	for (u32 va = v->start; va < v->end; va += PAGE_SIZE) {
		pte_t *p = pte_lookup(mm, va);
		page_of_pte(mm, va)->flags &= ~PG_dirty;
		if (va != va5)
			*p = pte_mkunmapped(pte_mkold(*p)); /* as stage 2 leaves it */
	}
	spin_unlock(&mm->page_table_lock);

	step_only(mm, v, PPS_STAGE_ATTACH, &r);
	KT_EXPECT_EQ(t, r.moved[PPS_STAGE_ATTACH], 39);
	KT_EXPECT_EQ(t, swap_used() - used0, 39);
	KT_EXPECT_EQ(t, page_of_pte(mm, va5)->swap_slot, 0);
	u32 prev = 0, bad = 0;
	for (u32 va = v->start; va < v->end; va += PAGE_SIZE) {
		struct page *p = page_of_pte(mm, va);
		if (va == va5)
			continue;
		if (!pte_unmapped(*pte_lookup(mm, va)) || !p->swap_slot || p->swap_slot <= prev ||
		    !(p->flags & PG_dirty) || swap_slot_count(&swap_area_main, p->swap_slot) != 1)
			bad++;
		prev = p->swap_slot;
	}
	KT_EXPECT_EQ(t, bad, 0); /* a slot each, rising with the address, ours alone, dirty */

	step_only(mm, v, PPS_STAGE_ATTACH, &r);
	KT_EXPECT_EQ(t, r.moved[PPS_STAGE_ATTACH], 0); /* every page has one */
	put_last(t, mm);
	KT_EXPECT_EQ(t, swap_used(), used0); /* the zap gave the slots back */
}

KTEST(pps_stage3_attach)
{
	kppsd_pause();
	stage3(t);
	kppsd_resume();
}

/*
 * Stage 5 on 40 UnmappedPTEs with slots, clean (as stage 4 leaves them)
 * but page 7 still dirty (not written yet) and page 8 without a slot: 38
 * become SwappedPTEs of their slot, and their frames are freed.
 */
static void stage5(struct ktest *t)
{
	struct vma *v;
	u32 used0 = swap_used();
	struct mm *mm = make_mm(40, &v);
	struct pps_result r;
	struct swap_resv resv = { 0 };
	u32 slots[40];

	KT_ASSERT(t, mm);
	KT_ASSERT(t, swap_enabled);
	u32 va7 = v->start + 7 * PAGE_SIZE, va8 = v->start + 8 * PAGE_SIZE;
	for (u32 i = 0; i < 40; i++) {
		if (!resv.len)
			KT_ASSERT(t, swap_resv_fill(&swap_area_main, &resv, 40 - i));
		slots[i] = i == 8 ? 0 : swap_resv_take(&resv);
	}
	swap_resv_release(&swap_area_main, &resv);
	spin_lock(&mm->page_table_lock);
	for (u32 i = 0; i < 40; i++) {
		u32 va = v->start + i * PAGE_SIZE;
		pte_t *p = pte_lookup(mm, va);
		struct page *pg = page_of_pte(mm, va);
		*p = pte_mkunmapped(pte_mkold(pte_mkclean(*p)));
		pg->swap_slot = slots[i];
		if (va == va7)
			pg->flags |= PG_dirty;
		else
			pg->flags &= ~PG_dirty;
	}
	spin_unlock(&mm->page_table_lock);
	u32 rss = mm->rss;

	step_only(mm, v, PPS_STAGE_FREE, &r);
	KT_EXPECT_EQ(t, r.moved[PPS_STAGE_FREE], 38);
	KT_EXPECT_EQ(t, r.freed, 38);
	KT_EXPECT_EQ(t, count_type(mm, v, pte_swapped), 38);
	KT_EXPECT_EQ(t, rss - mm->rss, 38);
	u32 bad = 0;
	for (u32 i = 0; i < 40; i++) {
		u32 va = v->start + i * PAGE_SIZE;
		pte_t p = *pte_lookup(mm, va);
		if (va == va7 || va == va8)
			bad += !pte_unmapped(p);
		else
			bad += !pte_swapped(p) || pte_swp_slot(p) != slots[i] ||
			       swap_slot_count(&swap_area_main, slots[i]) != 1;
	}
	KT_EXPECT_EQ(t, bad, 0); /* each SwappedPTE holds its page's slot; 7 and 8 stay */
	put_last(t, mm);
	KT_EXPECT_EQ(t, swap_used(), used0);
}

KTEST(pps_stage5_free)
{
	kppsd_pause();
	stage5(t);
	kppsd_resume();
}
