/*
 * Anon objects: the anonymous layer of seed 001 (Miller 2000).
 *
 * Each VMA family (a VMA, the VMAs split from it, and its copies in forked
 * children) has one anon object, created the first time one of its VMAs
 * holds legacy pages (at fork, at the first fault under reclaim=clock, at
 * mmap for MAP_SHARED). The object lists the family's VMAs. A legacy page
 * points at the object and records its offset (page->index); a VMA records
 * where the object's offsets start in it (vma->pgoff), so the page sits at
 *
 *     va = v->start + ((page->index - v->pgoff) << PAGE_SHIFT)
 *
 * in each VMA v of the family whose range covers it, and nowhere else. A
 * split gives both halves the object and the upper half a larger pgoff; a
 * merge needs the same object (or none) and contiguous offsets.
 *
 * A shared object (MAP_SHARED|MAP_ANONYMOUS, VM_SHARED VMAs) also keeps a
 * table from offset to page, or to swap slot when the page is on disk: the
 * mappings do not copy on write, they all see the object's page, and a
 * mapping that never touched an offset finds it there (mm/shmem.c).
 *
 * The object lives while a VMA is linked to it. Pages do not hold it:
 * page->anon is cleared when a page's last mapping goes (mm/rmap.h).
 *
 * Locks: rmap_lock for the VMA list, nr_vmas and the shared table; the
 * linking VMA's mm's mmap_lock for writing (fork, split, merge, unmap),
 * or for reading plus rmap_lock for anon_prepare.
 */
#ifndef MM_ANON_H
#define MM_ANON_H

#include <kernel/types.h>
#include <kernel/list.h>
#include <mm/mm.h>

struct vma;
struct mm;
struct page;

struct anon {
	struct list_head vmas;  /* the family, through vma->anon_node */
	u32 nr_vmas;
	u32 id;                 /* for /proc and GDB */
	bool shared;            /* MAP_SHARED: pages looked up by offset in table */
	/* shared only: entries for offsets [0, npages): 0 none, a struct
	 * page pointer (bit 0 clear), or a swap slot (slot << 1 | 1); a
	 * two-level table of pages of entries, allocated as touched. */
	u32 npages;
	u32 **table;
	u32 ntable;             /* pointers in table */
	u32 busy;               /* shared: reads in flight (swap-in of an entry) */
};

/* Give v an anon object if it has none (mmap_lock held; may sleep).
 * 0 or -ENOMEM. */
int anon_prepare(struct vma *v);
/* A shared object of npages pages for a new VM_SHARED VMA (not yet
 * inserted); 0 or -ENOMEM. */
int anon_prepare_shared(struct vma *v, u32 npages);
/* fork: child, a copy of parent, joins parent's family (parent gets an
 * object first if it has none). 0 or -ENOMEM. */
int anon_fork(struct vma *parent, struct vma *child);
/* split: n, the new upper half of v (already holding v's fields but its
 * own start), joins v's family with its pgoff adjusted. */
void anon_split(struct vma *v, struct vma *n);
/* merge: b, right after a with the same object, goes away. */
void anon_merge(struct vma *a, struct vma *b);
/* May a and b (a right before b) be one VMA as far as the anon layer goes? */
bool anon_mergeable(struct vma *a, struct vma *b);
/* v leaves its family (unmapped, its mm torn down, or back in PPS); the
 * object goes with its last VMA (a shared one frees its pages and slots).
 * Its PTEs must be gone already (or be the caller's to keep, re-entry). */
void anon_unlink_vma(struct vma *v);
/* Something in a's family may now be private again: ask kppsd to look at
 * every mm of the family (pps_reenter.c). rmap_lock held. */
void anon_hint_reenter(struct anon *a);
/* Is every VMA of a's family in mm (so no other process can map, or hold
 * a swap entry of, its pages)? rmap_lock held. */
bool anon_private_to_mm(struct anon *a, struct mm *mm);
/* The offset of va in v's object. */
static inline u32 vma_page_index(const struct vma *v, u32 va)
{
	return v->pgoff + ((va - v->start) >> PAGE_SHIFT);
}

#endif
