/*
 * Anon objects (see anon.h): the anonymous layer of seed 001. An object
 * is a list of the VMAs of one family; a page of the family is found in
 * each of them at the address its index gives (rmap=anon's walk, in
 * rmap.c). Shared objects add the table of their pages (mm/shmem.c).
 *
 * Pitfalls, and what is done about them:
 *  - Deep fork chains: every descendant joins the one object, so a walk
 *    visits every VMA of the family, most of which may no longer map the
 *    page (Linux's anon_vma had this problem until 2.6.34 gave each
 *    child its own object, chained to its parents'). Here the walk skips
 *    VMAs whose range does not cover the index in one comparison, VMAs
 *    leave the family when their mm exits or execs, and a family that is
 *    down to one mm goes back to PPS (pps_reenter.c); rmap_walk_steps in
 *    /proc/vmstat shows what the walks cost.
 *  - Split VMAs: both halves stay in the family; the upper half's pgoff
 *    grows by the pages it starts after, so every page keeps its index.
 *  - Merges: only VMAs of the same object (or none) whose offsets
 *    continue each other merge, so no page is ever looked for at a
 *    different address than the one that maps it.
 *  - mremap, which moves a VMA's pages to other addresses, does not exist
 *    here; with vm_pgoff kept it would need nothing more (seed 001).
 */
#include <mm/anon.h>
#include <mm/rmap.h>
#include <mm/shmem.h>
#include <mm/kmalloc.h>
#include <kernel/lock_assert.h>
#include <arch/x86/cpu.h>
#include <kernel/errno.h>
#include <kernel/panic.h>

static u32 next_anon_id = 1;

static struct anon *anon_alloc(void)
{
	struct anon *a = kzalloc(sizeof(*a));

	if (!a)
		return NULL;
	list_init(&a->vmas);
	a->id = atomic_add_return(&next_anon_id, 1) - 1;
	atomic_inc(&nr_anon_objects);
	atomic_add_return(&nr_anon_bytes, sizeof(*a));
	return a;
}

static void anon_free(struct anon *a)
{
	ASSERT(a->nr_vmas == 0 && list_empty(&a->vmas));
	if (a->shared)
		shmem_destroy(a);
	atomic_add_return(&nr_anon_objects, -1);
	atomic_add_return(&nr_anon_bytes, -(int)sizeof(*a));
	kfree(a);
}

/* rmap_lock held */
static void link_vma(struct anon *a, struct vma *v)
{
	ASSERT_HELD(&rmap_lock);
	v->anon = a;
	list_add_tail(&v->anon_node, &a->vmas);
	a->nr_vmas++;
}

int anon_prepare(struct vma *v)
{
	struct anon *a;

	ASSERT_HELD(&v->mm->mmap_lock);
	if (v->anon)
		return 0;
	a = anon_alloc();
	if (!a)
		return -ENOMEM;
	/* Two faults of one VMA (mmap_lock for reading) may race here:
	 * the first to take rmap_lock gives the VMA its object. */
	spin_lock(&rmap_lock);
	if (!v->anon) {
		link_vma(a, v);
		a = NULL;
	}
	spin_unlock(&rmap_lock);
	if (a)
		anon_free(a);
	return 0;
}

int anon_prepare_shared(struct vma *v, u32 npages)
{
	struct anon *a = anon_alloc();

	ASSERT(!v->anon);
	if (!a)
		return -ENOMEM;
	if (shmem_init(a, npages)) {
		anon_free(a);
		return -ENOMEM;
	}
	spin_lock(&rmap_lock);
	link_vma(a, v);
	spin_unlock(&rmap_lock);
	v->pgoff = 0;
	return 0;
}

int anon_fork(struct vma *parent, struct vma *child)
{
	ASSERT_WRITE_HELD(&parent->mm->mmap_lock);
	ASSERT_WRITE_HELD(&child->mm->mmap_lock);
	if (anon_prepare(parent))
		return -ENOMEM;
	spin_lock(&rmap_lock);
	link_vma(parent->anon, child);
	spin_unlock(&rmap_lock);
	return 0;
}

void anon_split(struct vma *v, struct vma *n)
{
	ASSERT_WRITE_HELD(&v->mm->mmap_lock);
	n->pgoff = v->pgoff + ((n->start - v->start) >> PAGE_SHIFT);
	list_init(&n->anon_node);
	n->anon = NULL;
	if (!v->anon)
		return;
	spin_lock(&rmap_lock);
	link_vma(v->anon, n);
	spin_unlock(&rmap_lock);
}

bool anon_mergeable(struct vma *a, struct vma *b)
{
	if (a->anon != b->anon)
		return false;
	/* One object: b's offsets must continue a's. No object: the pages
	 * are owned and carry no index, but keep the rule so a merged VMA
	 * that later forks gives its pages consistent indices. */
	return a->pgoff + ((a->end - a->start) >> PAGE_SHIFT) == b->pgoff;
}

void anon_merge(struct vma *a, struct vma *b)
{
	ASSERT_WRITE_HELD(&a->mm->mmap_lock);
	ASSERT(a->anon == b->anon);
	anon_unlink_vma(b); /* never the last: a is still linked */
}

void anon_unlink_vma(struct vma *v)
{
	struct anon *a = v->anon;
	bool last;

	if (!a)
		return;
	spin_lock(&rmap_lock);
	list_del(&v->anon_node);
	list_init(&v->anon_node);
	v->anon = NULL;
	last = --a->nr_vmas == 0;
	if (!last)
		anon_hint_reenter(a); /* the others may be alone now */
	spin_unlock(&rmap_lock);
	if (last)
		anon_free(a);
}

void anon_hint_reenter(struct anon *a)
{
	struct list_head *l;

	ASSERT_HELD(&rmap_lock);
	list_for_each(l, &a->vmas)
		list_entry(l, struct vma, anon_node)->mm->reenter_hint = 1;
}

bool anon_private_to_mm(struct anon *a, struct mm *mm)
{
	struct list_head *l;

	ASSERT_HELD(&rmap_lock);
	list_for_each(l, &a->vmas)
		if (list_entry(l, struct vma, anon_node)->mm != mm)
			return false;
	return true;
}
