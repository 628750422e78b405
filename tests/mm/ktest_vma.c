/*
 * ktests for mm/vma.c: the sorted VMA list of an mm. Insertion keeps the
 * order and refuses overlaps; lookups by address and by range; split,
 * merge (same kind of memory only; for file-backed VMAs, the same bytes of
 * the same file), unmapping a range that cuts VMAs at both edges and frees
 * their pages, and the search for a free gap.
 *
 * mmap_lock is taken as the callers in the kernel take it: for writing
 * around changes of the list, for reading around lookups. kppsd is paused
 * where pages exist, so that the PTEs checked are the ones faults made.
 */
#include <kernel/ktest.h>
#include <kernel/errno.h>
#include <mm/mm.h>
#include <mm/deferred_free.h>
#include <mm/kppsd.h>
#include <mm/frame.h>
#include <mm/kmalloc.h>
#include <mm/vmstat.h>
#include "pps_fixture.h"

#define RW (VM_READ | VM_WRITE)
#define ANON (VM_READ | VM_WRITE | VM_PURE_PRIVATE)
#define P(n) ((n) * PAGE_SIZE)

/* The VMAs of mm as a string of [start,end) pairs in list order, checked
 * against want (0-terminated), and the count against nr_vmas. */
static void expect_vmas(struct ktest *t, struct mm *mm, const u32 *want, int line)
{
	struct list_head *p;
	u32 i = 0, n = 0;
	bool ok = true;

	list_for_each(p, &mm->vmas) {
		struct vma *v = list_entry(p, struct vma, node);
		ok &= want[i] && v->start == want[i] && v->end == want[i + 1] && v->mm == mm;
		if (want[i])
			i += 2;
		n++;
	}
	ok &= !want[i] && n == mm->nr_vmas;
	if (!ok) {
		ktest_fail(t, __FILE__, line, "VMAs (nr_vmas %u):", mm->nr_vmas);
		list_for_each(p, &mm->vmas) {
			struct vma *v = list_entry(p, struct vma, node);
			printk("#   [%#x, %#x) flags %#x\n", v->start, v->end, v->flags);
		}
	}
}
#define EXPECT_VMAS(t, mm, ...) expect_vmas(t, mm, (const u32[]){ __VA_ARGS__, 0 }, __LINE__)

static int insert(struct mm *mm, u32 start, u32 end, u32 flags)
{
	struct vma *v = vma_new(mm, start, end, flags, NULL);
	int r;

	if (!v)
		return -ENOMEM;
	down_write(&mm->mmap_lock);
	r = vma_insert(mm, v);
	up_write(&mm->mmap_lock);
	if (r)
		kfree(v);
	return r;
}

KTEST(vma_insert_order_and_overlap)
{
	static const u32 refused[][2] = {
		{ 0xFFF000, 0x1001000 },        /* over a's start */
		{ 0x1001000, 0x1002000 },       /* inside a */
		{ 0x1000000, 0x1004000 },       /* a itself */
		{ 0x1003000, 0x1006000 },       /* over a's end and all of d */
		{ 0x800000, 0x3100000 },        /* around everything */
		{ 0x2001000, 0x2003000 },       /* over b's end */
		{ 0x3000000, 0x3001000 },       /* c itself */
	};
	struct mm *mm = mm_create();

	KT_ASSERT(t, mm);
	/* out of order: c, a, b, then d right after a */
	KT_EXPECT_EQ(t, insert(mm, 0x3000000, 0x3001000, RW), 0);
	KT_EXPECT_EQ(t, insert(mm, 0x1000000, 0x1004000, RW), 0);
	KT_EXPECT_EQ(t, insert(mm, 0x2000000, 0x2002000, RW), 0);
	KT_EXPECT_EQ(t, insert(mm, 0x1004000, 0x1005000, VM_READ), 0); /* touching is no overlap */
	EXPECT_VMAS(t, mm, 0x1000000, 0x1004000, 0x1004000, 0x1005000, 0x2000000, 0x2002000,
		    0x3000000, 0x3001000);
	for (u32 i = 0; i < ARRAY_SIZE(refused); i++)
		KT_EXPECT_EQ(t, insert(mm, refused[i][0], refused[i][1], RW), -EEXIST);
	/* a gap filled exactly, between d and b; and one before everything */
	KT_EXPECT_EQ(t, insert(mm, 0x1005000, 0x2000000, RW), 0);
	KT_EXPECT_EQ(t, insert(mm, 0x1000, 0x2000, RW), 0);
	EXPECT_VMAS(t, mm, 0x1000, 0x2000, 0x1000000, 0x1004000, 0x1004000, 0x1005000, 0x1005000, 0x2000000,
		    0x2000000, 0x2002000, 0x3000000, 0x3001000);
	mm_put(mm);
}

