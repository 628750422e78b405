/*
 * ktests for mm/pgtable.c: page tables made on demand and found again, the
 * one walker (for_each_pte, pte_walk_skip) at the edges of tables, of
 * ranges and of user space, and the three functions that change entries
 * in bulk: pte_zap_range (frees frames and slots, except a busy entry's
 * slot), pte_protect_range and pgtable_free_all.
 *
 * Entries are built by hand here (a frame with its owner set, a slot taken
 * from the swap area), as the faults and the stages would leave them, so
 * that each kind is tested whatever the rest of mm does. kppsd is paused
 * while they exist: its passes would age or unmap them between the checks.
 */
#include <kernel/ktest.h>
#include <kernel/string.h>
#include <mm/mm.h>
#include <mm/kppsd.h>
#include <mm/frame.h>
#include <mm/tlb_gather.h>
#include <mm/deferred_free.h>
#include <mm/swapfile.h>
#include <mm/vmstat.h>
#include <arch/x86/paging.h>
#include "pps_fixture.h"

/* Make the page tables that map these addresses (no entries in them). */
static bool alloc_tables(struct mm *mm, const u32 *va, u32 n)
{
	bool ok = true;

	for (u32 i = 0; i < n; i++)
		ok &= make_table(mm, va[i]);
	return ok;
}

static bool kernel_half_intact(struct mm *mm)
{
	return !memcmp(mm->pgdir + KERNEL_PDE_FIRST, kernel_pgdir + KERNEL_PDE_FIRST,
		       (PDES_PER_PGDIR - KERNEL_PDE_FIRST) * sizeof(pde_t));
}

KTEST(pgtable_alloc_lookup)
{
	struct mm *mm = mm_create();
	pte_t *a, *b, *top, *last_table;
	u32 before, nonzero = 0;

	KT_ASSERT(t, mm);
	KT_EXPECT(t, pte_lookup(mm, 0x400000) == NULL);
	before = nr_free_pages();
	spin_lock(&mm->page_table_lock);
	a = pte_alloc(mm, 0x400000);
	b = pte_alloc(mm, 0x7FF000);                    /* the same table */
	top = pte_alloc(mm, USER_TOP - PAGE_SIZE);      /* the last one */
	spin_unlock(&mm->page_table_lock);
	KT_ASSERT(t, a && b && top);
	KT_EXPECT_EQ(t, before - nr_free_pages(), 2 * frames_per_table());
	KT_EXPECT_EQ(t, b - a, 1023);
	last_table = P2V(pde_table_pa(mm->pgdir[767]));
	KT_EXPECT_EQ(t, top - last_table, 1023);
	KT_EXPECT(t, pte_lookup(mm, 0x400000) == a && pte_lookup(mm, 0x7FF000) == b);
	KT_EXPECT(t, pte_lookup(mm, 0x7FFFFF) == b);    /* any byte of the page */
	KT_EXPECT(t, pte_lookup(mm, 0x401000) == a + 1);
	KT_EXPECT(t, !pte_lookup(mm, 0x3FF000) && !pte_lookup(mm, 0x800000));

	pde_t d = mm->pgdir[1];
	KT_EXPECT(t, pde_present(d) && !pde_big(d) && (d & _PAGE_USER) && (d & _PAGE_RW));
	KT_EXPECT(t, (pte_t *)P2V(pde_table_pa(d)) == a);
	for (u32 k = 0; k < PTES_PER_TABLE; k++)        /* a fresh table is empty */
		nonzero += !pte_none(a[k]) + !pte_none(last_table[k]);
	KT_EXPECT_EQ(t, nonzero, 0);
	KT_EXPECT(t, kernel_half_intact(mm));
	mm_put(mm);
}

KTEST(pgtable_free_all)
{
	static const u32 where[] = { 0, 0x400000, 0x7D000000, USER_TOP - PAGE_SIZE };
	struct mm *mm = mm_create();
	u32 before, left = 0;

	KT_ASSERT(t, mm);
	KT_ASSERT(t, alloc_tables(mm, where, ARRAY_SIZE(where)));
	before = nr_free_pages();
	spin_lock(&mm->page_table_lock);
	pgtable_free_all(mm);
	spin_unlock(&mm->page_table_lock);
	KT_EXPECT_EQ(t, nr_free_pages() - before, ARRAY_SIZE(where) * frames_per_table());
	for (u32 i = 0; i < KERNEL_PDE_FIRST; i++)
		left += mm->pgdir[i] != 0;
	KT_EXPECT_EQ(t, left, 0);
	for (u32 i = 0; i < ARRAY_SIZE(where); i++)
		KT_EXPECT(t, pte_lookup(mm, where[i]) == NULL);
	KT_EXPECT(t, kernel_half_intact(mm));
	/* and tables can be made again */
	KT_EXPECT(t, make_table(mm, where[0]));
	mm_put(mm);
}

