/*
 * The files of /proc/PID: status, stat, maps and comm, in Linux's
 * formats, and the thread directories /proc/PID/task/TID/ (status, stat,
 * comm, maps of one thread).
 *
 * A file's id is a pid or a TID: a pid names the process (the group's
 * state, the main thread's name), another TID one thread of a process.
 * Reading another process's VMAs takes a reference on its mm under
 * proc_lock (exec and exit swap p->mm under it), then its mmap_lock.
 * Thread states are read without rq_lock: a snapshot, as Linux's is.
 */
#include <kernel/fs/procfs.h>
#include <kernel/fs/vfs.h>
#include <kernel/proc.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/time.h>
#include <mm/mm.h>
#include <mm/anon.h>
#include <mm/pps.h>

struct proc_snap {
	int pid, tid, ppid;             /* pid 0: no such process or thread */
	char name[16];
	char state;                     /* R, S or Z */
	int threads;
	int cpu;                        /* where the thread last ran */
	u64 start_jiffies;
};

static char thread_state(struct thread *t)
{
	return t->state == T_RUNNING || t->state == T_RUNNABLE ? 'R' : 'S';
}

/* A process runs if any of its threads does. */
static char group_state(struct proc *p)
{
	struct list_head *l;
	char st = 'S';

	if (p->state == P_ZOMBIE)
		return 'Z';
	list_for_each(l, &p->threads)
		if (thread_state(list_entry(l, struct thread, thread_node)) == 'R')
			st = 'R';
	return st;
}

static const char *state_name(char st)
{
	return st == 'R' ? "R (running)" : st == 'Z' ? "Z (zombie)" : "S (sleeping)";
}

/* The process id names (or the process of thread id), proc_lock held; *t:
 * the thread, or NULL when id is a pid. */
static struct proc *find_id(int id, struct thread **t)
{
	struct proc *p = proc_find(id);

	*t = NULL;
	if (!p && (*t = thread_find_by_tid(id)))
		p = (*t)->proc;
	return p;
}

/* A snapshot of id (a pid or a TID), and its mm with a reference (or NULL). */
static struct mm *grab(int id, struct proc_snap *s)
{
	struct mm *mm = NULL;
	struct thread *t, *main_t = NULL;
	struct proc *p;

	s->pid = 0;
	spin_lock(&proc_lock);
	p = find_id(id, &t);
	if (p) {
		if (!t && (main_t = thread_find_by_tid(p->pid)) && main_t->proc != p)
			main_t = NULL;
		s->pid = p->pid;
		s->tid = t ? t->utid : p->pid;
		s->ppid = p->parent ? p->parent->pid : 0;
		strlcpy(s->name, t ? t->name : p->name, sizeof(s->name));
		s->state = t ? thread_state(t) : group_state(p);
		s->threads = p->nr_threads;
		t = t ? t : main_t;
		s->cpu = t && t->cpu ? t->cpu->id : 0;
		s->start_jiffies = p->start_jiffies;
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
	sb_printf(sb, "State:\t%s\n", state_name(p.state));
	sb_printf(sb, "Tgid:\t%d\nPid:\t%d\nPPid:\t%d\n", p.pid, p.tid, p.ppid);
	sb_printf(sb, "VmSize:\t%8u kB\n", vsz * 4);
	sb_printf(sb, "VmLck:\t%8u kB\n", lck * 4);
	sb_printf(sb, "VmRSS:\t%8u kB\n", rss * 4);
	sb_printf(sb, "VmData:\t%8u kB\n", data * 4);
	sb_printf(sb, "VmStk:\t%8u kB\n", stk * 4);
	sb_printf(sb, "VmSwap:\t%8u kB\n", c.swapped * 4);
	sb_printf(sb, "Threads:\t%d\n", p.threads);
	return 0;
}

/*
 * maps, in Linux's format; pps_maps adds at the end of each line which page
 * system the VMA's pages belong to: "pps" (pure private, kppsd's), "own"
 * (one owner, not reclaimed: a file image), or "legacy anon:ID vmas:N"
 * (shared after fork or MAP_SHARED: the anon object and its family size).
 */
static int show_maps_as(struct seqbuf *sb, int pid, bool pps_column)
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
			     v->flags & VM_EXEC ? 'x' : '-', v->flags & VM_SHARED ? 's' : 'p',
			     ALIGN_DOWN(off, PAGE_SIZE), v->flags & VM_FILE ? 1 : 0);
		if (*name)
			n += snprintf(line + n, sizeof(line) - n, "%*s%s", MAX(1, 49 - n), "", name);
		if (pps_column) {
			char what[48];
			if (v->anon)
				snprintf(what, sizeof(what), "legacy anon:%u vmas:%u", v->anon->id,
					 v->anon->nr_vmas);
			else
				snprintf(what, sizeof(what), "%s",
					 v->flags & VM_PURE_PRIVATE ? "pps" : vma_is_legacy(v) ? "legacy" : "own");
			sb_printf(sb, "%s%*s%s\n", line, MAX(1, 72 - n), "", what);
		} else {
			sb_printf(sb, "%s\n", line);
		}
	}
	up_read(&mm->mmap_lock);
	mm_put(mm);
	return 0;
}

static int show_maps(struct seqbuf *sb, int pid)
{
	return show_maps_as(sb, pid, false);
}

