/*
 * PTE chains (seed 002): the rmap=chain reverse map. page->chain is the
 * first PTE that maps a legacy page; the next one is in that PTE's slot of
 * its page table's *pair*, an order-0 page of 1024 pte_t * given to every
 * user page table made while rmap=chain (pte_chain_table_init, from
 * pte_alloc). Slot k of the pair belongs to entry k of the table: from a
 * ptep, the table is virt_to_page(ptep) (tables live in the direct map) and
 * k is the entry's offset in it, so a link or a step costs no search.
 *
 * Why a pair page per table rather than a chain node allocated per mapping
 * (a pool of small entries): a link then never allocates, so it cannot fail
 * under page_table_lock and rmap_lock (fork, a COW fault and a swap-in
 * link in places where failing would mean undoing half a PTE update), and
 * there is no pool to grow, shrink or account. The price is one page per
 * page table whether or not any PTE in it maps a legacy page, counted in
 * nr_chain_pages (meminfo's PteChain) so that it can be compared with what
 * rmap=anon spends on anon objects.
 *
 * The fields of the struct pages involved, all written here only:
 *  - the table's: sc_next = its pair, owner_mm = its mm, owner_va = the
 *    base of the 4 MiB it maps (a page table is never a user page nor in
 *    the swap cache, so these are free; frame.h says so). owner_mm set
 *    is what says the table has a pair (sc_next may hold a stale value
 *    in any other frame; owner_mm is NULL in every frame allocated, as
 *    free_pages checks). So free_pages also panics on a table freed
 *    without pte_chain_table_free: a forgotten call is caught.
 *  - the pair's: mapcount = how many PTEs of its table are on a chain now
 *    (never PG_legacy, so no rmap or clock code reads it as a user page's).
 *
 * Invariants (rmap_lock):
 *  - a PTE is on at most one chain, at most once; its pair slot is NULL
 *    when it is on none (pte_unlink clears it) and when it is the last;
 *  - a table with a PTE on a chain is not freed (asserted through the
 *    pair's mapcount), and an mm outlives its tables, so every table and
 *    mm a chain leads to is still there (the mm may be on its way out:
 *    mm_tryget_rmap fails then).
 *
 * Locks: pte_link and pte_unlink need the PTE's mm's page_table_lock and
 * rmap_lock (both asserted); collect needs rmap_lock. A walk (collect, and
 * unlink's search) steps through other mms' tables and pairs under
 * rmap_lock alone: by the invariant above they cannot be freed under it,
 * and their slots change only under rmap_lock. Table init and free need
 * the table's page_table_lock: no link or unlink into a table can race
 * with its birth or death, since both hold that lock too.
 */
#include <mm/pte_chain.h>
#include <mm/rmap.h>
#include <mm/mm.h>
#include <mm/frame.h>
#include <mm/vmstat.h>
#include <kernel/lock_assert.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <arch/x86/cpu.h>


/* Entry k of its table: the table's index of ptep, and so its pair slot. */
static inline u32 pte_slot_index(const pte_t *ptep)
{
	return ((u32)ptep & (PAGE_SIZE - 1)) / sizeof(pte_t);
}

static inline struct page *pte_table(const pte_t *ptep)
{
	return virt_to_page(ptep);
}

/* The pair slot holding the next PTE after ptep on its page's chain.
 * (inline: a lab tree without the chain's code does not call it) */
static inline pte_t **next_slot(pte_t *ptep)
{
	struct page *pt = pte_table(ptep);

	if (!pt->owner_mm)
		panic("pte_chain: PTE %p is in page table pfn %#x, which has no pair (made while rmap=anon?)",
		      ptep, page_to_pfn(pt));
	return (pte_t **)page_address(pt->sc_next) + pte_slot_index(ptep);
}

int pte_chain_table_init(struct page *pt, struct mm *mm, u32 va)
{
	struct page *pair;

	if (rmap_mode != RMAP_CHAIN)
		return 0;
	ASSERT_HELD(&mm->page_table_lock);
	ASSERT(!pt->owner_mm);  /* free_pages checks it: NULL in a new frame */
	pair = alloc_page();
	if (!pair)
		return -ENOMEM;
	memset(page_address(pair), 0, PAGE_SIZE);  /* every PTE on no chain */
	pair->mapcount = 0;
	pt->sc_next = pair;
	pt->owner_mm = mm;
	pt->owner_va = ALIGN_DOWN(va, BIGPAGE_SIZE);
	atomic_inc(&nr_chain_pages);
	return 0;
}

/* Debug builds, before a table goes: no slot left set. (That a PTE still
 * linked may be the last of its chain, with a NULL slot, is what the pair's
 * mapcount catches; that no entry still maps anything, its callers check
 * with table_empty.) */
static bool __unused pair_unused(struct page *pt)
{
	pte_t **slots = page_address(pt->sc_next);

	for (u32 k = 0; k < PTES_PER_TABLE; k++)
		if (slots[k])
			return false;
	return true;
}

