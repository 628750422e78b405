/*
 * The memory system calls: brk, mmap2, munmap, mprotect, mlock, munlock,
 * mlockall, munlockall, madvise. Linux's semantics for the flags we
 * support; anything else is -EINVAL, never silently ignored. Each takes the
 * caller's mmap_lock for writing while it changes VMAs.
 *
 * Every anonymous private mapping is VM_PURE_PRIVATE: PPS (mm/pps.h) owns
 * its pages. MAP_SHARED|MAP_ANONYMOUS memory belongs to a shared anon
 * object (mm/shmem.h), kept across fork. There is no file mapping
 * (-ENODEV).
 */
#include <mm/mm.h>
#include <mm/frame.h>
#include <mm/kmalloc.h>
#include <mm/pps.h>
#include <mm/tlb_gather.h>
#include <mm/anon.h>
#include <kernel/proc.h>
#include <kernel/syscall.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/lock_assert.h>
#include <uapi/ppsos/mman.h>

#define MAP_SUPPORTED (MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE | \
		       MAP_EXECUTABLE | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK)

/* Highest address a mapping may reach: the stack's growth room stays free. */
#define MAP_CEILING (STACK_TOP - STACK_LIMIT - PAGE_SIZE)

static u32 prot_to_vm(u32 prot)
{
	return (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) |
	       (prot & PROT_EXEC ? VM_EXEC : 0);
}

/* Fault in every page of [start, end) (MAP_POPULATE, mlock). */
static void populate(struct mm *mm, u32 start, u32 end)
{
	for (u32 va = start; va < end; va += PAGE_SIZE)
		if (handle_mm_fault(mm, va, 0))
			break;
}

static bool range_fully_mapped(struct mm *mm, u32 start, u32 end)
{
	u32 at = start;

	while (at < end) {
		struct vma *v = vma_find(mm, at);
		if (!v)
			return false;
		at = v->end;
	}
	return true;
}

/* Give [start, end) new flags (keeping its kind), splitting VMAs at the
 * edges and merging what ends up alike. mmap_lock held for writing. */
static int vma_change_flags(struct mm *mm, u32 start, u32 end, u32 clear, u32 set)
{
	u32 at = start;

	ASSERT_WRITE_HELD(&mm->mmap_lock);
	while (at < end) {
		struct vma *v = vma_clip(vma_find(mm, at), at, end);
		if (!v)
			return -ENOMEM;
		v->flags = (v->flags & ~clear) | set;
		at = v->end;
		vma_merge_around(mm, v);
	}
	return 0;
}

long sys_brk(u32 addr, u32 a2, u32 a3, u32 a4, u32 a5)
{
	struct mm *mm = current_proc()->mm;
	u32 old, newend = 0, oldend = 0;
	struct vma *heap;
	bool locked = false;

	down_write(&mm->mmap_lock);
	old = mm->brk;
	/* Linux returns the unchanged break for anything it refuses. */
	if (addr < mm->brk_start || addr > MAP_CEILING)
		goto out;
	newend = ALIGN_UP(addr, PAGE_SIZE);
	oldend = ALIGN_UP(old, PAGE_SIZE);
	if (newend > oldend) {
		if (vma_find_intersect(mm, oldend, newend))
			goto out; /* would run into another mapping */
		heap = oldend > mm->brk_start ? vma_find(mm, oldend - 1) : NULL;
		/* Grow the heap VMA in place unless mlockall(MCL_FUTURE) makes
		 * the new part differ from it in VM_LOCKED, as Linux does. */
		if (heap && (heap->flags & VM_HEAP) &&
		    (heap->flags & VM_LOCKED) == (mm->def_flags & VM_LOCKED)) {
			heap->end = newend;
		} else {
			heap = vma_new(mm, oldend, newend,
				       VM_READ | VM_WRITE | VM_HEAP | VM_PURE_PRIVATE | mm->def_flags, NULL);
			if (!heap || vma_insert(mm, heap)) {
				kfree(heap);
				goto out;
			}
		}
		locked = heap->flags & VM_LOCKED;
	} else if (newend < oldend) {
		if (vma_unmap_range(mm, newend, oldend))
			goto out;
	}
	mm->brk = addr;
out:
	addr = mm->brk;
	up_write(&mm->mmap_lock);
	if (locked)
		populate(mm, oldend, newend);
	return addr;
}

