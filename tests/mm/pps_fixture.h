/*
 * What the mm and PPS ktests share: a VMA added as mmap would, a small
 * address space of written pages to step by hand, a count of its PTEs of
 * one type, the frame behind a PTE, the swap slots in use, the frames a
 * page table costs (one more with rmap=chain), and dropping the
 * mm as its last user so that the runner's leak check sees everything back.
 * Included by tests/mm/ktest_*.c only.
 */
#ifndef TESTS_MM_PPS_FIXTURE_H
#define TESTS_MM_PPS_FIXTURE_H

#include <kernel/ktest.h>
#include <kernel/sched.h>
#include <kernel/time.h>
#include <mm/mm.h>
#include <mm/kmalloc.h>
#include <mm/dftlb.h>
#include <mm/swapfile.h>
#include <mm/rmap.h>

/*
 * Drop the test's mm as its last user, so that what it held is free when
 * this returns (the runner's leak check comes right after). Done dftlb tasks
 * hold references until reaped, and kppsd's loop may be reaping them at this
 * very moment: its mm_put can come just after ours.
 */
static inline void put_last(struct ktest *t, struct mm *mm)
{
	u64 deadline = jiffies + 5 * hz;

	while ((dftlb_pending() || mm->users > 1) && jiffies < deadline) {
		dftlb_reap();
		sleep_ticks(1);
	}
	KT_EXPECT_EQ(t, mm->users, 1);
	mm_put(mm);
}

/* A VMA [start, end) of mm with these flags, inserted under mmap_lock;
 * NULL if there is no memory or it overlaps another (nothing leaks). */
static inline struct vma *add_vma(struct mm *mm, u32 start, u32 end, u32 flags)
{
	struct vma *v = vma_new(mm, start, end, flags, NULL);

	if (!v)
		return NULL;
	down_write(&mm->mmap_lock);
	int err = vma_insert(mm, v);
	up_write(&mm->mmap_lock);
	if (err) {
		kfree(v);
		return NULL;
	}
	return v;
}

/* A small address space with one private VMA of n written pages. */
static inline struct mm *make_mm(u32 n, struct vma **vp)
{
	struct mm *mm = mm_create();
	struct vma *v = mm ? add_vma(mm, 0x400000, 0x400000 + n * PAGE_SIZE,
				     VM_READ | VM_WRITE | VM_PURE_PRIVATE) : NULL;

	if (!v)
		return NULL;
	for (u32 i = 0; i < n; i++)
		if (handle_mm_fault(mm, v->start + i * PAGE_SIZE, FAULT_WRITE))
			return NULL;
	spin_lock(&mm->page_table_lock);
	for (u32 i = 0; i < n; i++) {
		pte_t *p = pte_lookup(mm, v->start + i * PAGE_SIZE);
		*p = pte_mkdirty(pte_mkyoung(*p)); /* as a CPU writing them would */
		*(u32 *)P2V(pte_pfn(*p) << PAGE_SHIFT) = 0xC0DE0000 + i;
	}
	spin_unlock(&mm->page_table_lock);
	*vp = v;
	return mm;
}

/* Make v look swept (mm/swap_ra.h): its last major fault read a window of
 * 8 and 6 of those pages were used since, so its next major fault reads
 * 8 pages: the faulting one and 7 ahead (swap_ra= is 8 or more by default). */
static inline void ra_as_sweep(struct vma *v)
{
	spin_lock(&v->mm->page_table_lock);
	v->ra = (struct swap_ra){ .prev_va = 0, .win = 8, .hits = 6, .cold = false };
	spin_unlock(&v->mm->page_table_lock);
}

/* Frames a new page table costs: with rmap=chain, its pair of chain
 * next-pointers too (mm/pte_chain.c). */
static inline u32 frames_per_table(void) { return rmap_mode == RMAP_CHAIN ? 2 : 1; }

/* The page table that maps va, made now (with no entries in it). */
static inline bool make_table(struct mm *mm, u32 va)
{
	spin_lock(&mm->page_table_lock);
	bool ok = pte_alloc(mm, va) != NULL;
	spin_unlock(&mm->page_table_lock);
	return ok;
}

/* The entry at va (0 where there is no page table). */
static inline pte_t pte_at(struct mm *mm, u32 va)
{
	pte_t *p = pte_lookup(mm, va);
	return p ? *p : 0;
}

/* The bytes of the frame that the entry at va holds (it must hold one). */
static inline u8 *page_at(struct mm *mm, u32 va)
{
	return P2V(pte_pfn(*pte_lookup(mm, va)) << PAGE_SHIFT);
}

static inline u32 swap_used(void) { return swap_total_pages() - swap_free_pages(); }

static inline int count_type(struct mm *mm, struct vma *v, bool (*is)(pte_t))
{
	int n = 0;
	for (u32 va = v->start; va < v->end; va += PAGE_SIZE)
		n += is(*pte_lookup(mm, va));
	return n;
}


#endif
