/*
 * The one-handed clock over physical frames (seed 002; see clock.h).
 *
 * LaHaise's kswapd "scans pages using a single handed clock algorithm",
 * and because it goes page by page, a page shared by many processes is
 * "touched once for all mappings". Here the hand is a pfn; at each frame
 * that holds a legacy page it looks at every PTE the rmap finds:
 *
 *   some PTE young   -> clear the accessed bits, keep the page (PG_referenced)
 *   every PTE old    -> evict: a slot, the swap cache, each PTE a SwappedPTE
 *                       (a shared object's: none), a shootdown per PTE, the
 *                       write once no PTE is left, then the frame freed
 *   mapped nowhere   -> (in the swap cache, or in a shared object's table)
 *                       write it if dirty and free it: the cheapest reclaim
 *   mlocked anywhere -> left alone (VM_LOCKED, as PPS leaves such VMAs)
 *
 * Pages go one at a time: one slot, one disk command and one shootdown per
 * PTE each, the costs PPS's series and delayed flushes avoid (the clock is
 * the baseline PPS is measured against, reclaim=clock). When no slot is
 * left, the slots that only duplicate a resident page are given back first
 * (clock_free_swap_cache), and only then is swap full. A failed write
 * loses nothing: the page stays in memory, dirty (clock_write).
 *
 * Invariants:
 *  - The page being evicted is pinned (a reference, as legacy_page_get
 *    takes) from the moment the hand picks it under rmap_lock until the
 *    end of its visit, so a racing exit or munmap that drops every mapping
 *    cannot free it under us; the frame is freed by our last put
 *    (legacy_page_put returns true), which is what res->freed counts.
 *  - A PTE becomes a SwappedPTE only by cmpxchg from a value with A clear,
 *    and holds a use of the slot from that moment (swap_slot_dup first).
 *    The mapping's page reference is put only after mm_flush_tlb_range has
 *    returned: until then another CPU may still write through a stale
 *    translation, and the write-out comes after the last flush.
 *  - PG_dirty is cleared before the write, with PG_writeback set, and set
 *    again if the write fails: a D bit folded in by anyone while the disk
 *    works survives. A page leaves memory only clean, or when no
 *    SwappedPTE names its slot any more (nobody can ever read it back).
 *  - One pass at a time (clock_busy): the hand and the collect buffer are
 *    the pass's.
 *
 * Locks: none held on entry. rmap_lock for every look at a page's legacy
 * fields and flags; each place's mmap_lock, only tried and only around a
 * look at its VMA (VM_LOCKED); rmap_lock_pte takes a mapping's
 * page_table_lock (and rmap_lock nests inside it for the rmap calls). No
 * spinlock is held across mm_flush_tlb_range (its IPIs) nor swap_io_sync
 * (the disk).
 */
#include <mm/clock.h>
#include <mm/rmap.h>
#include <mm/anon.h>
#include <mm/swap_cache.h>
#include <mm/shmem.h>
#include <mm/mm.h>
#include <mm/frame.h>
#include <mm/swapfile.h>
#include <mm/swap_io.h>
#include <mm/vmstat.h>
#include <kernel/lock_assert.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <arch/x86/cpu.h>

u32 clock_hand;
struct clock_result clock_last;
static volatile u32 clock_busy;
/* The places of the page being visited (a pass's; too big for a stack). */
static struct rmap_ref refs[RMAP_REFS_MAX];

/* What the hand decides at a page it picked. */
enum clock_verdict { CLOCK_SKIP, CLOCK_KEEP, CLOCK_EVICT };

/*
 * Pick the frame at the hand: a legacy page the clock may look at, pinned.
 * Pages being read in (PG_locked) or written out (PG_writeback) are left
 * alone: someone is working on them. A page with no mapping is a candidate
 * only if it waits in the swap cache or a shared object's table: otherwise
 * it is on its way out already.
 */
static bool clock_pick(struct page *p)
{
	bool pick;

	if (!(p->flags & PG_legacy))
		return false; /* unlocked peek: most frames are not legacy */
	spin_lock(&rmap_lock);
	pick = (p->flags & PG_legacy) && p->count > 0 && !(p->flags & (PG_locked | PG_writeback)) &&
	       (p->mapcount > 0 || (p->flags & PG_swapcache) || (p->anon && p->anon->shared));
	if (pick)
		p->count++; /* the pin, as legacy_page_get takes it, under the lock of the checks */
	spin_unlock(&rmap_lock);
	return pick;
}

