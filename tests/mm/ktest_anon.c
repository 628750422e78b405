/*
 * ktests of the anon layer (seed 001) and copy-on-write fork: one anon
 * object per VMA family, page->index from vma->pgoff, the object-based
 * walk finding a page in every VMA of the family that maps it, through
 * splits and merges; COW copies and reuse; the object gone with its last
 * VMA; a family down to one mm going back to PPS.
 */
#include <kernel/ktest.h>
#include <mm/mm.h>
#include <mm/anon.h>
#include <mm/rmap.h>
#include <mm/frame.h>
#include <mm/kppsd.h>
#include <mm/vmstat.h>
#include <mm/legacy_fault.h>
#include "pps_fixture.h"

static struct page *frame_of(struct mm *mm, u32 va)
{
	pte_t *p = pte_lookup(mm, va);

	return p && pte_has_page(*p) ? pfn_to_page(pte_pfn(*p)) : NULL;
}

/* Does the object-based walk of p find exactly (a, va_a) and (b, va_b)? */
static bool walk_finds(struct page *p, struct mm *a, u32 va_a, struct mm *b, u32 va_b)
{
	struct rmap_ref refs[4];
	int n;
	bool found_a = false, found_b = false;

	spin_lock(&rmap_lock);
	n = rmap_anon_ops.collect(p, refs, 4);
	spin_unlock(&rmap_lock);
	for (int i = 0; i < n; i++) {
		found_a |= refs[i].mm == a && refs[i].va == va_a;
		found_b |= refs[i].mm == b && refs[i].va == va_b;
	}
	rmap_refs_put(refs, n);
	return n == 2 && found_a && found_b;
}

static struct mm *fork_of(struct ktest *t, struct mm *mm)
{
	struct mm *child = mm_dup(mm);

	KT_EXPECT(t, child != NULL);
	return child;
}

KTEST(anon_fork_shares_pages_in_one_family)
{
	u32 objects = nr_anon_objects, legacy = nr_legacy_pages;
	struct vma *v;
	kppsd_pause();
	struct mm *mm = make_mm(4, &v);
	KT_ASSERT(t, mm);
	struct mm *child = fork_of(t, mm);
	KT_ASSERT(t, child);
	struct vma *cv = list_entry(child->vmas.next, struct vma, node);

	/* One object for the family, both VMAs out of PPS, pgoff copied. */
	KT_EXPECT(t, v->anon && v->anon == cv->anon);
	KT_EXPECT_EQ(t, v->anon->nr_vmas, 2);
	KT_EXPECT_EQ(t, nr_anon_objects, objects + 1);
	KT_EXPECT(t, !(v->flags & VM_PURE_PRIVATE) && !(cv->flags & VM_PURE_PRIVATE));
	KT_EXPECT_EQ(t, cv->pgoff, v->pgoff);
	for (u32 i = 0; i < 4; i++) {
		u32 va = v->start + i * PAGE_SIZE;
		struct page *p = frame_of(mm, va);
		KT_ASSERT(t, p && p == frame_of(child, va));
		KT_EXPECT(t, (p->flags & PG_legacy) && !p->owner_mm);
		KT_EXPECT_EQ(t, p->mapcount, 2);
		KT_EXPECT_EQ(t, p->index, vma_page_index(v, va));
		KT_EXPECT(t, !pte_write(*pte_lookup(mm, va)) && !pte_write(*pte_lookup(child, va)));
		KT_EXPECT(t, walk_finds(p, mm, va, child, va));
	}
	KT_EXPECT_EQ(t, nr_legacy_pages, legacy + 4);

	/* The child writes page 1: a copy; the parent keeps the original,
	 * now its alone, and its write takes it over in place. */
	u32 va = v->start + PAGE_SIZE, copies = vm_events[COW_COPY], reuses = vm_events[COW_REUSE];
	struct page *orig = frame_of(mm, va);
	KT_EXPECT_EQ(t, handle_mm_fault(child, va, FAULT_WRITE | FAULT_USER), 0);
	struct page *copy = frame_of(child, va);
	KT_ASSERT(t, copy && copy != orig);
	KT_EXPECT_EQ(t, *(u32 *)page_address(copy), 0xC0DE0001); /* the contents came along */
	KT_EXPECT(t, pte_write(*pte_lookup(child, va)));
	KT_EXPECT_EQ(t, orig->mapcount, 1);
	KT_EXPECT_EQ(t, vm_events[COW_COPY], copies + 1);
	KT_EXPECT_EQ(t, handle_mm_fault(mm, va, FAULT_WRITE | FAULT_USER), 0);
	KT_EXPECT(t, frame_of(mm, va) == orig && pte_write(*pte_lookup(mm, va)));
	KT_EXPECT_EQ(t, vm_events[COW_REUSE], reuses + 1);

	/* The child goes: the family is the parent's alone, and back to PPS. */
	put_last(t, child);
	KT_EXPECT_EQ(t, v->anon->nr_vmas, 1);
	KT_EXPECT_EQ(t, pps_reenter_mm(mm), 1);
	KT_EXPECT(t, !v->anon && (v->flags & VM_PURE_PRIVATE));
	for (u32 i = 0; i < 4; i++) {
		struct page *p = frame_of(mm, v->start + i * PAGE_SIZE);
		KT_EXPECT(t, p && !(p->flags & PG_legacy) && p->owner_mm == mm);
	}
	KT_EXPECT_EQ(t, nr_anon_objects, objects);
	KT_EXPECT_EQ(t, nr_legacy_pages, legacy);
	put_last(t, mm);
	kppsd_resume();
}

