/*
 * ktests for mm/pte_chain.c, the rmap=chain reverse map: a page linked from
 * PTEs of two mms is found at exactly those (mm, va) by the chain's collect,
 * in link order reversed (each link is pushed at the head); unlinking the
 * head, a middle link and the tail leaves exactly the others; a page table
 * made while rmap=chain has a pair page, which goes with the table, by
 * unmap (pgtable_free_range) or with the mm (pgtable_free_all).
 *
 * The first two set rmap_mode to RMAP_CHAIN only while they make their own
 * page tables, then put it back: the pair belongs to the table, not to the
 * mode, so the chain works on those tables whatever the boot chose. The
 * page they link is a plain frame that no entry maps (the chain never reads
 * a PTE's value) and without PG_legacy, so that no clock or rmap walk of
 * the rest of the kernel can meet it.
 *
 * The third runs the legacy system itself with rmap=chain (fork, COW
 * faults, exit, re-entry into PPS): the mode stays RMAP_CHAIN from before
 * its mm exists until after the last of its pages is gone, since a page
 * linked under one mode must be unlinked under the same one. Under ktest=
 * no process runs, so no other mm links or unlinks meanwhile.
 */
#include <kernel/ktest.h>
#include <kernel/string.h>
#include <mm/mm.h>
#include <mm/frame.h>
#include <mm/rmap.h>
#include <mm/pte_chain.h>
#include <mm/tlb_gather.h>
#include <mm/deferred_free.h>
#include <mm/vmstat.h>
#include <mm/kppsd.h>
#include <mm/legacy_fault.h>
#include "pps_fixture.h"

/* Page tables for these addresses of mm, made as the boot option `mode`
 * would make them (the boot's own choice is put back). */
static bool make_tables_as(enum rmap_mode mode, struct mm *mm, const u32 *va, int n)
{
	enum rmap_mode saved = rmap_mode;
	bool ok = true;

	rmap_mode = mode;
	for (int i = 0; i < n; i++)
		ok &= make_table(mm, va[i]);
	rmap_mode = saved;
	return ok;
}

struct place {
	struct mm *mm;
	u32 va;
};

static void link_at(struct page *p, struct place *pl)
{
	spin_lock(&pl->mm->page_table_lock);
	spin_lock(&rmap_lock);
	rmap_chain_ops.link(p, pl->mm, pl->va, pte_lookup(pl->mm, pl->va));
	spin_unlock(&rmap_lock);
	spin_unlock(&pl->mm->page_table_lock);
}

static void unlink_at(struct page *p, struct place *pl)
{
	spin_lock(&pl->mm->page_table_lock);
	spin_lock(&rmap_lock);
	rmap_chain_ops.unlink(p, pl->mm, pl->va, pte_lookup(pl->mm, pl->va));
	spin_unlock(&rmap_lock);
	spin_unlock(&pl->mm->page_table_lock);
}

/*
 * p's chain, collected with room for max, must be exactly want[0..n) in
 * that order. Each place found holds a reference on its mm, dropped here;
 * the users counts are checked on the way (one more per place of that mm).
 */
static void expect_chain(struct ktest *t, int line, struct page *p, int max,
			 const struct place *want, int n)
{
	struct rmap_ref refs[RMAP_REFS_MAX];
	u32 steps = vm_events[RMAP_WALK_STEPS];
	int got;

	spin_lock(&rmap_lock);
	got = rmap_chain_ops.collect(p, refs, max);
	spin_unlock(&rmap_lock);
	if (got != n)
		ktest_fail(t, __FILE__, line, "collect found %d places, expected %d", got, n);
	for (int i = 0; i < got && i < n; i++)
		if (refs[i].mm != want[i].mm || refs[i].va != want[i].va)
			ktest_fail(t, __FILE__, line, "place %d: mm %p va %#x, expected mm %p va %#x",
				   i, refs[i].mm, refs[i].va, want[i].mm, want[i].va);
	/* one step per link visited: all of them, or the first max */
	if (vm_events[RMAP_WALK_STEPS] - steps != (u32)got)
		ktest_fail(t, __FILE__, line, "walk steps %u, expected %d",
			   vm_events[RMAP_WALK_STEPS] - steps, got);
	for (int i = 0; i < got; i++) {
		u32 mine = 0;
		for (int j = 0; j < got; j++)
			mine += refs[j].mm == refs[i].mm;
		if (refs[i].mm->users != 1 + mine)
			ktest_fail(t, __FILE__, line, "mm %p has %u users, expected %u",
				   refs[i].mm, refs[i].mm->users, 1 + mine);
	}
	rmap_refs_put(refs, got);
}