void pte_chain_table_free(struct page *pt)
{
	struct page *pair = pt->sc_next;

	if (!pt->owner_mm)
		return;         /* made while rmap=anon: nothing paired */
	ASSERT_HELD(&pt->owner_mm->page_table_lock);
	if (pair->mapcount)
		panic("pte_chain: page table pfn %#x (mm %p, va %#x) freed with %u PTEs still on chains",
		      page_to_pfn(pt), pt->owner_mm, pt->owner_va, pair->mapcount);
	ASSERT(pair_unused(pt));
	pt->sc_next = NULL;
	pt->owner_mm = NULL;
	pt->owner_va = 0;
	/* The pair is read by software only, under rmap_lock, and no chain
	 * runs through it: it can go now, before any TLB flush. */
	free_page(pair);
	atomic_dec(&nr_chain_pages);
}

// LAB 6 BEGIN: a PTE onto its page's chain (pushed at the head) and off it again
void pte_link(struct page *p, pte_t *ptep)
{
	pte_t **slot = next_slot(ptep);
	struct page *pt = pte_table(ptep);

	ASSERT_HELD(&rmap_lock);
	ASSERT_HELD(&pt->owner_mm->page_table_lock);
	/* On no chain: a set slot or being the head means linked already. */
	if (*slot || p->chain == ptep)
		panic("pte_link: PTE %p (pfn %#x) is already on a chain", ptep, page_to_pfn(p));
	*slot = p->chain;
	p->chain = ptep;
	pt->sc_next->mapcount++;
	count_vm_event(PTE_CHAIN_LINK);
}

void pte_unlink(struct page *p, pte_t *ptep)
{
	pte_t **pp = &p->chain;
	struct page *pt = pte_table(ptep);

	ASSERT_HELD(&rmap_lock);
	ASSERT_HELD(&pt->owner_mm->page_table_lock);
	while (*pp && *pp != ptep)
		pp = next_slot(*pp);
	if (!*pp)
		panic("pte_unlink: PTE %p (mm %p va %#x) is not on the chain of pfn %#x",
		      ptep, pt->owner_mm, pt->owner_va + pte_slot_index(ptep) * PAGE_SIZE, page_to_pfn(p));
	pte_t **slot = next_slot(ptep);
	*pp = *slot;
	*slot = NULL;
	ASSERT(pt->sc_next->mapcount > 0);
	pt->sc_next->mapcount--;
	count_vm_event(PTE_CHAIN_UNLINK);
}
// LAB 6 STUB
//void pte_link(struct page *p, pte_t *ptep)
//{
//	/* TODO: push ptep at the head of p's chain (docs/labs/06-cow-rmap.md) */
//	static bool said;
//	if (!said) {
//		said = true;
//		printk("LAB 6: pte_link() links nothing: rmap=chain finds no mapping (mm/pte_chain.c)\n");
//	}
//	(void)p, (void)ptep;
//}
//
//void pte_unlink(struct page *p, pte_t *ptep)
//{
//	/* TODO: take ptep off p's chain */
//	(void)p, (void)ptep;
//}
// LAB 6 END

/* The rmap_ops face: the (mm, va) the caller names must be the ones the
 * table records, or a later walk would report the wrong place. */
static void chain_link(struct page *p, struct mm *mm, u32 va, pte_t *ptep)
{
	ASSERT(pte_table(ptep)->owner_mm == mm &&
	       pte_table(ptep)->owner_va + pte_slot_index(ptep) * PAGE_SIZE == va);
	pte_link(p, ptep);
}

static void chain_unlink(struct page *p, struct mm *mm, u32 va, pte_t *ptep)
{
	ASSERT(pte_table(ptep)->owner_mm == mm &&
	       pte_table(ptep)->owner_va + pte_slot_index(ptep) * PAGE_SIZE == va);
	pte_unlink(p, ptep);
}

/* Each PTE on p's chain, as (mm, va) with a reference on the mm; an mm on
 * its way out (mm_tryget_rmap fails) is skipped. Stops at max. */
static int chain_collect(struct page *p, struct rmap_ref *refs, int max)
{
	ASSERT_HELD(&rmap_lock);
	// LAB 6 BEGIN: the chain's walk: from p->chain through the pair slots
	u32 steps = 0;
	int n = 0;

	for (pte_t *e = p->chain; e && n < max; e = *next_slot(e)) {
		struct page *pt = pte_table(e);
		steps++;
		if (!mm_tryget_rmap(pt->owner_mm))
			continue;
		refs[n].mm = pt->owner_mm;
		refs[n].va = pt->owner_va + pte_slot_index(e) * PAGE_SIZE;
		n++;
	}
	count_vm_events(RMAP_WALK_STEPS, steps);
	return n;
	// LAB 6 STUB
//	/* TODO: each PTE on p's chain as (mm, va) (docs/labs/06-cow-rmap.md) */
//	static bool said;
//	if (!said) {
//		said = true;
//		printk("LAB 6: chain_collect() walks no chain: rmap=chain finds no mapping (mm/pte_chain.c)\n");
//	}
//	(void)p, (void)refs, (void)max;
//	return 0;
	// LAB 6 END
}

const struct rmap_ops rmap_chain_ops = {
	.name = "chain",
	.link = chain_link,
	.unlink = chain_unlink,
	.collect = chain_collect,
};