/*
 * Walk [start, end), checking every step: the walker's entry is the one
 * pte_lookup finds for its address (so its table exists), addresses rise
 * and stay in the range. Returns the number of steps, the first and last
 * address in *first, *last.
 */
static u32 walk(struct ktest *t, struct mm *mm, u32 start, u32 end, u32 *first, u32 *last)
{
	struct pte_walk w;
	u32 n = 0;

	*first = *last = 0;
	for_each_pte(w, mm, start, end) {
		if (w.pte != pte_lookup(mm, w.va) || w.va < start || w.va >= end ||
		    (w.va & (PAGE_SIZE - 1)) || (n && w.va <= *last)) {
			ktest_fail(t, __FILE__, __LINE__, "[%#x, %#x): step %u at %#x, entry %p, lookup %p",
				   start, end, n, w.va, w.pte, pte_lookup(mm, w.va));
			break;
		}
		if (!n)
			*first = w.va;
		*last = w.va;
		n++;
	}
	return n;
}

/*
 * Page tables for 4 MiB at 0x400000 (PDE 1), none at PDE 2, then PDEs 3
 * and 4 side by side (0xC00000-0x1400000), then later the last one (767).
 * A walk must hand out exactly the entries of the existing tables that
 * fall in its range, in order: with only increasing, existing, in-range
 * addresses, the count then names the set.
 */
KTEST(pgtable_walk_ranges)
{
	static const u32 tables[] = { 0x400000, 0xC00000, 0x1000000 };
	static const struct { u32 start, end, n, first, last; } want[] = {
		{ 0, USER_TOP, 3 * 1024, 0x400000, 0x13FF000 },
		{ 0x7FE000, 0xC02000, 4, 0x7FE000, 0xC01000 },     /* mid-table to mid-table */
		{ 0xFFF000, 0x1001000, 2, 0xFFF000, 0x1000000 },   /* into the next table */
		{ 0x401000, 0x402000, 1, 0x401000, 0x401000 },
		{ 0x800000, 0xC00000, 0, 0, 0 },                   /* exactly the missing one */
		{ 0x1400000, USER_TOP, 0, 0, 0 },                  /* 763 missing, no wrap */
		{ 0x400000, 0x400000, 0, 0, 0 },                   /* empty ranges */
		{ 0x7FF000, 0x7FF000, 0, 0, 0 },
		{ 0xC00000, 0xC00800, 1, 0xC00000, 0xC00000 },     /* an end inside a page */
	};
	static const struct { u32 start, n, first; } at_top[] = {
		{ 0, 4 * 1024, 0x400000 },
		{ 0xBFFFD000, 3, 0xBFFFD000 },
		{ 0xBF000000, 1024, 0xBFC00000 },
		{ USER_TOP - PAGE_SIZE, 1, USER_TOP - PAGE_SIZE },
	};
	struct mm *mm = mm_create();
	struct pte_walk w;
	u32 first, last;

	KT_ASSERT(t, mm);
	KT_ASSERT(t, alloc_tables(mm, tables, ARRAY_SIZE(tables)));
	for (u32 i = 0; i < ARRAY_SIZE(want); i++) {
		u32 n = walk(t, mm, want[i].start, want[i].end, &first, &last);
		if (n != want[i].n || first != want[i].first || last != want[i].last)
			ktest_fail(t, __FILE__, __LINE__, "[%#x, %#x): %u steps %#x..%#x, want %u %#x..%#x",
				   want[i].start, want[i].end, n, first, last, want[i].n, want[i].first,
				   want[i].last);
	}

	/* A missing table is passed in one step: the walk that ends inside it
	 * has jumped to the next table's start, not crept up to its end. */
	pte_walk_start(&w, mm, 0x801000, 0x900000);
	KT_EXPECT(t, !pte_walk_next(&w));
	KT_EXPECT_EQ(t, w.next, 0xC00000);

	/* Ranges that end at the top of user space, the last table there. */
	KT_ASSERT(t, make_table(mm, USER_TOP - PAGE_SIZE));
	for (u32 i = 0; i < ARRAY_SIZE(at_top); i++) {
		u32 n = walk(t, mm, at_top[i].start, USER_TOP, &first, &last);
		KT_EXPECT_EQ(t, n, at_top[i].n);
		KT_EXPECT_EQ(t, first, at_top[i].first);
		KT_EXPECT_EQ(t, last, USER_TOP - PAGE_SIZE);
	}
	mm_put(mm);
}