/* Every slot of the pair of the table mapping va in mm is NULL, and the
 * pair counts no PTE on a chain. */
static bool pair_clear(struct mm *mm, u32 va)
{
	struct page *pt = virt_to_page(pte_lookup(mm, va));
	pte_t **slots = page_address(pt->sc_next);

	if (pt->owner_mm != mm || pt->owner_va != ALIGN_DOWN(va, BIGPAGE_SIZE) || pt->sc_next->mapcount)
		return false;
	for (u32 k = 0; k < PTES_PER_TABLE; k++)
		if (slots[k])
			return false;
	return true;
}

KTEST(pte_chain_link_collect_unlink)
{
	static const u32 a_tables[] = { 0x400000, 0x800000 }, b_tables[] = { 0x400000 };
	struct mm *a = mm_create(), *b = mm_create();
	struct page *p = alloc_page(), *q = alloc_page();
	u32 links = vm_events[PTE_CHAIN_LINK], unlinks = vm_events[PTE_CHAIN_UNLINK];
	u32 chain_pages = nr_chain_pages;

	KT_ASSERT(t, a && b && p && q);
	KT_ASSERT(t, make_tables_as(RMAP_CHAIN, a, a_tables, 2) && make_tables_as(RMAP_CHAIN, b, b_tables, 1));
	KT_EXPECT_EQ(t, nr_chain_pages - chain_pages, 3);
	kppsd_pause();  /* its passes take references on every mm: expect_chain counts them */

	/* The first and last entries of a table, neighbours in one table,
	 * the first entry of the next table, and the same addresses in b. */
	struct place pl[] = {
		{ a, 0x400000 }, { a, 0x401000 }, { a, 0x7FF000 },
		{ a, 0x800000 }, { b, 0x400000 }, { b, 0x7FF000 },
	};
	enum { N = ARRAY_SIZE(pl) };
	struct place rev[N];

	p->chain = q->chain = NULL;
	for (int i = 0; i < N; i++) {
		link_at(p, &pl[i]);
		rev[N - 1 - i] = pl[i];
	}
	KT_EXPECT_EQ(t, vm_events[PTE_CHAIN_LINK] - links, N);
	KT_EXPECT(t, p->chain == pte_lookup(b, 0x7FF000));     /* the last linked */
	expect_chain(t, __LINE__, p, RMAP_REFS_MAX, rev, N);
	expect_chain(t, __LINE__, p, 2, rev, 2);               /* only the first max */
	KT_EXPECT_EQ(t, virt_to_page(pte_lookup(a, 0x400000))->sc_next->mapcount, 3);
	KT_EXPECT_EQ(t, virt_to_page(pte_lookup(a, 0x800000))->sc_next->mapcount, 1);

	/* Another page, linked from a neighbour of p's PTEs in one table:
	 * the two chains share the pair and do not see each other. */
	struct place qpl[] = { { a, 0x402000 }, { b, 0x401000 } };
	link_at(q, &qpl[0]);
	link_at(q, &qpl[1]);
	struct place qrev[] = { qpl[1], qpl[0] };
	expect_chain(t, __LINE__, q, RMAP_REFS_MAX, qrev, 2);
	expect_chain(t, __LINE__, p, RMAP_REFS_MAX, rev, N);

	/* rev: b 7FF000, b 400000, a 800000, a 7FF000, a 401000, a 400000.
	 * Unlink the head, then a middle link, then the tail. */
	unlink_at(p, &rev[0]);
	struct place left1[] = { rev[1], rev[2], rev[3], rev[4], rev[5] };
	expect_chain(t, __LINE__, p, RMAP_REFS_MAX, left1, 5);
	unlink_at(p, &rev[3]);
	struct place left2[] = { rev[1], rev[2], rev[4], rev[5] };
	expect_chain(t, __LINE__, p, RMAP_REFS_MAX, left2, 4);
	unlink_at(p, &rev[5]);
	struct place left3[] = { rev[1], rev[2], rev[4] };
	expect_chain(t, __LINE__, p, RMAP_REFS_MAX, left3, 3);

	/* An unlinked PTE can be linked again: it goes back at the head. */
	link_at(p, &rev[3]);
	struct place left4[] = { rev[3], rev[1], rev[2], rev[4] };
	expect_chain(t, __LINE__, p, RMAP_REFS_MAX, left4, 4);

	/* The rest, the middle one of three first. */
	unlink_at(p, &rev[2]);
	unlink_at(p, &rev[3]);
	unlink_at(p, &rev[4]);
	unlink_at(p, &rev[1]);
	KT_EXPECT(t, p->chain == NULL);
	expect_chain(t, __LINE__, p, RMAP_REFS_MAX, NULL, 0);
	expect_chain(t, __LINE__, q, RMAP_REFS_MAX, qrev, 2); /* untouched */
	unlink_at(q, &qpl[0]);                                 /* the tail */
	unlink_at(q, &qpl[1]);
	KT_EXPECT(t, q->chain == NULL);
	KT_EXPECT_EQ(t, vm_events[PTE_CHAIN_LINK] - links, N + 1 + 2);
	KT_EXPECT_EQ(t, vm_events[PTE_CHAIN_UNLINK] - unlinks, N + 1 + 2);
	KT_EXPECT(t, pair_clear(a, 0x400000) && pair_clear(a, 0x800000) && pair_clear(b, 0x400000));

	kppsd_resume();
	free_page(p);
	free_page(q);
	mm_put(a);
	mm_put(b);
	KT_EXPECT_EQ(t, nr_chain_pages, chain_pages);
}

