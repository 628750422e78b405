/*
 * The six stages of PPS over series of PTEs (see pps.h for the design and
 * the locks). kppsd (mm/kppsd.c) and the reclaim requests (madvise,
 * /proc/PID/reclaim) both step through here.
 *
 * A series lies within one page table, so each stage gets the PTE of its
 * first page and indexes the rest: one lookup per series, not per page.
 */
#include <mm/pps.h>
#include <mm/mm.h>
#include <mm/frame.h>
#include <mm/dftlb.h>
#include <mm/swapfile.h>
#include <mm/vmstat.h>
#include <kernel/lock_assert.h>
#include <kernel/printk.h>
#include <kernel/lab_todo.h>
#include <kernel/panic.h>
#include <kernel/types.h>

void (*pps_io_window_hook)(enum pps_io_window w, struct mm *mm, u32 start, u32 end);

void pps_end_pass(struct pps_result *res)
{
	if (res->task) {
		dftlb_close(res->task);
		res->task = NULL;
		res->task_mm = NULL;
	}
}

u32 pps_count_moves(const struct pps_result *res)
{
	u32 moves = 0;

	for (int s = PPS_STAGE_AGE; s <= PPS_STAGE_FREE; s++) {
		moves += res->moved[s];
		count_vm_events(PPS_STAGE1 + s - PPS_STAGE_AGE, res->moved[s]);
	}
	return moves;
}

/* The delayed-flush task this stepper is filling for mm. */
static struct dftlb_task *task_for(struct mm *mm, struct pps_result *res)
{
	if (res->task && res->task_mm != mm)
		pps_end_pass(res);
	if (!res->task) {
		res->task = dftlb_open(mm);
		res->task_mm = mm;
	}
	return res->task;
}

/* Which stage a PTE waits to leave. page_table_lock held, or a figure. */
static enum pps_stage stage_of(pte_t pte)
{
	if (pte_present(pte))
		return pte_young(pte) ? PPS_STAGE_AGE : PPS_STAGE_UNMAP;
	if (pte_unmapped(pte)) {
		struct page *p = pfn_to_page(pte_pfn(pte));
		if (!p->swap_slot)
			return PPS_STAGE_ATTACH;
		return (p->flags & PG_dirty) ? PPS_STAGE_WRITE : PPS_STAGE_FREE;
	}
	if (pte_swapped(pte))
		return PPS_STAGE_SWAPPED;
	return PPS_STAGE_NONE;
}

enum pps_stage pps_pte_stage(pte_t pte)
{
	return stage_of(pte);
}

/* The locks every step holds (pps.h). */
static void assert_stepper(struct mm *mm)
{
	ASSERT_HELD(&mm->mmap_lock);
	ASSERT_WRITE_HELD(&mm->pps_lock);
}

/* Stage 1: clear A (and D, remembered in PG_dirty) of the young PTEs and
 * queue the range's delayed flush; each page keeps the task's number. */
static void stage1_age(struct mm *mm, u32 start, pte_t *pt, u32 n, struct pps_result *res)
{
	// LAB 3 BEGIN: stage 1: queue the series' range in a dftlb task, then clear A (and D) of each young PTE
	struct dftlb_task *t = task_for(mm, res);
	u32 end = start + n * PAGE_SIZE;

	if (!dftlb_add_range(t, start, end)) {
		/* The task has no room for another range: publish it and
		 * take a new one. */
		pps_end_pass(res);
		t = task_for(mm, res);
		dftlb_add_range(t, start, end);
	}
	spin_lock(&mm->page_table_lock);
	for (u32 i = 0; i < n; i++) {
		pte_t old;
		do {
			old = pt[i];
			if (!pte_present(old) || !pte_young(old))
				break;
		} while (!pte_cmpxchg(&pt[i], old, pte_mkold(pte_mkclean(old))));
		if (!pte_present(old) || !pte_young(old))
			continue;
		struct page *p = pfn_to_page(pte_pfn(old));
		if (pte_dirty(old))
			p->flags |= PG_dirty; /* the page keeps what the PTE forgets */
		p->dftlb_seq = t->seq;
		pps_age_referenced(p);
		res->moved[PPS_STAGE_AGE]++;
	}
	spin_unlock(&mm->page_table_lock);
	// LAB 3 STUB
	// lab_todo(3, "stage 1 (stage1_age in mm/pps.c)");
	// (void)mm, (void)start, (void)pt, (void)n, (void)res, (void)task_for;
	// LAB 3 END
}

