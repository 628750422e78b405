/*
 * ktests for mm/fault.c, through handle_mm_fault as the page-fault handler
 * calls it: demand zero, the access checks (no VMA, a read-only VMA, a
 * PROT_NONE VMA, a kernel address), the stack growing down to its limit
 * and never onto the guard page below it, a PROT_NONE PTE under a VMA that
 * allows access again, a present PTE (nothing to do), and a file-backed
 * VMA filled from its image with zeros around the file's bytes.
 *
 * A frame handed out by the allocator holds whatever its last user left
 * (0x6b in debug builds), so a fault that forgot to clear it would be
 * seen; next_frame_dirty() makes sure of it for the frame a fault takes.
 * kppsd is paused: its passes would age and unmap the pages checked here.
 */
#include <kernel/ktest.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <mm/mm.h>
#include <mm/kppsd.h>
#include <mm/frame.h>
#include <mm/vmstat.h>
#include "pps_fixture.h"

#define P(n) ((n) * PAGE_SIZE)

/*
 * Make the next single-frame allocation a frame full of garbage: take a
 * pair of frames, fill the upper one, free it alone. Its buddy is still
 * taken, so it cannot merge and heads the list of free single frames,
 * which alloc_page takes from first. Returns the lower frame, for
 * free_page once the fault is done; *pfn is the dirty frame's number.
 */
static struct page *next_frame_dirty(u32 *pfn)
{
	struct page *pair = alloc_pages(1);

	if (!pair)
		return NULL;
	memset(page_address(pair + 1), 0xA5, PAGE_SIZE);
	*pfn = page_to_pfn(pair + 1);
	free_page(pair + 1);
	return pair;
}

static bool all_bytes(const u8 *p, u8 c, u32 n)
{
	for (u32 i = 0; i < n; i++)
		if (p[i] != c)
			return false;
	return true;
}

static void demand_zero(struct ktest *t)
{
	struct mm *mm = mm_create();
	struct vma *rw = mm ? add_vma(mm, 0x400000, 0x404000, VM_READ | VM_WRITE | VM_PURE_PRIVATE) : NULL;
	struct vma *ro = rw ? add_vma(mm, 0x404000, 0x405000, VM_READ | VM_PURE_PRIVATE) : NULL;
	u32 frames, alloc = vm_events[PGALLOC], faults = vm_events[PGFAULT], dirty;

	KT_ASSERT(t, ro);
	frames = nr_free_pages();
	KT_EXPECT_EQ(t, handle_mm_fault(mm, 0x400000, FAULT_WRITE | FAULT_USER), 0);
	KT_EXPECT_EQ(t, frames - nr_free_pages(), 1 + frames_per_table()); /* the page and its page table */
	pte_t e = pte_at(mm, 0x400000);
	KT_EXPECT(t, pte_present(e) && pte_write(e) && pte_user(e));
	KT_EXPECT_EQ(t, mm->rss, 1);
	KT_EXPECT_EQ(t, vm_events[PGALLOC] - alloc, 1);
	KT_EXPECT_EQ(t, vm_events[PGFAULT] - faults, 1);
	struct page *p = pfn_to_page(pte_pfn(e));
	KT_EXPECT(t, p->owner_mm == mm && p->owner_va == 0x400000); /* its one owner */

	/* The next page comes on a frame full of garbage: it must read zero. */
	struct page *keep = next_frame_dirty(&dirty);
	KT_ASSERT(t, keep);
	frames = nr_free_pages();
	KT_EXPECT_EQ(t, handle_mm_fault(mm, 0x402ABC, 0), 0);  /* a read, mid-page */
	free_page(keep);
	e = pte_at(mm, 0x402000);
	KT_EXPECT_EQ(t, pte_pfn(e), dirty);
	KT_EXPECT(t, all_bytes(page_at(mm, 0x402000), 0, PAGE_SIZE));
	KT_EXPECT(t, pte_present(e) && pte_write(e)); /* the VMA's permission, even on a read */
	KT_EXPECT(t, pte_none(pte_at(mm, 0x401000)) && pte_none(pte_at(mm, 0x403000)));
	KT_EXPECT_EQ(t, mm->rss, 2);
	KT_EXPECT_EQ(t, vm_events[PGALLOC] - alloc, 2);

	/* a read-only VMA gets a read-only page */
	KT_EXPECT_EQ(t, handle_mm_fault(mm, 0x404000, 0), 0);
	e = pte_at(mm, 0x404000);
	KT_EXPECT(t, pte_present(e) && !pte_write(e) && pte_user(e));
	KT_EXPECT_EQ(t, mm->rss, 3);
	put_last(t, mm);
}

