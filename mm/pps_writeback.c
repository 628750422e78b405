/*
 * PPS's stage 4 with write clustering: the write batch, the relocation of
 * slots into it, and the write itself (see pps_writeback.h for the design,
 * the invariants and the locks).
 */
#include <mm/pps.h>
#include <mm/pps_writeback.h>
#include <mm/mm.h>
#include <mm/frame.h>
#include <mm/swapfile.h>
#include <mm/swap_io.h>
#include <mm/vmstat.h>
#include <kernel/cmdline.h>
#include <kernel/lock_assert.h>
#include <kernel/printk.h>
#include <kernel/panic.h>

/*
 * Which dirty pages stage 4 may give a fresh slot (pps_writeback.h). A
 * relocation trades read locality for write clustering: the swap-in reads
 * a fault's address neighbours ahead, one command per run of consecutive
 * slots, and a page moved into a write batch is no longer next to its
 * neighbours' slots.
 *  - off:    never; a page is written where stage 3 first put it;
 *  - stray:  only a page whose slot follows neither address neighbour's
 *            slot (no run a read-ahead would read in one command is cut);
 *  - always: any page whose slot does not continue the batch.
 * The default is always. Measured at -m 38 (kernel workloads thrash,
 * seqscan, hotcold, phase): 20-45 pages per write command instead of
 * 1.4-29, the same pages written and read and the same major faults
 * (within 2%), but 15-40% more read commands: the adaptive read-ahead (mm/swap_ra.h) reads
 * one page a fault on random access, where a relocation costs little, and
 * more on a sweep, whose window a relocated page may cut in two. stray
 * keeps every read run and writes 1.4-50 pages per command.
 */
enum wb_relocate { WB_RELOCATE_OFF, WB_RELOCATE_STRAY, WB_RELOCATE_ALWAYS, WB_RELOCATE_N };
static enum wb_relocate wb_relocate = WB_RELOCATE_ALWAYS;
static const char *const wb_relocate_names[] = {
	[WB_RELOCATE_OFF] = "off", [WB_RELOCATE_STRAY] = "stray", [WB_RELOCATE_ALWAYS] = "always",
	[WB_RELOCATE_N] = NULL
};
CMDLINE_PARAM_ENUM(pps_relocate, wb_relocate, wb_relocate_names,
		   "stage 4 gives dirty pages fresh slots to cluster writes: off, stray, always");

/* The locks a batch lives under (pps_writeback.h). */
static void assert_stepper(struct mm *mm)
{
	ASSERT_HELD(&mm->mmap_lock);
	ASSERT_WRITE_HELD(&mm->pps_lock);
}

/*
 * After the write of the batch: page_table_lock is taken again, and each
 * page is looked at afresh. pps_lock kept every page in this mm, but a
 * fault may have rescued it meanwhile, so only its one owner PTE is
 * trusted, not what was seen at the claim.
 *
 * Written: the page is clean (its copy on the slot is good). A PTE rescued
 * and written to since the claim has D set, which stage 1 moves back into
 * PG_dirty: no write is lost.
 * Failed: the disk could not write err_slot. The pages stay in memory,
 * dirty (nothing is lost), and that slot is retired so that the next pass
 * gives its page another one (stage 3 again) instead of failing on the
 * same sectors for ever. The other pages keep their slots and are written
 * again.
 */
static void stage4_done(struct mm *mm, struct pps_wb *wb, int r, u32 err_slot, struct pps_result *res)
{
	spin_lock(&mm->page_table_lock);
	for (u32 i = 0; i < wb->n; i++) {
		struct page *p = wb->pages[i];
		ASSERT_OWNER(p, mm, wb->vas[i]);
		ASSERT(p->swap_slot == wb->first_slot + i);
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
		printk("kppsd: writing slots %u..%u failed at slot %u (%d): pages kept\n", wb->first_slot,
		       wb->first_slot + wb->n - 1, err_slot, r);
		res->io_errors++;
	} else {
		res->moved[PPS_STAGE_WRITE] += wb->n;
	}
}

void pps_wb_flush(struct mm *mm, struct pps_result *res)
{
	struct pps_wb *wb = &res->wb;
	u32 err_slot = 0;

	if (!wb->n)
		return;
	assert_stepper(mm);
	ASSERT(wb->mm == mm);
	/* page_table_lock is not held: the window of pps.h's hook. */
	if (pps_io_window_hook)
		pps_io_window_hook(PPS_WINDOW_WRITE, mm, wb->vas[0], wb->vas[wb->n - 1] + PAGE_SIZE);
	int r = swap_io_sync(wb->pages, wb->n, wb->first_slot, true, &err_slot);
	stage4_done(mm, wb, r, err_slot, res);
	wb->last_end = r ? 0 : wb->first_slot + wb->n;
	wb->n = 0;
}

void pps_wb_finish(struct mm *mm, struct pps_result *res)
{
	struct pps_wb *wb = &res->wb;

	assert_stepper(mm);
	if (wb->n && wb->n < res->wb_min) {
		/* Too short to be worth a command of its own: the pages stay
		 * dirty UnmappedPTEs (rescuable, counted as on their way out)
		 * and the next pass claims them again with the pages stage 2
		 * adds meanwhile. Nothing of theirs changed but maybe their
		 * slot (a relocation), which is theirs either way. */
		wb->n = 0;
		res->wb_deferred++;
		count_vm_event(SWAP_WRITE_DEFERRED);
	}
	pps_wb_flush(mm, res);
	swap_resv_release(&swap_area_main, &wb->attach);
	swap_resv_release(&swap_area_main, &wb->relocate);
	wb->mm = NULL;
	wb->last_end = 0;
	wb->resv_dry = false;
}

