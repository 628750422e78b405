/*
 * The process table, a process's first thread, signals, and which process
 * an out-of-memory kill takes (for mm/oom_kill.c). Threads of a process:
 * kernel/thread_group.c; their end and the process's: kernel/exit.c.
 *
 * A process's struct proc stays from fork until its parent's waitpid
 * reaps the zombie; its threads and their kernel stacks go as each exits
 * (detached threads, freed by the scheduler).
 */
#include <kernel/proc.h>
#include <kernel/lock_assert.h>
#include <kernel/printk.h>
#include <kernel/panic.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include <kernel/time.h>
#include <mm/mm.h>
#include <mm/kmalloc.h>
#include <arch/x86/trap.h>
#include <arch/x86/tls.h>
#include <arch/x86/cpu.h>

DEFINE_SPINLOCK(proc_lock);
struct proc *proc_table[NPROC];
static int next_pid = 1;

struct proc *proc_alloc(const char *name)
{
	struct proc *p = kzalloc(sizeof(*p));
	int slot = -1;

	if (!p)
		return NULL;
	spin_lock(&proc_lock);
	for (int i = 0; i < NPROC; i++)
		if (!proc_table[i]) {
			slot = i;
			break;
		}
	if (slot < 0) {
		spin_unlock(&proc_lock);
		kfree(p);
		return NULL;
	}
	p->pid = proc_new_id();
	proc_table[slot] = p;
	spin_unlock(&proc_lock);
	strlcpy(p->name, name, sizeof(p->name));
	p->state = P_ALIVE;
	list_init(&p->children);
	list_init(&p->sibling);
	list_init(&p->threads);
	p->files_lock = (struct spinlock)SPINLOCK_INIT("files_lock");
	waitqueue_init(&p->thread_wq, "thread_wq");
	waitqueue_init(&p->child_wq, "child_wq");
	p->start_jiffies = jiffies;
	return p;
}

/* Remove a process from the table and free it; proc_lock not held. */
void proc_free(struct proc *p)
{
	spin_lock(&proc_lock);
	for (int i = 0; i < NPROC; i++)
		if (proc_table[i] == p)
			proc_table[i] = NULL;
	spin_unlock(&proc_lock);
	kfree(p);
}

/* pids and TIDs come from one counter that never goes back: a TID is
 * never another process's pid, nor a recycled one. */
int proc_new_id(void)
{
	ASSERT_HELD(&proc_lock);
	return next_pid++;
}

struct proc *proc_find(int pid)
{
	ASSERT_HELD(&proc_lock);
	for (int i = 0; i < NPROC; i++)
		if (proc_table[i] && proc_table[i]->pid == pid)
			return proc_table[i];
	return NULL;
}

int proc_count(void)
{
	int n = 0;

	spin_lock(&proc_lock);
	for (int i = 0; i < NPROC; i++)
		n += proc_table[i] != NULL;
	spin_unlock(&proc_lock);
	return n;
}

bool proc_oom_victim_exiting(void)
{
	ASSERT_HELD(&proc_lock);
	for (int i = 0; i < NPROC; i++) {
		struct proc *p = proc_table[i];
		if (p && p->state == P_ALIVE && p->group_exit && p->mm)
			return true;
	}
	return false;
}

struct proc *proc_pick_oom_victim(u32 *rss)
{
	struct proc *victim = NULL;
	u32 best = 0;

	ASSERT_HELD(&proc_lock);
	for (int i = 0; i < NPROC; i++) {
		struct proc *p = proc_table[i];
		if (p && p->state == P_ALIVE && p->pid != 1 && p->mm && p->mm->rss > best) {
			best = p->mm->rss;
			victim = p;
		}
	}
	*rss = best;
	return victim;
}

/* The name is the last component of the program's path, as Linux's comm. */
void proc_set_name(struct proc *p, const char *path)
{
	const char *s = path, *slash;

	while ((slash = strchr(s, '/')) && slash[1])
		s = slash + 1;
	strlcpy(p->name, s, sizeof(p->name));
	/* Only exec calls this, after de_thread: the caller is the one thread. */
	ASSERT(p == current_proc() && p->nr_threads == 1);
	strlcpy(current()->name, p->name, sizeof(current()->name));
}

int proc_signal(struct proc *p, int sig)
{
	ASSERT_HELD(&proc_lock);
	/* Like Linux, init gets only the signals it asked for: none here. */
	if (p->pid == 1)
		return 0;
	if (p->state == P_ALIVE)
		thread_group_exit(p, W_EXITCODE(0, sig), sig);
	return 0;
}

/* Deliver pending signals on the way back to user mode. Every signal we
 * accept has "terminate" as its action (no handlers yet), and comes with
 * a group exit (proc_signal, exit_group) or an exec's de_thread: either
 * way this thread leaves; the group's status is already recorded.
 * Then the segment registers the frame will pop: every way to user mode
 * (a trap's return, a new thread's first entry) comes through here. */
void proc_return_to_user(struct trapframe *tf)
{
	u32 pend = current()->sigpending;

	if (pend) {
		int sig = __builtin_ctz(pend);
		sti();
		thread_exit(W_EXITCODE(0, sig));
	}
	tls_fixup_user_segments(tf);
}

/* A fault in user mode that cannot be fixed: print it as Linux would and
 * end the whole process as if by the signal. */
void proc_kill_fatal(int sig, const char *why)
{
	struct thread *me = current();
	struct proc *p = me->proc;

	if (me->utid != p->pid)
		printk("pid %d (%s) tid %d: %s\n", p->pid, p->name, me->utid, why);
	else
		printk("pid %d (%s): %s\n", p->pid, p->name, why);
	spin_lock(&proc_lock);
	thread_group_exit(p, W_EXITCODE(0, sig), sig);
	spin_unlock(&proc_lock);
	thread_exit(W_EXITCODE(0, sig));
}