/*
 * A table made while rmap=chain costs two frames, the table and its pair;
 * both come back when the table goes, by an unmap that leaves its 4 MiB
 * without VMAs (through the TLB gather) and with its mm (pgtable_free_all).
 * A table made while rmap=anon has no pair, and frees as before.
 */
KTEST(pte_chain_pair_freed_with_table)
{
	static const u32 chain_tables[] = { 0x400000, USER_TOP - PAGE_SIZE };
	struct mm *mm = mm_create();
	u32 chain_pages = nr_chain_pages, before;
	struct tlb_gather tlb;

	KT_ASSERT(t, mm);
	deferred_free_drain_all();
	before = nr_free_pages();
	KT_ASSERT(t, make_tables_as(RMAP_CHAIN, mm, chain_tables, 2));
	KT_EXPECT_EQ(t, nr_chain_pages - chain_pages, 2);
	KT_EXPECT_EQ(t, before - nr_free_pages(), 4);
	struct page *pt = virt_to_page(pte_lookup(mm, 0x400000));
	KT_EXPECT(t, pt->owner_mm == mm && pt->owner_va == 0x400000 && pt->sc_next);
	pt = virt_to_page(pte_lookup(mm, USER_TOP - PAGE_SIZE));
	KT_EXPECT(t, pt->owner_mm == mm && pt->owner_va == USER_TOP - BIGPAGE_SIZE && pt->sc_next);

	/* rmap=anon: a bare table, as before this file existed. */
	static const u32 anon_table[] = { 0x800000 };
	KT_ASSERT(t, make_tables_as(RMAP_ANON, mm, anon_table, 1));
	KT_EXPECT_EQ(t, nr_chain_pages - chain_pages, 2);
	KT_EXPECT_EQ(t, before - nr_free_pages(), 5);
	KT_EXPECT(t, virt_to_page(pte_lookup(mm, 0x800000))->owner_mm == NULL);

	/* The unmap path: the table and its pair leave together. */
	down_write(&mm->mmap_lock);
	tlb_gather_init(&tlb, mm);
	spin_lock(&mm->page_table_lock);
	pgtable_free_range(&tlb, 0x400000, 0xC00000);
	spin_unlock(&mm->page_table_lock);
	tlb_finish(&tlb);
	up_write(&mm->mmap_lock);
	deferred_free_drain_all();
	KT_EXPECT(t, !pte_lookup(mm, 0x400000) && !pte_lookup(mm, 0x800000));
	KT_EXPECT_EQ(t, nr_chain_pages - chain_pages, 1);
	KT_EXPECT_EQ(t, before - nr_free_pages(), 2);

	/* The last one goes with its mm. */
	mm_put(mm);
	KT_EXPECT_EQ(t, nr_chain_pages, chain_pages);
}

