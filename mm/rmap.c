/*
 * The legacy page system's page state and reverse map (see rmap.h for the
 * model and the locks): counting mappings and references, turning owned
 * pages into legacy ones and back, and walking from a page to its PTEs
 * through the anon objects (rmap=anon, here) or the PTE chains
 * (rmap=chain, mm/pte_chain.c).
 *
 * Invariants, under rmap_lock, for every frame with PG_legacy:
 *   owner_mm == NULL;
 *   count == mapcount + (PG_swapcache ? 1 : 0) + (in a shared table ? 1 : 0) + pins;
 *   mapcount > 0 implies anon != NULL, and the page sits at index in
 *   every VMA of anon's family that maps it;
 *   rmap=chain: page->chain lists exactly mapcount PTEs.
 */
#include <mm/rmap.h>
#include <mm/anon.h>
#include <mm/swap_cache.h>
#include <mm/swapfile.h>
#include <mm/frame.h>
#include <mm/mm.h>
#include <mm/vmstat.h>
#include <kernel/cmdline.h>
#include <kernel/lock_assert.h>
#include <kernel/printk.h>
#include <kernel/panic.h>

DEFINE_SPINLOCK(rmap_lock);

enum rmap_mode rmap_mode;
static const char *const rmap_modes[] = { [RMAP_ANON] = "anon", [RMAP_CHAIN] = "chain", [RMAP_NMODES] = NULL };
CMDLINE_PARAM_ENUM(rmap, rmap_mode, rmap_modes,
		   "reverse map of legacy pages: anon (anon objects, seed 001) or chain (PTE chains, seed 002)");
enum reclaim_mode reclaim_mode;
static const char *const reclaim_modes[] = { [RECLAIM_PPS] = "pps", [RECLAIM_CLOCK] = "clock",
					     [RECLAIM_NMODES] = NULL };
CMDLINE_PARAM_ENUM(reclaim, reclaim_mode, reclaim_modes,
		   "pps: PPS for private VMAs, the clock for legacy pages; clock: every page on the clock");

struct waitqueue legacy_wq;

void legacy_init(void)
{
	waitqueue_init(&legacy_wq, "legacy");
	printk("legacy pages: rmap=%s reclaim=%s\n", rmap_modes[rmap_mode], reclaim_modes[reclaim_mode]);
}

volatile u32 nr_legacy_pages, nr_anon_objects, nr_anon_bytes, nr_chain_pages, nr_swapcache_pages;

static const struct rmap_ops *rmap_ops(void)
{
	return rmap_mode == RMAP_CHAIN ? &rmap_chain_ops : &rmap_anon_ops;
}

void page_add_rmap(struct page *p, struct vma *v, u32 va, pte_t *ptep)
{
	u32 index = vma_page_index(v, va);

	ASSERT_HELD(&v->mm->page_table_lock);
	ASSERT(v->anon);
	spin_lock(&rmap_lock);
	ASSERT(p->flags & PG_legacy);
	if (!p->anon) {
		ASSERT(p->mapcount == 0);
		p->anon = v->anon;
		p->index = index;
	} else if (p->anon != v->anon || p->index != index) {
		panic("page pfn %#x: mapped at %#x of anon %u index %u, but it is anon %u index %u",
		      page_to_pfn(p), va, v->anon->id, index, p->anon->id, p->index);
	}
	p->mapcount++;
	p->count++;
	rmap_ops()->link(p, v->mm, va, ptep);
	spin_unlock(&rmap_lock);
}

void page_remove_rmap(struct page *p, struct mm *mm, u32 va, pte_t *ptep, pte_t old)
{
	ASSERT_HELD(&mm->page_table_lock);
	spin_lock(&rmap_lock);
	ASSERT((p->flags & PG_legacy) && p->mapcount > 0 && p->count > p->mapcount - 1);
	if (pte_dirty(old))
		p->flags |= PG_dirty;
	rmap_ops()->unlink(p, mm, va, ptep);
	/* A private page with no mapping left belongs to no family: it
	 * waits in the swap cache (or for the caller's put), and the next
	 * mapping, if any, gives it one again. A shared object's page stays
	 * its object's, which holds it in its table. */
	if (--p->mapcount == 0 && !p->anon->shared)
		p->anon = NULL;
	else if (p->mapcount == 1 && !p->anon->shared)
		anon_hint_reenter(p->anon); /* its last mapping may be all alone now */
	spin_unlock(&rmap_lock);
}

void page_make_legacy(struct page *p, struct vma *v, u32 va, pte_t *ptep)
{
	ASSERT_HELD(&v->mm->page_table_lock);
	ASSERT(v->anon && !(p->flags & PG_legacy));
	page_clear_owner(p, v->mm, va);
	spin_lock(&rmap_lock);
	p->flags = (p->flags | PG_legacy) & ~(PG_readahead | PG_referenced);
	p->anon = v->anon;
	p->index = vma_page_index(v, va);
	p->mapcount = 1;
	p->count = 1;
	p->chain = NULL;
	atomic_inc(&nr_legacy_pages);
	if (p->swap_slot) {
		/* PPS's stage 3 attached a slot: its one use becomes the
		 * swap cache's, and the page stays dirty or clean as it was. */
		u32 slot = p->swap_slot;
		p->swap_slot = 0;
		swap_cache_add(p, slot);
	}
	rmap_ops()->link(p, v->mm, va, ptep);
	spin_unlock(&rmap_lock);
}