KTEST(vma_find_and_intersect)
{
	static const struct { u32 addr, want; } finds[] = {
		{ 0, 0 }, { 0xFFFFFF, 0 }, { 0x1000000, 0x1000000 }, { 0x1003FFF, 0x1000000 },
		{ 0x1004000, 0x1004000 }, { 0x1004FFF, 0x1004000 }, { 0x1005000, 0 }, { 0x1FFFFFF, 0 },
		{ 0x2000000, 0x2000000 }, { 0x2001FFF, 0x2000000 }, { 0x2002000, 0 }, { 0xBFFFFFFF, 0 },
	};
	static const struct { u32 start, end, want; } ranges[] = {
		{ 0xFF0000, 0x1000000, 0 },                  /* touches a's start only */
		{ 0xFF0000, 0x1000001, 0x1000000 },
		{ 0x1003000, 0x2001000, 0x1000000 },         /* the first of three */
		{ 0x1004000, 0x2001000, 0x1004000 },         /* a ends where it starts */
		{ 0x1005000, 0x2000000, 0 },                 /* exactly the gap */
		{ 0x1005000, 0x3000000, 0x2000000 },
		{ 0x2002000, USER_TOP, 0 },
		{ 0, USER_TOP, 0x1000000 },
	};
	struct mm *mm = mm_create();

	KT_ASSERT(t, mm);
	KT_ASSERT(t, !insert(mm, 0x2000000, 0x2002000, RW) && !insert(mm, 0x1000000, 0x1004000, RW) &&
		     !insert(mm, 0x1004000, 0x1005000, VM_READ));
	down_read(&mm->mmap_lock);
	for (u32 i = 0; i < ARRAY_SIZE(finds); i++) {
		struct vma *v = vma_find(mm, finds[i].addr);
		if ((v ? v->start : 0) != finds[i].want)
			ktest_fail(t, __FILE__, __LINE__, "vma_find(%#x): %#x, want %#x", finds[i].addr,
				   v ? v->start : 0, finds[i].want);
	}
	for (u32 i = 0; i < ARRAY_SIZE(ranges); i++) {
		struct vma *v = vma_find_intersect(mm, ranges[i].start, ranges[i].end);
		if ((v ? v->start : 0) != ranges[i].want)
			ktest_fail(t, __FILE__, __LINE__, "vma_find_intersect(%#x, %#x): %#x, want %#x",
				   ranges[i].start, ranges[i].end, v ? v->start : 0, ranges[i].want);
	}
	up_read(&mm->mmap_lock);
	mm_put(mm);
}

static const u8 file_image[3 * PAGE_SIZE];

/* A file-backed VMA: bytes [fstart, fend) of it come from file_image at
 * file_off + (va - fstart). */
static struct vma *add_file_vma(struct mm *mm, u32 start, u32 end, const u8 *data, u32 off, u32 fstart,
				u32 fend)
{
	struct vma *v = add_vma(mm, start, end, VM_READ | VM_EXEC | VM_FILE);

	if (v) {
		v->file_data = data;
		v->file_off = off;
		v->file_start = fstart;
		v->file_end = fend;
	}
	return v;
}

static int split(struct vma *v, u32 addr)
{
	struct mm *mm = v->mm;

	down_write(&mm->mmap_lock);
	int r = vma_split(v, addr);
	up_write(&mm->mmap_lock);
	return r;
}

