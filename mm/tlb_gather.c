/* The TLB gather (see tlb_gather.h). */
#include <mm/tlb_gather.h>
#include <mm/mm.h>
#include <mm/frame.h>
#include <mm/deferred_free.h>
#include <mm/rmap.h>
#include <kernel/panic.h>
#include <kernel/lock_assert.h>

void tlb_gather_init(struct tlb_gather *tlb, struct mm *mm)
{
	tlb->mm = mm;
	tlb->start = USER_TOP;
	tlb->end = 0;
	list_init(&tlb->pages);
	tlb->nr_pages = 0;
	tlb->nr_legacy = 0;
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

bool tlb_gather_legacy(struct tlb_gather *tlb, struct page *p)
{
	ASSERT_HELD(&tlb->mm->page_table_lock);
	if (tlb->nr_legacy == TLB_LEGACY_MAX)
		return false;
	tlb->legacy[tlb->nr_legacy++] = p;
	return true;
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
	/* A legacy page's last reference may be another mm's, which flushes
	 * its own CPUs before it puts it: each put follows its own flush. */
	for (u32 i = 0; i < tlb->nr_legacy; i++)
		legacy_page_put(tlb->legacy[i]);
	tlb_gather_init(tlb, tlb->mm);
}

void tlb_zap_range(struct tlb_gather *tlb, u32 start, u32 end)
{
	struct mm *mm = tlb->mm;

	for (u32 at = start; at < end;) {
		spin_lock(&mm->page_table_lock);
		at = pte_zap_range(tlb, at, end);
		spin_unlock(&mm->page_table_lock);
		if (at < end)
			tlb_finish(tlb); /* the legacy batch is full */
	}
}
