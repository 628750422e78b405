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
 * One disk command per run of consecutive slots.
 *
 * A swap-in claims its PTEs (_PAGE_SWAPIN) under page_table_lock, reads
 * with the lock dropped, and takes it again to install the pages. The
 * claimed entries are the reader's: a second CPU faulting on one waits
 * for the read instead of starting another; fork gives the child its own
 * use of the slot (an idle SwappedPTE); MADV_DONTNEED may clear them
 * (it holds mmap_lock only for reading, as we do) but leaves their slots
 * alone. So the install checks that each entry still holds exactly what
 * was claimed; one that does not was dropped meanwhile: its page is freed
 * and its slot's use, which was the dropped entry's, ends here.
 *
 * Locks: mmap_lock held (at least for reading) by the caller, asserted;
 * page_table_lock taken here around PTE changes, never across the I/O.
 */
#include <mm/pps.h>
#include <mm/pps_age.h>
#include <mm/swap_ra.h>
#include <mm/kppsd.h>
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
#include <kernel/lock_assert.h>

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
	ASSERT_HELD(&mm->mmap_lock);
	spin_lock(&mm->page_table_lock);
	pte_t *ptep = pte_lookup(mm, va), old = *ptep;
	if (pte_unmapped(old) && pte_cmpxchg(ptep, old, pte_rescue(old, v->flags & VM_WRITE))) {
		struct page *p = pfn_to_page(pte_pfn(old));
		ASSERT_OWNER(p, mm, va & ~(PAGE_SIZE - 1));
		// LAB 5 BEGIN: a rescued read-ahead page is a hit of its VMA's window
		if (p->flags & PG_readahead) {
			/* Read ahead and used: the window was right. In a
			 * sweep the page is on probation (mm/pps_age.h). */
			p->flags &= ~PG_readahead;
			swap_ra_hit(v);
			pps_age_new(p, swap_ra_sweeping(v));
		} else {
			/* Unmapped by stage 2 and wanted again: a reuse. */
			pps_age_new(p, false);
		}
		// LAB 5 STUB
		//	pps_age_new(p, false);	/* TODO: a PG_readahead page is a hit (swap_ra_hit) */
		// LAB 5 END
		count_vm_event(PPS_RESCUE);
	}
	spin_unlock(&mm->page_table_lock);
	return 0; /* changed or not, the access is retried */
}

/* One swap-in: the faulting page and its read-ahead neighbours. */
struct swapin {
	u32 n;
	u32 va[PPS_SERIES_MAX], slot[PPS_SERIES_MAX];
	pte_t *ptep[PPS_SERIES_MAX];
	pte_t claimed[PPS_SERIES_MAX];  /* the busy entry as we left it */
	struct page *page[PPS_SERIES_MAX];
	bool ok[PPS_SERIES_MAX];
	bool cold;      /* a sweep's: the pages go on probation (pps_age.h) */
};

/* Claim the SwappedPTE at va and the idle SwappedPTEs right after it in
 * the VMA, up to the read-ahead window. page_table_lock held. */
static void swapin_claim(struct mm *mm, struct vma *v, u32 va, struct swapin *si)
{
	u32 window = swap_ra_window(v, va);
	struct pte_walk w;

	ASSERT_HELD(&mm->page_table_lock);
	si->n = 0;
	for_each_pte(w, mm, va, MIN(v->end, va + window * PAGE_SIZE)) {
		pte_t pte = *w.pte;
		if (w.va != va + si->n * PAGE_SIZE || !pte_swapped(pte) || pte_swapin_busy(pte))
			break;
		si->va[si->n] = w.va;
		si->slot[si->n] = pte_swp_slot(pte);
		si->ptep[si->n] = w.pte;
		si->claimed[si->n] = pte_mkswapin_busy(pte);
		*w.pte = si->claimed[si->n];
		si->n++;
	}
}

/* Frames for the claimed pages (the faulting one may wait for kppsd), and
 * one read per run of consecutive slots. No lock held. */
static int swapin_read(struct swapin *si)
{
	// LAB 5 BEGIN: frames for the claimed pages, one read per run of consecutive slots
	bool short_of_memory = false;

	/* Read ahead only as far as frames come without waiting. */
	for (u32 i = 0; i < si->n; i++) {
		si->ok[i] = false;
		si->page[i] = NULL;
		if (!short_of_memory)
			si->page[i] = i == 0 ? pps_alloc_user_page() : alloc_page();
		short_of_memory = !si->page[i];
	}
	if (!si->page[0])
		return -ENOMEM;
	for (u32 i = 0; i < si->n && si->page[i];) {
		u32 k = i + 1;
		while (k < si->n && si->page[k] && si->slot[k] == si->slot[k - 1] + 1)
			k++;
		u32 err_slot = 0;
		int r = swap_io_sync(si->page + i, k - i, si->slot[i], false, &err_slot);
		if (r)
			printk("pps: reading slots %u..%u failed at slot %u (%d)\n", si->slot[i],
			       si->slot[k - 1], err_slot, r);
		for (u32 j = i; j < k; j++)
			si->ok[j] = r == 0;
		i = k;
	}
	return si->ok[0] ? 0 : -EIO;
	// LAB 5 STUB
	//	static bool said;
	//	for (u32 i = 0; i < si->n; i++) {
	//		si->ok[i] = false;
	//		si->page[i] = NULL;
	//	}
	//	if (!said)
	//		printk("LAB 5: swapin_read() not implemented: a swapped-out page cannot come back "
	//		       "(docs/labs/05-swapin-readahead.md)\n");
	//	said = true;
	//	return -ENOSYS;
	// LAB 5 END
}

