/*
 * ktests of the frame map's classifier (mm/framemap_class.h): the rule on
 * fixture snapshots, one per class; real frames (a fresh kernel page, a
 * page directory, a PPS page taken through its stages by
 * pps_reclaim_range); the table (every class its own colour and
 * character); and a pass over every frame, whose free frames are the
 * allocator's.
 */
#include "pps_fixture.h"
#include <mm/framemap_class.h>
#include <mm/frame.h>
#include <mm/pps.h>

KTEST(framemap_class_rule)
{
	struct page *pg = alloc_page();
	u32 pfn;

	KT_ASSERT(t, pg);
	pfn = page_to_pfn(pg);
	struct frame_snap s = { 0 };
	KT_EXPECT_EQ(t, frame_class_of(&s), FRAME_KERNEL);
	s.free = true;
	KT_EXPECT_EQ(t, frame_class_of(&s), FRAME_FREE);
	s.flags = PG_deferred; /* a deferred page is not free yet, whatever else */
	KT_EXPECT_EQ(t, frame_class_of(&s), FRAME_DEFERRED);
	s = (struct frame_snap){ .flags = PG_reserved };
	KT_EXPECT_EQ(t, frame_class_of(&s), FRAME_RESERVED);
	s = (struct frame_snap){ .flags = PG_pgtable, .owned = true }; /* rmap=chain tables have owners */
	KT_EXPECT_EQ(t, frame_class_of(&s), FRAME_PAGE_TABLE);
	s = (struct frame_snap){ .flags = PG_legacy, .mapcount = 2 };
	KT_EXPECT_EQ(t, frame_class_of(&s), FRAME_COW);
	s.shared_anon = true;
	KT_EXPECT_EQ(t, frame_class_of(&s), FRAME_LEGACY);
	s = (struct frame_snap){ .flags = PG_legacy, .mapcount = 1 };
	KT_EXPECT_EQ(t, frame_class_of(&s), FRAME_LEGACY);
	s.flags |= PG_swapcache;
	KT_EXPECT_EQ(t, frame_class_of(&s), FRAME_SWAP_CACHE);
	s = (struct frame_snap){ .owned = true };
	KT_EXPECT_EQ(t, frame_class_of(&s), FRAME_USER); /* its PTE holds another frame */
	s.pte_maps_it = true;
	s.pte = pte_mkpresent(pfn, _PAGE_USER | _PAGE_ACCESSED);
	KT_EXPECT_EQ(t, frame_class_of(&s), FRAME_PPS_YOUNG);
	s.pte = pte_mkpresent(pfn, _PAGE_USER);
	KT_EXPECT_EQ(t, frame_class_of(&s), FRAME_PPS_OLD);
	s.pte = pte_mkprotnone(s.pte);
	KT_EXPECT_EQ(t, frame_class_of(&s), FRAME_USER);
	/* An UnmappedPTE's stage is in its page: the fixture page is it. */
	s.pte = pte_mkunmapped_pfn(pfn, true);
	KT_EXPECT_EQ(t, frame_class_of(&s), FRAME_PPS_UNMAPPED);
	pg->swap_slot = 1;
	pg->flags |= PG_dirty;
	KT_EXPECT_EQ(t, frame_class_of(&s), FRAME_PPS_SLOT);
	pg->flags &= ~PG_dirty;
	KT_EXPECT_EQ(t, frame_class_of(&s), FRAME_PPS_WRITTEN);
	pg->swap_slot = 0;
	free_page(pg);
}

KTEST(framemap_class_table)
{
	for (u32 a = 0; a < NR_FRAME_CLASSES; a++) {
		KT_EXPECT(t, frame_class_info[a].name && frame_class_info[a].colour < 16);
		for (u32 b = a + 1; b < NR_FRAME_CLASSES; b++) {
			KT_EXPECT(t, frame_class_info[a].colour != frame_class_info[b].colour);
			KT_EXPECT(t, frame_class_info[a].ch != frame_class_info[b].ch);
		}
	}
}

KTEST(framemap_classify_real_frames)
{
	struct page *pg = alloc_page();
	struct vma *v;
	struct mm *mm;

	KT_ASSERT(t, pg);
	KT_EXPECT_EQ(t, frame_classify(page_to_pfn(pg)), FRAME_KERNEL);
	free_page(pg);
	KT_EXPECT_EQ(t, frame_classify(0), FRAME_RESERVED); /* the real-mode IVT */
	mm = make_mm(4, &v);
	KT_ASSERT(t, mm);
	KT_EXPECT_EQ(t, frame_classify(V2P(mm->pgdir) >> PAGE_SHIFT), FRAME_PAGE_TABLE);
	u32 pfn = pte_pfn(*pte_lookup(mm, v->start));
	KT_EXPECT_EQ(t, frame_classify(pfn), FRAME_PPS_YOUNG);
	/* Up to stage 4 done: written, its frame still there (clean). */
	down_read(&mm->mmap_lock);
	KT_EXPECT_EQ(t, pps_reclaim_range(mm, v->start, v->end, PPS_STAGE_WRITE), 0);
	up_read(&mm->mmap_lock);
	pte_t pte = *pte_lookup(mm, v->start);
	KT_EXPECT(t, pte_unmapped(pte));
	/* Without swap, stage 3 finds no slot and the page waits there. */
	if (pte_unmapped(pte))
		KT_EXPECT_EQ(t, frame_classify(pte_pfn(pte)),
			     swap_enabled ? FRAME_PPS_WRITTEN : FRAME_PPS_UNMAPPED);
	put_last(t, mm);
}

/* A pass's free frames are the allocator's (the machine is quiet while
 * ktests run: a few frames of slack for kppsd and the deferred lists). */
KTEST(framemap_pass_counts_free_frames)
{
	u32 n[NR_FRAME_CLASSES] = { 0 }, total = 0, nfree = nr_free_pages();

	for (u32 pfn = 0; pfn < max_pfn; pfn++)
		n[frame_classify(pfn)]++;
	for (u32 c = 0; c < NR_FRAME_CLASSES; c++)
		total += n[c];
	KT_EXPECT_EQ(t, total, max_pfn);
	KT_EXPECT(t, n[FRAME_FREE] + 16 >= nfree && n[FRAME_FREE] <= nfree + 16);
	if (!(n[FRAME_FREE] + 16 >= nfree && n[FRAME_FREE] <= nfree + 16))
		printk("# free frames: pass %u, allocator %u\n", n[FRAME_FREE], nfree);
}