/* The places p's rmap finds (ops: which one), as a set, must be want. */
static void expect_places(struct ktest *t, int line, const struct rmap_ops *ops, struct page *p,
			  const struct place *want, int n)
{
	struct rmap_ref refs[RMAP_REFS_MAX];
	int got, matched = 0;

	spin_lock(&rmap_lock);
	got = ops->collect(p, refs, RMAP_REFS_MAX);
	spin_unlock(&rmap_lock);
	for (int i = 0; i < n; i++)
		for (int j = 0; j < got; j++)
			matched += refs[j].mm == want[i].mm && refs[j].va == want[i].va;
	if (got != n || matched != n)
		ktest_fail(t, __FILE__, line, "rmap=%s: pfn %#x: %d places found, %d of the %d expected",
			   ops->name, page_to_pfn(p), got, matched, n);
	rmap_refs_put(refs, got);
}

static struct page *page_of(struct mm *mm, u32 va)
{
	pte_t pte = pte_at(mm, va);
	return pte_has_page(pte) ? pfn_to_page(pte_pfn(pte)) : NULL;
}

/*
 * Fork a small process with rmap=chain: every page is then linked from the
 * parent's PTE and the child's, and both reverse maps (the chain, and the
 * anon objects, which exist in either mode) find exactly those two. A
 * write in the child, then one in the parent, copies: each copy's chain
 * holds its writer alone, the original's the other one. The child exits:
 * its links go with its PTEs. Then the parent's VMA re-enters PPS: every
 * page leaves its chain, and the pairs count nothing linked.
 */