KTEST(fault_demand_zero)
{
	kppsd_pause();
	demand_zero(t);
	kppsd_resume();
}

/* Accesses the VMAs do not allow fail, and leave no page behind. */
static void bad_access(struct ktest *t)
{
	static const struct { u32 addr, err; } bad[] = {
		{ 0x404000, FAULT_WRITE },      /* a read-only VMA */
		{ 0x405000, 0 },                /* a PROT_NONE VMA, even to read */
		{ 0x405000, FAULT_WRITE },
		{ 0x406000, 0 },                /* no VMA */
		{ 0x3FF000, FAULT_WRITE },      /* nor below (no stack above it) */
		{ 0, 0 },
		{ USER_TOP, 0 },                /* the kernel */
		{ USER_TOP + 0x1234, FAULT_WRITE },
		{ 0xFFFFF000, 0 },
		{ STACK_TOP, 0 },               /* the guard page above the stack */
	};
	struct mm *mm = mm_create();
	struct vma *ro = mm ? add_vma(mm, 0x404000, 0x405000, VM_READ | VM_PURE_PRIVATE) : NULL;
	struct vma *none = ro ? add_vma(mm, 0x405000, 0x406000, VM_PURE_PRIVATE) : NULL;

	KT_ASSERT(t, none);
	KT_ASSERT(t, add_vma(mm, STACK_TOP - P(1), STACK_TOP, VM_READ | VM_WRITE | VM_GROWSDOWN));
	u32 frames = nr_free_pages(), alloc = vm_events[PGALLOC];
	for (u32 i = 0; i < ARRAY_SIZE(bad); i++) {
		int r = handle_mm_fault(mm, bad[i].addr, bad[i].err | FAULT_USER);
		if (r != -EFAULT)
			ktest_fail(t, __FILE__, __LINE__, "fault at %#x err %#x: %d, want -EFAULT", bad[i].addr,
				   bad[i].err, r);
	}
	KT_EXPECT_EQ(t, nr_free_pages(), frames);
	KT_EXPECT_EQ(t, vm_events[PGALLOC], alloc);
	KT_EXPECT_EQ(t, mm->rss, 0);
	KT_EXPECT_EQ(t, mm->nr_vmas, 3);
	KT_EXPECT(t, pte_none(pte_at(mm, 0x404000)) && pte_none(pte_at(mm, 0x405000)));
	/* and the read the VMA allows works */
	KT_EXPECT_EQ(t, handle_mm_fault(mm, 0x404000, 0), 0);
	put_last(t, mm);
}

KTEST(fault_bad_access)
{
	kppsd_pause();
	bad_access(t);
	kppsd_resume();
}

/* A stack of 4 pages below STACK_TOP, and (if below) a VMA ending there. */
static struct mm *stack_mm(u32 below, struct vma **stack)
{
	struct mm *mm = mm_create();

	if (!mm)
		return NULL;
	*stack = add_vma(mm, STACK_TOP - P(4), STACK_TOP, VM_READ | VM_WRITE | VM_GROWSDOWN | VM_PURE_PRIVATE);
	mm->stack_vm = 4;
	if (!*stack || (below && !add_vma(mm, below - P(2), below, VM_READ | VM_WRITE))) {
		mm_put(mm);
		return NULL;
	}
	return mm;
}

/*
 * A fault below the stack grows it down to the faulting page, as far as
 * STACK_TOP - STACK_LIMIT and no further; only the faulting page gets a
 * frame. It never grows onto the page right above another VMA: that guard
 * page keeps a stack overflow from running into it.
 */
