/* ktests for mm/frame.c, the buddy allocator. */
#include <kernel/ktest.h>
#include <mm/frame.h>

KTEST(frame_alloc_orders)
{
	struct page *p[MAX_ORDER + 1];
	u32 before = nr_free_pages();

	for (unsigned k = 0; k <= 6; k++) {
		p[k] = alloc_pages(k);
		KT_ASSERT(t, p[k] != NULL);
		KT_EXPECT_EQ(t, page_to_pfn(p[k]) & ((1u << k) - 1), 0); /* naturally aligned */
		KT_EXPECT(t, !(p[k]->flags & (PG_free | PG_reserved)));
		*(u32 *)page_address(p[k]) = 0xC0FFEE00 + k;
	}
	KT_EXPECT_EQ(t, nr_free_pages(), before - 127);
	for (unsigned k = 0; k <= 6; k++) {
		KT_EXPECT_EQ(t, *(u32 *)page_address(p[k]), 0xC0FFEE00 + k);
		free_pages(p[k], k);
	}
	KT_EXPECT_EQ(t, nr_free_pages(), before);
	KT_EXPECT(t, alloc_pages(MAX_ORDER + 1) == NULL);
}

/* Take every free frame, one at a time, then give them all back: the
 * allocator must say "no more" cleanly, and merge everything again. */
KTEST(frame_exhaust_and_merge)
{
	u32 before = nr_free_pages(), n = 0;
	void *list = NULL;
	struct page *p;

	while ((p = alloc_page())) {
		*(void **)page_address(p) = list; /* thread a list through the pages */
		list = page_address(p);
		n++;
	}
	KT_EXPECT_EQ(t, n, before);
	KT_EXPECT_EQ(t, nr_free_pages(), 0);
	while (list) {
		void *next = *(void **)list;
		free_pages_virt(list, 0);
		list = next;
	}
	KT_EXPECT_EQ(t, nr_free_pages(), before);
	/* Merged back: a large block is available again. */
	p = alloc_pages(8);
	KT_EXPECT(t, p != NULL);
	if (p)
		free_pages(p, 8);
	kt_info(t, "%u frames allocated and freed", n);
}
