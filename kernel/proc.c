/*
 * The process table, process start, signals and exit (see proc.h), and
 * which process an out-of-memory kill takes (for mm/oom_kill.c).
 *
 * Exit runs in the dying process's own thread: it drops its address space
 * (after switching to the kernel's page directory), closes its files, hands
 * its children to init, becomes a zombie and wakes its parent. The zombie's
 * struct proc stays until the parent's waitpid reaps it; its thread and
 * kernel stack go at once (detached thread, freed by the scheduler).
 */
#include <kernel/proc.h>
#include <kernel/lock_assert.h>
#include <kernel/printk.h>
#include <kernel/panic.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include <kernel/time.h>
#include <kernel/fs/vfs.h>
#include <mm/mm.h>
#include <mm/kmalloc.h>
#include <mm/dftlb.h>
#include <arch/x86/trap.h>
#include <arch/x86/gdt.h>
#include <arch/x86/cpu.h>
#include <drivers/qemu_exit.h>

DEFINE_SPINLOCK(proc_lock);
struct proc *proc_table[NPROC];
static int next_pid = 1;

void enter_user(struct trapframe *tf);

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
	p->pid = next_pid++;
	proc_table[slot] = p;
	spin_unlock(&proc_lock);
	strlcpy(p->name, name, sizeof(p->name));
	p->state = P_ALIVE;
	list_init(&p->children);
	list_init(&p->sibling);
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
	if (p->thread)
		strlcpy(p->thread->name, p->name, sizeof(p->thread->name));
}

/* A new process's thread: build the user trap frame on our own stack and
 * leave for ring 3. */
static void user_thread_entry(void *arg)
{
	struct trapframe *tf = current_user_tf();

	*tf = *(struct trapframe *)arg;
	kfree(arg);
	enter_user(tf);
}

int proc_start(struct proc *p, const struct trapframe *tf)
{
	struct trapframe *copy = kmalloc(sizeof(*copy));
	struct thread *t;

	if (!copy)
		return -ENOMEM;
	*copy = *tf;
	/* Created asleep: proc must be set before the thread first runs. */
	t = kthread_create_stopped(user_thread_entry, copy, p->name);
	if (!t) {
		kfree(copy);
		return -ENOMEM;
	}
	t->proc = p;
	p->thread = t;
	fpu_copy(t, current()); /* fork: the child gets the parent's FP registers */
	kthread_wake_new(t);
	return 0;
}

static void reparent_children(struct proc *p)
{
	struct proc *init = proc_find(1);

	while (!list_empty(&p->children)) {
		struct proc *c = list_first_entry(&p->children, struct proc, sibling);
		list_del(&c->sibling);
		c->parent = init;
		if (init && init != p) {
			list_add_tail(&c->sibling, &init->children);
			if (c->state == P_ZOMBIE) {
				init->child_events++;
				wake_up(&init->child_wq);
			}
		} else {
			c->parent = NULL;
		}
	}
}

__noreturn void proc_exit(int status)
{
	struct proc *p = current_proc();
	struct mm *mm = p->mm;

	spin_lock(&proc_lock);  /* /proc readers take p->mm under it */
	p->mm = NULL;
	mm_activate(NULL);      /* off its page tables before freeing them */
	spin_unlock(&proc_lock);
	if (mm) {
		dftlb_reap(); /* finished flush tasks may still hold this mm */
		mm_put(mm);
	}
	for (int fd = 0; fd < NOFILE; fd++)
		if (p->files[fd]) {
			file_put(p->files[fd]);
			p->files[fd] = NULL;
		}

	if (p->pid == 1) {
		int code = (status & 0x7F) ? 128 + (status & 0x7F) : (status >> 8) & 0xFF;
		printk("init: pid 1 exited with status %d, powering off\n", code);
		qemu_exit(code);
	}

	spin_lock(&proc_lock);
	reparent_children(p);
	p->exit_status = status;
	p->state = P_ZOMBIE;
	p->thread = NULL;
	/* From here the parent may reap and free p at any moment, even while
	 * this thread, preempted, waits on the run queue: it must not point
	 * at p any more (the scheduler reads t->proc->mm). */
	current()->proc = NULL;
	struct proc *parent = p->parent;
	if (parent) {
		/* Under proc_lock: the parent cannot be reaped and freed
		 * before we are done waking it. */
		parent->child_events++;
		wake_up(&parent->child_wq);
	}
	spin_unlock(&proc_lock);
	if (!parent)
		proc_free(p); /* an orphan with no init to reap it */
	kthread_exit(0);
}

int proc_signal(struct proc *p, int sig)
{
	/* Like Linux, init gets only the signals it asked for: none here. */
	if (p->pid == 1)
		return 0;
	if (p->state == P_ALIVE && p->thread)
		thread_signal(p->thread, sig);
	return 0;
}

/* Deliver pending signals on the way back to user mode. Every signal we
 * accept has "terminate" as its action (no handlers yet). */
void proc_return_to_user(struct trapframe *tf)
{
	u32 pend = current()->sigpending;

	(void)tf;
	if (pend) {
		int sig = __builtin_ctz(pend);
		sti();
		proc_exit(W_EXITCODE(0, sig));
	}
}

/* A fault in user mode that cannot be fixed: print it as Linux would and
 * end the process as if by the signal. */
void proc_kill_fatal(int sig, const char *why)
{
	struct proc *p = current_proc();

	printk("pid %d (%s): %s\n", p->pid, p->name, why);
	proc_exit(W_EXITCODE(0, sig));
}
