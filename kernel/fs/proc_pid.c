/*
 * The files of /proc/PID: status, maps and comm, in Linux's formats.
 * Reading another process's VMAs takes a reference on its mm under
 * proc_lock (exec and exit swap p->mm under it), then its mmap_lock.
 */
#include <kernel/fs/procfs.h>
#include <kernel/fs/vfs.h>
#include <kernel/proc.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <mm/mm.h>
#include <mm/pps.h>

struct proc_snap {
	int pid, ppid;
	char name[16];
	const char *state;
};

static const char *state_of(struct proc *p)
{
	if (p->state == P_ZOMBIE)
		return "Z (zombie)";
	if (p->thread && (p->thread->state == T_RUNNING || p->thread->state == T_RUNNABLE))
		return "R (running)";
	return "S (sleeping)";
}

/* A snapshot of process pid, and its mm with a reference (or NULL). */
static struct mm *grab(int pid, struct proc_snap *s)
{
	struct mm *mm = NULL;
	struct proc *p;

	s->pid = 0;
	spin_lock(&proc_lock);
	p = proc_find(pid);
	if (p) {
		s->pid = p->pid;
		s->ppid = p->parent ? p->parent->pid : 0;
		strlcpy(s->name, p->name, sizeof(s->name));
		s->state = state_of(p);
		mm = p->mm;
		if (mm)
			mm_get(mm);
	}
	spin_unlock(&proc_lock);
	return mm;
}

static int show_status(struct seqbuf *sb, int pid)
{
	struct proc_snap p;
	struct mm *mm = grab(pid, &p);
	u32 vsz = 0, lck = 0, rss = 0, stk = 0, data = 0;
	struct pps_counts c = { 0 };

	if (!p.pid)
		return -ESRCH;
	if (mm) {
		down_read(&mm->mmap_lock);
		vsz = mm_total_vm(mm);
		lck = mm_locked_vm(mm);
		stk = mm->stack_vm;
		data = (mm->brk - mm->brk_start) >> PAGE_SHIFT;
		pps_count_mm(mm, &c);
		up_read(&mm->mmap_lock);
		rss = mm->rss;
		mm_put(mm);
	}
	sb_printf(sb, "Name:\t%s\n", p.name);
	sb_printf(sb, "State:\t%s\n", p.state);
	sb_printf(sb, "Tgid:\t%d\nPid:\t%d\nPPid:\t%d\n", p.pid, p.pid, p.ppid);
	sb_printf(sb, "VmSize:\t%8u kB\n", vsz * 4);
	sb_printf(sb, "VmLck:\t%8u kB\n", lck * 4);
	sb_printf(sb, "VmRSS:\t%8u kB\n", rss * 4);
	sb_printf(sb, "VmData:\t%8u kB\n", data * 4);
	sb_printf(sb, "VmStk:\t%8u kB\n", stk * 4);
	sb_printf(sb, "VmSwap:\t%8u kB\n", c.swapped * 4);
	sb_printf(sb, "Threads:\t1\n");
	return 0;
}

static int show_maps(struct seqbuf *sb, int pid)
{
	struct proc_snap p;
	struct mm *mm = grab(pid, &p);
	struct list_head *l;

	if (!p.pid)
		return -ESRCH;
	if (!mm)
		return 0; /* a zombie has no memory */
	down_read(&mm->mmap_lock);
	list_for_each(l, &mm->vmas) {
		struct vma *v = list_entry(l, struct vma, node);
		u32 off = v->flags & VM_FILE ? v->file_off + (v->start - ALIGN_DOWN(v->file_start, PAGE_SIZE)) : 0;
		const char *name = vma_name(v);
		if (v->flags & VM_HEAP)
			name = "[heap]";
		int n = 0;
		char line[128];
		n = snprintf(line, sizeof(line), "%08x-%08x %c%c%c%c %08x 00:00 %u", v->start, v->end,
			     v->flags & VM_READ ? 'r' : '-', v->flags & VM_WRITE ? 'w' : '-',
			     v->flags & VM_EXEC ? 'x' : '-', 'p', ALIGN_DOWN(off, PAGE_SIZE),
			     v->flags & VM_FILE ? 1 : 0);
		if (*name)
			sb_printf(sb, "%s%*s%s\n", line, MAX(1, 49 - n), "", name);
		else
			sb_printf(sb, "%s\n", line);
	}
	up_read(&mm->mmap_lock);
	mm_put(mm);
	return 0;
}

static int show_comm(struct seqbuf *sb, int pid)
{
	struct proc_snap p;
	struct mm *mm = grab(pid, &p);

	if (mm)
		mm_put(mm);
	if (!p.pid)
		return -ESRCH;
	sb_printf(sb, "%s\n", p.name);
	return 0;
}

/* echo name > /proc/PID/comm renames a process, as on Linux. */
static long write_comm(int pid, const char *buf, u32 n)
{
	char name[16];
	u32 k = MIN(n, sizeof(name) - 1);
	struct proc *p;

	memcpy(name, buf, k);
	name[k] = 0;
	if (k && name[k - 1] == '\n')
		name[k - 1] = 0;
	spin_lock(&proc_lock);
	p = proc_find(pid);
	if (p) {
		strlcpy(p->name, name, sizeof(p->name));
		if (p->thread)
			strlcpy(p->thread->name, name, sizeof(p->thread->name));
	}
	spin_unlock(&proc_lock);
	return p ? 0 : -ESRCH;
}

void proc_pid_init(void)
{
	procfs_register("status", true, show_status, NULL);
	procfs_register("maps", true, show_maps, NULL);
	procfs_register("comm", true, show_comm, write_comm);
}
