/*
 * Copy-on-write fork and the faults of legacy VMAs (see legacy_fault.h).
 *
 * fork (copy_vma_cow): a private VMA leaves PPS (VM_PURE_PRIVATE off): its
 * pages become legacy pages of the family's anon object (page_make_legacy:
 * an UnmappedPTE is mapped back first, a slot PPS attached moves to the
 * swap cache), and the child's PTEs map the same frames. Both sides lose
 * write access; the first write copies (cow_fault), or, if the writer is
 * by then the only one left (legacy_page_exclusive), takes the page over
 * in place. A SwappedPTE is copied with one more use of its slot: the
 * page swapped out while shared has one slot and a SwappedPTE in each
 * mapping. A shared (VM_SHARED) VMA copies no PTE: the child finds every
 * page in the object's table (mm/shmem.c).
 *
 * Legacy swap-in (legacy_swapin): the swap cache first. The first mapping
 * to fault reads the page into the cache (PG_locked while the read is in
 * flight: others wait for it), and every other mapping maps the same
 * frame from there without I/O (swapcache_hit).
 *
 * Locks: mmap_lock held by the caller (asserted); page_table_lock around
 * each PTE's check-and-change; rmap_lock (inside it) for the page state.
 * Nothing sleeps with a spinlock held: allocations and reads happen with
 * the locks dropped, and the PTE is checked again afterwards.
 */
#include <mm/legacy_fault.h>
#include <mm/rmap.h>
#include <mm/anon.h>
#include <mm/swap_cache.h>
#include <mm/swapfile.h>
#include <mm/swap_io.h>
#include <mm/kppsd.h>
#include <mm/frame.h>
#include <mm/vmstat.h>
#include <kernel/lock_assert.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/errno.h>

/* A fresh frame becomes a legacy page with no mapping yet (count 0 until
 * page_add_rmap or swap_cache_add). */
static void legacy_page_init(struct page *p)
{
	p->flags = (p->flags | PG_legacy | PG_dirty) & ~(PG_readahead | PG_referenced);
	p->anon = NULL;
	p->index = 0;
	p->mapcount = 0;
	p->count = 0;
	p->chain = NULL;
	atomic_inc(&nr_legacy_pages);
}

/* An empty PTE: a new page (zeros or the file's bytes), mapped by this
 * VMA alone. */
static int legacy_fault_new(struct mm *mm, struct vma *v, u32 va, pte_t *ptep)
{
	struct page *np = pps_alloc_user_page();

	if (!np)
		return -ENOMEM;
	fault_fill_page(v, va, page_address(np));
	spin_lock(&mm->page_table_lock);
	if (!pte_none(*ptep)) {
		spin_unlock(&mm->page_table_lock);
		free_page(np);
		return 0;
	}
	legacy_page_init(np);
	*ptep = pte_mkuser(page_to_pfn(np), v->flags & VM_WRITE);
	page_add_rmap(np, v, va, ptep);
	mm->rss++;
	spin_unlock(&mm->page_table_lock);
	count_vm_event(PGALLOC);
	return 0;
}

/* Is *ptep still the read-only mapping of p we saw? (A and D may move.) */
static bool still_maps_ro(pte_t pte, struct page *p)
{
	return pte_present(pte) && !pte_write(pte) && pte_pfn(pte) == page_to_pfn(p);
}

/* A write to a read-only PTE of a private legacy VMA. page_table_lock held
 * on entry, dropped on return. */
