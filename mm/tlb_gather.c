/* The TLB gather (see tlb_gather.h). */
#include <mm/tlb_gather.h>
#include <mm/mm.h>
#include <mm/frame.h>
#include <mm/deferred_free.h>
#include <kernel/panic.h>
#include <kernel/lock_assert.h>

void tlb_gather_init(struct tlb_gather *tlb, struct mm *mm)
{
	tlb->mm = mm;
	tlb->start = USER_TOP;
	tlb->end = 0;
	list_init(&tlb->pages);
	tlb->nr_pages = 0;
}

void tlb_gather_range(struct tlb_gather *tlb, u32 start, u32 end)
{
	if (start >= end)
		return;
	tlb->start = MIN(tlb->start, start);
	tlb->end = MAX(tlb->end, end);
}

void tlb_gather_page(struct tlb_gather *tlb, struct page *p)
{
	ASSERT_HELD(&tlb->mm->page_table_lock);
	list_add_tail(&p->list, &tlb->pages);
	tlb->nr_pages++;
}

void tlb_gather_table(struct tlb_gather *tlb, u32 va, struct page *pt)
{
	u32 span = ALIGN_DOWN(va, BIGPAGE_SIZE);

	ASSERT_HELD(&tlb->mm->page_table_lock);
	tlb_gather_range(tlb, span, span + BIGPAGE_SIZE);
	list_add_tail(&pt->list, &tlb->pages);
	tlb->nr_pages++;
}

void tlb_finish(struct tlb_gather *tlb)
{
	if (tlb->start < tlb->end)
		mm_flush_tlb_range(tlb->mm, tlb->start, tlb->end);
	/* Every CPU that had the mm loaded has flushed (or switched away,
	 * which flushed too); one that loads it now walks the cleared
	 * entries. Nobody can reach the pages any more. */
	deferred_free_pages(&tlb->pages, tlb->nr_pages);
	tlb_gather_init(tlb, tlb->mm);
}