static void split_pages(struct ktest *t)
{
	struct vma *v;
	struct mm *mm = make_mm(8, &v);
	pte_t before[8];

	KT_ASSERT(t, mm);
	v->name = "[x]";
	for (u32 i = 0; i < 8; i++)
		before[i] = *pte_lookup(mm, v->start + P(i));
	KT_EXPECT_EQ(t, split(v, 0x403000), 0);
	EXPECT_VMAS(t, mm, 0x400000, 0x403000, 0x403000, 0x408000);
	struct vma *n = list_entry(v->node.next, struct vma, node);
	KT_EXPECT(t, n->flags == v->flags && n->name == v->name && n->mm == mm);
	down_read(&mm->mmap_lock);
	KT_EXPECT(t, vma_find(mm, 0x402FFF) == v && vma_find(mm, 0x403000) == n);
	up_read(&mm->mmap_lock);
	/* at an edge or outside: nothing to split */
	KT_EXPECT_EQ(t, split(v, v->start), 0);
	KT_EXPECT_EQ(t, split(v, v->end), 0);
	KT_EXPECT_EQ(t, split(n, 0x200000), 0);
	KT_EXPECT_EQ(t, split(n, 0x500000), 0);
	EXPECT_VMAS(t, mm, 0x400000, 0x403000, 0x403000, 0x408000);
	/* the pages are the VMAs' business only when unmapped */
	for (u32 i = 0; i < 8; i++)
		KT_EXPECT_EQ(t, *pte_lookup(mm, v->start + P(i)), before[i]);
	KT_EXPECT_EQ(t, mm->rss, 8);

	/* A file-backed VMA's halves map the same bytes as the whole did. */
	struct vma *f = add_file_vma(mm, 0x8048000, 0x804C000, file_image, 0x40, 0x8048100, 0x804A800);
	KT_ASSERT(t, f);
	KT_EXPECT_EQ(t, split(f, 0x8049000), 0);
	struct vma *g = list_entry(f->node.next, struct vma, node);
	KT_EXPECT(t, g->start == 0x8049000 && g->end == 0x804C000 && f->end == 0x8049000);
	KT_EXPECT(t, g->flags == f->flags && g->file_data == f->file_data);
	KT_EXPECT(t, g->file_off == 0x40 && g->file_start == 0x8048100 && g->file_end == 0x804A800);
	put_last(t, mm);
}

KTEST(vma_split)
{
	kppsd_pause();
	split_pages(t);
	kppsd_resume();
}

static struct vma *clip(struct vma *v, u32 start, u32 end)
{
	struct mm *mm = v->mm;

	down_write(&mm->mmap_lock);
	v = vma_clip(v, start, end);
	up_write(&mm->mmap_lock);
	return v;
}

/* vma_clip: the part of a VMA within a range, split off where the range
 * cuts it (mprotect, mlock and munmap work on that part). */
KTEST(vma_clip)
{
	struct mm *mm = mm_create();
	struct vma *v = mm ? add_vma(mm, 0x400000, 0x410000, RW) : NULL, *c;

	KT_ASSERT(t, v);
	c = clip(v, 0x300000, 0x500000);                /* all of it: no cut */
	KT_EXPECT(t, c == v);
	EXPECT_VMAS(t, mm, 0x400000, 0x410000);
	c = clip(v, 0x300000, 0x40E000);                /* its end cut off */
	KT_EXPECT(t, c == v && c->end == 0x40E000);
	EXPECT_VMAS(t, mm, 0x400000, 0x40E000, 0x40E000, 0x410000);
	c = clip(v, 0x402000, 0x500000);                /* its start cut off */
	KT_EXPECT(t, c && c != v && c->start == 0x402000 && c->end == 0x40E000);
	EXPECT_VMAS(t, mm, 0x400000, 0x402000, 0x402000, 0x40E000, 0x40E000, 0x410000);
	struct vma *d = clip(c, 0x404000, 0x405000);    /* both */
	KT_EXPECT(t, d && d->start == 0x404000 && d->end == 0x405000 && d->flags == RW);
	EXPECT_VMAS(t, mm, 0x400000, 0x402000, 0x402000, 0x404000, 0x404000, 0x405000, 0x405000, 0x40E000,
		    0x40E000, 0x410000);
	mm_put(mm);
}

static void merge_around(struct mm *mm, struct vma *v)
{
	down_write(&mm->mmap_lock);
	vma_merge_around(mm, v);
	up_write(&mm->mmap_lock);
}

/* Three VMAs side by side (a gap before the third when gap): merge around
 * the middle one; returns it. */
static struct vma *three(struct mm *mm, u32 f1, u32 f2, u32 f3, bool gap)
{
	struct vma *a = add_vma(mm, P(0x100), P(0x101), f1), *b = add_vma(mm, P(0x101), P(0x103), f2);
	struct vma *c = add_vma(mm, P(0x103 + gap), P(0x104 + gap), f3);

