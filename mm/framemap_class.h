/*
 * What a physical frame is, in one word: the frame map's classifier
 * (kernel/framemap.c draws it on the VGA screen, /proc/framemap prints it).
 *
 * frame_classify(pfn) reads the frame's struct page (and, for a private
 * user page, its owner's PTE) without taking any lock: the answer is a
 * figure, like /proc/meminfo's, never a decision. See framemap_class.c
 * for why every racy read is safe to make.
 */
#ifndef MM_FRAMEMAP_CLASS_H
#define MM_FRAMEMAP_CLASS_H

#include <kernel/types.h>
#include <arch/x86/pte.h>

/* In the order of the legend. GDB prints the names (`p pass.cls[pfn]` in
 * kernel/framemap.c); packed: one byte per frame in a pass. */
enum __attribute__((packed)) frame_class {
	FRAME_FREE,             /* in a free buddy block */
	FRAME_RESERVED,         /* never allocatable: firmware, holes, kernel image, struct pages */
	FRAME_KERNEL,           /* the kernel's own: slab, stacks, buffers, rmap tables */
	FRAME_PAGE_TABLE,       /* a user mm's page table or page directory (PG_pgtable) */
	FRAME_PPS_YOUNG,        /* PPS stage 1: present, accessed bit set */
	FRAME_PPS_OLD,          /* stage 2: present, accessed bit cleared */
	FRAME_PPS_UNMAPPED,     /* stage 3: UnmappedPTE, no swap slot */
	FRAME_PPS_SLOT,         /* stage 4: UnmappedPTE, slot attached, dirty */
	FRAME_PPS_WRITTEN,      /* stage 5: UnmappedPTE, written (clean): its frame is next to go */
	FRAME_SWAP_CACHE,       /* legacy page in the swap cache (or reading, writing) */
	FRAME_LEGACY,           /* legacy page: shared memory, or one mapping left */
	FRAME_COW,              /* legacy page of a private family mapped by 2+ PTEs: a write copies */
	FRAME_USER,             /* owned user page in no stage: PROT_NONE, or caught changing */
	FRAME_DEFERRED,         /* unmapped and flushed, on a deferred free list */
	NR_FRAME_CLASSES
};

struct frame_class_info {
	const char *name;       /* one word, for the legends */
	char ch;                /* in /proc/framemap's text map */
	u8 colour;              /* VGA text colour 0..15, each class its own */
};
extern const struct frame_class_info frame_class_info[NR_FRAME_CLASSES];

/* What frame_class_of() looks at, read once. */
struct frame_snap {
	bool free;              /* inside a free buddy block */
	u32 flags;
	u32 mapcount;           /* legacy */
	bool shared_anon;       /* legacy: its anon object is MAP_SHARED's */
	bool owned;             /* owner_mm set */
	bool pte_maps_it;       /* owned, and the owner's PTE holds this frame */
	pte_t pte;              /* that PTE, if so */
};

/* The rule, on a snapshot (the ktest feeds it fixtures). */
enum frame_class frame_class_of(const struct frame_snap *s);
/* Snapshot pfn's state (no locks) and classify it. pfn < max_pfn. */
enum frame_class frame_classify(u32 pfn);

#endif