KTEST(pte_chain_fork_cow_exit)
{
	enum { N = 4 };
	enum rmap_mode saved = rmap_mode;
	u32 chain_pages = nr_chain_pages, links = vm_events[PTE_CHAIN_LINK];
	u32 unlinks = vm_events[PTE_CHAIN_UNLINK];
	struct mm *mm, *child;
	struct vma *v;
	struct page *orig[N];

	kppsd_pause();  /* no aging, no re-entry but ours */
	rmap_mode = RMAP_CHAIN;
	mm = make_mm(N, &v);
	child = mm ? mm_dup(mm) : NULL;
	if (!mm || !child) {
		ktest_fail(t, __FILE__, __LINE__, "no memory for the mm or its fork");
		goto out;
	}
	KT_EXPECT_EQ(t, nr_chain_pages - chain_pages, 2); /* one table each */
	/* reclaim=pps: fork made the parent's pages legacy (N links) and
	 * shared them (N more); reclaim=clock: their faults, then fork. */
	KT_EXPECT_EQ(t, vm_events[PTE_CHAIN_LINK] - links, 2 * N);
	for (int i = 0; i < N; i++) {
		u32 va = v->start + i * PAGE_SIZE;
		struct place both[] = { { mm, va }, { child, va } };
		orig[i] = page_of(mm, va);
		if (!orig[i] || orig[i] != page_of(child, va)) {
			ktest_fail(t, __FILE__, __LINE__, "page %d: parent and child map different frames", i);
			goto out;
		}
		KT_EXPECT(t, (orig[i]->flags & PG_legacy) && orig[i]->mapcount == 2);
		expect_places(t, __LINE__, &rmap_chain_ops, orig[i], both, 2);
		expect_places(t, __LINE__, &rmap_anon_ops, orig[i], both, 2);
	}

	/* COW: the child writes page 0, the parent page 1. */
	u32 va0 = v->start, va1 = v->start + PAGE_SIZE;
	KT_EXPECT_EQ(t, handle_mm_fault(child, va0, FAULT_WRITE | FAULT_USER), 0);
	KT_EXPECT_EQ(t, handle_mm_fault(mm, va1, FAULT_WRITE | FAULT_USER), 0);
	struct page *c0 = page_of(child, va0), *p1 = page_of(mm, va1);
	if (!c0 || c0 == orig[0] || !p1 || p1 == orig[1]) {
		ktest_fail(t, __FILE__, __LINE__, "a write to a shared page did not copy it");
		goto out;
	}
	struct place parent0[] = { { mm, va0 } }, child0[] = { { child, va0 } };
	struct place parent1[] = { { mm, va1 } }, child1[] = { { child, va1 } };
	expect_places(t, __LINE__, &rmap_chain_ops, orig[0], parent0, 1);
	expect_places(t, __LINE__, &rmap_chain_ops, c0, child0, 1);
	expect_places(t, __LINE__, &rmap_chain_ops, orig[1], child1, 1);
	expect_places(t, __LINE__, &rmap_chain_ops, p1, parent1, 1);

	/* The child exits: only the parent's links are left. */
	put_last(t, child);
	child = NULL;
	expect_places(t, __LINE__, &rmap_chain_ops, orig[0], parent0, 1);
	expect_places(t, __LINE__, &rmap_chain_ops, p1, parent1, 1);
	for (int i = 2; i < N; i++) {
		struct place one[] = { { mm, v->start + i * PAGE_SIZE } };
		expect_places(t, __LINE__, &rmap_chain_ops, orig[i], one, 1);
	}
	KT_EXPECT_EQ(t, nr_chain_pages - chain_pages, 1);

	/* Every page is the parent's alone: back to PPS, off the chains
	 * (reclaim=clock keeps every VMA legacy: no re-entry there). */
	if (reclaim_mode == RECLAIM_PPS) {
		KT_EXPECT_EQ(t, pps_reenter_mm(mm), 1);
		KT_EXPECT(t, v->flags & VM_PURE_PRIVATE);
		for (int i = 0; i < N; i++) {
			struct page *p = page_of(mm, v->start + i * PAGE_SIZE);
			KT_EXPECT(t, p && !(p->flags & PG_legacy) && p->owner_mm == mm && p->chain == NULL);
		}
		KT_EXPECT(t, pair_clear(mm, v->start));
	}
out:
	if (child)
		put_last(t, child);
	if (mm)
		put_last(t, mm);
	rmap_mode = saved;
	kppsd_resume();
	KT_EXPECT_EQ(t, nr_chain_pages, chain_pages);
	/* Every link was undone: by the COW faults, exit and re-entry. */
	KT_EXPECT_EQ(t, vm_events[PTE_CHAIN_LINK] - links, vm_events[PTE_CHAIN_UNLINK] - unlinks);
}