/* One step of a walk: it must land at va, on va's own entry. */
static void expect_step(struct ktest *t, struct pte_walk *w, u32 va, int line)
{
	if (!pte_walk_next(w))
		ktest_fail(t, __FILE__, line, "walk ended, want %#x", va);
	else if (w->va != va || w->pte != pte_lookup(w->mm, va))
		ktest_fail(t, __FILE__, line, "step at %#x entry %p, want %#x entry %p", w->va, w->pte, va,
			   pte_lookup(w->mm, va));
}

/*
 * pte_walk_skip(n): the next step lands n pages on. Skipping to the end of
 * a table must move to the next existing table through a lookup, never by
 * w->pte + 1 (the next table's frame is anywhere); tables 3 and 4 are
 * side by side in the address space but not in memory (checked).
 */
KTEST(pgtable_walk_skip)
{
	struct mm *mm = mm_create();
	struct pte_walk w;

	KT_ASSERT(t, mm);
	/* a frame taken between the two tables keeps them apart */
	bool ok = alloc_tables(mm, (u32[]){ 0x400000, 0xC00000 }, 2);
	struct page *between = alloc_page();
	ok = ok && between && make_table(mm, 0x1000000);
	if (between)
		free_page(between);
	KT_ASSERT(t, ok);
	KT_ASSERT(t, pte_lookup(mm, 0x1000000) != pte_lookup(mm, 0xFFF000) + 1);

	pte_walk_start(&w, mm, 0x400000, 0x1400000);
	expect_step(t, &w, 0x400000, __LINE__);
	pte_walk_skip(&w, 4);                   /* this entry and 3 more */
	expect_step(t, &w, 0x404000, __LINE__);
	pte_walk_skip(&w, 1);                   /* just this one: a plain step */
	expect_step(t, &w, 0x405000, __LINE__);
	pte_walk_skip(&w, PTES_PER_TABLE - PTE_INDEX(w.va)); /* to the table's end */
	expect_step(t, &w, 0xC00000, __LINE__);  /* over the missing table */
	pte_walk_skip(&w, PTES_PER_TABLE);       /* a whole table */
	expect_step(t, &w, 0x1000000, __LINE__); /* the next one, its own entry */
	expect_step(t, &w, 0x1001000, __LINE__);
	pte_walk_skip(&w, PTES_PER_TABLE - 1);   /* to the end of the walk */
	KT_EXPECT(t, !pte_walk_next(&w));

	/* a skip past the range's end ends the walk */
	pte_walk_start(&w, mm, 0x400000, 0x402000);
	expect_step(t, &w, 0x400000, __LINE__);
	pte_walk_skip(&w, 8);
	KT_EXPECT(t, !pte_walk_next(&w));
	mm_put(mm);
}

/* ---- entries of every kind, built by hand ------------------------------ */

enum kind { PRESENT, PRESENT_RO, PRESENT_SLOT, PROTNONE, UNMAPPED, SWAPPED, SWAPIN_BUSY };

/* A slot of the swap area for our own use (0 if none is free). */
static u32 take_slot(void)
{
	struct swap_extent ext;
	int next;

	return swap_slots_alloc_batch(&swap_area_main, 1, &ext, 1, &next) ? ext.start : 0;
}

/*
 * Install an entry of this kind at va, with a frame owned by (mm, va) and
 * counted in rss, or a slot of its own. Returns the frame or the slot, 0
 * on failure. page_table_lock is taken here.
 */