/* The page of a dirty UnmappedPTE with a slot: what stage 4 writes (NULL
 * for anything else). page_table_lock held. */
static struct page *writable_page(pte_t pte)
{
	if (!pte_unmapped(pte))
		return NULL;
	struct page *p = pfn_to_page(pte_pfn(pte));
	return p->swap_slot && (p->flags & PG_dirty) ? p : NULL;
}

/* Would the page after pt[i] in the series continue a run that starts at
 * slot? Then a batch may as well start at slot. page_table_lock held. */
static bool next_continues(pte_t *pt, u32 i, u32 n, u32 slot)
{
	struct page *q = i + 1 < n ? writable_page(pt[i + 1]) : NULL;

	return q && q->swap_slot == slot + 1;
}

/*
 * Give p the relocate reservation's next slot, and free its old one. Safe
 * because p is an UnmappedPTE (no CPU writes it) with PG_dirty (the old
 * slot's copy is stale), the old slot is p's alone (count 1: no
 * SwappedPTE of a fork and no swap cache shares it, so nobody will read
 * it), p is not in the batch (its slot is not being written), and
 * page_table_lock is held (every change of a page's PPS fields is made
 * under it). page_table_lock nests outside the area's lock, as in a zap.
 */
static void relocate(struct pps_wb *wb, struct page *p)
{
	u32 old = p->swap_slot;

	p->swap_slot = swap_resv_take(&wb->relocate);
	ASSERT(p->swap_slot);
	swap_slot_free(&swap_area_main, old);
	count_vm_event(SWAP_WRITE_RELOC);
}

/* The slot a PTE holds, or its page holds (0: none). page_table_lock held. */
static u32 slot_of(pte_t pte)
{
	if (pte_swapped(pte))
		return pte_swp_slot(pte);
	if (pte_present(pte) || pte_unmapped(pte))
		return pfn_to_page(pte_pfn(pte))->swap_slot;
	return 0;
}

/* May p (pt[i], at va) be given a fresh slot? Its old one must be its
 * own alone, and the policy must allow it. page_table_lock held. */
static bool movable(struct page *p, pte_t *pt, u32 i, u32 va)
{
	u32 slot = p->swap_slot;

	if (wb_relocate == WB_RELOCATE_OFF || swap_slot_count(&swap_area_main, slot) != 1)
		return false;
	if (wb_relocate == WB_RELOCATE_ALWAYS)
		return true;
	/* stray: the neighbours in the same page table (pt indexes it). */
	if (PTE_INDEX(va) > 0 && slot_of(pt[(int)i - 1]) == slot - 1)
		return false;
	if (PTE_INDEX(va) < PTES_PER_TABLE - 1 && slot_of(pt[i + 1]) == slot + 1)
		return false;
	return true;
}

enum claim { CLAIM_SKIP, CLAIM_ADDED, CLAIM_FLUSH, CLAIM_REFILL };

/* Claim the page of pt[i] (at va) into the batch, or say what must happen
 * first (without page_table_lock: write the batch, refill the relocate
 * reservation). page_table_lock held. */
static enum claim claim(struct mm *mm, struct pps_wb *wb, pte_t *pt, u32 i, u32 n, u32 va)
{
	struct page *p = writable_page(pt[i]);

	if (!p)
		return CLAIM_SKIP; /* rescued meanwhile, or clean already */
	ASSERT_OWNER(p, mm, va);
	bool move = movable(p, pt, i, va);
	if (wb->n) {
		u32 next = wb->first_slot + wb->n;
		if (wb->n == PPS_WB_MAX)
			return CLAIM_FLUSH;
		if (p->swap_slot != next) {
			if (move && !wb->relocate.len && !wb->resv_dry)
				return CLAIM_REFILL; /* the allocator's next run may follow */
			if (!move || swap_resv_peek(&wb->relocate) != next)
				return CLAIM_FLUSH; /* the run ends here */
			relocate(wb, p);
		}
	} else if (move && p->swap_slot != wb->last_end && !next_continues(pt, i, n, p->swap_slot)) {
		/* A new batch: start it where the next pages can follow, the
		 * relocate reservation, unless this page's own slot already
		 * continues the last write or the next page. */
		if (!wb->relocate.len && !wb->resv_dry)
			return CLAIM_REFILL;
		if (wb->relocate.len)
			relocate(wb, p);
	}
	if (!wb->n)
		wb->first_slot = p->swap_slot;
	wb->mm = mm;
	wb->vas[wb->n] = va;
	wb->pages[wb->n++] = p;
	return CLAIM_ADDED;
}

void pps_wb_write_series(struct mm *mm, u32 start, pte_t *pt, u32 n, struct pps_result *res)
{
	struct pps_wb *wb = &res->wb;

	assert_stepper(mm);
	ASSERT(!wb->n || wb->mm == mm);
	for (u32 i = 0; i < n;) {
		spin_lock(&mm->page_table_lock);
		enum claim c = claim(mm, wb, pt, i, n, start + i * PAGE_SIZE);
		spin_unlock(&mm->page_table_lock);
		switch (c) {
		case CLAIM_SKIP:
		case CLAIM_ADDED: i++; break;
		case CLAIM_FLUSH: pps_wb_flush(mm, res); break;      /* then pt[i] again */
		case CLAIM_REFILL:
			if (!swap_resv_fill(&swap_area_main, &wb->relocate, PPS_RESV_SLOTS))
				wb->resv_dry = true; /* full: pages keep their slots */
			break;
		}
	}
}