	return a && b && c ? b : NULL;
}

KTEST(vma_merge_anon)
{
	static const struct { u32 f1, f2, f3; bool gap; u32 nr, first_end; } cases[] = {
		{ RW, RW, RW, false, 1, P(0x104) },             /* all three */
		{ RW, VM_READ, RW, false, 3, P(0x101) },        /* other flags: none */
		{ RW, RW, VM_READ, false, 2, P(0x103) },        /* with the one before */
		{ VM_READ, RW, RW, false, 2, P(0x101) },        /* with the one after */
		{ RW, RW, RW, true, 2, P(0x103) },              /* not across a gap */
		{ ANON, ANON | VM_LOCKED, ANON, false, 3, P(0x101) },
		{ ANON, RW, ANON, false, 3, P(0x101) },         /* PPS's and not */
	};

	for (u32 i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mm *mm = mm_create();
		struct vma *b = mm ? three(mm, cases[i].f1, cases[i].f2, cases[i].f3, cases[i].gap) : NULL;
		KT_ASSERT(t, b);
		merge_around(mm, b);
		struct vma *first = list_entry(mm->vmas.next, struct vma, node);
		if (mm->nr_vmas != cases[i].nr || first->start != P(0x100) || first->end != cases[i].first_end)
			ktest_fail(t, __FILE__, __LINE__, "case %u: %u VMAs, the first [%#x, %#x)", i, mm->nr_vmas,
				   first->start, first->end);
		mm_put(mm);
	}

	/* and a name (a path, "[heap]") is part of what a VMA is */
	struct mm *mm = mm_create();
	struct vma *b = mm ? three(mm, RW, RW, RW, false) : NULL;
	KT_ASSERT(t, b);
	b->name = "[heap]";
	merge_around(mm, b);
	KT_EXPECT_EQ(t, mm->nr_vmas, 3);
	mm_put(mm);
}

/*
 * File-backed VMAs merge when the result maps the same bytes as the parts:
 * the same file and the same place in it (va reads file_data + file_off +
 * (va - file_start) in both). The halves of a split VMA are that; VMAs
 * whose offsets differ, or over another file, are not.
 */
KTEST(vma_merge_file)
{
	static const u8 other_image[PAGE_SIZE];
	static const struct { const u8 *data; u32 off; bool merges; } next_to[] = {
		{ file_image, 0x40, true },                     /* the rest of the same mapping */
		{ file_image, 0x40 + P(1), false },             /* another place in the file */
		{ file_image, 0x80, false },
		{ other_image, 0x40, false },                   /* another file */
	};

	for (u32 i = 0; i < ARRAY_SIZE(next_to); i++) {
		struct mm *mm = mm_create();
		struct vma *a = mm ? add_file_vma(mm, 0x8048000, 0x8049000, file_image, 0x40, 0x8048100,
						   0x804A800) : NULL;
		struct vma *b = a ? add_file_vma(mm, 0x8049000, 0x804B000, next_to[i].data, next_to[i].off,
						  0x8048100, 0x804A800) : NULL;
		KT_ASSERT(t, b);
		merge_around(mm, b);
		if ((mm->nr_vmas == 1) != next_to[i].merges)
			ktest_fail(t, __FILE__, __LINE__, "file offset %#x of %s: %u VMAs after the merge",
				   next_to[i].off, next_to[i].data == file_image ? "the file" : "another file",
				   mm->nr_vmas);
		mm_put(mm);
	}

	/* a split and the merge that undoes it */
	struct mm *mm = mm_create();
	struct vma *f = mm ? add_file_vma(mm, 0x8048000, 0x804C000, file_image, 0x40, 0x8048100, 0x804A800)
			   : NULL;
	KT_ASSERT(t, f);
	KT_EXPECT_EQ(t, split(f, 0x804A000), 0);
	merge_around(mm, list_entry(f->node.next, struct vma, node));
	EXPECT_VMAS(t, mm, 0x8048000, 0x804C000);
	KT_EXPECT(t, f->file_off == 0x40 && f->file_start == 0x8048100 && f->file_end == 0x804A800);
	/* an anonymous VMA with the same permissions next to it stays apart */
	KT_ASSERT(t, add_vma(mm, 0x804C000, 0x804D000, VM_READ | VM_EXEC));
	merge_around(mm, f);
	KT_EXPECT_EQ(t, mm->nr_vmas, 2);
	mm_put(mm);
}

