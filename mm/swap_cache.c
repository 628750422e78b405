/*
 * The swap cache (see swap_cache.h): a hash from slot number to the legacy
 * page holding that slot's contents, chained through page->sc_next.
 * Everything here runs under rmap_lock.
 */
#include <mm/swap_cache.h>
#include <mm/rmap.h>
#include <mm/swapfile.h>
#include <mm/frame.h>
#include <mm/vmstat.h>
#include <kernel/lock_assert.h>
#include <kernel/panic.h>

#define SWAP_CACHE_BUCKETS 1024
static struct page *buckets[SWAP_CACHE_BUCKETS];

static struct page **bucket(u32 slot)
{
	return &buckets[(slot * 2654435761u) >> 22]; /* 10 bits of a multiplicative hash */
}

struct page *swap_cache_lookup(u32 slot)
{
	ASSERT_HELD(&rmap_lock);
	for (struct page *p = *bucket(slot); p; p = p->sc_next)
		if (p->swap_slot == slot)
			return p;
	return NULL;
}

void swap_cache_add(struct page *p, u32 slot)
{
	struct page **b = bucket(slot);

	ASSERT_HELD(&rmap_lock);
	ASSERT((p->flags & PG_legacy) && !(p->flags & PG_swapcache) && !p->swap_slot);
	ASSERT(!swap_cache_lookup(slot));
	p->flags |= PG_swapcache;
	p->swap_slot = slot;
	p->sc_next = *b;
	*b = p;
	p->count++;
	nr_swapcache_pages++;
	count_vm_event(SWAPCACHE_ADD);
}

void swap_cache_del(struct page *p)
{
	struct page **pp = bucket(p->swap_slot);

	ASSERT_HELD(&rmap_lock);
	ASSERT(p->flags & PG_swapcache);
	while (*pp != p) {
		ASSERT(*pp);
		pp = &(*pp)->sc_next;
	}
	*pp = p->sc_next;
	p->sc_next = NULL;
	swap_slot_free(&swap_area_main, p->swap_slot);
	p->swap_slot = 0;
	p->flags &= ~PG_swapcache;
	nr_swapcache_pages--;
	/* the reference is the caller's to put (not under rmap_lock: the
	 * put may free the frame) */
}

void legacy_swap_free(u32 slot)
{
	struct page *p;

	/* The common case (every PPS SwappedPTE, an exit's zap): the entry
	 * holds the slot's only use, so no cache page can exist (the cache
	 * holds a use of its own) and nobody can add one (a new use is taken
	 * only by a holder of one). No rmap_lock on that path. */
	if (swap_slot_count(&swap_area_main, slot) == 1) {
		swap_slot_free(&swap_area_main, slot);
		return;
	}
	spin_lock(&rmap_lock);
	swap_slot_free(&swap_area_main, slot);
	p = swap_cache_lookup(slot);
	if (p && p->mapcount == 0 && !(p->flags & (PG_locked | PG_writeback)) &&
	    swap_slot_count(&swap_area_main, slot) == 1) {
		/* Nobody maps the page and no SwappedPTE is left to fault it
		 * in: the cache is its last user. */
		swap_cache_del(p);
		spin_unlock(&rmap_lock);
		legacy_page_put(p);
		return;
	}
	spin_unlock(&rmap_lock);
}