long sys_mmap2(u32 addr, u32 len, u32 prot, u32 flags, u32 fd)
{
	struct mm *mm = current_proc()->mm;
	struct vma *v;
	u32 vmflags;
	long r;

	if (len == 0 || (flags & ~MAP_SUPPORTED) || (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return -EINVAL;
	if ((flags & (MAP_SHARED | MAP_PRIVATE)) != MAP_PRIVATE &&
	    (flags & (MAP_SHARED | MAP_PRIVATE)) != MAP_SHARED)
		return -EINVAL; /* neither or both given */
	if (!(flags & MAP_ANONYMOUS))
		return -ENODEV; /* no file can be mapped */
	if (len > MAP_CEILING)
		return -ENOMEM;
	len = ALIGN_UP(len, PAGE_SIZE);
	if ((flags & MAP_FIXED) && (addr & (PAGE_SIZE - 1)))
		return -EINVAL;
	/* Private anonymous memory is PPS's; shared memory belongs to a
	 * shared anon object (mm/shmem.h) and the legacy page system. */
	vmflags = prot_to_vm(prot) | (flags & MAP_SHARED ? VM_SHARED : VM_PURE_PRIVATE) |
		  (flags & MAP_LOCKED ? VM_LOCKED : 0);

	down_write(&mm->mmap_lock);
	vmflags |= mm->def_flags;
	if (flags & MAP_FIXED) {
		r = -ENOMEM;
		if (addr < PAGE_SIZE || addr + len < addr || addr + len > MAP_CEILING)
			goto out;
		r = vma_unmap_range(mm, addr, addr + len);
		if (r)
			goto out;
	} else {
		addr = ALIGN_DOWN(addr, PAGE_SIZE);
		if (!addr || addr + len < addr || addr + len > MAP_CEILING ||
		    vma_find_intersect(mm, addr, addr + len))
			addr = vma_find_free(mm, len);
		r = -ENOMEM;
		if (!addr)
			goto out;
	}
	r = -ENOMEM;
	v = vma_new(mm, addr, addr + len, vmflags, NULL);
	if (v && (vmflags & VM_SHARED) && anon_prepare_shared(v, len >> PAGE_SHIFT)) {
		kfree(v);
		v = NULL;
	}
	if (!v || vma_insert(mm, v)) {
		if (v)
			vma_free(v);
		goto out;
	}
	vma_merge_around(mm, v);
	r = addr;
out:
	up_write(&mm->mmap_lock);
	if (r > 0 && ((flags & MAP_POPULATE) || (vmflags & VM_LOCKED)))
		populate(mm, addr, addr + len);
	return r;
}

long sys_munmap(u32 addr, u32 len, u32 a3, u32 a4, u32 a5)
{
	struct mm *mm = current_proc()->mm;
	long r;

	if ((addr & (PAGE_SIZE - 1)) || len == 0 || len > USER_TOP)
		return -EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	if (addr + len < addr || addr + len > USER_TOP)
		return -EINVAL;
	down_write(&mm->mmap_lock);
	r = vma_unmap_range(mm, addr, addr + len);
	up_write(&mm->mmap_lock);
	return r;
}

long sys_mprotect(u32 addr, u32 len, u32 prot, u32 a4, u32 a5)
{
	struct mm *mm = current_proc()->mm;
	u32 end;
	long r;

	if ((addr & (PAGE_SIZE - 1)) || (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return -EINVAL;
	if (len == 0)
		return 0;
	end = addr + ALIGN_UP(len, PAGE_SIZE);
	if (end <= addr || end > USER_TOP)
		return -ENOMEM;
	down_write(&mm->mmap_lock);
	r = -ENOMEM;
	if (!range_fully_mapped(mm, addr, end))
		goto out;
	r = vma_change_flags(mm, addr, end, VM_READ | VM_WRITE | VM_EXEC, prot_to_vm(prot));
	/* The PTEs follow the VMAs, also when a split ran out of memory
	 * halfway: the VMAs changed so far must not keep entries that allow
	 * more than they do. */
	spin_lock(&mm->page_table_lock);
	for (struct vma *v = vma_find(mm, addr); v && v->start < end;
	     v = v->node.next != &mm->vmas ? list_entry(v->node.next, struct vma, node) : NULL)
		/* A private legacy page gets write access only through a COW
		 * fault, which checks that nobody else maps it. */
		pte_protect_range(mm, MAX(addr, v->start), MIN(end, v->end),
				  v->anon && !(v->flags & VM_SHARED) ? v->flags & ~VM_WRITE : v->flags);
	spin_unlock(&mm->page_table_lock);
	/* Access taken away (write, or all of it) must be gone from every
	 * CPU's TLB before we return; nothing is freed, so no gather. */
	mm_flush_tlb_range(mm, addr, end);
out:
	up_write(&mm->mmap_lock);
	return r;
}

static long lock_range(u32 addr, u32 len, bool lock)
{
	struct mm *mm = current_proc()->mm;
	u32 start = ALIGN_DOWN(addr, PAGE_SIZE), end = ALIGN_UP(addr + len, PAGE_SIZE);
	long r;

	if (addr + len < addr || end > USER_TOP)
		return -ENOMEM;
	if (start == end)
		return 0;
	down_write(&mm->mmap_lock);
	r = range_fully_mapped(mm, start, end)
		    ? vma_change_flags(mm, start, end, VM_LOCKED, lock ? VM_LOCKED : 0)
		    : -ENOMEM;
	up_write(&mm->mmap_lock);
	if (!r && lock)
		populate(mm, start, end); /* locked memory is resident memory */
	return r;
}

long sys_mlock(u32 addr, u32 len, u32 a3, u32 a4, u32 a5) { return lock_range(addr, len, true); }
long sys_munlock(u32 addr, u32 len, u32 a3, u32 a4, u32 a5) { return lock_range(addr, len, false); }

/*
 * mlockall(MCL_CURRENT) locks every VMA there is and faults its pages in;
 * MCL_FUTURE puts VM_LOCKED in mm->def_flags, so later mmap and brk
 * memory is locked (and populated) as it is created, and the stack VMA,
 * once locked, stays locked as it grows. Neither survives fork or execve
 * (mm_dup and mm_create start with def_flags 0). MCL_ONFAULT is not
 * supported: -EINVAL.
 */
long sys_mlockall(u32 flags, u32 a2, u32 a3, u32 a4, u32 a5)
{
	struct mm *mm = current_proc()->mm;
	struct list_head *p;
	u32 at = 0;

	if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE)))
		return -EINVAL;
	down_write(&mm->mmap_lock);
	mm->def_flags = flags & MCL_FUTURE ? VM_LOCKED : 0;
	if (flags & MCL_CURRENT)
		list_for_each(p, &mm->vmas)
			list_entry(p, struct vma, node)->flags |= VM_LOCKED;
	up_write(&mm->mmap_lock);
	if (!(flags & MCL_CURRENT))
		return 0;
	/* Fault in one VMA at a time: populate takes mmap_lock itself, and
	 * the VMAs may change meanwhile, so find the next one afresh. */
	for (;;) {
		u32 start = 0, end = 0;
		down_read(&mm->mmap_lock);
		list_for_each(p, &mm->vmas) {
			struct vma *v = list_entry(p, struct vma, node);
			if (v->end > at && (v->flags & VM_LOCKED)) {
				start = MAX(v->start, at);
				end = v->end;
				break;
			}
		}
		up_read(&mm->mmap_lock);
		if (start == end)
			return 0;
		populate(mm, start, end);
		at = end;
	}
}

long sys_munlockall(u32 a1, u32 a2, u32 a3, u32 a4, u32 a5)
{
	struct mm *mm = current_proc()->mm;
	struct list_head *p;

	down_write(&mm->mmap_lock);
	mm->def_flags = 0;
	list_for_each(p, &mm->vmas)
		list_entry(p, struct vma, node)->flags &= ~VM_LOCKED;
	up_write(&mm->mmap_lock);
	return 0;
}

/*
 * MADV_DONTNEED: drop the pages of [start, end), which must be mapped; the
 * next touch gets zeros (or the file). Like Linux, with mmap_lock held only
 * for reading (asserted), so it may meet a fault or a stepper of this mm on
 * another CPU. It takes pps_lock so that no stepper is in the middle of a
 * series (stage 4 drops page_table_lock around its disk write and must find
 * its pages where it left them); a swap-in in flight is handled by the zap
 * (pte_zap_range leaves a busy entry's slot to its reader). The frames
 * are freed after every CPU with the mm loaded has flushed (the gather);
 * the page tables stay: other readers of the tables hold mmap_lock for
 * reading too, and may hold pointers into them.
 */
int madvise_dontneed(struct mm *mm, u32 start, u32 end)
{
	struct tlb_gather tlb;
	int r = 0;

	ASSERT_HELD(&mm->mmap_lock);
	tlb_gather_init(&tlb, mm);
	down_write(&mm->pps_lock);
	for (u32 at = start; at < end;) {
		struct vma *v = vma_find(mm, at);
		u32 e = MIN(end, v->end);
		if (v->flags & VM_LOCKED) {
			r = -EINVAL;
			break;
		}
		tlb_zap_range(&tlb, at, e);
		at = e;
	}
	up_write(&mm->pps_lock);
	tlb_finish(&tlb);
	return r;
}

long sys_madvise(u32 addr, u32 len, u32 advice, u32 a4, u32 a5)
{
	struct mm *mm = current_proc()->mm;
	u32 end;
	long r = 0;

	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if (advice != MADV_NORMAL && advice != MADV_RANDOM && advice != MADV_SEQUENTIAL &&
	    advice != MADV_WILLNEED && advice != MADV_DONTNEED && advice != MADV_COLD &&
	    advice != MADV_PAGEOUT)
		return -EINVAL;
	end = addr + ALIGN_UP(len, PAGE_SIZE);
	if (end < addr || end > USER_TOP)
		return -EINVAL;
	if (len == 0)
		return 0;
	down_read(&mm->mmap_lock);
	if (!range_fully_mapped(mm, addr, end))
		r = -ENOMEM;
	else if (advice == MADV_DONTNEED)
		r = madvise_dontneed(mm, addr, end);
	else if (advice == MADV_COLD || advice == MADV_PAGEOUT)
		/* PPS on request: COLD ages and unmaps (stages 1-2), PAGEOUT
		 * goes all the way to the swap disk (stages 1-5). */
		r = pps_reclaim_range(mm, addr, end,
				      advice == MADV_COLD ? PPS_STAGE_UNMAP : PPS_STAGE_FREE);
	up_read(&mm->mmap_lock);
	if (!r && advice == MADV_WILLNEED)
		populate(mm, addr, end);
	return r;
}
