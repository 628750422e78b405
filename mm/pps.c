/*
 * The six stages of PPS over series of PTEs (see pps.h for the design and
 * the locks). kppsd (mm/kppsd.c) and the reclaim requests (madvise,
 * /proc/PID/reclaim) both step through here.
 */
#include <mm/pps.h>
#include <mm/mm.h>
#include <mm/frame.h>
#include <mm/dftlb.h>
#include <mm/swapfile.h>
#include <mm/swap_io.h>
#include <mm/vmstat.h>
#include <kernel/printk.h>
#include <kernel/panic.h>
#include <kernel/types.h>

void pps_end_pass(struct pps_result *res)
{
	if (res->task) {
		dftlb_close(res->task);
		res->task = NULL;
		res->task_mm = NULL;
	}
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

/* Which stage a PTE is waiting to leave (0: not PPS's business). */
static int stage_of(pte_t pte)
{
	if (pte_present(pte)) {
		if (pte_young(pte))
			return 1;
		return 2;
	}
	if (pte_unmapped(pte)) {
		struct page *p = pfn_to_page(pte_pfn(pte));
		if (!p->swap_slot)
			return 3;
		return (p->flags & PG_dirty) ? 4 : 5;
	}
	if (pte_swapped(pte))
		return 6;
	return 0;
}

static void stage1_age(struct mm *mm, u32 start, u32 end, struct pps_result *res)
{
	struct dftlb_task *t = task_for(mm, res);

	spin_lock(&mm->page_table_lock);
	for (u32 va = start; va < end; va += PAGE_SIZE) {
		pte_t *ptep = pte_lookup(mm, va), old;
		do {
			old = *ptep;
			if (!pte_present(old) || !pte_young(old))
				break;
		} while (!pte_cmpxchg(ptep, old, pte_mkold(pte_mkclean(old))));
		if (!pte_present(old) || !pte_young(old))
			continue;
		struct page *p = pfn_to_page(pte_pfn(old));
		if (pte_dirty(old))
			p->flags |= PG_dirty; /* the page keeps what the PTE forgets */
		p->dftlb_seq = t->seq;
		res->moved[1]++;
	}
	spin_unlock(&mm->page_table_lock);
	if (!dftlb_add_range(t, start, end)) {
		/* The task has no room for another range: publish it, take a
		 * new one (the pages aged above carry the old task's number). */
		pps_end_pass(res);
		t = task_for(mm, res);
		dftlb_add_range(t, start, end);
		spin_lock(&mm->page_table_lock);
		for (u32 va = start; va < end; va += PAGE_SIZE) {
			pte_t pte = *pte_lookup(mm, va);
			if (pte_present(pte) && !pte_young(pte))
				pfn_to_page(pte_pfn(pte))->dftlb_seq = t->seq;
		}
		spin_unlock(&mm->page_table_lock);
	}
}

static void stage2_unmap(struct mm *mm, u32 start, u32 end, struct pps_result *res)
{
	spin_lock(&mm->page_table_lock);
	for (u32 va = start; va < end; va += PAGE_SIZE) {
		pte_t *ptep = pte_lookup(mm, va), old = *ptep;
		if (!pte_present(old) || pte_young(old))
			continue;
		struct page *p = pfn_to_page(pte_pfn(old));
		ASSERT_OWNER(p, mm, va);
		/* The invariant of delayed flushing, checked, not hoped for:
		 * every CPU has flushed since A was cleared, and A is still
		 * clear, so no TLB can hold this translation. */
		if (!dftlb_seq_done(p->dftlb_seq))
			continue;
		if (!pte_cmpxchg(ptep, old, pte_mkunmapped(old)))
			continue; /* touched meanwhile: young again */
		if (pte_dirty(old))
			p->flags |= PG_dirty;
		res->moved[2]++;
	}
	spin_unlock(&mm->page_table_lock);
}

static void stage3_attach(struct mm *mm, u32 start, u32 end, struct pps_result *res)
{
	struct swap_extent ext[8];
	int next = 0, e = 0;
	u32 n = (end - start) >> PAGE_SHIFT, got, used = 0;

	if (!swap_enabled) {
		res->swap_full = true;
		return;
	}
	got = swap_slots_alloc_batch(&swap_area_main, n, ext, 8, &next);
	if (got < n)
		res->swap_full = true;
	u32 slot = next ? ext[0].start : 0, left = next ? ext[0].len : 0;
	spin_lock(&mm->page_table_lock);
	for (u32 va = start; va < end && left; va += PAGE_SIZE) {
		pte_t pte = *pte_lookup(mm, va);
		if (!pte_unmapped(pte))
			continue; /* rescued meanwhile: no slot needed yet */
		struct page *p = pfn_to_page(pte_pfn(pte));
		ASSERT_OWNER(p, mm, va);
		if (p->swap_slot)
			continue;
		ASSERT(swap_slot_count(&swap_area_main, slot) == 1); /* fresh, ours alone */
		p->swap_slot = slot++;
		p->flags |= PG_dirty; /* a fresh slot holds nothing yet */
		used++;
		res->moved[3]++;
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
	(void)used;
}

/*
 * The disk failed to write this page's slot: the page stays in memory,
 * dirty (nothing is lost), and the slot is retired so that the next pass
 * gives the page another one (stage 3 again) instead of failing on the
 * same sectors for ever. The other pages of the failed run keep their
 * slots and are simply written again.
 */
static void retire_slot(struct mm *mm, struct page *p)
{
	u32 slot = p->swap_slot;

	spin_lock(&mm->page_table_lock);
	if (swap_slot_mark_bad(&swap_area_main, slot)) {
		p->swap_slot = 0;
		printk("kppsd: swap slot %u is bad now (%u so far): its page gets another slot\n", slot,
		       swap_area_main.nbad_later);
	}
	spin_unlock(&mm->page_table_lock);
}

/* Write the dirty pages of the series, one disk command per run of
 * consecutive slots. The pages stay ours during the I/O: the caller's
 * mmap_lock keeps munmap away, our mm reference keeps exit away. */
static void stage4_write(struct mm *mm, u32 start, u32 end, struct pps_result *res)
{
	struct page *run[PPS_SERIES_MAX];
	u32 first_slot = 0, n = 0;

	for (u32 va = start; va <= end; va += PAGE_SIZE) {
		struct page *p = NULL;
		if (va < end) {
			spin_lock(&mm->page_table_lock);
			pte_t pte = *pte_lookup(mm, va);
			if (pte_unmapped(pte)) {
				p = pfn_to_page(pte_pfn(pte));
				if (!p->swap_slot || !(p->flags & PG_dirty))
					p = NULL;
			}
			spin_unlock(&mm->page_table_lock);
		}
		if (n && (!p || p->swap_slot != first_slot + n)) {
			u32 err_slot = 0;
			int r = swap_io_sync(run, n, first_slot, true, &err_slot);
			if (r) {
				printk("kppsd: writing slots %u..%u failed at slot %u (%d): pages kept\n",
				       first_slot, first_slot + n - 1, err_slot, r);
				res->io_errors++;
				if (err_slot >= first_slot && err_slot < first_slot + n)
					retire_slot(mm, run[err_slot - first_slot]);
			} else {
				for (u32 i = 0; i < n; i++)
					run[i]->flags &= ~PG_dirty;
				res->moved[4] += n;
			}
			n = 0;
		}
		if (p) {
			if (!n)
				first_slot = p->swap_slot;
			run[n++] = p;
		}
	}
}

static void stage5_free(struct mm *mm, u32 start, u32 end, struct pps_result *res)
{
	spin_lock(&mm->page_table_lock);
	for (u32 va = start; va < end; va += PAGE_SIZE) {
		pte_t *ptep = pte_lookup(mm, va), old = *ptep;
		if (!pte_unmapped(old))
			continue;
		struct page *p = pfn_to_page(pte_pfn(old));
		if (!p->swap_slot || (p->flags & PG_dirty))
			continue;
		ASSERT_OWNER(p, mm, va);
		ASSERT(swap_slot_count(&swap_area_main, p->swap_slot) >= 1);
		if (!pte_cmpxchg(ptep, old, pte_mkswapped(p->swap_slot, pte_write(old))))
			continue;
		p->swap_slot = 0; /* the slot now belongs to the SwappedPTE */
		page_clear_owner(p, mm, va);
		p->flags &= ~(PG_dirty | PG_readahead);
		free_page(p);
		ASSERT(mm->rss > 0); /* rss counts this frame */
		mm->rss--;
		res->moved[5]++;
		res->freed++;
	}
	spin_unlock(&mm->page_table_lock);
}

struct pps_series pps_current_series;

__attribute__((noinline, noipa)) void pps_series_enter(int stage, struct mm *mm, u32 start, u32 end)
{
	/* The body is empty on purpose: this is where GDB stops. The
	 * compiler must not drop the call, hence noinline and the barrier. */
	(void)stage, (void)mm, (void)start, (void)end;
	barrier();
}

u32 pps_find_series(struct mm *mm, u32 va, u32 end, int *stage)
{
	pte_t *ptep = pte_lookup(mm, va);
	u32 s_end = va + PAGE_SIZE;

	ASSERT(ptep);
	*stage = stage_of(*ptep);
	/* One page table holds the whole series: the walk below is then one
	 * array scan, and a stage handler never crosses a PDE. */
	while (s_end < end && (s_end - va) / PAGE_SIZE < PPS_SERIES_MAX &&
	       PDE_INDEX(s_end) == PDE_INDEX(va) && stage_of(ptep[PTE_INDEX(s_end) - PTE_INDEX(va)]) == *stage)
		s_end += PAGE_SIZE;
	return s_end;
}

void pps_step_range(struct mm *mm, struct vma *v, u32 start, u32 end, int max_stage,
		    struct pps_result *res)
{
	u32 va = MAX(start, v->start);

	end = MIN(end, v->end);
	while (va < end) {
		if (!pte_lookup(mm, va)) {
			/* no page table: 4 MiB of none PTEs */
			va = ALIGN_DOWN(va, BIGPAGE_SIZE) + BIGPAGE_SIZE;
			continue;
		}
		int s;
		u32 s_end = pps_find_series(mm, va, end, &s);
		res->scanned += (s_end - va) / PAGE_SIZE;
		if (s >= 1 && s <= max_stage && (!res->only_stage || s == res->only_stage)) {
			pps_current_series = (struct pps_series){ mm, v, va, s_end, s };
			pps_series_enter(s, mm, va, s_end);
			switch (s) {
			case 1: stage1_age(mm, va, s_end, res); break;
			case 2: stage2_unmap(mm, va, s_end, res); break;
			case 3: stage3_attach(mm, va, s_end, res); break;
			case 4: stage4_write(mm, va, s_end, res); break;
			case 5: stage5_free(mm, va, s_end, res); break;
			}
		}
		va = s_end;
	}
	pps_current_series.mm = NULL;
	count_vm_events(PPS_SCANNED, res->scanned);
}

void pps_count_mm(struct mm *mm, struct pps_counts *c)
{
	struct list_head *l;

	list_for_each(l, &mm->vmas) {
		struct vma *v = list_entry(l, struct vma, node);
		if (!(v->flags & VM_PURE_PRIVATE))
			continue;
		for (u32 va = v->start; va < v->end; va += PAGE_SIZE) {
			pte_t *ptep = pte_lookup(mm, va);
			if (!ptep) {
				va = ALIGN_DOWN(va, BIGPAGE_SIZE) + BIGPAGE_SIZE - PAGE_SIZE;
				continue;
			}
			pte_t pte = *ptep;
			if (pte_present(pte))
				c->present++;
			else if (pte_unmapped(pte))
				c->unmapped++;
			else if (pte_swapped(pte))
				c->swapped++;
			/* A figure, not a decision: no page_table_lock, so the
			 * page may be moving on (struct page stays readable). */
			if ((pte_present(pte) || pte_unmapped(pte)) &&
			    pfn_to_page(pte_pfn(pte))->swap_slot)
				c->swapcached++;
		}
	}
}
