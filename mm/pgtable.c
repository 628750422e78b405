/*
 * Walking and changing a process's page tables (the user half of its page
 * directory). PTE bits are touched only through arch/x86/pte.h.
 *
 * The walker: every loop over a range of PTEs goes through pte_walk
 * (for_each_pte), which hands out each existing entry of the range in
 * address order and skips 4 MiB where no page table exists.
 *
 * Page tables are freed in two places only: with their mm
 * (pgtable_free_all, nobody else can reach it), and by an unmap that leaves
 * a table's whole 4 MiB without any VMA (pgtable_free_range), which holds
 * mmap_lock for *writing* (asserted). So a PTE pointer stays valid while
 * the mm's mmap_lock is held in either mode, or while the caller holds the
 * last reference; every software walker holds one of them (faults, swap-in
 * across its disk read, kppsd and the other steppers, fork's parent side,
 * MADV_DONTNEED, the /proc readers: all hold mmap_lock for reading).
 * MADV_DONTNEED, holding it only for reading, never frees a table. The
 * other walkers are the CPUs' MMUs, and a freed table goes through the TLB
 * gather: its PDE is cleared, every CPU with the mm loaded reloads CR3,
 * and only then is the frame freed (mm/tlb_gather.h). GDB helpers read a
 * stopped machine: they see the PDE either still there (the table not yet
 * freed) or cleared.
 *
 * Reading a PDE needs no lock (a 32-bit load; pte_alloc fills an empty one
 * under page_table_lock). A PTE's *value* is only stable under
 * page_table_lock, and even then the CPU may set A and D in a present one:
 * changes to a live entry are cmpxchg.
 *
 * Locks: pte_lookup and the walker need only what keeps the tables alive;
 * the functions that change entries assert page_table_lock. None sleeps.
 */
#include <mm/mm.h>
#include <mm/frame.h>
#include <mm/tlb_gather.h>
#include <mm/vmstat.h>
#include <mm/swapfile.h>
#include <mm/swap_cache.h>
#include <mm/rmap.h>
#include <mm/pte_chain.h>
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
		if (pte_chain_table_init(pt, mm, va)) {        /* rmap=chain: its pair */
			free_page(pt);
			return NULL;
		}
		memset(page_address(pt), 0, PAGE_SIZE);
		pt->flags |= PG_pgtable;        /* for the frame map; free_pages clears it */
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
 * Clear the PTEs of [start, end) and let go of what they held: swap slots
 * at once (no TLB holds a swap entry), frames into the gather, which frees
 * them only after every CPU that may cache their translations has flushed
 * (tlb_finish, after page_table_lock is dropped). Only entries that were
 * present can be in a TLB, so only they widen the range to flush.
 *
 * A SwappedPTE being read in (_PAGE_SWAPIN) belongs to its reader, which
 * has dropped page_table_lock around the disk read: the entry is cleared
 * here, but its slot is left for the reader, which finds the entry changed
 * when it comes back, frees the page it read and drops the slot's use
 * (pps_fault.c). Freeing the slot here would free it twice.
 */
u32 pte_zap_range(struct tlb_gather *tlb, u32 start, u32 end)
{
	struct mm *mm = tlb->mm;
	struct pte_walk w;

	ASSERT_HELD(&mm->page_table_lock);
	for_each_pte(w, mm, start, end) {
		pte_t pte = *w.pte;
		if (pte_has_page(pte) && (pfn_to_page(pte_pfn(pte))->flags & PG_legacy) &&
		    tlb->nr_legacy == TLB_LEGACY_MAX)
			return w.va; /* the caller finishes the gather, and calls again */
		pte = pte_xchg(w.pte, 0);
		if (pte_swapped(pte)) {
			/* A busy one's slot is its reader's. Otherwise the
			 * entry's use of the slot ends; a legacy page that
			 * waited in the swap cache for it may go too. */
			if (!pte_swapin_busy(pte))
				legacy_swap_free(pte_swp_slot(pte));
		} else if (pte_has_page(pte)) {
			struct page *p = pfn_to_page(pte_pfn(pte));
			if (pte_present(pte))
				tlb_gather_range(tlb, w.va, w.va + PAGE_SIZE);
			ASSERT(mm->rss > 0);
			mm->rss--;
			if (p->flags & PG_legacy) {
				/* Shared: other mappings may keep it; the
				 * reference goes after the flush. */
				page_remove_rmap(p, mm, w.va, w.pte, pte);
				tlb_gather_legacy(tlb, p);
				continue;
			}
			if (p->swap_slot) {
				swap_slot_free(&swap_area_main, p->swap_slot);
				p->swap_slot = 0;
			}
			p->flags &= ~(PG_dirty | PG_readahead);
			page_clear_owner(p, mm, w.va);
			tlb_gather_page(tlb, p);
			count_vm_event(PGFREE_USER);
		}
	}
	return end;
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

/* Is the page table empty? (debug builds check before freeing one) */
static bool __unused table_empty(pde_t d)
{
	pte_t *pt = P2V(pde_table_pa(d));

	for (int k = 0; k < PTES_PER_TABLE; k++)
		if (!pte_none(pt[k]))
			return false;
	return true;
}

/*
 * Gather the page tables whose whole 4 MiB lies in [floor, ceiling), a
 * range with no VMA left in it (the caller has just unmapped it): their
 * entries are all none, since PTEs exist only inside VMAs. mmap_lock held
 * for writing, so no software walker holds a pointer into them (see the
 * top of this file); the MMUs are dealt with by the gather.
 */
void pgtable_free_range(struct tlb_gather *tlb, u32 floor, u32 ceiling)
{
	struct mm *mm = tlb->mm;

	ASSERT_WRITE_HELD(&mm->mmap_lock);
	ASSERT_HELD(&mm->page_table_lock);
	ASSERT(ceiling <= USER_TOP);
	for (u32 i = PDE_INDEX(ALIGN_UP(floor, BIGPAGE_SIZE)); (i + 1) * BIGPAGE_SIZE <= ceiling; i++) {
		pde_t d = mm->pgdir[i];
		if (!pde_present(d))
			continue;
		ASSERT(table_empty(d));
		/* A PDE is a 32-bit entry like a PTE; the CPU may set its A bit. */
		pte_xchg(&mm->pgdir[i], 0);
		pte_chain_table_free(pfn_to_page(pde_table_pa(d) >> PAGE_SHIFT));
		tlb_gather_table(tlb, i * BIGPAGE_SIZE, pfn_to_page(pde_table_pa(d) >> PAGE_SHIFT));
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
		ASSERT(table_empty(d));
		pte_chain_table_free(pfn_to_page(pde_table_pa(d) >> PAGE_SHIFT));
		free_page(pfn_to_page(pde_table_pa(d) >> PAGE_SHIFT));
		mm->pgdir[i] = 0;
	}
}