static bool page_is_shared(struct page *p)
{
	ASSERT_HELD(&rmap_lock);
	return p->anon && p->anon->shared;
}

/*
 * May the page leave the places the rmap found? Not if one of them lies in
 * an mlocked VMA (VM_LOCKED: never reclaimed, as PPS skips such VMAs).
 * Only the rmap knows the places, and only the VMA the flag, so each mm's
 * mmap_lock is tried for a look: kppsd never waits for it (a writer may
 * itself wait for reclaim, as fork does), and an mm busy with a writer
 * (mmap, munmap, mlock, fork building it) keeps the page for this turn.
 */
static bool clock_may_evict(int n)
{
	for (int i = 0; i < n; i++) {
		struct mm *mm = refs[i].mm;
		if (!down_read_trylock(&mm->mmap_lock))
			return false;
		struct vma *v = vma_find(mm, refs[i].va);
		bool locked = v && (v->flags & VM_LOCKED);
		up_read(&mm->mmap_lock);
		if (locked)
			return false;
	}
	return true;
}

/*
 * Test and clear the accessed bit of every PTE that maps p; true if any
 * was set. No TLB flush follows: a CPU that still caches the translation
 * with A set will not set A again until the entry leaves its TLB, so the
 * page only looks colder than it is. That is acceptable for a clock
 * (Linux's ptep_clear_flush_young skips the flush on x86 for this reason),
 * and the eviction that may follow re-checks A under the lock and shoots
 * the TLBs down before the frame is reused. D is left as it is: it moves
 * into PG_dirty only when the PTE goes.
 */
static bool clock_test_young(struct page *p, int n)
{
	bool young = false;

	for (int i = 0; i < n; i++) {
		pte_t *ptep = rmap_lock_pte(&refs[i], p);
		if (!ptep)
			continue; /* not (or no longer) mapped there */
		for (;;) {
			pte_t old = *ptep;
			if (!pte_young(old))
				break;
			if (pte_cmpxchg(ptep, old, pte_mkold(old))) {
				young = true;
				break;
			}
		}
		spin_unlock(&refs[i].mm->page_table_lock);
	}
	return young;
}

/*
 * A use of p's swap-cache slot for a SwappedPTE of the mapping whose
 * page_table_lock is held. Until the first SwappedPTE holds one, the
 * cache's use is the slot's only one, and a write fault of p's one mapping
 * may take the page over and let the slot go (cow_fault, under that
 * mapping's page_table_lock): so the slot is checked, under rmap_lock,
 * to still be p's. false: it is not, or its count is full.
 */
static bool clock_dup_slot(struct page *p, u32 slot)
{
	bool ok;

	spin_lock(&rmap_lock);
	ok = (p->flags & PG_swapcache) && p->swap_slot == slot && !swap_slot_dup(&swap_area_main, slot);
	spin_unlock(&rmap_lock);
	return ok;
}

/*
 * Take p out of one mapping, whose PTE (ptep, page_table_lock held) is
 * replaced by `to` unless the CPU made it young again since the test.
 * swapped: `to` is a SwappedPTE that holds a use of slot (taken here).
 * false: the PTE stays (young, or no use of the slot to take).
 */
static bool clock_unmap_one(struct page *p, struct rmap_ref *r, pte_t *ptep, u32 slot, bool swapped)
{
	pte_t old;

	ASSERT_HELD(&r->mm->page_table_lock);
	if (swapped && !clock_dup_slot(p, slot))
		return false;
	for (;;) {
		old = *ptep;
		pte_t to = swapped ? pte_mkswapped(slot, pte_write(old)) : 0;
		if (pte_young(old)) {
			if (swapped)
				swap_slot_free(&swap_area_main, slot);
			return false;
		}
		if (pte_cmpxchg(ptep, old, to))
			break; /* the CPU may have set D meanwhile: read again */
	}
	page_remove_rmap(p, r->mm, r->va, ptep, old); /* D into PG_dirty too */
	ASSERT(r->mm->rss > 0); /* rss counts this frame */
	r->mm->rss--;
	return true;
}