static u32 install(struct mm *mm, u32 va, enum kind k)
{
	bool swapped = k == SWAPPED || k == SWAPIN_BUSY;
	u32 slot = swapped || k == PRESENT_SLOT ? take_slot() : 0;
	struct page *p = swapped ? NULL : alloc_page();
	pte_t pte = 0, *ptep;

	if ((!swapped && !p) || ((swapped || k == PRESENT_SLOT) && !slot)) {
		if (p)
			free_page(p);
		if (slot)
			swap_slot_free(&swap_area_main, slot);
		return 0;
	}
	if (p)
		pte = pte_mkuser(page_to_pfn(p), k != PRESENT_RO);
	switch (k) {
	case PRESENT_SLOT: p->swap_slot = slot; break;
	case PROTNONE: pte = pte_mkprotnone(pte); break;
	case UNMAPPED: pte = pte_mkunmapped(pte); break;
	case SWAPPED: pte = pte_mkswapped(slot, true); break;
	case SWAPIN_BUSY: pte = pte_mkswapin_busy(pte_mkswapped(slot, true)); break;
	default: break;
	}
	spin_lock(&mm->page_table_lock);
	ptep = pte_alloc(mm, va);
	if (ptep && p) {
		page_set_owner(p, mm, va);
		mm->rss++;
	}
	if (ptep)
		*ptep = pte;
	spin_unlock(&mm->page_table_lock);
	if (!ptep) {
		p->swap_slot = 0;
		free_page(p);
		return 0;
	}
	return swapped ? slot : page_to_pfn(p);
}

/*
 * pte_zap_range over two tables with a missing one between: the frames of
 * present, PROT_NONE and Unmapped entries are gathered and freed after the
 * gather's flush (and the slot a
 * present page still holds), the SwappedPTE's slot is freed, and the busy
 * SwappedPTE's slot is left alone: it belongs to the swap-in reading it,
 * which frees it when it finds its entry gone. Entries on either side of
 * the range, and the page tables, stay.
 */
static void zap_kinds(struct ktest *t)
{
	static const struct { u32 va; enum kind k; } layout[] = {
		{ 0x7FC000, PRESENT },          /* before the range */
		{ 0x7FD000, PRESENT_SLOT }, { 0x7FE000, PROTNONE }, { 0x7FF000, UNMAPPED },
		{ 0xC00000, SWAPPED }, { 0xC01000, SWAPIN_BUSY },
		{ 0xC02000, PRESENT },          /* the range's end */
	};
	const u32 start = 0x7FD000, end = 0xC02000;
	u32 got[ARRAY_SIZE(layout)], used = swap_used();
	struct mm *mm = mm_create();
	struct vma *v = mm ? add_vma(mm, 0x7F0000, 0xC10000, VM_READ | VM_WRITE | VM_PURE_PRIVATE) : NULL;

	KT_ASSERT(t, v);
	for (u32 i = 0; i < ARRAY_SIZE(layout); i++)
		KT_ASSERT(t, (got[i] = install(mm, layout[i].va, layout[i].k)));
	KT_EXPECT_EQ(t, mm->rss, 5);
	KT_EXPECT_EQ(t, swap_used() - used, 3);
	u32 slot_kept = got[5], slot_of_page = pfn_to_page(got[1])->swap_slot;
	pte_t before = pte_at(mm, 0x7FC000), after = pte_at(mm, 0xC02000);
	u32 frames = nr_free_pages(), freed = vm_events[PGFREE_USER];

	struct tlb_gather tlb;
	tlb_gather_init(&tlb, mm);
	spin_lock(&mm->page_table_lock);
	pte_zap_range(&tlb, start, end);
	spin_unlock(&mm->page_table_lock);
	KT_EXPECT_EQ(t, tlb.nr_pages, 3);
	tlb_finish(&tlb);               /* onto this CPU's deferred list */
	deferred_free_drain_all();

	KT_EXPECT_EQ(t, nr_free_pages() - frames, 3); /* frames only: the tables stay */
	KT_EXPECT_EQ(t, vm_events[PGFREE_USER] - freed, 3);
	KT_EXPECT_EQ(t, mm->rss, 2);
	for (u32 i = 1; i < ARRAY_SIZE(layout) - 1; i++)
		KT_EXPECT(t, pte_lookup(mm, layout[i].va) && pte_none(pte_at(mm, layout[i].va)));
	KT_EXPECT_EQ(t, pte_at(mm, 0x7FC000), before);
	KT_EXPECT_EQ(t, pte_at(mm, 0xC02000), after);
	KT_EXPECT_EQ(t, swap_slot_count(&swap_area_main, slot_of_page), 0);
	KT_EXPECT_EQ(t, swap_slot_count(&swap_area_main, got[4]), 0);
	KT_EXPECT_EQ(t, swap_slot_count(&swap_area_main, slot_kept), 1); /* the reader's */
	KT_EXPECT_EQ(t, swap_used() - used, 1);
	/* what the reader does when it comes back */
	if (swap_slot_count(&swap_area_main, slot_kept))
		swap_slot_free(&swap_area_main, slot_kept);
	put_last(t, mm);
	KT_EXPECT_EQ(t, swap_used(), used);
}

