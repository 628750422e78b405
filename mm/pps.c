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
#include <mm/swap_io.h>
#include <mm/vmstat.h>
#include <kernel/lock_assert.h>
#include <kernel/printk.h>
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
		res->moved[PPS_STAGE_AGE]++;
	}
	spin_unlock(&mm->page_table_lock);
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
		/* The invariant of delayed flushing, checked, not hoped for:
		 * every CPU has flushed since A was cleared, and A is still
		 * clear, so no TLB can hold this translation. */
		if (!dftlb_seq_done(p->dftlb_seq))
			continue;
		if (!pte_cmpxchg(&pt[i], old, pte_mkunmapped(old)))
			continue; /* touched meanwhile: young again */
		if (pte_dirty(old))
			p->flags |= PG_dirty;
		res->moved[PPS_STAGE_UNMAP]++;
	}
	spin_unlock(&mm->page_table_lock);
}

/* Stage 3: one batch of contiguous slots for the series, attached in
 * address order, so that stage 4 writes it with one command per run. */
static void stage3_attach(struct mm *mm, u32 start, pte_t *pt, u32 n, struct pps_result *res)
{
	struct swap_extent ext[8];
	int next = 0, e = 0;
	u32 got;

	if (!swap_enabled) {
		res->swap_full = true;
		return;
	}
	got = swap_slots_alloc_batch(&swap_area_main, n, ext, 8, &next);
	if (got < n)
		res->swap_full = true;
	u32 slot = next ? ext[0].start : 0, left = next ? ext[0].len : 0;
	spin_lock(&mm->page_table_lock);
	for (u32 i = 0; i < n && left; i++) {
		pte_t pte = pt[i];
		if (!pte_unmapped(pte))
			continue; /* rescued meanwhile: no slot needed yet */
		struct page *p = pfn_to_page(pte_pfn(pte));
		ASSERT_OWNER(p, mm, start + i * PAGE_SIZE);
		if (p->swap_slot)
			continue;
		ASSERT(swap_slot_count(&swap_area_main, slot) == 1); /* fresh, ours alone */
		p->swap_slot = slot++;
		p->flags |= PG_dirty; /* a fresh slot holds nothing yet */
		res->moved[PPS_STAGE_ATTACH]++;
		if (--left == 0 && ++e < next) {
			slot = ext[e].start;
			left = ext[e].len;
		}
	}
	spin_unlock(&mm->page_table_lock);
	/* Slots nobody took (pages rescued meanwhile) go back. */
	for (; e < next; e++, left = e < next ? ext[e].len : 0, slot = e < next ? ext[e].start : 0)
		while (left--)
			swap_slot_free(&swap_area_main, slot++);
}

/*
 * After the write of run[0..n) to slots first_slot.. : page_table_lock is
 * taken again, and each page is looked at afresh. pps_lock kept every page
 * in this mm (nobody frees one under a stepper), but a fault may have
 * rescued it meanwhile, so only its one owner PTE is trusted, not what
 * stage 4 saw before the write.
 *
 * Written: the page is clean (its copy on the slot is good). A PTE rescued
 * and written to during the I/O has D set, which stage 1 moves back into
 * PG_dirty: no write is lost.
 * Failed: the disk could not write err_slot. The page stays in memory,
 * dirty (nothing is lost), and that slot is retired so that the next pass
 * gives the page another one (stage 3 again) instead of failing on the
 * same sectors for ever. The other pages of the run keep their slots and
 * are written again.
 */
static void stage4_done(struct mm *mm, u32 *vas, struct page **run, u32 n, u32 first_slot, int r,
			u32 err_slot, struct pps_result *res)
{
	spin_lock(&mm->page_table_lock);
	for (u32 i = 0; i < n; i++) {
		struct page *p = run[i];
		ASSERT_OWNER(p, mm, vas[i]);
		ASSERT(p->swap_slot == first_slot + i);
		if (!r) {
			p->flags &= ~PG_dirty;
		} else if (p->swap_slot == err_slot && swap_slot_mark_bad(&swap_area_main, err_slot)) {
			p->swap_slot = 0;
			printk("kppsd: swap slot %u is bad now (%u so far): its page gets another slot\n", err_slot,
			       swap_area_main.nbad_later);
		}
	}
	spin_unlock(&mm->page_table_lock);
	if (r) {
		printk("kppsd: writing slots %u..%u failed at slot %u (%d): pages kept\n", first_slot,
		       first_slot + n - 1, err_slot, r);
		res->io_errors++;
	} else {
		res->moved[PPS_STAGE_WRITE] += n;
	}
}