KTEST(anon_split_keeps_every_page_at_its_index)
{
	u32 objects = nr_anon_objects;
	struct vma *v;
	kppsd_pause();
	struct mm *mm = make_mm(6, &v);
	KT_ASSERT(t, mm);
	struct mm *child = fork_of(t, mm);
	KT_ASSERT(t, child);
	u32 start = v->start;

	/* mprotect the middle of the parent's VMA: three VMAs, one family. */
	down_write(&mm->mmap_lock);
	struct vma *mid = vma_clip(v, start + 2 * PAGE_SIZE, start + 4 * PAGE_SIZE);
	up_write(&mm->mmap_lock);
	KT_ASSERT(t, mid);
	KT_EXPECT(t, mid->anon == v->anon);
	KT_EXPECT_EQ(t, v->anon->nr_vmas, 4); /* 3 halves + the child's */
	KT_EXPECT_EQ(t, mid->pgoff, v->pgoff + 2);
	for (u32 i = 0; i < 6; i++) {
		u32 va = start + i * PAGE_SIZE;
		struct page *p = frame_of(mm, va);
		KT_ASSERT(t, p);
		KT_EXPECT(t, walk_finds(p, mm, va, child, va));
	}
	/* Merged back: the same object and continuing offsets. */
	down_write(&mm->mmap_lock);
	vma_merge_around(mm, mid);
	up_write(&mm->mmap_lock);
	KT_EXPECT_EQ(t, mm->nr_vmas, 1);
	KT_EXPECT_EQ(t, v->anon->nr_vmas, 2);
	put_last(t, child);
	put_last(t, mm);
	KT_EXPECT_EQ(t, nr_anon_objects, objects); /* gone with its last VMA */
	kppsd_resume();
}

KTEST(anon_vmas_of_two_families_do_not_merge)
{
	struct vma *v;
	kppsd_pause();
	struct mm *mm = make_mm(2, &v);
	KT_ASSERT(t, mm);
	struct mm *child = fork_of(t, mm);
	KT_ASSERT(t, child);
	/* A new private VMA right after the forked one: PPS's, no object. */
	struct vma *n = add_vma(mm, v->end, v->end + PAGE_SIZE, VM_READ | VM_WRITE | VM_PURE_PRIVATE);
	KT_ASSERT(t, n);
	down_write(&mm->mmap_lock);
	vma_merge_around(mm, n);
	up_write(&mm->mmap_lock);
	KT_EXPECT_EQ(t, mm->nr_vmas, 2); /* one legacy, one PPS: never one VMA */
	KT_EXPECT(t, v->anon && !n->anon);
	put_last(t, child);
	put_last(t, mm);
	kppsd_resume();
}

KTEST(anon_deep_fork_chain_one_object)
{
	u32 objects = nr_anon_objects;
	struct mm *gen[6];
	struct vma *v;
	kppsd_pause();
	gen[0] = make_mm(1, &v);
	KT_ASSERT(t, gen[0]);
	for (int i = 1; i < 6; i++) {
		gen[i] = fork_of(t, gen[i - 1]);
		KT_ASSERT(t, gen[i]);
	}
	struct page *p = frame_of(gen[0], v->start);
	KT_EXPECT_EQ(t, p->mapcount, 6);
	KT_EXPECT_EQ(t, v->anon->nr_vmas, 6);
	struct rmap_ref refs[8];
	u32 steps = vm_events[RMAP_WALK_STEPS];
	spin_lock(&rmap_lock);
	int n = rmap_anon_ops.collect(p, refs, 8);
	spin_unlock(&rmap_lock);
	KT_EXPECT_EQ(t, n, 6);
	KT_EXPECT_EQ(t, vm_events[RMAP_WALK_STEPS] - steps, 6); /* every VMA of the family */
	rmap_refs_put(refs, n);
	/* Each generation writes: each gets its own copy but the last. */
	for (int i = 5; i >= 0; i--)
		KT_EXPECT_EQ(t, handle_mm_fault(gen[i], v->start, FAULT_WRITE | FAULT_USER), 0);
	for (int i = 0; i < 6; i++)
		for (int j = i + 1; j < 6; j++)
			KT_EXPECT(t, frame_of(gen[i], v->start) != frame_of(gen[j], v->start));
	for (int i = 5; i >= 1; i--)
		put_last(t, gen[i]);
	put_last(t, gen[0]);
	KT_EXPECT_EQ(t, nr_anon_objects, objects);
	kppsd_resume();
}