/* Stage 2: old PTEs whose delayed flush is done become UnmappedPTEs. */
static void stage2_unmap(struct mm *mm, u32 start, pte_t *pt, u32 n, struct pps_result *res)
{
	spin_lock(&mm->page_table_lock);
	for (u32 i = 0; i < n; i++) {
		pte_t old = pt[i];
		if (!pte_present(old) || pte_young(old))
			continue;
		struct page *p = pfn_to_page(pte_pfn(old));
		ASSERT_OWNER(p, mm, start + i * PAGE_SIZE);
		// LAB 4 BEGIN: the stage-2 gate: skip a page whose delayed flush some CPU still owes
		/* The invariant of delayed flushing, checked, not hoped for:
		 * every CPU has flushed since A was cleared, and A is still
		 * clear, so no TLB can hold this translation. */
		if (!dftlb_seq_done(p->dftlb_seq))
			continue;
		// LAB 4 STUB
		// lab_todo(4, "the stage-2 gate (stage2_unmap in mm/pps.c): no page is unmapped");
		// continue;
		// LAB 4 END
		/* Under pressure, the oldest pages first (mm/pps_age.h). */
		if (!pps_age_may_unmap(p, res))
			continue;
		if (!pte_cmpxchg(&pt[i], old, pte_mkunmapped(old)))
			continue; /* touched meanwhile: young again */
		if (pte_dirty(old))
			p->flags |= PG_dirty;
		res->moved[PPS_STAGE_UNMAP]++;
	}
	spin_unlock(&mm->page_table_lock);
}

/* Stage 3: a slot for each UnmappedPTE of the series, in address order
 * from the stepper's attach reservation (mm/pps_writeback.h): the series
 * of one pass get consecutive slots, so the next pass's stage 4 writes
 * them as one run. */
static void stage3_attach(struct mm *mm, u32 start, pte_t *pt, u32 n, struct pps_result *res)
{
	// LAB 3 BEGIN: stage 3: give each UnmappedPTE's page the reservation's next slot, in address order
	struct swap_resv *resv = &res->wb.attach;

	if (!swap_enabled) {
		res->swap_full = true;
		return;
	}
	for (u32 i = 0; i < n;) {
		/* Refilled without page_table_lock (the area's scan may be
		 * long); slots left over go back in pps_wb_finish(). */
		if (!resv->len && !swap_resv_fill(&swap_area_main, resv, PPS_RESV_SLOTS)) {
			res->swap_full = true;
			return;
		}
		spin_lock(&mm->page_table_lock);
		for (; i < n && resv->len; i++) {
			pte_t pte = pt[i];
			if (!pte_unmapped(pte))
				continue; /* rescued meanwhile: no slot needed yet */
			struct page *p = pfn_to_page(pte_pfn(pte));
			ASSERT_OWNER(p, mm, start + i * PAGE_SIZE);
			if (p->swap_slot)
				continue;
			p->swap_slot = swap_resv_take(resv);
			ASSERT(swap_slot_count(&swap_area_main, p->swap_slot) == 1); /* fresh, ours alone */
			p->flags |= PG_dirty; /* a fresh slot holds nothing yet */
			res->moved[PPS_STAGE_ATTACH]++;
		}
		spin_unlock(&mm->page_table_lock);
	}
	// LAB 3 STUB
	// lab_todo(3, "stage 3 (stage3_attach in mm/pps.c)");
	// (void)mm, (void)start, (void)pt, (void)n, (void)res;
	// LAB 3 END
}

/* Stage 5: clean UnmappedPTEs become SwappedPTEs; the frames are freed. */
static void stage5_free(struct mm *mm, u32 start, pte_t *pt, u32 n, struct pps_result *res)
{
	// LAB 3 BEGIN: stage 5: clean UnmappedPTEs with a slot become SwappedPTEs; free their frames
	spin_lock(&mm->page_table_lock);
	for (u32 i = 0; i < n; i++) {
		pte_t old = pt[i];
		u32 va = start + i * PAGE_SIZE;
		if (!pte_unmapped(old))
			continue;
		struct page *p = pfn_to_page(pte_pfn(old));
		if (!p->swap_slot || (p->flags & PG_dirty))
			continue;
		/* A page just read ahead gets a pass or two to be used. */
		if (res->aged && (p->flags & PG_readahead) && pps_age_seq - p->age_seq < PPS_RA_GRACE)
			continue;
		ASSERT_OWNER(p, mm, va);
		ASSERT(swap_slot_count(&swap_area_main, p->swap_slot) >= 1);
		if (!pte_cmpxchg(&pt[i], old, pte_mkswapped(p->swap_slot, pte_write(old))))
			continue;
		pps_age_evicted(p->swap_slot); /* its refault distance starts */
		p->swap_slot = 0; /* the slot now belongs to the SwappedPTE */
		page_clear_owner(p, mm, va);
		p->flags &= ~(PG_dirty | PG_readahead | PG_probation | PG_first_touch);
		free_page(p);
		ASSERT(mm->rss > 0); /* rss counts this frame */
		mm->rss--;
		res->moved[PPS_STAGE_FREE]++;
		res->freed++;
	}
	spin_unlock(&mm->page_table_lock);
	// LAB 3 STUB
	// lab_todo(3, "stage 5 (stage5_free in mm/pps.c)");
	// (void)mm, (void)start, (void)pt, (void)n, (void)res;
	// LAB 3 END
}

