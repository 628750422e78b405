/*
 * User page faults: find the VMA, check the access against it, and bring
 * the page in: a zeroed frame for anonymous memory (demand zero), a copy
 * of the initrd file image for text and data (VM_FILE), or, for PPS's
 * UnmappedPTE and SwappedPTE, a rescue or a swap-in (mm/pps_fault.c).
 * A legacy VMA (vma_is_legacy) has its own faults: copy-on-write, the
 * swap cache, shared objects (mm/cow.c, mm/shmem.c). An access no VMA
 * allows (vma_allows; the stack may grow first, expand_stack) is a bad
 * address: -EFAULT, and the caller kills the process (arch/x86/trap.c).
 *
 * Locks: mmap_lock for reading while the VMA is used (for writing when the
 * stack must grow), page_table_lock around the PTE check-and-set. Two CPUs
 * faulting on one page both allocate, and the loser frees its frame: the
 * PTE, set under the lock, decides.
 */
#include <mm/mm.h>
#include <mm/pps_age.h>
#include <mm/swap_ra.h>
#include <mm/frame.h>
#include <mm/vmstat.h>
#include <mm/pps.h>
#include <mm/kppsd.h>
#include <mm/rmap.h>
#include <mm/legacy_fault.h>
#include <mm/reclaim_stats.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/lock_assert.h>

void fault_fill_page(struct vma *v, u32 va, void *dst)
{
	memset(dst, 0, PAGE_SIZE);
	if (!(v->flags & VM_FILE))
		return;
	u32 lo = MAX(va, v->file_start), hi = MIN(va + PAGE_SIZE, v->file_end);
	if (lo < hi)
		memcpy((u8 *)dst + (lo - va), v->file_data + v->file_off + (lo - v->file_start), hi - lo);
}

static int fault_in_page(struct mm *mm, struct vma *v, u32 va, bool write)
{
	pte_t *ptep;

	spin_lock(&mm->page_table_lock);
	ptep = pte_alloc(mm, va);
	if (!ptep) {
		spin_unlock(&mm->page_table_lock);
		return -ENOMEM;
	}
	if (pte_protnone(*ptep)) {
		/* The VMA allows access (we checked) but the entry does not:
		 * mprotect changes both under mmap_lock held for writing, so
		 * this is not seen halfway; should an entry still lag its
		 * VMA, the VMA is the truth. */
		*ptep = pte_mkaccessible(*ptep, v->flags & VM_WRITE);
		spin_unlock(&mm->page_table_lock);
		return 0;
	}
	if (pte_present(*ptep)) {
		/* A page that came back from the legacy system (pps_reenter.c)
		 * may still be write-protected from its COW days: it is ours
		 * alone now, and the VMA allows the write. */
		pte_t old = *ptep;
		if (write && !pte_write(old) && (v->flags & VM_WRITE))
			pte_cmpxchg(ptep, old, pte_mkwrite(old));
		/* Otherwise another CPU filled it, or our TLB was stale: try again. */
		spin_unlock(&mm->page_table_lock);
		return 0;
	}
	spin_unlock(&mm->page_table_lock);

	// LAB 2 BEGIN: demand zero: a frame for an empty PTE, filled, then mapped under the lock
	/* Allocate with no lock held: the allocator may sleep (PPS's
	 * allocation waits for kppsd under pressure). */
	struct page *np = (v->flags & VM_PURE_PRIVATE) ? pps_alloc_user_page() : alloc_page();
	if (!np)
		return -ENOMEM;
	fault_fill_page(v, va, page_address(np));

	spin_lock(&mm->page_table_lock);
	if (!pte_none(*ptep)) {
		/* Another thread of this mm faulted the same page in while
		 * we were filling ours: its PTE stands, our frame goes. */
		spin_unlock(&mm->page_table_lock);
		free_page(np);
		return 0;
	}
	page_set_owner(np, mm, va);
	/* A PPS page starts young, or on probation when a sweep fills the
	 * VMA: a fill over more than memory then keeps its first pages and
	 * lets the newest ones go (mm/pps_age.h). */
	if (v->flags & VM_PURE_PRIVATE)
		pps_age_new(np, swap_ra_fill_sweep(v, va));
	*ptep = pte_mkuser(page_to_pfn(np), v->flags & VM_WRITE);
	mm->rss++;
	spin_unlock(&mm->page_table_lock);
	count_vm_event(PGALLOC);
	return 0;
	// LAB 2 STUB
//	/* TODO: allocate, fill (fault_fill_page), map (docs/labs/02-page-faults.md) */
//	static bool said;
//	if (!said) {
//		said = true;
//		printk("LAB 2: fault_in_page() cannot fill an empty PTE yet (mm/fault.c)\n");
//	}
//	return -ENOSYS;
	// LAB 2 END
}