static int unmap(struct mm *mm, u32 start, u32 end)
{
	down_write(&mm->mmap_lock);
	int r = vma_unmap_range(mm, start, end);
	up_write(&mm->mmap_lock);
	return r;
}

/*
 * Is frame pfn free: inside a free buddy block of some order? (Read
 * without the allocator's lock: nothing else allocates meanwhile.) Frames
 * are checked one by one because the count of free frames moves with the
 * slab pages that kfree gives back along with the VMAs.
 */
static bool frame_is_free(u32 pfn)
{
	for (u32 k = 0; k <= MAX_ORDER; k++) {
		struct page *head = pfn_to_page(pfn & ~((1u << k) - 1));
		if ((head->flags & PG_free) && head->order >= k)
			return true;
	}
	return false;
}

/* Which of these frames are free, as a bit mask. */
static u32 free_mask(const u32 *pfn, u32 n)
{
	u32 mask = 0;

	for (u32 i = 0; i < n; i++)
		mask |= (u32)frame_is_free(pfn[i]) << i;
	return mask;
}

/*
 * 8 written pages at 0x400000 and 2 at 0x410000 (pages 8 and 9 below).
 * Unmapping cuts VMAs at both edges of the range, frees exactly the pages
 * inside it (through the deferred free list, emptied here at once) and
 * leaves the others mapped, with their data. The page table stays while
 * a VMA reaches into its 4 MiB, and goes with the last one.
 */
static void unmap_ranges(struct ktest *t)
{
	static const u32 va[10] = { 0x400000, 0x401000, 0x402000, 0x403000, 0x404000,
				    0x405000, 0x406000, 0x407000, 0x410000, 0x411000 };
	static const struct { u32 start, end, mask; } steps[] = {
		{ 0x402000, 0x405000, 0x01C },  /* the middle of one VMA */
		{ 0x401000, 0x411000, 0x1FE },  /* the end of one, all the next, a gap, the start of the last */
		{ 0x500000, 0x600000, 0x1FE },  /* nothing there */
		{ 0x401000, 0x411000, 0x1FE },  /* nothing there any more */
		{ 0, USER_TOP, 0x3FF },         /* everything */
	};
	static const u32 vmas[][7] = {
		{ 0x400000, 0x402000, 0x405000, 0x408000, 0x410000, 0x412000, 0 },
		{ 0x400000, 0x401000, 0x411000, 0x412000, 0 },
		{ 0x400000, 0x401000, 0x411000, 0x412000, 0 },
		{ 0x400000, 0x401000, 0x411000, 0x412000, 0 },
		{ 0 },
	};
	u32 pfn[10], freed;
	struct vma *v;
	struct mm *mm = make_mm(8, &v);

	KT_ASSERT(t, mm);
	KT_ASSERT(t, add_vma(mm, 0x410000, 0x412000, ANON));
	KT_ASSERT(t, !handle_mm_fault(mm, 0x410000, FAULT_WRITE) && !handle_mm_fault(mm, 0x411000, FAULT_WRITE));
	for (u32 i = 0; i < 10; i++)
		pfn[i] = pte_pfn(*pte_lookup(mm, va[i]));
	KT_EXPECT_EQ(t, free_mask(pfn, 10), 0);
	freed = vm_events[PGFREE_USER];

	for (u32 s = 0; s < ARRAY_SIZE(steps); s++) {
		u32 gone = __builtin_popcount(steps[s].mask);
		bool last = s == ARRAY_SIZE(steps) - 1;
		KT_EXPECT_EQ(t, unmap(mm, steps[s].start, steps[s].end), 0);
		deferred_free_drain_all();
		expect_vmas(t, mm, vmas[s], __LINE__);
		KT_EXPECT_EQ(t, free_mask(pfn, 10), steps[s].mask);
		KT_EXPECT_EQ(t, vm_events[PGFREE_USER] - freed, gone);
		KT_EXPECT_EQ(t, mm->rss, 10 - gone);
		for (u32 i = 0; i < 10; i++) {
			pte_t *p = pte_lookup(mm, va[i]);
			bool mapped = !(steps[s].mask & (1u << i));
			KT_EXPECT(t, last ? p == NULL : p != NULL); /* the table goes with the last VMA */
			if (p && (mapped ? !pte_present(*p) || pte_pfn(*p) != pfn[i] : !pte_none(*p)))
				ktest_fail(t, __FILE__, __LINE__, "step %u: entry at %#x is %#x", s, va[i], *p);
			else if (p && mapped && i < 8 && *(u32 *)page_at(mm, va[i]) != 0xC0DE0000 + i)
				ktest_fail(t, __FILE__, __LINE__, "step %u: page at %#x lost its data", s, va[i]);
		}
	}
	KT_EXPECT_EQ(t, mm->nr_vmas, 0);
	put_last(t, mm);
}