static int cow_fault(struct mm *mm, struct vma *v, u32 va, pte_t *ptep, pte_t pte)
{
	struct page *p = pfn_to_page(pte_pfn(pte)), *np;

	count_vm_event(COW_FAULT);
	spin_lock(&rmap_lock);
	// LAB 6 BEGIN: reuse: a page its writer alone maps is taken over in place, not copied
	if (legacy_page_exclusive(p)) {
		/* Nobody else maps it, nor can find it through its slot: take
		 * it over in place. The slot, if it has one, stays with it
		 * (dirty: a later eviction writes it again), as PPS keeps a
		 * dirty page's slot. A CPU with the old read-only entry
		 * cached faults once more, harmlessly. */
		p->flags |= PG_dirty; /* a copy on the swap cache's slot is stale from now on */
		spin_unlock(&rmap_lock);
		pte_t old;
		do {
			old = *ptep;
		} while (still_maps_ro(old, p) && !pte_cmpxchg(ptep, old, pte_mkwrite(old)));
		spin_unlock(&mm->page_table_lock);
		mm->reenter_hint = 1; /* maybe the last shared page of the VMA */
		count_vm_event(COW_REUSE);
		return 0;
	}
	// LAB 6 STUB
//	/* TODO: reuse the page when the writer is its only user (docs/labs/06-cow-rmap.md) */
//	static bool said;
//	if (!said) {
//		said = true;
//		printk("LAB 6: cow_fault() never reuses a page: every write after fork copies (mm/cow.c)\n");
//	}
	// LAB 6 END
	p->count++; /* pinned while we copy it with the locks dropped */
	spin_unlock(&rmap_lock);
	spin_unlock(&mm->page_table_lock);

	np = pps_alloc_user_page();
	if (np)
		memcpy(page_address(np), page_address(p), PAGE_SIZE);
	spin_lock(&mm->page_table_lock);
	if (!np || !still_maps_ro(*ptep, p)) {
		/* No memory, or the PTE changed meanwhile (another thread
		 * broke the COW first, an unmap, the clock): retry or fail. */
		spin_unlock(&mm->page_table_lock);
		if (np)
			free_page(np);
		legacy_page_put(p);
		return np ? 0 : -ENOMEM;
	}
	legacy_page_init(np);
	pte_t old = pte_xchg(ptep, pte_mkdirty(pte_mkuser(page_to_pfn(np), true)));
	page_remove_rmap(p, mm, va, ptep, old);
	page_add_rmap(np, v, va, ptep);
	spin_unlock(&mm->page_table_lock);
	/* Other threads of this mm may still read p through a cached entry:
	 * p is not let go before they have flushed. */
	mm_flush_tlb_range(mm, va, va + PAGE_SIZE);
	legacy_page_put(p); /* the old mapping's reference */
	legacy_page_put(p); /* the pin */
	count_vm_event(COW_COPY);
	count_vm_event(PGALLOC);
	return 0;
}

/* Is the slot's page in the cache and still being read? (a sleeper's
 * condition: takes rmap_lock) */
static bool slot_read_in_flight(u32 slot)
{
	spin_lock(&rmap_lock);
	struct page *p = swap_cache_lookup(slot);
	bool busy = p && (p->flags & PG_locked);
	spin_unlock(&rmap_lock);
	return busy;
}

/* A SwappedPTE of a legacy VMA. page_table_lock held on entry, dropped on
 * return. */
static int legacy_swapin(struct mm *mm, struct vma *v, u32 va, pte_t *ptep, pte_t pte)
{
	u32 slot = pte_swp_slot(pte);
	struct page *p, *np = NULL;
	bool read_here = false;

	for (;;) {
		/* page_table_lock held, *ptep == pte checked */
		spin_lock(&rmap_lock);
		p = swap_cache_lookup(slot);
		if (p && !(p->flags & PG_locked)) {
			p->count++; /* pinned until it is mapped */
			spin_unlock(&rmap_lock);
			break;
		}
		if (!p && np) {
			/* Read it into the cache; the cache takes its own use of
			 * the slot, so the slot stays ours whatever happens to
			 * the PTE meanwhile. */
			legacy_page_init(np);
			np->flags = (np->flags | PG_locked) & ~PG_dirty;
			swap_slot_dup(&swap_area_main, slot);
			swap_cache_add(np, slot);
			np->count++; /* our pin across the read */
			p = np;
			np = NULL;
			spin_unlock(&rmap_lock);
			spin_unlock(&mm->page_table_lock);
			u32 bad = 0;
			int err = swap_io_sync(&p, 1, slot, false, &bad);
			spin_lock(&rmap_lock);
			p->flags &= ~PG_locked;
			if (err) {
				printk("legacy swap-in: reading slot %u failed (%d)\n", slot, err);
				swap_cache_del(p);
				p->count--; /* the cache's reference; ours is put below */
			}
			spin_unlock(&rmap_lock);
			wake_up(&legacy_wq);
			if (err) {
				legacy_page_put(p);
				return -EIO;
			}
			read_here = true;
			count_vm_event(PGMAJFAULT);
			spin_lock(&mm->page_table_lock);
			if (*ptep != pte) {
				spin_unlock(&mm->page_table_lock);
				legacy_page_put(p);
				return 0; /* the entry changed meanwhile: retry */
			}
			break;
		}
		spin_unlock(&rmap_lock);
		spin_unlock(&mm->page_table_lock);
		if (p) {
			/* Another mapping is reading it: wait for that read. */
			wait_event(&legacy_wq, !slot_read_in_flight(slot));
		} else if (!np) {
			np = pps_alloc_user_page();
			if (!np)
				return -ENOMEM;
		}
		spin_lock(&mm->page_table_lock);
		if (*ptep != pte) {
			spin_unlock(&mm->page_table_lock);
			if (np)
				free_page(np);
			return 0;
		}
	}
	/* page_table_lock held, p pinned, *ptep == pte: map it read-only (a
	 * write takes the COW path, which reuses it if it is ours alone). */
	*ptep = pte_mkuser(page_to_pfn(p), false);
	page_add_rmap(p, v, va, ptep);
	mm->rss++;
	legacy_swap_free(slot); /* the SwappedPTE's use of the slot */
	spin_unlock(&mm->page_table_lock);
	if (np)
		free_page(np);
	legacy_page_put(p); /* the pin */
	if (!read_here)
		count_vm_event(SWAPCACHE_HIT);
	return 0;
}

