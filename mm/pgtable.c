/*
 * Walking and changing a process's page tables (the user half of its page
 * directory). Every function here is called with mm->page_table_lock held;
 * none sleeps. PTE bits are touched only through arch/x86/pte.h.
 */
#include <mm/mm.h>
#include <mm/frame.h>
#include <mm/vmstat.h>
#include <mm/swapfile.h>
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
	if (!pde_present(*d)) {
		struct page *pt = alloc_page();
		if (!pt)
			return NULL;
		memset(page_address(pt), 0, PAGE_SIZE);
		*d = pde_mkuser_table(page_to_pfn(pt) << PAGE_SHIFT);
	}
	return pte_lookup(mm, va);
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
	ASSERT(p->owner_mm == mm && p->owner_va == va);
	(void)mm;
	(void)va;
	p->owner_mm = NULL;
	p->owner_va = 0;
}

/* Free every page and swap slot held by the PTEs of [start, end) and
 * clear them. The caller flushes TLBs afterwards (mm_flush_tlb_range). */
void pte_zap_range(struct mm *mm, u32 start, u32 end)
{
	for (u32 va = start; va < end; va += PAGE_SIZE) {
		pte_t *ptep = pte_lookup(mm, va);
		if (!ptep) {
			va = ALIGN_DOWN(va, BIGPAGE_SIZE) + BIGPAGE_SIZE - PAGE_SIZE; /* skip the table */
			continue;
		}
		pte_t pte = pte_xchg(ptep, 0);
		if (pte_swapped(pte)) {
			ASSERT(!pte_swapin_busy(pte)); /* only the owner swaps in, and it is here */
			swap_slot_free(&swap_area_main, pte_swp_slot(pte));
		} else if (pte_has_page(pte)) {
			struct page *p = pfn_to_page(pte_pfn(pte));
			if (p->swap_slot) {
				swap_slot_free(&swap_area_main, p->swap_slot);
				p->swap_slot = 0;
			}
			p->flags &= ~(PG_dirty | PG_readahead);
			page_clear_owner(p, mm, va);
			free_page(p);
			mm->rss--;
			count_vm_event(PGFREE_USER);
		}
	}
}

/* Give the pages of [start, end) the access that vm_flags allows: none
 * (a PROT_NONE PTE, frame kept), read-only, or read-write. */
void pte_protect_range(struct mm *mm, u32 start, u32 end, u32 vm_flags)
{
	bool none = !(vm_flags & (VM_READ | VM_WRITE | VM_EXEC)), writable = vm_flags & VM_WRITE;

	for (u32 va = start; va < end; va += PAGE_SIZE) {
		pte_t *ptep = pte_lookup(mm, va);
		pte_t old;
		if (!ptep)
			continue;
		do {
			old = *ptep;
			if (!pte_has_page(old))
				break;
		} while (!pte_cmpxchg(ptep, old, none ? pte_mkprotnone(old) : pte_mkaccessible(old, writable)));
	}
}

/* Free the page tables of the user half; every PTE must be gone already. */
void pgtable_free_all(struct mm *mm)
{
	for (u32 i = 0; i < KERNEL_PDE_FIRST; i++) {
		pde_t d = mm->pgdir[i];
		if (!pde_present(d))
			continue;
#ifdef DEBUG
		pte_t *pt = P2V(pde_table_pa(d));
		for (int k = 0; k < 1024; k++)
			ASSERT(pte_none(pt[k]));
#endif
		free_page(pfn_to_page(pde_table_pa(d) >> PAGE_SHIFT));
		mm->pgdir[i] = 0;
	}
}