KTEST(vma_unmap_range)
{
	kppsd_pause();
	unmap_ranges(t);
	kppsd_resume();
}

static u32 find_free(struct mm *mm, u32 len)
{
	down_read(&mm->mmap_lock);
	u32 r = vma_find_free(mm, len);
	up_read(&mm->mmap_lock);
	return r;
}

/*
 * The first gap at or above MMAP_BASE, else the first from 64 KiB, and
 * never into the stack's room: below STACK_TOP - STACK_LIMIT, with a
 * guard page.
 */
KTEST(vma_find_free)
{
	const u32 ceiling = STACK_TOP - STACK_LIMIT - PAGE_SIZE;
	struct mm *mm = mm_create(), *full = mm_create();

	KT_ASSERT(t, mm && full);
	KT_EXPECT_EQ(t, find_free(mm, P(1)), MMAP_BASE);
	KT_EXPECT_EQ(t, find_free(mm, ceiling - MMAP_BASE), MMAP_BASE);          /* just fits */
	KT_EXPECT_EQ(t, find_free(mm, ceiling - MMAP_BASE + P(1)), P(16));       /* lower down */
	KT_EXPECT_EQ(t, find_free(mm, ceiling - P(16)), P(16));
	KT_EXPECT_EQ(t, find_free(mm, ceiling - P(16) + P(1)), 0);               /* nowhere */
	KT_EXPECT_EQ(t, find_free(mm, 0xFFFFF000), 0);                           /* wraps */

	/* the stack does not count; VMAs at MMAP_BASE do, and their holes */
	KT_ASSERT(t, !insert(mm, STACK_TOP - P(4), STACK_TOP, RW | VM_GROWSDOWN));
	KT_EXPECT_EQ(t, find_free(mm, P(1)), MMAP_BASE);
	KT_ASSERT(t, !insert(mm, MMAP_BASE, MMAP_BASE + P(2), RW));
	KT_EXPECT_EQ(t, find_free(mm, P(1)), MMAP_BASE + P(2));
	KT_ASSERT(t, !insert(mm, MMAP_BASE + P(3), MMAP_BASE + P(5), RW));
	KT_EXPECT_EQ(t, find_free(mm, P(1)), MMAP_BASE + P(2));                 /* the hole */
	KT_EXPECT_EQ(t, find_free(mm, P(2)), MMAP_BASE + P(5));                 /* too small */
	KT_ASSERT(t, !insert(mm, MMAP_BASE - P(1), MMAP_BASE, RW));             /* below: no matter */
	KT_EXPECT_EQ(t, find_free(mm, P(2)), MMAP_BASE + P(5));

	/* Full above MMAP_BASE up to the ceiling: the gaps below it. */
	KT_ASSERT(t, !insert(full, MMAP_BASE - P(1), ceiling - P(1), RW));      /* over MMAP_BASE */
	KT_EXPECT_EQ(t, find_free(full, P(1)), ceiling - P(1));                 /* the last page */
	KT_ASSERT(t, !insert(full, ceiling - P(1), ceiling, RW));
	KT_EXPECT_EQ(t, find_free(full, P(1)), P(16));
	KT_ASSERT(t, !insert(full, 0x8048000, 0x8050000, RW));
	KT_EXPECT_EQ(t, find_free(full, 0x8048000 - P(16)), P(16));             /* exactly below */
	KT_EXPECT_EQ(t, find_free(full, 0x8048000 - P(16) + P(1)), 0x8050000);  /* above it */
	KT_EXPECT_EQ(t, find_free(full, MMAP_BASE - P(1) - 0x8050000), 0x8050000);
	KT_EXPECT_EQ(t, find_free(full, MMAP_BASE - 0x8050000), 0);
	mm_put(mm);
	mm_put(full);
}