/* Grow the stack VMA down to cover addr; mmap_lock held for writing. */
static struct vma *expand_stack(struct mm *mm, u32 addr)
{
	ASSERT_WRITE_HELD(&mm->mmap_lock);
	// LAB 2 BEGIN: stack growth: the VMA above addr, if it grows down, down to addr's page
	struct vma *s = vma_find_intersect(mm, addr, USER_TOP), *prev;
	u32 page = ALIGN_DOWN(addr, PAGE_SIZE);

	if (!s || !(s->flags & VM_GROWSDOWN) || addr < STACK_TOP - STACK_LIMIT)
		return NULL;
	/* Keep a guard page between the stack and whatever lies below. */
	prev = s->node.prev != &mm->vmas ? list_entry(s->node.prev, struct vma, node) : NULL;
	if (prev && prev->end + PAGE_SIZE > page)
		return NULL;
	mm->stack_vm += (s->start - page) >> PAGE_SHIFT;
	s->pgoff -= (s->start - page) >> PAGE_SHIFT; /* its pages keep their offsets */
	s->start = page;
	return s;
	// LAB 2 STUB
//	/* TODO: grow the stack VMA down to addr (docs/labs/02-page-faults.md) */
//	static bool said;
//	if (!said) {
//		said = true;
//		printk("LAB 2: expand_stack() does not grow the stack yet (mm/fault.c)\n");
//	}
//	(void)addr;
//	return NULL;
	// LAB 2 END
}

/*
 * The bad-address check: may this access (a write or not) touch v?
 * Every fault it refuses ends in SIGSEGV (arch/x86/trap.c); every fault it
 * allows must end with the page mapped, or the faulting instruction runs
 * into the same fault again, for ever.
 */
static bool vma_allows(struct vma *v, bool write)
{
	// LAB 2 BEGIN: which faults are bad addresses
	if (!v)
		return false;           /* nothing mapped, and no stack to grow */
	if (write && !(v->flags & VM_WRITE))
		return false;           /* text, rodata, PROT_READ */
	return v->flags & (VM_READ | VM_WRITE | VM_EXEC); /* PROT_NONE: not even a read */
	// LAB 2 STUB
//	/* TODO: refuse what the VMA does not allow (docs/labs/02-page-faults.md) */
//	static bool said;
//	if (!said) {
//		said = true;
//		printk("LAB 2: vma_allows() lets every access through (mm/fault.c)\n");
//	}
//	(void)write;
//	return v != NULL;
	// LAB 2 END
}

int handle_mm_fault(struct mm *mm, u32 addr, u32 err)
{
	bool write = err & FAULT_WRITE, wlocked = false;
	u64 t0 = fault_latency_start(); /* the whole fault, the lock waits included */
	enum fault_class fc = FAULT_CLASS_NONE;
	struct vma *v;
	int r;

	count_vm_event(PGFAULT);
	if (addr >= USER_TOP)
		return -EFAULT;
	down_read(&mm->mmap_lock);
	v = vma_find(mm, addr);
	if (!v) {
		up_read(&mm->mmap_lock);
		down_write(&mm->mmap_lock);
		wlocked = true;
		v = vma_find(mm, addr);
		if (!v)
			v = expand_stack(mm, addr);
	}
	if (!vma_allows(v, write)) {
		r = -EFAULT;
	} else {
		/* Legacy VMAs (pages shared after fork, shared memory, and
		 * every VMA with reclaim=clock) first; then PPS's non-present
		 * PTEs, which hold a page or a slot. */
		u32 va = ALIGN_DOWN(addr, PAGE_SIZE);
		pte_t *ptep = pte_lookup(mm, va);
		pte_t pte = ptep ? *ptep : 0;
		if (vma_is_legacy(v)) {
			fc = FAULT_CLASS_LEGACY;
			r = legacy_fault(mm, v, va, write);
		} else if (pte_unmapped(pte)) {
			fc = FAULT_CLASS_RESCUE;
			r = pps_rescue(mm, v, va);
		} else if (pte_swapped(pte)) {
			fc = FAULT_CLASS_SWAPIN;
			r = pps_swapin(mm, v, va);
		} else {
			fc = FAULT_CLASS_ZERO;
			r = fault_in_page(mm, v, va, write);
		}
	}
	if (wlocked)
		up_write(&mm->mmap_lock);
	else
		up_read(&mm->mmap_lock);
	if (r == 0)
		fault_latency_record(fc, t0); /* failed faults end the process: not a latency */
	return r;
}
