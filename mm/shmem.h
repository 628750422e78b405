/*
 * Shared anonymous memory (MAP_SHARED|MAP_ANONYMOUS): a shared anon object
 * (anon->shared) owns the pages, by offset, in a table; every VM_SHARED
 * mapping of the family maps the object's page, writable, and a write is
 * seen by all. A page on disk is a slot in the table (not a SwappedPTE):
 * the mappings' PTEs are simply empty, and whichever touches it first
 * reads it back into the table for all.
 *
 * Table entries: 0 (never touched: zeros), a struct page pointer, a swap
 * slot (slot << 1 | 1), or SHM_BUSY while a fault fills it. A page in the
 * table is PG_legacy with anon = the object and index = its offset for
 * its whole life, and the table holds one reference on it.
 *
 * Locks: rmap_lock for the table; the faulting mm's mmap_lock (reading)
 * and page_table_lock as for any fault.
 */
#ifndef MM_SHMEM_H
#define MM_SHMEM_H

#include <kernel/types.h>

struct anon;
struct page;

#define SHM_BUSY 2u

int shmem_init(struct anon *a, u32 npages);
/* The object's last VMA is gone: its pages and slots go too. */
void shmem_destroy(struct anon *a);
/* The clock evicted p (unmapped everywhere, written to slot, whose one use
 * the caller hands over): its entry becomes the slot. The table's
 * reference on p is now the caller's to put. false (nothing changed) if
 * the entry no longer holds p. rmap_lock held. */
bool shmem_evict_done(struct page *p, u32 slot);

#endif
