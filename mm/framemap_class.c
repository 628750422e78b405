/*
 * The frame map's classifier (see framemap_class.h): pfn -> enum
 * frame_class, from struct page and, for a private user page, the one PTE
 * that owns it.
 *
 * The classes follow the counters the kernel already keeps, so the map
 * and /proc agree:
 *  - FREE adds up to nr_free_pages() (every frame of every PG_free block);
 *  - the five PPS classes are meminfo's PpsYoung, PpsOld,
 *    PpsUnmappedNoSlot, PpsUnmappedDirty and PpsUnmappedClean: the stage
 *    comes from pps_pte_stage(), the same rule as pps_count_mm(). One
 *    difference: the map goes frame by frame and cannot see the VMA, so the
 *    few owned pages of file-image VMAs ("own" in /proc/PID/pps_maps: text
 *    and data) count as young or old here, where meminfo, walking
 *    VM_PURE_PRIVATE VMAs only, leaves them out;
 *  - SWAP_CACHE + LEGACY + COW is nr_legacy_pages (vmstat), SWAP_CACHE
 *    alone nr_legacy_swapcache;
 *  - DEFERRED is nr_deferred_free.
 *
 * No lock is taken, on purpose: the map is a picture, redrawn a few times
 * a second, and taking page_table_lock and rmap_lock for every frame would
 * make the picture change what it shows (and stall kppsd). A frame may
 * change class while it is read; the worst outcome is one frame drawn in
 * the class it had a moment before or after, or FRAME_USER for a page
 * caught between its page and its PTE. What must hold is that no racy
 * read can fault: struct pages never go away; the owner's mm, its page
 * directory and its page table may have been freed meanwhile, so every
 * pointer is checked to lie in the direct map of RAM before it is read
 * (freed memory stays mapped there: reading it gives stale values, never a
 * fault), and every pfn is checked against max_pfn. Nothing is written.
 */
#include <mm/framemap_class.h>
#include <mm/frame.h>
#include <mm/mm.h>
#include <mm/anon.h>
#include <mm/pps.h>

/* Colours: the VGA text palette (0 black, 1 blue, 2 green, 3 cyan, 4 red,
 * 5 magenta, 6 brown, 7 light grey, 8 dark grey, 9-15 the light ones). */
const struct frame_class_info frame_class_info[NR_FRAME_CLASSES] = {
	[FRAME_FREE] = { "free", '.', 0 },
	[FRAME_RESERVED] = { "reserved", '#', 8 },
	[FRAME_KERNEL] = { "kernel", 'K', 7 },
	[FRAME_PAGE_TABLE] = { "pagetable", 'P', 6 },
	[FRAME_PPS_YOUNG] = { "young", 'y', 10 },
	[FRAME_PPS_OLD] = { "old", 'o', 2 },
	[FRAME_PPS_UNMAPPED] = { "unmapped", 'u', 14 },
	[FRAME_PPS_SLOT] = { "slot", 's', 12 },
	[FRAME_PPS_WRITTEN] = { "written", 'w', 4 },
	[FRAME_SWAP_CACHE] = { "swapcache", 'c', 3 },
	[FRAME_LEGACY] = { "legacy", 'L', 9 },
	[FRAME_COW] = { "cow", 'C', 13 },
	[FRAME_USER] = { "user", 'U', 15 },
	[FRAME_DEFERRED] = { "deferred", 'd', 5 },
};

enum frame_class frame_class_of(const struct frame_snap *s)
{
	if (s->flags & PG_deferred)
		return FRAME_DEFERRED;
	if (s->free)
		return FRAME_FREE;
	if (s->flags & PG_reserved)
		return FRAME_RESERVED;
	if (s->flags & PG_pgtable)
		return FRAME_PAGE_TABLE;
	if (s->flags & (PG_swapcache | PG_locked | PG_writeback))
		return FRAME_SWAP_CACHE;
	if (s->flags & PG_legacy)
		return s->mapcount >= 2 && !s->shared_anon ? FRAME_COW : FRAME_LEGACY;
	if (!s->owned)
		return FRAME_KERNEL;
	if (!s->pte_maps_it)
		return FRAME_USER;
	switch (pps_pte_stage(s->pte)) {
	case PPS_STAGE_AGE:
		return FRAME_PPS_YOUNG;
	case PPS_STAGE_UNMAP:
		return FRAME_PPS_OLD;
	case PPS_STAGE_ATTACH:
		return FRAME_PPS_UNMAPPED;
	case PPS_STAGE_WRITE:
		return FRAME_PPS_SLOT;
	case PPS_STAGE_FREE:
		return FRAME_PPS_WRITTEN;
	default:
		return FRAME_USER;      /* PROT_NONE */
	}
}

/* Is [va, va + size) inside the direct map of RAM? */
static bool direct_mapped(const void *va, u32 size)
{
	uintptr_t a = (uintptr_t)va;

	return a >= KERNEL_BASE && a - KERNEL_BASE <= ((uintptr_t)max_pfn << PAGE_SHIFT) - size;
}

/* Is pfn inside a free block? Its head is pfn rounded down to some 2^k. */
static bool pfn_in_free_block(u32 pfn)
{
	for (u32 k = 0; k <= MAX_ORDER; k++) {
		u32 head = pfn & ~((1u << k) - 1);
		struct page *h = pfn_to_page(head);
		u32 order = READ_ONCE(h->order);
		if ((READ_ONCE(h->flags) & PG_free) && order <= MAX_ORDER && pfn - head < (1u << order))
			return true;
	}
	return false;
}

/* The PTE at va of mm, read without locks (see the top comment); 0 when
 * any step does not look like a live page directory and table. */
static pte_t owner_pte(struct mm *mm, u32 va)
{
	pde_t *pgdir;
	pde_t d;

	if (!direct_mapped(mm, sizeof(*mm)) || va >= USER_TOP)
		return 0;
	pgdir = READ_ONCE(mm->pgdir);
	if (!direct_mapped(pgdir, PAGE_SIZE) || ((uintptr_t)pgdir & (PAGE_SIZE - 1)))
		return 0;
	d = READ_ONCE(pgdir[PDE_INDEX(va)]);
	if (!pde_present(d) || pde_big(d) || (pde_table_pa(d) >> PAGE_SHIFT) >= max_pfn)
		return 0;
	return READ_ONCE(((pte_t *)P2V(pde_table_pa(d)))[PTE_INDEX(va)]);
}

enum frame_class frame_classify(u32 pfn)
{
	struct page *p = pfn_to_page(pfn);
	struct frame_snap s = { 0 };
	struct mm *mm;
	struct anon *a;

	s.flags = READ_ONCE(p->flags);
	s.free = pfn_in_free_block(pfn);
	if (s.flags & PG_legacy) {
		s.mapcount = READ_ONCE(p->mapcount);
		a = READ_ONCE(p->anon);
		s.shared_anon = a && direct_mapped(a, sizeof(*a)) && READ_ONCE(a->shared);
	}
	mm = READ_ONCE(p->owner_mm);
	if (mm) {
		s.owned = true;
		s.pte = owner_pte(mm, READ_ONCE(p->owner_va));
		s.pte_maps_it = pte_has_page(s.pte) && pte_pfn(s.pte) == pfn;
	}
	return frame_class_of(&s);
}