/*
 * Unmap p everywhere the rmap found it. Each PTE changed is flushed from
 * every CPU that has its mm loaded (an IPI to each other one: the cost
 * PPS's delayed flush avoids) before the mapping's reference is put.
 * Stops at the first PTE found young again. true if no mapping is left.
 */
static bool clock_unmap_all(struct page *p, int n, u32 slot, bool swapped, struct clock_result *res)
{
	for (int i = 0; i < n; i++) {
		pte_t *ptep = rmap_lock_pte(&refs[i], p);
		if (!ptep)
			continue;
		bool done = clock_unmap_one(p, &refs[i], ptep, slot, swapped);
		spin_unlock(&refs[i].mm->page_table_lock);
		if (!done)
			return false;
		mm_flush_tlb_range(refs[i].mm, refs[i].va, refs[i].va + PAGE_SIZE);
		legacy_page_put(p); /* the mapping's; our pin keeps the frame */
		res->unmapped++;
	}
	spin_lock(&rmap_lock);
	bool gone = p->mapcount == 0;
	spin_unlock(&rmap_lock);
	return gone;
}

/*
 * Swap is full: give back the slots that only duplicate a page in memory.
 * A page read back from swap keeps its slot in the swap cache while it
 * stays clean (leaving again costs no write), so once every page has been
 * out and back, the resident ones hold slots that the pages on their way
 * out need. A slot whose one use is the cache's is named by no SwappedPTE:
 * the page drops it and becomes dirty (Linux frees such slots when swap
 * is half full, try_to_free_swap). One sweep over the frames; returns the
 * slots freed. No lock held.
 */
static u32 clock_free_swap_cache(void)
{
	u32 freed = 0;

	for (u32 pfn = 0; pfn < max_pfn; pfn++) {
		struct page *p = pfn_to_page(pfn);
		bool drop;

		if (!(p->flags & PG_swapcache))
			continue; /* unlocked peek */
		spin_lock(&rmap_lock);
		drop = (p->flags & (PG_legacy | PG_swapcache)) == (PG_legacy | PG_swapcache) &&
		       !(p->flags & (PG_locked | PG_writeback)) &&
		       swap_slot_count(&swap_area_main, p->swap_slot) == 1;
		if (drop) {
			swap_cache_del(p);
			p->flags |= PG_dirty; /* no copy on disk any more */
		}
		spin_unlock(&rmap_lock);
		if (drop) {
			legacy_page_put(p); /* the cache's: frees it if nobody maps it */
			freed++;
		}
	}
	return freed;
}

/* One fresh slot, its one use the caller's; 0 when swap is full (even
 * after clock_free_swap_cache) or off. No lock held. */
static u32 clock_alloc_slot(struct clock_result *res)
{
	struct swap_extent ext;
	int next = 0;

	if (!swap_enabled)
		goto full;
	if (swap_slots_alloc_batch(&swap_area_main, 1, &ext, 1, &next) == 1)
		return ext.start;
	if (clock_free_swap_cache() && swap_slots_alloc_batch(&swap_area_main, 1, &ext, 1, &next) == 1)
		return ext.start;
full:
	res->swap_full = true;
	return 0;
}

/*
 * Write p (pinned, PG_writeback set and PG_dirty cleared by the caller
 * under rmap_lock) to slot, with no lock held. Returns with rmap_lock
 * held, PG_writeback cleared and, if the write failed, PG_dirty set again:
 * the page is not lost, it stays in memory with its data.
 */
static bool clock_write(struct page *p, u32 slot, struct clock_result *res)
{
	u32 err_slot = 0;
	int r = swap_io_sync(&p, 1, slot, true, &err_slot);

	if (r)
		printk("clock: writing pfn %#x to swap slot %u failed (%d): page kept\n", page_to_pfn(p), slot, r);
	spin_lock(&rmap_lock);
	p->flags &= ~PG_writeback;
	if (!r) {
		res->written++;
		return true;
	}
	p->flags |= PG_dirty;
	res->io_errors++;
	return false;
}

