/*
 * The swap cache: legacy pages that have a copy on a swap slot, found by
 * slot number (Linux's swapper_space). A legacy page swapped out while
 * shared leaves a SwappedPTE in each mapping, each holding one use of the
 * slot; the first of them to fault reads the page and leaves it here, and
 * the others then map it from memory without I/O.
 *
 * A page in the cache has PG_swapcache, page->swap_slot, one use of the
 * slot (the cache's) and one reference (page->count). PG_locked while it
 * is being read (the contents are not there yet: wait for the unlock);
 * PG_writeback while the clock writes it.
 *
 * Lock: rmap_lock for all of it (asserted).
 */
#ifndef MM_SWAP_CACHE_H
#define MM_SWAP_CACHE_H

#include <kernel/types.h>

struct page;

/* The page holding slot's contents, or NULL. */
struct page *swap_cache_lookup(u32 slot);
/* Put p in the cache under slot: the caller hands over one use of slot
 * (swap_slot_dup it first if it keeps its own) and p gains a reference. */
void swap_cache_add(struct page *p, u32 slot);
/* Take p out: its slot use is dropped (swap_slot_free) and its reference
 * is the caller's to put. */
void swap_cache_del(struct page *p);
/* A SwappedPTE's use of slot ends (zap, swap-in): drop it, and if only the
 * cache's use is left and the cached page is unmapped and idle, take the
 * page out and free it. rmap_lock NOT held (taken here); any context
 * that may take it (page_table_lock may be held). */
void legacy_swap_free(u32 slot);

#endif