static void stack_growth(struct ktest *t)
{
	const u32 limit = STACK_TOP - STACK_LIMIT, below = STACK_TOP - P(16);
	struct vma *s;
	struct mm *mm = stack_mm(0, &s);

	KT_ASSERT(t, mm);
	KT_EXPECT_EQ(t, handle_mm_fault(mm, STACK_TOP - P(4) - 4, FAULT_WRITE), 0); /* a push */
	KT_EXPECT_EQ(t, s->start, STACK_TOP - P(5));
	KT_EXPECT_EQ(t, mm->stack_vm, 5);
	KT_EXPECT(t, pte_present(pte_at(mm, STACK_TOP - P(5))));
	KT_EXPECT_EQ(t, handle_mm_fault(mm, STACK_TOP - P(100) + 8, 0), 0);           /* a jump */
	KT_EXPECT_EQ(t, s->start, STACK_TOP - P(100));
	KT_EXPECT_EQ(t, mm->stack_vm, 100);
	KT_EXPECT_EQ(t, mm->rss, 2);            /* the pages in between are not touched */
	KT_EXPECT(t, pte_none(pte_at(mm, STACK_TOP - P(99))));
	KT_EXPECT_EQ(t, handle_mm_fault(mm, limit - 1, FAULT_WRITE), -EFAULT);        /* beyond */
	KT_EXPECT_EQ(t, s->start, STACK_TOP - P(100));
	KT_EXPECT_EQ(t, handle_mm_fault(mm, limit, FAULT_WRITE), 0);                  /* the limit */
	KT_EXPECT_EQ(t, s->start, limit);
	KT_EXPECT_EQ(t, mm->stack_vm, STACK_LIMIT / PAGE_SIZE);
	KT_EXPECT_EQ(t, handle_mm_fault(mm, limit - P(1), 0), -EFAULT);
	KT_EXPECT_EQ(t, mm->nr_vmas, 1);
	KT_EXPECT_EQ(t, mm->rss, 3);
	put_last(t, mm);

	mm = stack_mm(below, &s);
	KT_ASSERT(t, mm);
	KT_EXPECT_EQ(t, handle_mm_fault(mm, below + 0x10, FAULT_WRITE), -EFAULT);     /* the guard */
	KT_EXPECT_EQ(t, s->start, STACK_TOP - P(4));
	KT_EXPECT_EQ(t, handle_mm_fault(mm, below + P(1), FAULT_WRITE), 0);           /* above it */
	KT_EXPECT_EQ(t, s->start, below + P(1));
	KT_EXPECT_EQ(t, handle_mm_fault(mm, below, FAULT_WRITE), -EFAULT);            /* still */
	KT_EXPECT_EQ(t, s->start, below + P(1));
	KT_EXPECT(t, pte_none(pte_at(mm, below)));
	/* below another VMA that does not grow: no stack to grow */
	KT_EXPECT_EQ(t, handle_mm_fault(mm, below - P(3), FAULT_WRITE), -EFAULT);
	KT_EXPECT_EQ(t, mm->rss, 1);
	put_last(t, mm);
}

KTEST(fault_stack_growth)
{
	kppsd_pause();
	stack_growth(t);
	kppsd_resume();
}

/*
 * A PROT_NONE PTE (mprotect(PROT_NONE) kept its frame) under a VMA that
 * allows access: the fault makes it accessible again with the VMA's
 * permission, the same frame and data, no new page. A present PTE needs
 * nothing: the fault changes nothing and allocates nothing.
 */