/*
 * A private page's write failed on its swap-cache slot. If the cache's use
 * is the slot's only one (every SwappedPTE of it has been read back or
 * dropped meanwhile), nobody needs that slot any more: take the page out
 * of the cache and retire the slot (swap_slot_mark_bad, as stage4_done
 * does), so the next eviction gets the page another one. Otherwise
 * SwappedPTEs still name the slot and find the page through the cache, so
 * it stays there, dirty, and a later visit tries the write again (a disk
 * that fails for good keeps the page in memory: nothing is lost, and the
 * retry costs one write per revolution). rmap_lock held (no new use of a
 * slot is taken without it: swap-ins and fork find the slot through a
 * SwappedPTE, which holds a use already); true if the slot was retired and
 * the cache's page reference is now the caller's to put.
 */
static bool clock_retire_slot(struct page *p, u32 slot)
{
	ASSERT_HELD(&rmap_lock);
	if (swap_slot_count(&swap_area_main, slot) != 1)
		return false;
	swap_slot_dup(&swap_area_main, slot);   /* ours, so the cache's can go */
	swap_cache_del(p);
	if (!swap_slot_mark_bad(&swap_area_main, slot))
		panic("clock: swap slot %u has another user", slot); /* rmap_lock kept it ours alone */
	return true;
}

/*
 * A private page mapped nowhere, in the swap cache: write it if its copy
 * is stale and someone will read it, then, if still nobody maps, pins or
 * dirties it, take it out of the cache; the visit's last put then frees
 * the frame. A slot whose only use is the cache's is named by no
 * SwappedPTE: nobody can ever read it, so the page is dropped unwritten.
 */
static void clock_writeout_cached(struct page *p, struct clock_result *res)
{
	bool drop;
	u32 slot;

	spin_lock(&rmap_lock);
	if (p->mapcount || !(p->flags & PG_swapcache) || (p->flags & (PG_locked | PG_writeback))) {
		spin_unlock(&rmap_lock);
		return; /* a swap-in found it meanwhile, or someone else writes it */
	}
	slot = p->swap_slot;
	if ((p->flags & PG_dirty) && swap_slot_count(&swap_area_main, slot) > 1) {
		p->flags = (p->flags & ~PG_dirty) | PG_writeback;
		spin_unlock(&rmap_lock);
		if (!clock_write(p, slot, res)) {
			bool put = clock_retire_slot(p, slot);
			spin_unlock(&rmap_lock);
			if (put) {
				printk("clock: swap slot %u is bad now (%u so far)\n", slot,
				       swap_area_main.nbad_later);
				legacy_page_put(p);
			}
			return;
		}
	}
	/* rmap_lock held. count 2: the cache's reference and our pin. */
	drop = !p->mapcount && p->count == 2 && (p->flags & PG_swapcache) &&
	       !(p->flags & (PG_locked | PG_writeback)) &&
	       (!(p->flags & PG_dirty) || swap_slot_count(&swap_area_main, slot) == 1);
	if (drop)
		swap_cache_del(p);
	spin_unlock(&rmap_lock);
	if (drop)
		legacy_page_put(p); /* the cache's */
}

/*
 * Evict a private legacy page (copy-on-write after fork, or every page
 * under reclaim=clock): one slot, held by the swap cache; each PTE a
 * SwappedPTE of that slot with a use of its own. The first mapping that
 * faults reads the page back into the cache, the others then find it
 * there without I/O.
 */
static void clock_evict_private(struct page *p, int n, struct clock_result *res)
{
	u32 slot, fresh = 0;
	bool cached;

	spin_lock(&rmap_lock);
	cached = p->flags & PG_swapcache;
	spin_unlock(&rmap_lock);
	/* A slot first, with no lock held: finding one may sweep the cache. */
	if (!cached && !(fresh = clock_alloc_slot(res)))
		return;
	spin_lock(&rmap_lock);
	if (fresh && !(p->flags & PG_swapcache)) {
		p->flags |= PG_dirty; /* a fresh slot holds nothing yet */
		swap_cache_add(p, fresh); /* the slot's one use becomes the cache's */
		fresh = 0;
	}
	slot = p->swap_slot; /* 0: it left the cache meanwhile (a COW took it over) */
	spin_unlock(&rmap_lock);
	if (fresh)
		swap_slot_free(&swap_area_main, fresh); /* cached meanwhile after all */
	if (slot && clock_unmap_all(p, n, slot, true, res))
		clock_writeout_cached(p, res);
	/* else: young again somewhere; it stays mapped there, and in the
	 * cache, so the PTEs already swapped find it without I/O */
}