static int show_pps_maps(struct seqbuf *sb, int pid)
{
	return show_maps_as(sb, pid, true);
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

/*
 * /proc/PID/stat: Linux's one line, "pid (comm) state ppid ..." with the
 * fields ppsos has (num_threads is the 20th, starttime the 22nd, vsize and
 * rss the 23rd and 24th, processor the 39th); the others are 0.
 */
static int show_stat(struct seqbuf *sb, int id)
{
	struct proc_snap p;
	struct mm *mm = grab(id, &p);
	u32 vsz = 0, rss = 0;

	if (!p.pid)
		return -ESRCH;
	if (mm) {
		down_read(&mm->mmap_lock);
		vsz = mm_total_vm(mm);
		up_read(&mm->mmap_lock);
		rss = mm->rss;
		mm_put(mm);
	}
	/* 1-5: pid (comm) state ppid pgrp; 6-19: session .. nice */
	sb_printf(sb, "%d (%s) %c %d %d", p.tid, p.name, p.state, p.ppid, p.pid);
	for (int f = 6; f <= 19; f++)
		sb_printf(sb, " 0");
	/* 20-24: num_threads itrealvalue starttime vsize rss */
	sb_printf(sb, " %d 0 %llu %u %u", p.threads, p.start_jiffies, vsz * PAGE_SIZE, rss);
	for (int f = 25; f <= 38; f++)
		sb_printf(sb, " 0");
	sb_printf(sb, " %d\n", p.cpu); /* 39: processor */
	return 0;
}

/* echo name > /proc/PID/comm renames a process (and its main thread), as
 * on Linux; task/TID/comm renames that one thread, except task/PID/comm,
 * which names the main thread and so renames the process too. */
static long write_comm(int id, const char *buf, u32 n)
{
	char name[16];
	u32 k = MIN(n, sizeof(name) - 1);
	struct thread *t;
	struct proc *p;

	memcpy(name, buf, k);
	name[k] = 0;
	if (k && name[k - 1] == '\n')
		name[k - 1] = 0;
	spin_lock(&proc_lock);
	p = find_id(id, &t);
	if (p && !t) {
		strlcpy(p->name, name, sizeof(p->name));
		t = thread_find_by_tid(p->pid);
	}
	if (t)
		strlcpy(t->name, name, sizeof(t->name));
	spin_unlock(&proc_lock);
	return p ? 0 : -ESRCH;
}

/* /proc/PID/task: a directory per live thread, named by its TID. */
static const char *const task_files[] = { "status", "stat", "comm", "maps" };

/* Is tid a live thread (of process pid, unless pid is 0)? */
static bool task_of(int pid, int tid)
{
	struct thread *t;
	bool r;

	spin_lock(&proc_lock);
	t = thread_find_by_tid(tid);
	r = t && (!pid || t->proc->pid == pid);
	spin_unlock(&proc_lock);
	return r;
}

static struct inode *tid_dir_lookup(struct inode *dir, const char *name, u32 len)
{
	if (!task_of(0, dir->pid))
		return NULL;
	for (u32 i = 0; i < ARRAY_SIZE(task_files); i++)
		if (strlen(task_files[i]) == len && !strncmp(task_files[i], name, len))
			return procfs_pid_file(dir, name, len, dir->pid);
	return NULL;
}

static int tid_dir_readdir(struct inode *dir, u32 index, char *name, u32 *ino, u8 *type)
{
	if (index >= ARRAY_SIZE(task_files))
		return -ENOENT;
	strlcpy(name, task_files[index], NAME_MAX + 1);
	*ino = dir->ino + 1 + index;
	*type = DT_REG;
	return 0;
}

static const struct inode_ops tid_dir_ops = { tid_dir_lookup, tid_dir_readdir };

#define KIND_TID_DIR -3 /* beside procfs.c's kinds */

static struct inode *task_dir_lookup(struct inode *dir, const char *name, u32 len)
{
	int tid = 0;
	struct inode *d;

	if (len == 0 || len > 9)
		return NULL;
	for (u32 i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return NULL;
		tid = tid * 10 + name[i] - '0';
	}
	if (!task_of(dir->pid, tid))
		return NULL;
	d = procfs_new_inode(dir, "tid", S_IFDIR | 0555, tid, KIND_TID_DIR);
	if (d)
		d->iops = &tid_dir_ops;
	return d;
}

/* The index-th thread of the process, in list order. */
static int task_dir_readdir(struct inode *dir, u32 index, char *name, u32 *ino, u8 *type)
{
	struct list_head *l;
	struct proc *p;
	u32 seen = 0;
	int tid = -1;

	spin_lock(&proc_lock);
	p = proc_find(dir->pid);
	if (p)
		list_for_each(l, &p->threads)
			if (seen++ == index) {
				tid = list_entry(l, struct thread, thread_node)->utid;
				break;
			}
	spin_unlock(&proc_lock);
	if (tid < 0)
		return -ENOENT;
	snprintf(name, NAME_MAX + 1, "%d", tid);
	*ino = dir->ino + 64 * (u32)tid;
	*type = DT_DIR;
	return 0;
}

static const struct inode_ops task_dir_ops = { task_dir_lookup, task_dir_readdir };

void proc_pid_init(void)
{
	procfs_register("status", true, show_status, NULL);
	procfs_register("stat", true, show_stat, NULL);
	procfs_register("maps", true, show_maps, NULL);
	procfs_register("pps_maps", true, show_pps_maps, NULL);
	procfs_register("comm", true, show_comm, write_comm);
	procfs_register_pid_dir("task", &task_dir_ops);
}