/* Install a page read from `slot` at va: the faulting page present, the
 * read-ahead ones as UnmappedPTEs. Returns whether it did. page_table_lock
 * held. */
static bool install(struct mm *mm, struct vma *v, u32 va, pte_t *ptep, struct page *p, u32 slot,
		    bool present, bool probation)
{
	ASSERT_HELD(&mm->page_table_lock);
	// LAB 5 BEGIN: install a page read back: its slot, its owner, its PTE
	bool w = v->flags & VM_WRITE;

	/* The slot stays with the page (clean: a re-eviction needs no write)
	 * unless a fork shares it, or swap is more than half full: then this
	 * PTE's use of it ends here. Clean copies kept in a filling swap
	 * would leave stage 3 no slot for the pages that must go out, and a
	 * process whose pages fit in memory and swap together be killed. */
	bool shared = swap_slot_count(&swap_area_main, slot) != 1;
	if (!shared && !swap_area_half_full(&swap_area_main)) {
		p->swap_slot = slot;
		p->flags &= ~PG_dirty;
	} else {
		if (!shared)
			count_vm_event(SWAPIN_SLOT_FREED);
		swap_slot_free(&swap_area_main, slot);
		p->flags |= PG_dirty;
	}
	page_set_owner(p, mm, va);
	mm->rss++;
	/* Read-ahead pages start young too: stage 5 leaves them a pass or
	 * two to be used before it drops them (PPS_RA_GRACE). */
	pps_age_new(p, present && probation);
	if (present) {
		*ptep = pte_mkuser(page_to_pfn(p), w);
	} else {
		p->flags |= PG_readahead;
		*ptep = pte_mkunmapped_pfn(page_to_pfn(p), w);
	}
	return true;
	// LAB 5 STUB
	//	static bool said;
	//	(void)v; (void)va; (void)ptep; (void)p; (void)slot; (void)present; (void)probation;
	//	if (!said)
	//		printk("LAB 5: install() not implemented: the page read back is dropped "
	//		       "(docs/labs/05-swapin-readahead.md)\n");
	//	said = true;
	//	return false;
	// LAB 5 END
}

/* Take page_table_lock again and settle every claimed entry. Returns 0
 * when the faulting page is in (or its entry was dropped meanwhile: the
 * access is retried), an error when it is not. */
static int swapin_finish(struct mm *mm, struct vma *v, struct swapin *si)
{
	int err = 0;

	spin_lock(&mm->page_table_lock);
	for (u32 i = 0; i < si->n; i++) {
		if (*si->ptep[i] != si->claimed[i]) {
			/* Dropped while we read (MADV_DONTNEED): the slot's
			 * use was that entry's, and ends here with our page. */
			if (si->page[i])
				free_page(si->page[i]);
			swap_slot_free(&swap_area_main, si->slot[i]);
			count_vm_event(SWAPIN_ZAPPED);
		} else if (si->page[i] && si->ok[i] &&
			   install(mm, v, si->va[i], si->ptep[i], si->page[i], si->slot[i], i == 0,
				   si->cold)) {
			/* in */
		} else {
			*si->ptep[i] = pte_mkswapin_idle(si->claimed[i]); /* try again later */
			if (si->page[i])
				free_page(si->page[i]);
			if (i == 0)
				err = -EIO;
		}
	}
	spin_unlock(&mm->page_table_lock);
	wake_up(swapin_queue());
	return err;
}

int pps_swapin(struct mm *mm, struct vma *v, u32 va)
{
	struct swapin si;
	int err;

	ASSERT_HELD(&mm->mmap_lock);
	spin_lock(&mm->page_table_lock);
	pte_t *ptep = pte_lookup(mm, va), old = *ptep;
	if (pte_swapin_busy(old)) {
		/* Another CPU is reading it: wait for that read, then retry. */
		spin_unlock(&mm->page_table_lock);
		wait_event(swapin_queue(), *ptep != old);
		return 0;
	}
	if (!pte_swapped(old)) {
		spin_unlock(&mm->page_table_lock);
		return 0;
	}
	/* The refault distance, a figure (vmstat workingset_*). Not a veto on
	 * probation: with the newest probation pages leaving first, a sweep's
	 * pages come back after short distances by design. */
	pps_age_refault(pte_swp_slot(old));
	swapin_claim(mm, v, va, &si);
	si.cold = swap_ra_sweeping(v);
	spin_unlock(&mm->page_table_lock);

	if (pps_io_window_hook)
		pps_io_window_hook(PPS_WINDOW_SWAPIN, mm, va, va + si.n * PAGE_SIZE);
	err = swapin_read(&si);
	int settled = swapin_finish(mm, v, &si);
	if (!err)
		err = settled;
	if (!err) {
		count_vm_event(PGMAJFAULT);
		count_vm_events(SWAP_RA, si.n - 1);
	}
	return err;
}