/*
 * Evict a page of a shared object (MAP_SHARED|MAP_ANONYMOUS): its PTEs
 * become none (the object's table, not the PTEs, remembers where the page
 * went), and once no PTE is left the page goes to a fresh slot and
 * shmem_evict_done puts the slot in the table in its place. A mapping that
 * faults during the write finds the page in the table and keeps it. A
 * shared page never holds a slot of its own (shmem.c frees the slot when
 * it reads a page back): every eviction writes to a fresh one.
 */
static void clock_evict_shared(struct page *p, int n, struct clock_result *res)
{
	u32 slot;
	bool evicted;

	if (!clock_unmap_all(p, n, 0, false, res))
		return;
	if (!(slot = clock_alloc_slot(res)))
		return;
	spin_lock(&rmap_lock);
	if (p->mapcount || (p->flags & (PG_locked | PG_writeback))) {
		spin_unlock(&rmap_lock);
		swap_slot_free(&swap_area_main, slot);
		return; /* mapped again meanwhile */
	}
	/* A fresh slot holds nothing: it is written, dirty or not. */
	p->flags = (p->flags & ~PG_dirty) | PG_writeback;
	spin_unlock(&rmap_lock);
	if (!clock_write(p, slot, res)) {
		/* rmap_lock held. Nobody else knows this slot: retire it. */
		if (!swap_slot_mark_bad(&swap_area_main, slot))
			swap_slot_free(&swap_area_main, slot);
		spin_unlock(&rmap_lock);
		return;
	}
	/* count 2: the table's reference and our pin. p->anon: the object
	 * may have gone with its last VMA meanwhile. */
	evicted = !p->mapcount && p->count == 2 && !(p->flags & (PG_dirty | PG_locked)) && p->anon &&
		  p->anon->shared && shmem_evict_done(p, slot);
	spin_unlock(&rmap_lock);
	if (evicted)
		legacy_page_put(p); /* the table's; our pin is the last */
	else
		swap_slot_free(&swap_area_main, slot); /* mapped or written again meanwhile */
}

/* The hand at one frame. */
static void clock_visit(struct page *p, struct clock_result *res)
{
	enum clock_verdict v = CLOCK_EVICT;
	int n = 0;
	bool shared;

	if (!clock_pick(p))
		return;
	n = rmap_collect(p, refs, RMAP_REFS_MAX);
	if (n >= RMAP_REFS_MAX || !clock_may_evict(n))
		v = CLOCK_SKIP; /* mlocked, busy, or more places than we can see */
	else if (clock_test_young(p, n))
		v = CLOCK_KEEP;
	spin_lock(&rmap_lock);
	if (v == CLOCK_KEEP)
		p->flags |= PG_referenced;
	else if (v == CLOCK_EVICT)
		p->flags &= ~PG_referenced;
	shared = page_is_shared(p);
	spin_unlock(&rmap_lock);
	if (v == CLOCK_KEEP)
		res->referenced++;
	else if (v == CLOCK_EVICT && shared)
		clock_evict_shared(p, n, res);
	else if (v == CLOCK_EVICT)
		clock_evict_private(p, n, res);
	rmap_refs_put(refs, MIN(n, RMAP_REFS_MAX));
	if (legacy_page_put(p)) /* the pin: the last reference if evicted */
		res->freed++;
}

u32 clock_pass(u32 target, struct clock_result *res)
{
	memset(res, 0, sizeof(*res));
	if (cmpxchg(&clock_busy, 0, 1))
		return 0; /* another pass has the hand */
	for (u32 i = 0; i < max_pfn && res->freed < target && !res->swap_full; i++) {
		u32 pfn = clock_hand;
		clock_hand = pfn + 1 < max_pfn ? pfn + 1 : 0;
		res->scanned++;
		clock_visit(pfn_to_page(pfn), res);
	}
	count_vm_events(CLOCK_SCANNED, res->scanned);
	count_vm_events(CLOCK_REFERENCED, res->referenced);
	count_vm_events(CLOCK_UNMAPPED, res->unmapped);
	count_vm_events(CLOCK_WRITTEN, res->written);
	count_vm_events(CLOCK_FREED, res->freed);
	clock_last = *res;
	clock_busy = 0;
	return res->freed;
}
