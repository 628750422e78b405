/*
 * Physical frames: one struct page per 4 KiB frame of RAM, and a buddy
 * allocator over them (blocks of 2^order frames, order 0..MAX_ORDER).
 *
 * The struct page array is the place every later mm structure hangs its
 * per-frame state (PPS records each private page's one owner here).
 * Lock: zone_lock in frame.c protects the free lists and the PG_free and
 * order fields of free blocks; other fields belong to the frame's owner.
 */
#ifndef MM_FRAME_H
#define MM_FRAME_H

#include <kernel/types.h>
#include <kernel/list.h>
#include <arch/x86/memlayout.h>
#include <arch/x86/pte.h>

#define MAX_ORDER 10            /* largest block: 4 MiB */

#define PG_reserved 0x01        /* never allocatable (firmware, kernel image) */
#define PG_free 0x02            /* head of a free buddy block */
#define PG_slab 0x04            /* a kmalloc slab page */
#define PG_large 0x08           /* a large kmalloc allocation (head) */
#define PG_dirty 0x10           /* PPS: differs from its swap copy (or has none) */
#define PG_readahead 0x20       /* PPS: read ahead, not yet touched */
#define PG_probation 0x1000     /* PPS: brought in by a sweep, not reused yet (mm/pps_age.h) */
#define PG_first_touch 0x2000   /* PPS: ... and the sweep's own touch not seen by stage 1 yet */
#define PG_pgtable 0x4000       /* a page table or page directory of a user mm (mm/pgtable.c, mm/mm.c) */
#define PG_deferred 0x40        /* unmapped and flushed, on a deferred free list */
/* The legacy page system (mm/rmap.h): pages that are not pure private. */
#define PG_legacy 0x80          /* mapped through an anon object, counted (mapcount, count) */
#define PG_swapcache 0x100      /* legacy: in the swap cache under swap_slot (mm/swap_cache.h) */
#define PG_locked 0x200         /* legacy: being read from swap, contents not valid yet */
#define PG_writeback 0x400      /* legacy: being written to its slot by the clock */
#define PG_referenced 0x800     /* legacy: the clock found it young on its last visit */

struct kmem_cache;
struct mm;
struct anon;

struct page {
	u32 flags;
	u8 order;               /* of the free block or allocation it heads */
	struct list_head list;  /* free list, or its slab cache's list */
	struct kmem_cache *slab_cache;
	/* A private user page's one owner (the one-to-one model): the mm and
	 * virtual address of the single PTE that maps it. A page table with
	 * rmap=chain: its mm and the base of the 4 MiB it maps (set while it
	 * has a pair; mm/pte_chain.c). */
	struct mm *owner_mm;
	u32 owner_va;
	/* PPS (mm/pps.c): the swap slot attached in stage 3 (0: none), and
	 * the delayed TLB flush that must finish before stage 2 (mm/dftlb.c). */
	u32 swap_slot;
	u32 dftlb_seq;
	/* PPS aging (mm/pps_age.h): the last kppsd pass that found it
	 * accessed (page_table_lock). */
	u32 age_seq;
	void *slab_free;        /* first free object of a slab page */
	u16 slab_inuse;
	/* The legacy page system (PG_legacy; mm/rmap.h, rmap_lock):
	 *  anon, index: the VMA family's anon object and the page's offset in
	 *    it (seed 001); in a VMA v it sits at
	 *    v->start + ((index - v->pgoff) << PAGE_SHIFT). NULL while no
	 *    PTE maps the page (it waits in the swap cache).
	 *  mapcount: PTEs that hold the frame (present, PROT_NONE).
	 *  count: references: mapcount + 1 for the swap cache or a shared
	 *    object's table + pins held across a TLB flush or an I/O. The
	 *    frame is freed when it drops to 0 (legacy_page_put).
	 *  chain: rmap=chain: the first PTE that maps it (seed 002);
	 *    the next one is found through the PTE's page table pair.
	 *  sc_next: the swap cache's hash chain; in a page table (rmap=chain),
	 *    its pair of chain next-pointers, and in the pair, mapcount counts
	 *    the table's PTEs on a chain (mm/pte_chain.c). */
	struct anon *anon;
	u32 index;
	u32 mapcount;
	u32 count;
	pte_t *chain;
	struct page *sc_next;
};

extern struct page *page_array;
extern u32 max_pfn;             /* frames [0, max_pfn) have a struct page */

void frame_init(u32 max_pfn, phys_addr_t array_pa);
void frame_add_free_range(phys_addr_t start, phys_addr_t end);
struct page *alloc_pages(unsigned order);
void free_pages(struct page *p, unsigned order);
static inline struct page *alloc_page(void) { return alloc_pages(0); }
static inline void free_page(struct page *p) { free_pages(p, 0); }

/* Same, by kernel virtual address (direct map), NULL on failure. */
void *alloc_pages_virt(unsigned order);
void free_pages_virt(void *va, unsigned order);

static inline u32 page_to_pfn(struct page *p) { return (u32)(p - page_array); }
static inline struct page *pfn_to_page(u32 pfn) { return &page_array[pfn]; }
static inline void *page_address(struct page *p) { return P2V(page_to_pfn(p) << PAGE_SHIFT); }
static inline struct page *virt_to_page(const void *va) { return pfn_to_page(V2P(va) >> PAGE_SHIFT); }

u32 nr_free_pages(void);
u32 nr_managed_pages(void);     /* frames handed to the allocator at boot */
void frame_dump(void (*out)(const char *fmt, ...));

#endif
