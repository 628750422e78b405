/*
 * The end of threads and processes, and who learns of it: exit,
 * exit_group, waitpid, kill, tkill and tgkill.
 *
 * A thread ends in thread_exit, on its own stack: CLONE_CHILD_CLEARTID
 * first (the mm is still its own), then it leaves the group under
 * proc_lock. A thread that is not the last switches to the kernel's page
 * directory and forgets its proc in that same critical section: from the
 * moment it is off the list the last thread may drop the mm and the
 * parent may free the proc, while this one still waits on a run queue
 * (the scheduler reads t->proc->mm at every switch). The last thread tears
 * the process down: mm, files, children to init, zombie, parent woken.
 *
 * The process's status is its group exit's (exit_group, a fatal signal or
 * fault), else the main thread's own exit code, as on Linux.
 */
#include <kernel/proc.h>
#include <kernel/syscall.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/futex.h>
#include <kernel/fs/vfs.h>
#include <kernel/lock_assert.h>
#include <mm/mm.h>
#include <mm/dftlb.h>
#include <mm/uaccess.h>
#include <arch/x86/cpu.h>
#include <drivers/qemu_exit.h>

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

/* The last thread of p: drop what the process holds and become a zombie. */
static __noreturn void proc_teardown(struct proc *p)
{
	struct mm *mm = p->mm;
	int status;

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

	status = p->exit_status; /* no thread is left to change it */
	if (p->pid == 1) {
		int code = (status & 0x7F) ? 128 + (status & 0x7F) : (status >> 8) & 0xFF;
		printk("init: pid 1 exited with status %d, powering off\n", code);
		qemu_exit(code);
	}

	spin_lock(&proc_lock);
	reparent_children(p);
	p->state = P_ZOMBIE;
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

/* CLONE_CHILD_CLEARTID: a joiner sleeps in FUTEX_WAIT on the word until
 * it reads 0. A bad address is ignored, as on Linux. */
static void clear_child_tid(struct thread *me, struct mm *mm)
{
	u32 uaddr = me->clear_child_tid, zero = 0;

	me->clear_child_tid = 0;
	if (mm && !copy_to_user(uaddr, &zero, sizeof(zero)))
		futex_wake(mm, uaddr, 1);
}

__noreturn void thread_exit(int status)
{
	struct thread *me = current();
	struct proc *p = me->proc;

	if (me->clear_child_tid)
		clear_child_tid(me, p->mm);
	spin_lock(&proc_lock);
	if (!p->group_exit && me->utid == p->pid)
		p->exit_status = status; /* the main thread's code is the process's */
	if (!thread_group_leave(p, me)) {
		mm_activate(NULL);
		me->proc = NULL;
		spin_unlock(&proc_lock);
		kthread_exit(0);
	}
	spin_unlock(&proc_lock);
	proc_teardown(p);
}

__noreturn void proc_exit_group(int status)
{
	struct proc *p = current_proc();

	spin_lock(&proc_lock);
	thread_group_exit(p, status, SIGKILL);
	spin_unlock(&proc_lock);
	thread_exit(status);
}

long sys_exit(u32 code, u32 a2, u32 a3, u32 a4, u32 a5)
{
	thread_exit(W_EXITCODE(code, 0));
}

long sys_exit_group(u32 code, u32 a2, u32 a3, u32 a4, u32 a5)
{
	proc_exit_group(W_EXITCODE(code, 0));
}

/* A zombie child matching pid (-1: any), or NULL; *any_match says whether
 * some child matches at all. proc_lock held. */
static struct proc *find_zombie(struct proc *me, int pid, bool *any_match)
{
	struct list_head *l;

	ASSERT_HELD(&proc_lock);
	*any_match = false;
	list_for_each(l, &me->children) {
		struct proc *c = list_entry(l, struct proc, sibling);
		if (pid != -1 && c->pid != pid)
			continue;
		*any_match = true;
		if (c->state == P_ZOMBIE)
			return c;
	}
	return NULL;
}

long sys_waitpid(u32 upid, u32 ustatus, u32 options, u32 a4, u32 a5)
{
	struct proc *me = current_proc();
	int pid = (int)upid;

	if (options & ~WNOHANG)
		return -EINVAL; /* WUNTRACED, WCONTINUED: no job control here */
	if (pid == 0 || pid < -1)
		return -EINVAL; /* process groups are not supported */
	for (;;) {
		bool any;
		spin_lock(&proc_lock);
		struct proc *z = find_zombie(me, pid, &any);
		u32 gen = me->child_events;
		if (z) {
			int status = z->exit_status, zpid = z->pid;
			list_del(&z->sibling);
			spin_unlock(&proc_lock);
			if (ustatus && copy_to_user(ustatus, &status, sizeof(status))) {
				/* Linux reaps anyway; so do we, and report it. */
				proc_free(z);
				return -EFAULT;
			}
			proc_free(z);
			return zpid;
		}
		spin_unlock(&proc_lock);
		if (!any)
			return -ECHILD;
		if (options & WNOHANG)
			return 0;
		if (wait_event_interruptible(&me->child_wq, me->child_events != gen))
			return -EINTR;
	}
}

/*
 * wait4(pid, status, options, rusage): what glibc's waitpid and wait call.
 * The same as waitpid; no resource usage is kept, so a struct rusage
 * asked for comes back zeroed (i386: 18 longs). The pointer is checked
 * before anything is reaped.
 */
#define RUSAGE_I386_SIZE (18 * 4)
long sys_wait4(u32 upid, u32 ustatus, u32 options, u32 urusage, u32 a5)
{
	static const u8 zero[RUSAGE_I386_SIZE];
	long r;

	if (urusage && !user_range_ok(urusage, RUSAGE_I386_SIZE))
		return -EFAULT;
	r = sys_waitpid(upid, ustatus, options, 0, a5);
	if (r > 0 && urusage && copy_to_user(urusage, zero, sizeof(zero)))
		return -EFAULT;
	return r;
}

/* Is sig one kill, tkill and tgkill accept? 0, or -EINVAL; *deliver:
 * whether it does anything (0 only probes; SIGCHLD, SIGURG and SIGWINCH
 * are ignored by default). */
static int check_signal(int sig, bool *deliver)
{
	if (sig < 0 || sig >= SIGRTMIN)
		return -EINVAL; /* no real-time signals */
	/* Stop and continue need job control: not supported. */
	if (sig == SIGCONT || sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
		return -EINVAL;
	*deliver = sig && sig != SIGCHLD && sig != SIGURG && sig != SIGWINCH;
	return 0;
}

/* kill(pid): the process, or, as on Linux, the one a thread id belongs to. */
long sys_kill(u32 upid, u32 usig, u32 a3, u32 a4, u32 a5)
{
	int pid = (int)upid, r;
	bool deliver;
	struct proc *p;

	if ((r = check_signal((int)usig, &deliver)))
		return r;
	if (pid <= 0)
		return -EINVAL; /* process groups and "everyone" are not supported */
	spin_lock(&proc_lock);
	p = proc_find(pid);
	if (!p) {
		struct thread *t = thread_find_by_tid(pid);
		p = t ? t->proc : NULL;
	}
	if (!p || p->state != P_ALIVE)
		r = -ESRCH;
	else if (deliver)
		r = proc_signal(p, (int)usig);
	spin_unlock(&proc_lock);
	return r;
}

/* tgkill(tgid, tid, sig): the thread tid, which must be in process tgid
 * (tgid -1: tkill's "any", not exported to user space). Every signal is
 * fatal, and a fatal signal ends the whole group, as on Linux. */
static long thread_kill(int tgid, int tid, int sig)
{
	bool deliver;
	struct thread *t;
	int r;

	if ((r = check_signal(sig, &deliver)))
		return r;
	if (tid <= 0)
		return -EINVAL;
	spin_lock(&proc_lock);
	t = thread_find_by_tid(tid);
	if (!t || (tgid != -1 && t->proc->pid != tgid))
		r = -ESRCH;
	else if (deliver)
		r = proc_signal(t->proc, sig);
	spin_unlock(&proc_lock);
	return r;
}

long sys_tkill(u32 tid, u32 sig, u32 a3, u32 a4, u32 a5)
{
	return thread_kill(-1, (int)tid, (int)sig);
}

long sys_tgkill(u32 tgid, u32 tid, u32 sig, u32 a4, u32 a5)
{
	if ((int)tgid <= 0)
		return -EINVAL;
	return thread_kill((int)tgid, (int)tid, (int)sig);
}