KTEST(pgtable_zap_range)
{
	KT_ASSERT(t, swap_enabled);
	kppsd_pause();
	zap_kinds(t);
	kppsd_resume();
}

/*
 * pte_protect_range gives the entries that hold a mapped frame the access
 * of the new flags: none (PROT_NONE, the frame kept), read, read-write.
 * PPS's entries are not mapped and stay what they are: an UnmappedPTE is
 * mapped back only by its rescue (with the VMA's permission then), and a
 * SwappedPTE only by its swap-in. Entries outside the range are not touched.
 */
static void protect_kinds(struct ktest *t)
{
	static const struct { u32 va; enum kind k; } layout[] = {
		{ 0x400000, PRESENT },          /* before the range */
		{ 0x401000, PRESENT }, { 0x402000, PRESENT_RO }, { 0x403000, PROTNONE },
		{ 0x404000, UNMAPPED }, { 0x405000, SWAPPED },
		{ 0x407000, PRESENT },          /* the range's end; 0x406000 stays none */
	};
	static const struct { u32 flags; bool none, write; } steps[] = {
		{ VM_READ, false, false }, { 0, true, false }, { VM_READ | VM_WRITE, false, true },
		{ VM_EXEC, false, false }, { VM_WRITE, false, true }, { 0, true, false },
	};
	const u32 start = 0x401000, end = 0x407000;
	u32 got[ARRAY_SIZE(layout)];
	struct mm *mm = mm_create();
	struct vma *v = mm ? add_vma(mm, 0x400000, 0x408000, VM_READ | VM_WRITE | VM_PURE_PRIVATE) : NULL;

	KT_ASSERT(t, v);
	for (u32 i = 0; i < ARRAY_SIZE(layout); i++)
		KT_ASSERT(t, (got[i] = install(mm, layout[i].va, layout[i].k)));
	/* a page the CPU has used: protection must not lose A and D */
	pte_t *p1 = pte_lookup(mm, 0x401000);
	*p1 = pte_mkdirty(pte_mkyoung(*p1));
	pte_t outside[2] = { pte_at(mm, 0x400000), pte_at(mm, 0x407000) };
	pte_t unmapped = pte_at(mm, 0x404000), swapped = pte_at(mm, 0x405000);
	u32 frames = nr_free_pages(), rss = mm->rss;

	for (u32 s = 0; s < ARRAY_SIZE(steps); s++) {
		spin_lock(&mm->page_table_lock);
		pte_protect_range(mm, start, end, steps[s].flags);
		spin_unlock(&mm->page_table_lock);
		for (u32 i = 1; i <= 3; i++) { /* the entries that map a frame */
			pte_t e = pte_at(mm, layout[i].va);
			bool ok = pte_pfn(e) == got[i] && pte_user(e) &&
				  (steps[s].none ? pte_protnone(e) : pte_present(e) && pte_write(e) == steps[s].write);
			if (!ok)
				ktest_fail(t, __FILE__, __LINE__, "flags %#x: entry at %#x is %#x", steps[s].flags,
					   layout[i].va, e);
		}
		pte_t e1 = pte_at(mm, 0x401000);
		KT_EXPECT(t, pte_young(e1) && pte_dirty(e1));
		pte_t u = pte_at(mm, 0x404000);
		if (!pte_unmapped(u) || pte_protnone(u) || pte_present(u) || pte_pfn(u) != got[4])
			ktest_fail(t, __FILE__, __LINE__, "flags %#x: UnmappedPTE %#x became %#x",
				   steps[s].flags, unmapped, u);
		KT_EXPECT_EQ(t, pte_at(mm, 0x405000), swapped);
		KT_EXPECT(t, pte_none(pte_at(mm, 0x406000)));
		KT_EXPECT_EQ(t, pte_at(mm, 0x400000), outside[0]);
		KT_EXPECT_EQ(t, pte_at(mm, 0x407000), outside[1]);
	}
	KT_EXPECT_EQ(t, nr_free_pages(), frames); /* no frame came or went */
	KT_EXPECT_EQ(t, mm->rss, rss);
	put_last(t, mm);
}

KTEST(pgtable_protect_range)
{
	KT_ASSERT(t, swap_enabled);
	kppsd_pause();
	protect_kinds(t);
	kppsd_resume();
}