struct pps_series pps_current_series;

__attribute__((noinline, noipa)) void pps_series_enter(enum pps_stage stage, struct mm *mm, u32 start,
							u32 end)
{
	/* The body is empty on purpose: this is where GDB stops. The
	 * compiler must not drop the call, hence noinline and the barrier. */
	(void)stage, (void)mm, (void)start, (void)end;
	barrier();
}

/* The series that starts at pt[0] (address va): its length in pages. It
 * ends at a change of stage, at PPS_SERIES_MAX, at `end`, and at the end
 * of pt's page table. */
static u32 series_len(pte_t *pt, u32 va, u32 end, enum pps_stage *stage)
{
	// LAB 3 BEGIN: series_len: how far the run of PTEs in pt[0]'s stage goes
	u32 n = 1, room = MIN(PTES_PER_TABLE - PTE_INDEX(va), (end - va) >> PAGE_SHIFT);

	*stage = stage_of(pt[0]);
	room = MIN(room, PPS_SERIES_MAX);
	while (n < room && stage_of(pt[n]) == *stage)
		n++;
	return n;
	// LAB 3 STUB
	// /* A series of one page: correct, but one step per PTE. */
	// lab_todo(3, "series_len in mm/pps.c (every series is one page long)");
	// (void)va, (void)end;
	// *stage = stage_of(pt[0]);
	// return 1;
	// LAB 3 END
}

u32 pps_find_series(struct mm *mm, u32 va, u32 end, enum pps_stage *stage)
{
	pte_t *ptep = pte_lookup(mm, va);

	ASSERT(ptep);
	return va + series_len(ptep, va, end, stage) * PAGE_SIZE;
}

void pps_step_range(struct mm *mm, struct vma *v, u32 start, u32 end, enum pps_stage max_stage,
		    struct pps_result *res)
{
	struct pte_walk w;
	u32 scanned_before = res->scanned; /* res sums a whole pass, over many VMAs */

	assert_stepper(mm);
	for_each_pte(w, mm, MAX(start, v->start), MIN(end, v->end)) {
		enum pps_stage s;
		u32 n = series_len(w.pte, w.va, w.end, &s);
		res->scanned += n;
		res->seen[s] += n;
		if (s >= PPS_STAGE_AGE && s <= max_stage && (!res->only_stage || s == res->only_stage)) {
			u32 s_end = w.va + n * PAGE_SIZE;
			pps_current_series = (struct pps_series){ mm, v, w.va, s_end, s };
			pps_series_enter(s, mm, w.va, s_end);
			switch (s) {
			case PPS_STAGE_AGE: stage1_age(mm, w.va, w.pte, n, res); break;
			case PPS_STAGE_UNMAP: stage2_unmap(mm, w.va, w.pte, n, res); break;
			case PPS_STAGE_ATTACH: stage3_attach(mm, w.va, w.pte, n, res); break;
			case PPS_STAGE_WRITE: pps_wb_write_series(mm, w.va, w.pte, n, res); break;
			case PPS_STAGE_FREE: stage5_free(mm, w.va, w.pte, n, res); break;
			default: break;
			}
		}
		pte_walk_skip(&w, n);
	}
	/* The batch is written and the reservations given back before the
	 * caller may drop pps_lock (pps_writeback.h): a batch spans the
	 * series of one VMA, not VMAs nor mms. */
	pps_wb_finish(mm, res);
	pps_current_series.mm = NULL;
	count_vm_events(PPS_SCANNED, res->scanned - scanned_before);
}

void pps_count_mm(struct mm *mm, struct pps_counts *c)
{
	struct list_head *l;

	ASSERT_HELD(&mm->mmap_lock);
	list_for_each(l, &mm->vmas) {
		struct vma *v = list_entry(l, struct vma, node);
		struct pte_walk w;
		if (!(v->flags & VM_PURE_PRIVATE))
			continue;
		for_each_pte(w, mm, v->start, v->end) {
			pte_t pte = *w.pte;
			if (pte_present(pte))
				c->present++;
			else if (pte_unmapped(pte))
				c->unmapped++;
			else if (pte_swapped(pte))
				c->swapped++;
			c->stage[stage_of(pte)]++;
			/* A figure, not a decision: no page_table_lock, so the
			 * page may be moving on (struct page stays readable). */
			if ((pte_present(pte) || pte_unmapped(pte)) &&
			    pfn_to_page(pte_pfn(pte))->swap_slot)
				c->swapcached++;
		}
	}
}
