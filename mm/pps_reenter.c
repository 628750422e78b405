/*
 * Back to PPS: a legacy VMA whose pages are again its own (the other
 * process exited or exec'd, or every COW was broken) re-enters the
 * one-to-one model, so that fork+exec, the shell running a program, ends
 * with both processes wholly in PPS. The seed never gives forked VMAs
 * back; ppsos does, because most forks are followed by an exec.
 *
 * A private legacy VMA v of mm may re-enter when, for every PTE of v:
 *   - a page: mapped by this PTE alone and referenced by nothing else
 *     (mapcount 1; count 1, or 2 with the swap cache's, whose slot nobody
 *     else uses; no read or write in flight);
 *   - a SwappedPTE: its slot has no other user and no page in the swap
 *     cache.
 * Then nobody but v can reach any of its pages: other mappings reach a
 * page through the rmap (mapcount says there is none) or through the swap
 * cache (the slot counts say there is none). Each page gets (mm, va) as its
 * owner and keeps its slot as a clean copy (PPS's stage 3 done), and v
 * leaves its anon family and gets VM_PURE_PRIVATE (unless it is a file
 * image, whose pages are owned but not PPS's to reclaim).
 *
 * When to look: mm->reenter_hint is set whenever one of mm's legacy VMAs
 * may have become private (its family lost a member, a page lost its
 * second mapping, a COW took a page over); kppsd looks only then, so an mm
 * whose family is still shared is not write-locked at every pass.
 *
 * Locks: mm's mmap_lock for writing (tried: kppsd calls this in its pass
 * and must not wait for a writer), so no fault or stepper of mm runs;
 * page_table_lock and rmap_lock across the check and the move, so that
 * no other mm's swap-in or the clock can take a reference in between.
 */
#include <mm/legacy_fault.h>
#include <mm/rmap.h>
#include <mm/anon.h>
#include <mm/swap_cache.h>
#include <mm/swapfile.h>
#include <mm/frame.h>
#include <mm/mm.h>
#include <mm/vmstat.h>
#include <kernel/lock_assert.h>

/* Is every entry of v its own? page_table_lock and rmap_lock held. */
static bool vma_pages_private(struct mm *mm, struct vma *v)
{
	struct pte_walk w;

	for_each_pte(w, mm, v->start, v->end) {
		pte_t pte = *w.pte;
		if (pte_swapped(pte)) {
			u32 slot = pte_swp_slot(pte);
			if (swap_slot_count(&swap_area_main, slot) != 1 || swap_cache_lookup(slot))
				return false;
		} else if (pte_has_page(pte)) {
			struct page *p = pfn_to_page(pte_pfn(pte));
			ASSERT(p->flags & PG_legacy);
			if (!legacy_page_exclusive(p) ||
			    p->count != 1 + ((p->flags & PG_swapcache) ? 1u : 0u))
				return false;
		}
	}
	return true;
}

static bool vma_try_reenter(struct mm *mm, struct vma *v)
{
	struct pte_walk w;
	bool ok;

	spin_lock(&mm->page_table_lock);
	spin_lock(&rmap_lock);
	ok = vma_pages_private(mm, v);
	if (ok) {
		for_each_pte(w, mm, v->start, v->end)
			if (pte_has_page(*w.pte))
				page_make_owned(pfn_to_page(pte_pfn(*w.pte)), v, w.va, w.pte);
	}
	spin_unlock(&rmap_lock);
	spin_unlock(&mm->page_table_lock);
	if (!ok)
		return false;
	anon_unlink_vma(v);
	if (!(v->flags & VM_FILE))
		v->flags |= VM_PURE_PRIVATE;
	count_vm_event(PPS_REENTER);
	return true;
}

/* Does mm have a private legacy VMA at all? (mmap_lock tried for reading:
 * most mms have none, and need not be write-locked to find out.) */
static bool mm_has_private_legacy(struct mm *mm)
{
	struct list_head *l;
	bool any = false;

	if (!down_read_trylock(&mm->mmap_lock))
		return false;
	list_for_each(l, &mm->vmas) {
		struct vma *v = list_entry(l, struct vma, node);
		if (v->anon && !(v->flags & VM_SHARED)) {
			any = true;
			break;
		}
	}
	up_read(&mm->mmap_lock);
	return any;
}

u32 pps_reenter_mm(struct mm *mm)
{
	struct list_head *l;
	u32 moved = 0;

	if (reclaim_mode != RECLAIM_PPS || !mm->reenter_hint)
		return 0;
	mm->reenter_hint = 0; /* a change from now on sets it again */
	if (!mm_has_private_legacy(mm))
		return 0;
	if (!down_write_trylock(&mm->mmap_lock)) {
		mm->reenter_hint = 1; /* busy: try again next pass */
		return 0;
	}
	list_for_each(l, &mm->vmas) {
		struct vma *v = list_entry(l, struct vma, node);
		if (v->anon && !(v->flags & VM_SHARED) && vma_try_reenter(mm, v))
			moved++;
	}
	up_write(&mm->mmap_lock);
	return moved;
}