static void protnone_and_present(struct ktest *t)
{
	struct mm *mm = mm_create();
	struct vma *rw = mm ? add_vma(mm, 0x400000, 0x402000, VM_READ | VM_WRITE | VM_PURE_PRIVATE) : NULL;
	struct vma *ro = rw ? add_vma(mm, 0x402000, 0x403000, VM_READ | VM_PURE_PRIVATE) : NULL;

	KT_ASSERT(t, ro);
	for (u32 va = 0x400000; va < 0x403000; va += PAGE_SIZE)
		KT_ASSERT(t, !handle_mm_fault(mm, va, 0));
	*(u32 *)page_at(mm, 0x400000) = 0x12345678;
	pte_t was[3] = { pte_at(mm, 0x400000), pte_at(mm, 0x401000), pte_at(mm, 0x402000) };
	spin_lock(&mm->page_table_lock);
	pte_protect_range(mm, 0x400000, 0x403000, 0);  /* as mprotect(PROT_NONE) left them */
	spin_unlock(&mm->page_table_lock);
	KT_EXPECT(t, pte_protnone(pte_at(mm, 0x400000)) && pte_protnone(pte_at(mm, 0x402000)));
	u32 frames = nr_free_pages(), alloc = vm_events[PGALLOC];

	KT_EXPECT_EQ(t, handle_mm_fault(mm, 0x400000, 0), 0);
	KT_EXPECT_EQ(t, handle_mm_fault(mm, 0x401000, FAULT_WRITE), 0);
	KT_EXPECT_EQ(t, handle_mm_fault(mm, 0x402000, FAULT_WRITE), -EFAULT); /* the VMA is read-only */
	KT_EXPECT(t, pte_protnone(pte_at(mm, 0x402000)));
	KT_EXPECT_EQ(t, handle_mm_fault(mm, 0x402000, 0), 0);
	for (u32 i = 0; i < 3; i++) {
		pte_t e = pte_at(mm, 0x400000 + P(i));
		KT_EXPECT(t, pte_present(e) && pte_pfn(e) == pte_pfn(was[i]));
		KT_EXPECT_EQ(t, pte_write(e), i < 2);
	}
	KT_EXPECT_EQ(t, *(u32 *)page_at(mm, 0x400000), 0x12345678);
	KT_EXPECT_EQ(t, nr_free_pages(), frames);
	KT_EXPECT_EQ(t, vm_events[PGALLOC], alloc);
	KT_EXPECT_EQ(t, mm->rss, 3);

	/* present now: faults on them change nothing */
	pte_t now = pte_at(mm, 0x400000);
	KT_EXPECT_EQ(t, handle_mm_fault(mm, 0x400000, 0), 0);
	KT_EXPECT_EQ(t, handle_mm_fault(mm, 0x400FFF, FAULT_WRITE), 0);
	KT_EXPECT_EQ(t, handle_mm_fault(mm, 0x402000, 0), 0);
	KT_EXPECT_EQ(t, pte_at(mm, 0x400000), now);
	KT_EXPECT_EQ(t, *(u32 *)page_at(mm, 0x400000), 0x12345678);
	KT_EXPECT_EQ(t, nr_free_pages(), frames);
	KT_EXPECT_EQ(t, vm_events[PGALLOC], alloc);
	KT_EXPECT_EQ(t, mm->rss, 3);
	put_last(t, mm);
}

KTEST(fault_protnone_and_present)
{
	kppsd_pause();
	protnone_and_present(t);
	kppsd_resume();
}

/*
 * A file-backed VMA (text and data from the initrd): bytes [file_start,
 * file_end) come from the image at file_off + (va - file_start), the rest
 * of its pages are zero. Here the file's bytes start 0x80 into the first
 * page and end 0x880 into the second; the third page is all zero. Each
 * page comes on a frame full of garbage.
 */
static u8 image[0x2000];

KTEST(fault_file_fill)
{
	const u32 base = 0x8048000, fstart = base + 0x80, fend = fstart + 0x1800, off = 0x100;
	struct mm *mm = mm_create();
	struct vma *v = mm ? add_vma(mm, base, base + P(3), VM_READ | VM_EXEC | VM_FILE) : NULL;
	u32 dirty;

	KT_ASSERT(t, v);
	for (u32 i = 0; i < sizeof(image); i++)
		image[i] = i % 251 + 1;         /* never zero */
	v->file_data = image;
	v->file_off = off;
	v->file_start = fstart;
	v->file_end = fend;
	KT_ASSERT(t, make_table(mm, base)); /* so that a fault takes one frame */
	for (u32 i = 0; i < 3; i++) {
		struct page *keep = next_frame_dirty(&dirty);
		KT_ASSERT(t, keep);
		int r = handle_mm_fault(mm, base + P(i) + 0x10, 0);
		free_page(keep);
		KT_EXPECT_EQ(t, r, 0);
		KT_EXPECT_EQ(t, pte_pfn(pte_at(mm, base + P(i))), dirty);
	}
	const u8 *p0 = page_at(mm, base), *p1 = page_at(mm, base + P(1)), *p2 = page_at(mm, base + P(2));
	KT_EXPECT(t, all_bytes(p0, 0, 0x80));                               /* before the file */
	KT_EXPECT(t, !memcmp(p0 + 0x80, image + off, PAGE_SIZE - 0x80));
	KT_EXPECT(t, !memcmp(p1, image + off + PAGE_SIZE - 0x80, 0x880));
	KT_EXPECT(t, all_bytes(p1 + 0x880, 0, PAGE_SIZE - 0x880));          /* the zero tail */
	KT_EXPECT(t, all_bytes(p2, 0, PAGE_SIZE));                          /* past the file */
	KT_EXPECT(t, !pte_write(pte_at(mm, base)));
	KT_EXPECT_EQ(t, handle_mm_fault(mm, base, FAULT_WRITE), -EFAULT);   /* text is read-only */
	KT_EXPECT_EQ(t, mm->rss, 3);
	put_last(t, mm);
}
