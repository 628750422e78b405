/*
 * Reclaim on request: PPS run by hand on part of one mm, not by kppsd.
 *
 * - pps_reclaim_range() (mm/pps.h) steps a range until it has gone
 *   through the stage asked for (UNMAP: aged and unmapped, FREE: paged out) or
 *   stops moving. madvise(MADV_COLD / MADV_PAGEOUT) in mm/mmap.c and the
 *   two requests below use it.
 * - /proc/PID/reclaim (seed 004, address-range reclaim): write `anon` or
 *   `all` to page out every private anonymous VMA of the process, `file`
 *   (nothing here is file-backed: a no-op), or `ADDR SIZE` (page-aligned
 *   address, size in bytes; decimal or 0x hex) for one range.
 * - process_madvise(pidfd, iovec, vlen, advice, flags) (440): madvise on
 *   another process's memory; MADV_COLD, MADV_PAGEOUT, MADV_WILLNEED.
 *
 * Locks: pps_reclaim_range's caller holds the mm's mmap_lock for reading;
 * each round takes the mm's pps_lock (mm/pps.h) and drops it before
 * sleeping for the delayed flushes. The two requests take a reference on
 * the target's mm under proc_lock (exec and exit swap p->mm under it),
 * then its mmap_lock for reading.
 */
#include <mm/pps.h>
#include <mm/mm.h>
#include <mm/dftlb.h>
#include <mm/vmstat.h>
#include <kernel/proc.h>
#include <kernel/pidfd.h>
#include <kernel/syscall.h>
#include <kernel/sched.h>
#include <kernel/fs/procfs.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include <mm/uaccess.h>
#include <mm/kmalloc.h>
#include <kernel/lock_assert.h>
#include <uapi/ppsos/mman.h>

#define UIO_MAXIOV 1024

/* madvise(MADV_COLD / MADV_PAGEOUT) and /proc/PID/reclaim: step the range
 * until it has gone through max_stage or stops moving. mmap_lock held for
 * reading by the caller (asserted). */
int pps_reclaim_range(struct mm *mm, u32 start, u32 end, enum pps_stage max_stage)
{
	ASSERT_HELD(&mm->mmap_lock);
	for (int round = 0; round < 4 * (int)max_stage + 4; round++) {
		struct pps_result res = { 0 };
		struct list_head *l;

		down_write(&mm->pps_lock);
		list_for_each(l, &mm->vmas) {
			struct vma *v = list_entry(l, struct vma, node);
			if (v->end <= start || v->start >= end)
				continue;
			if (vma_pps_reclaimable(v))
				pps_step_range(mm, v, start, end, max_stage, &res);
		}
		pps_end_pass(&res);
		up_write(&mm->pps_lock);
		u32 moves = pps_count_moves(&res);
		if (res.io_errors)
			return -EIO;
		dftlb_reap();
		if (!moves && !dftlb_pending())
			break;
		if (!moves || dftlb_pending())
			sleep_ticks(1); /* let the delayed flushes drain: the stage-2 gate */
	}
	return 0;
}

static struct mm *target_mm(int pid)
{
	struct mm *mm = NULL;

	spin_lock(&proc_lock);
	struct proc *p = proc_find(pid);
	if (p && p->state == P_ALIVE && p->mm) {
		mm = p->mm;
		mm_get(mm);
	}
	spin_unlock(&proc_lock);
	return mm;
}

static int show_reclaim(struct seqbuf *sb, int pid)
{
	(void)pid;
	sb_printf(sb, "write: anon | all | file | ADDR SIZE  (page out a process's private memory)\n");
	return 0;
}

static long write_reclaim(int pid, const char *buf, u32 n)
{
	char word[32];
	u32 addr = 0, size = 0, k = 0;
	bool range = false;
	struct mm *mm;
	long r = 0;

	(void)n;
	while (*buf == ' ')
		buf++;
	while (buf[k] && buf[k] != ' ' && buf[k] != '\n' && k < sizeof(word) - 1) {
		word[k] = buf[k];
		k++;
	}
	word[k] = 0;
	if (!strcmp(word, "file"))
		return 0; /* no file-backed pages in ppsos */
	if (strcmp(word, "anon") && strcmp(word, "all")) {
		/* ADDR SIZE */
		if (!parse_uint(word, &addr))
			return -EINVAL;
		const char *s = buf + k;
		while (*s == ' ')
			s++;
		k = 0;
		while (s[k] && s[k] != ' ' && s[k] != '\n' && k < sizeof(word) - 1) {
			word[k] = s[k];
			k++;
		}
		word[k] = 0;
		if (!parse_uint(word, &size) || size == 0 || (addr & (PAGE_SIZE - 1)) ||
		    addr + size < addr || addr + size > USER_TOP)
			return -EINVAL;
		range = true;
	}
	mm = target_mm(pid);
	if (!mm)
		return -ESRCH;
	down_read(&mm->mmap_lock);
	if (range)
		r = pps_reclaim_range(mm, addr, ALIGN_UP(addr + size, PAGE_SIZE), PPS_STAGE_FREE);
	else
		r = pps_reclaim_range(mm, 0, USER_TOP, PPS_STAGE_FREE);
	up_read(&mm->mmap_lock);
	mm_put(mm);
	return r;
}

void reclaim_request_init(void)
{
	procfs_register("reclaim", true, show_reclaim, write_reclaim);
}

struct iovec32 {
	u32 base, len;
};

long sys_process_madvise(u32 pidfd, u32 uiov, u32 vlen, u32 advice, u32 flags)
{
	struct iovec32 *iov;
	struct mm *mm;
	long total = 0, r = 0;
	int pid;

	if (flags)
		return -EINVAL;
	if (advice != MADV_COLD && advice != MADV_PAGEOUT && advice != MADV_WILLNEED)
		return -EINVAL;
	if (vlen == 0 || vlen > UIO_MAXIOV)
		return -EINVAL;
	pid = pidfd_to_pid(pidfd);
	if (pid < 0)
		return pid;
	iov = kmalloc(vlen * sizeof(*iov));
	if (!iov)
		return -ENOMEM;
	if (copy_from_user(iov, uiov, vlen * sizeof(*iov))) {
		kfree(iov);
		return -EFAULT;
	}
	for (u32 i = 0; i < vlen; i++)
		if ((iov[i].base & (PAGE_SIZE - 1)) || iov[i].base + iov[i].len < iov[i].base ||
		    iov[i].base + iov[i].len > USER_TOP) {
			kfree(iov);
			return -EINVAL;
		}
	mm = target_mm(pid);
	if (!mm) {
		kfree(iov);
		return -ESRCH;
	}
	for (u32 i = 0; i < vlen && !r; i++) {
		u32 start = iov[i].base, end = ALIGN_UP(iov[i].base + iov[i].len, PAGE_SIZE);
		if (!iov[i].len)
			continue;
		if (advice == MADV_WILLNEED) {
			for (u32 va = start; va < end; va += PAGE_SIZE) {
				down_read(&mm->mmap_lock);
				struct vma *v = vma_find(mm, va);
				up_read(&mm->mmap_lock);
				if (v && (v->flags & VM_PURE_PRIVATE))
					handle_mm_fault(mm, va, 0);
			}
		} else {
			down_read(&mm->mmap_lock);
			r = pps_reclaim_range(mm, start, end,
					      advice == MADV_COLD ? PPS_STAGE_UNMAP : PPS_STAGE_FREE);
			up_read(&mm->mmap_lock);
		}
		if (!r)
			total += iov[i].len;
	}
	mm_put(mm);
	kfree(iov);
	return r ? r : total;
}
