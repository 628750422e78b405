/*
 * Faults on PPS's non-present PTEs.
 *
 * UnmappedPTE: a rescue. The page never left memory; map the same frame
 * back (a minor fault, no I/O). Its swap slot, if any, stays attached, so
 * while the page stays clean it can be evicted again without a write.
 *
 * SwappedPTE: read the page back (a major fault) and read ahead the
 * neighbouring SwappedPTEs of the same VMA: the VMA neighbourhood, where
 * the process's own history says the next touches will be (seed 000),
 * not the slot neighbourhood. Read-ahead pages come in as UnmappedPTEs,
 * so unused ones are cheap to reclaim and used ones cost a minor fault.
 * One disk command per run of consecutive slots. PTEs being read carry
 * _PAGE_SWAPIN: a second CPU faulting on one waits for the first read
 * instead of starting another.
 *
 * Locks: mmap_lock held for reading by the caller; page_table_lock taken
 * here around PTE changes, never across the disk I/O.
 */
#include <mm/pps.h>
#include <mm/mm.h>
#include <mm/frame.h>
#include <mm/swapfile.h>
#include <mm/swap_io.h>
#include <mm/vmstat.h>
#include <kernel/cmdline.h>
#include <kernel/waitqueue.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/string.h>

u32 swap_readahead_window = 8;
CMDLINE_PARAM_UINT(swap_ra, swap_readahead_window, 1, PPS_SERIES_MAX,
		   "pages a swap-in fault reads around the faulting one, in its VMA");

static struct waitqueue swapin_wq;

void pps_fault_init(void)
{
	waitqueue_init(&swapin_wq, "swapin");
}

static struct waitqueue *swapin_queue(void)
{
	return &swapin_wq;
}

int pps_rescue(struct mm *mm, struct vma *v, u32 va)
{
	spin_lock(&mm->page_table_lock);
	pte_t *ptep = pte_lookup(mm, va), old = *ptep;
	if (pte_unmapped(old) && pte_cmpxchg(ptep, old, pte_rescue(old, v->flags & VM_WRITE))) {
		struct page *p = pfn_to_page(pte_pfn(old));
		ASSERT_OWNER(p, mm, va & ~(PAGE_SIZE - 1));
		if (p->flags & PG_readahead) {
			p->flags &= ~PG_readahead;
			count_vm_event(SWAP_RA_HIT);
		}
		count_vm_event(PPS_RESCUE);
	}
	spin_unlock(&mm->page_table_lock);
	return 0; /* changed or not, the access is retried */
}

/* Install a page read from `slot` at va: the faulting page present, the
 * read-ahead ones as UnmappedPTEs. page_table_lock held. */
static void install(struct mm *mm, struct vma *v, u32 va, struct page *p, u32 slot, bool present)
{
	pte_t *ptep = pte_lookup(mm, va);
	bool w = v->flags & VM_WRITE;

	/* The slot stays with the page (clean: a re-eviction needs no write)
	 * unless a fork shares it: then this PTE's use of it ends here. */
	if (swap_slot_count(&swap_area_main, slot) == 1) {
		p->swap_slot = slot;
		p->flags &= ~PG_dirty;
	} else {
		swap_slot_free(&swap_area_main, slot);
		p->flags |= PG_dirty;
	}
	page_set_owner(p, mm, va);
	mm->rss++;
	if (present) {
		*ptep = pte_mkuser(page_to_pfn(p), w);
	} else {
		p->flags |= PG_readahead;
		*ptep = pte_mkunmapped_pfn(page_to_pfn(p), w);
	}
}

int pps_swapin(struct mm *mm, struct vma *v, u32 va)
{
	u32 vas[PPS_SERIES_MAX], slots[PPS_SERIES_MAX];
	struct page *pages[PPS_SERIES_MAX];
	u32 n = 0, window = MIN(swap_readahead_window, PPS_SERIES_MAX);
	int err = 0;

	spin_lock(&mm->page_table_lock);
	pte_t *ptep = pte_lookup(mm, va), old = *ptep;
	if (pte_swapin_busy(old)) {
		/* Another CPU is reading it: wait for that read, then retry. */
		spin_unlock(&mm->page_table_lock);
		wait_event(swapin_queue(), !pte_swapin_busy(*ptep));
		return 0;
	}
	if (!pte_swapped(old)) {
		spin_unlock(&mm->page_table_lock);
		return 0;
	}
	/* Claim the faulting PTE and its swapped neighbours in the VMA. */
	for (u32 a = va; a < v->end && n < window; a += PAGE_SIZE) {
		pte_t *p = pte_lookup(mm, a);
		if (!p || !pte_swapped(*p) || pte_swapin_busy(*p))
			break;
		vas[n] = a;
		slots[n] = pte_swp_slot(*p);
		*p = pte_mkswapin_busy(*p);
		n++;
	}
	spin_unlock(&mm->page_table_lock);

	for (u32 i = 0; i < n; i++) {
		pages[i] = i == 0 ? pps_alloc_user_page() : alloc_page();
		if (!pages[i]) {
			if (i == 0)
				err = -ENOMEM;
			for (u32 k = i; k < n; k++)
				pages[k] = NULL;
			break;
		}
	}
	/* Read each run of consecutive slots with one command. */
	bool ok[PPS_SERIES_MAX];
	for (u32 i = 0; i < n && pages[i];) {
		u32 k = i + 1;
		while (k < n && pages[k] && slots[k] == slots[k - 1] + 1)
			k++;
		u32 err_slot = 0;
		int r = swap_io_sync(pages + i, k - i, slots[i], false, &err_slot);
		if (r)
			printk("pps: reading slots %u..%u failed at slot %u (%d)\n", slots[i], slots[k - 1],
			       err_slot, r);
		for (u32 j = i; j < k; j++)
			ok[j] = r == 0;
		i = k;
	}
	spin_lock(&mm->page_table_lock);
	for (u32 i = 0; i < n; i++) {
		pte_t *p = pte_lookup(mm, vas[i]);
		if (pages[i] && ok[i]) {
			install(mm, v, vas[i], pages[i], slots[i], i == 0);
		} else {
			*p = pte_mkswapped(slots[i], v->flags & VM_WRITE); /* not busy any more */
			if (pages[i])
				free_page(pages[i]);
			if (i == 0 && !err)
				err = -EIO;
		}
	}
	spin_unlock(&mm->page_table_lock);
	wake_up(swapin_queue());
	if (!err) {
		count_vm_event(PGMAJFAULT);
		count_vm_events(SWAP_RA, n - 1);
	}
	return err;
}