int legacy_fault(struct mm *mm, struct vma *v, u32 va, bool write)
{
	pte_t *ptep, pte;

	ASSERT_HELD(&mm->mmap_lock);
	if (v->flags & VM_SHARED)
		return shmem_fault(mm, v, va, write);
	if (anon_prepare(v))
		return -ENOMEM;
	spin_lock(&mm->page_table_lock);
	ptep = pte_alloc(mm, va);
	if (!ptep) {
		spin_unlock(&mm->page_table_lock);
		return -ENOMEM;
	}
	pte = *ptep;
	if (pte_none(pte)) {
		spin_unlock(&mm->page_table_lock);
		return legacy_fault_new(mm, v, va, ptep);
	}
	if (pte_swapped(pte))
		return legacy_swapin(mm, v, va, ptep, pte);
	if (pte_protnone(pte)) {
		/* Accessible again (the VMA says so); read-only, so that a
		 * write still goes through the COW check. */
		*ptep = pte_mkaccessible(pte, false);
		spin_unlock(&mm->page_table_lock);
		return 0;
	}
	ASSERT(!pte_unmapped(pte)); /* a legacy VMA has no UnmappedPTEs */
	if (write && !pte_write(pte) && pte_present(pte))
		return cow_fault(mm, v, va, ptep, pte);
	spin_unlock(&mm->page_table_lock);
	return 0; /* filled by another CPU, or a stale TLB entry: retry */
}

/* Copy one PTE of the parent into the child, both page_table_locks held. */
static int copy_one_pte_cow(struct mm *dst, struct vma *dv, struct mm *src, struct vma *sv, u32 va,
			    pte_t *sp)
{
	pte_t pte = *sp, *dp;

	if (pte_none(pte))
		return 0;
	dp = pte_alloc(dst, va);
	if (!dp)
		return -ENOMEM;
	if (pte_swapped(pte)) {
		/* mmap_lock for writing: no swap-in is in flight here */
		ASSERT(!pte_swapin_busy(pte));
		if (swap_slot_dup(&swap_area_main, pte_swp_slot(pte)))
			return -ENOMEM;
		*dp = pte;
		return 0;
	}
	ASSERT(pte_has_page(pte));
	struct page *p = pfn_to_page(pte_pfn(pte));
	if (!(p->flags & PG_legacy)) {
		if (pte_unmapped(pte)) {
			/* PPS's stage 2: map it back (old, read-only); a
			 * legacy page is present or PROT_NONE. */
			pte = pte_rescue(pte, false);
			*sp = pte;
		}
		page_make_legacy(p, sv, va, sp);
	}
	/* Both lose write access: the first write copies. */
	pte_t old;
	do {
		old = *sp;
	} while (!pte_cmpxchg(sp, old, pte_wrprotect(old)));
	*dp = pte_wrprotect(pte_with_pfn(old, page_to_pfn(p)));
	page_add_rmap(p, dv, va, dp);
	dst->rss++;
	count_vm_event(FORK_SHARED);
	(void)src;
	return 0;
}

int copy_vma_cow(struct mm *dst, struct vma *dv, struct mm *src, struct vma *sv)
{
	struct pte_walk w;
	int err = 0;

	ASSERT_WRITE_HELD(&src->mmap_lock);
	ASSERT_WRITE_HELD(&dst->mmap_lock);
	if (anon_fork(sv, dv))
		return -ENOMEM;
	if (sv->flags & VM_SHARED)
		return 0; /* the child maps the object's pages as it touches them */
	sv->flags &= ~VM_PURE_PRIVATE;
	dv->flags &= ~VM_PURE_PRIVATE;
	for_each_pte(w, src, sv->start, sv->end) {
		spin_lock(&src->page_table_lock);
		spin_lock(&dst->page_table_lock);
		err = copy_one_pte_cow(dst, dv, src, sv, w.va, w.pte);
		spin_unlock(&dst->page_table_lock);
		spin_unlock(&src->page_table_lock);
		if (err)
			break;
	}
	return err;
}