/* Stage 4: write the dirty pages of the series, one disk command per run
 * of consecutive slots, with page_table_lock dropped around each write. */
static void stage4_write(struct mm *mm, u32 start, pte_t *pt, u32 n, struct pps_result *res)
{
	struct page *run[PPS_SERIES_MAX];
	u32 vas[PPS_SERIES_MAX], first_slot = 0, len = 0;

	for (u32 i = 0; i <= n; i++) {
		struct page *p = NULL;
		if (i < n) {
			spin_lock(&mm->page_table_lock);
			pte_t pte = pt[i];
			if (pte_unmapped(pte)) {
				p = pfn_to_page(pte_pfn(pte));
				if (!p->swap_slot || !(p->flags & PG_dirty))
					p = NULL;
			}
			spin_unlock(&mm->page_table_lock);
		}
		if (len && (!p || p->swap_slot != first_slot + len)) {
			u32 err_slot = 0;
			if (pps_io_window_hook)
				pps_io_window_hook(PPS_WINDOW_WRITE, mm, vas[0], vas[len - 1] + PAGE_SIZE);
			int r = swap_io_sync(run, len, first_slot, true, &err_slot);
			stage4_done(mm, vas, run, len, first_slot, r, err_slot, res);
			len = 0;
		}
		if (p) {
			if (!len)
				first_slot = p->swap_slot;
			vas[len] = start + i * PAGE_SIZE;
			run[len++] = p;
		}
	}
}

/* Stage 5: clean UnmappedPTEs become SwappedPTEs; the frames are freed. */
static void stage5_free(struct mm *mm, u32 start, pte_t *pt, u32 n, struct pps_result *res)
{
	spin_lock(&mm->page_table_lock);
	for (u32 i = 0; i < n; i++) {
		pte_t old = pt[i];
		u32 va = start + i * PAGE_SIZE;
		if (!pte_unmapped(old))
			continue;
		struct page *p = pfn_to_page(pte_pfn(old));
		if (!p->swap_slot || (p->flags & PG_dirty))
			continue;
		ASSERT_OWNER(p, mm, va);
		ASSERT(swap_slot_count(&swap_area_main, p->swap_slot) >= 1);
		if (!pte_cmpxchg(&pt[i], old, pte_mkswapped(p->swap_slot, pte_write(old))))
			continue;
		p->swap_slot = 0; /* the slot now belongs to the SwappedPTE */
		page_clear_owner(p, mm, va);
		p->flags &= ~(PG_dirty | PG_readahead);
		free_page(p);
		ASSERT(mm->rss > 0); /* rss counts this frame */
		mm->rss--;
		res->moved[PPS_STAGE_FREE]++;
		res->freed++;
	}
	spin_unlock(&mm->page_table_lock);
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
	u32 n = 1, room = MIN(PTES_PER_TABLE - PTE_INDEX(va), (end - va) >> PAGE_SHIFT);

	*stage = stage_of(pt[0]);
	room = MIN(room, PPS_SERIES_MAX);
	while (n < room && stage_of(pt[n]) == *stage)
		n++;
	return n;
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

	assert_stepper(mm);
	for_each_pte(w, mm, MAX(start, v->start), MIN(end, v->end)) {
		enum pps_stage s;
		u32 n = series_len(w.pte, w.va, w.end, &s);
		res->scanned += n;
		if (s >= PPS_STAGE_AGE && s <= max_stage && (!res->only_stage || s == res->only_stage)) {
			u32 s_end = w.va + n * PAGE_SIZE;
			pps_current_series = (struct pps_series){ mm, v, w.va, s_end, s };
			pps_series_enter(s, mm, w.va, s_end);
			switch (s) {
			case PPS_STAGE_AGE: stage1_age(mm, w.va, w.pte, n, res); break;
			case PPS_STAGE_UNMAP: stage2_unmap(mm, w.va, w.pte, n, res); break;
			case PPS_STAGE_ATTACH: stage3_attach(mm, w.va, w.pte, n, res); break;
			case PPS_STAGE_WRITE: stage4_write(mm, w.va, w.pte, n, res); break;
			case PPS_STAGE_FREE: stage5_free(mm, w.va, w.pte, n, res); break;
			default: break;
			}
		}
		pte_walk_skip(&w, n);
	}
	pps_current_series.mm = NULL;
	count_vm_events(PPS_SCANNED, res->scanned);
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