void page_make_owned(struct page *p, struct vma *v, u32 va, pte_t *ptep)
{
	ASSERT_HELD(&v->mm->page_table_lock);
	ASSERT_HELD(&rmap_lock);
	ASSERT((p->flags & PG_legacy) && p->mapcount == 1 && !(p->flags & (PG_locked | PG_writeback)));
	ASSERT(p->count == 1 + ((p->flags & PG_swapcache) ? 1u : 0u));
	rmap_ops()->unlink(p, v->mm, va, ptep);
	if (p->flags & PG_swapcache) {
		/* The cache's use of the slot becomes the page's own: PPS's
		 * "slot attached" (clean if PG_dirty is clear). */
		u32 slot = p->swap_slot;
		ASSERT(swap_slot_count(&swap_area_main, slot) == 1);
		swap_slot_dup(&swap_area_main, slot);
		swap_cache_del(p); /* drops one use and the reference */
		p->swap_slot = slot;
	}
	p->flags &= ~(PG_legacy | PG_referenced);
	p->anon = NULL;
	p->index = 0;
	p->mapcount = 0;
	p->count = 0;
	atomic_add_return(&nr_legacy_pages, -1);
	page_set_owner(p, v->mm, va);
}

void legacy_page_get(struct page *p)
{
	spin_lock(&rmap_lock);
	ASSERT((p->flags & PG_legacy) && p->count > 0);
	p->count++;
	spin_unlock(&rmap_lock);
}

bool legacy_page_put(struct page *p)
{
	spin_lock(&rmap_lock);
	ASSERT((p->flags & PG_legacy) && p->count > 0);
	if (--p->count == 1 && (p->flags & PG_swapcache) && !p->mapcount &&
	    !(p->flags & (PG_locked | PG_writeback)) && swap_slot_count(&swap_area_main, p->swap_slot) == 1) {
		/* Only the swap cache holds it, and no SwappedPTE will ever
		 * look for it (the cache's is the slot's last use): both go. */
		swap_cache_del(p);
		p->count--;
	}
	if (p->count) {
		spin_unlock(&rmap_lock);
		return false;
	}
	ASSERT(p->mapcount == 0 && !(p->flags & (PG_swapcache | PG_locked | PG_writeback)));
	ASSERT(!p->swap_slot && !p->chain);
	p->flags &= ~(PG_legacy | PG_dirty | PG_referenced | PG_readahead);
	p->anon = NULL;
	p->index = 0;
	atomic_add_return(&nr_legacy_pages, -1);
	spin_unlock(&rmap_lock);
	count_vm_event(PGFREE_USER);
	free_page(p);
	return true;
}

bool legacy_page_exclusive(struct page *p)
{
	ASSERT_HELD(&rmap_lock);
	if (p->mapcount != 1 || (p->flags & (PG_writeback | PG_locked)))
		return false;
	if (p->anon && p->anon->shared)
		return false; /* a shared object's page is everybody's */
	return !(p->flags & PG_swapcache) || swap_slot_count(&swap_area_main, p->swap_slot) == 1;
}

int rmap_collect(struct page *p, struct rmap_ref *refs, int max)
{
	int n;

	spin_lock(&rmap_lock);
	n = (p->flags & PG_legacy) && p->mapcount ? rmap_ops()->collect(p, refs, max) : 0;
	spin_unlock(&rmap_lock);
	count_vm_event(RMAP_WALKS);
	return n;
}

void rmap_refs_put(struct rmap_ref *refs, int n)
{
	for (int i = 0; i < n; i++)
		mm_put(refs[i].mm);
}

pte_t *rmap_lock_pte(struct rmap_ref *r, struct page *p)
{
	pte_t *ptep;

	spin_lock(&r->mm->page_table_lock);
	ptep = pte_lookup(r->mm, r->va);
	if (ptep && (pte_present(*ptep) || pte_protnone(*ptep)) && pte_pfn(*ptep) == page_to_pfn(p))
		return ptep;
	spin_unlock(&r->mm->page_table_lock);
	return NULL;
}

/* rmap=anon: the object's VMAs that cover the page's offset. Nothing is
 * recorded per PTE, so link and unlink have nothing to do. */
static void anon_link(struct page *p, struct mm *mm, u32 va, pte_t *ptep)
{
	(void)p, (void)mm, (void)va, (void)ptep;
}

static int anon_collect(struct page *p, struct rmap_ref *refs, int max)
{
	ASSERT_HELD(&rmap_lock);
	// LAB 6 BEGIN: the object-based walk: each VMA of the family whose range covers p->index
	struct list_head *l;
	int n = 0;

	list_for_each(l, &p->anon->vmas) {
		struct vma *v = list_entry(l, struct vma, anon_node);
		u32 pages = (v->end - v->start) >> PAGE_SHIFT;
		count_vm_event(RMAP_WALK_STEPS);
		if (p->index < v->pgoff || p->index - v->pgoff >= pages)
			continue;
		if (n == max)
			break;
		if (!mm_tryget_rmap(v->mm))
			continue;
		refs[n].mm = v->mm;
		refs[n].va = v->start + ((p->index - v->pgoff) << PAGE_SHIFT);
		n++;
	}
	return n;
	// LAB 6 STUB
//	/* TODO: find p in every VMA of p->anon (docs/labs/06-cow-rmap.md) */
//	static bool said;
//	if (!said) {
//		said = true;
//		printk("LAB 6: anon_collect() finds no mapping: legacy pages cannot be unmapped (mm/rmap.c)\n");
//	}
//	(void)p, (void)refs, (void)max;
//	return 0;
	// LAB 6 END
}

const struct rmap_ops rmap_anon_ops = {
	.name = "anon",
	.link = anon_link,
	.unlink = anon_link,
	.collect = anon_collect,
};

void rmap_get_stats(struct rmap_stats *st)
{
	st->legacy_pages = nr_legacy_pages;
	st->swapcache_pages = nr_swapcache_pages;
	st->anon_objects = nr_anon_objects;
	st->anon_bytes = nr_anon_bytes;
	st->chain_pages = nr_chain_pages;
}
