/*
 * Walking and changing a process's page tables (the user half of its page
 * directory). PTE bits are touched only through arch/x86/pte.h.
 *
 * The walker: every loop over a range of PTEs goes through pte_walk
 * (for_each_pte), which hands out each existing entry of the range in
 * address order and skips 4 MiB where no page table exists.
 *
 * Page tables are freed only when the mm dies (pgtable_free_all), so a PTE
 * pointer stays valid as long as the mm does: while its mmap_lock is held,
 * or while the caller holds the last reference. Reading a PDE needs no
 * lock (a 32-bit load; pte_alloc fills an empty one under
 * page_table_lock). A PTE's *value* is only stable under page_table_lock,
 * and even then the CPU may set A and D in a present one: changes to a
 * live entry are cmpxchg.
 *
 * Locks: pte_lookup and the walker need only what keeps the mm alive; the
 * functions that change entries assert page_table_lock. None sleeps.
 */
#include <mm/mm.h>
#include <mm/frame.h>
#include <mm/vmstat.h>
#include <mm/swapfile.h>
#include <kernel/lock_assert.h>
#include <kernel/string.h>
#include <kernel/panic.h>

pte_t *pte_lookup(struct mm *mm, u32 va)
{
	pde_t d = mm->pgdir[PDE_INDEX(va)];

	if (!pde_present(d))
		return NULL;
	return (pte_t *)P2V(pde_table_pa(d)) + PTE_INDEX(va);
}

pte_t *pte_alloc(struct mm *mm, u32 va)
{
	pde_t *d = &mm->pgdir[PDE_INDEX(va)];

	ASSERT(va < USER_TOP);
	ASSERT_HELD(&mm->page_table_lock);
	if (!pde_present(*d)) {
		struct page *pt = alloc_page();
		if (!pt)
			return NULL;
		memset(page_address(pt), 0, PAGE_SIZE);
		*d = pde_mkuser_table(page_to_pfn(pt) << PAGE_SHIFT);
	}
	return pte_lookup(mm, va);
}

void pte_walk_start(struct pte_walk *w, struct mm *mm, u32 start, u32 end)
{
	ASSERT(!(start & (PAGE_SIZE - 1)) && end <= USER_TOP);
	w->mm = mm;
	w->next = start;
	w->end = end;
	w->pte = NULL;
	w->va = 0;
}

bool pte_walk_next(struct pte_walk *w)
{
	while (w->next < w->end) {
		u32 va = w->next;
		if (w->pte && va == w->va + PAGE_SIZE && PTE_INDEX(va) != 0) {
			w->pte++;               /* the next entry of the same table */
		} else if (!(w->pte = pte_lookup(w->mm, va))) {
			/* no page table: 4 MiB of empty entries */
			w->next = ALIGN_DOWN(va, BIGPAGE_SIZE) + BIGPAGE_SIZE;
			continue;       /* (end <= USER_TOP: next cannot wrap) */
		}
		w->va = va;
		w->next = va + PAGE_SIZE;
		return true;
	}
	return false;
}

void pte_walk_skip(struct pte_walk *w, u32 npages)
{
	ASSERT(w->pte && npages >= 1 && PTE_INDEX(w->va) + npages <= PTES_PER_TABLE);
	w->pte += npages - 1;
	w->va += (npages - 1) * PAGE_SIZE;
	w->next = w->va + PAGE_SIZE;
}

void page_set_owner(struct page *p, struct mm *mm, u32 va)
{
	if (p->owner_mm)
		panic("page pfn %#x: second owner mm %p va %#x, already mm %p va %#x (one-to-one model broken)",
		      page_to_pfn(p), mm, va, p->owner_mm, p->owner_va);
	p->owner_mm = mm;
	p->owner_va = va;
}

void page_clear_owner(struct page *p, struct mm *mm, u32 va)
{
	ASSERT_OWNER(p, mm, va);
	(void)mm;
	(void)va;
	p->owner_mm = NULL;
	p->owner_va = 0;
}

/*
 * Free every page and swap slot held by the PTEs of [start, end) and clear
 * them. The caller flushes TLBs afterwards (mm_flush_tlb_range).
 *
 * A SwappedPTE being read in (_PAGE_SWAPIN) belongs to its reader, which
 * has dropped page_table_lock around the disk read: the entry is cleared
 * here, but its slot is left for the reader, which finds the entry changed
 * when it comes back, frees the page it read and drops the slot's use
 * (pps_fault.c). Freeing the slot here would free it twice.
 */
void pte_zap_range(struct mm *mm, u32 start, u32 end)
{
	struct pte_walk w;

	ASSERT_HELD(&mm->page_table_lock);
	for_each_pte(w, mm, start, end) {
		pte_t pte = pte_xchg(w.pte, 0);
		if (pte_swapped(pte)) {
			if (!pte_swapin_busy(pte)) /* a busy one's slot is its reader's */
				swap_slot_free(&swap_area_main, pte_swp_slot(pte));
		} else if (pte_has_page(pte)) {
			struct page *p = pfn_to_page(pte_pfn(pte));
			if (p->swap_slot) {
				swap_slot_free(&swap_area_main, p->swap_slot);
				p->swap_slot = 0;
			}
			p->flags &= ~(PG_dirty | PG_readahead);
			page_clear_owner(p, mm, w.va);
			free_page(p);
			ASSERT(mm->rss > 0);
			mm->rss--;
			count_vm_event(PGFREE_USER);
		}
	}
}

/* Give the pages of [start, end) the access that vm_flags allows: none
 * (a PROT_NONE PTE, frame kept), read-only, or read-write. Only present
 * and PROT_NONE entries change: PPS's UnmappedPTE and SwappedPTE are not
 * mapped, and their rescue or swap-in maps them with the VMA's access of
 * that moment. */
void pte_protect_range(struct mm *mm, u32 start, u32 end, u32 vm_flags)
{
	bool none = !(vm_flags & (VM_READ | VM_WRITE | VM_EXEC)), writable = vm_flags & VM_WRITE;
	struct pte_walk w;

	ASSERT_HELD(&mm->page_table_lock);
	for_each_pte(w, mm, start, end) {
		pte_t old;
		do {
			old = *w.pte;
			if (!pte_present(old) && !pte_protnone(old))
				break;
		} while (!pte_cmpxchg(w.pte, old, none ? pte_mkprotnone(old) : pte_mkaccessible(old, writable)));
	}
}

/* Free the page tables of the user half; every PTE must be gone already. */
void pgtable_free_all(struct mm *mm)
{
	ASSERT_HELD(&mm->page_table_lock);
	for (u32 i = 0; i < KERNEL_PDE_FIRST; i++) {
		pde_t d = mm->pgdir[i];
		if (!pde_present(d))
			continue;
#ifdef DEBUG
		pte_t *pt = P2V(pde_table_pa(d));
		for (int k = 0; k < PTES_PER_TABLE; k++)
			ASSERT(pte_none(pt[k]));
#endif
		free_page(pfn_to_page(pde_table_pa(d) >> PAGE_SHIFT));
		mm->pgdir[i] = 0;
	}
}
