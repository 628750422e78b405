/*
 * exit, waitpid and kill: the end of a process and who learns of it.
 */
#include <kernel/proc.h>
#include <kernel/syscall.h>
#include <kernel/errno.h>
#include <mm/uaccess.h>
#include <kernel/lock_assert.h>

long sys_exit(u32 code, u32 a2, u32 a3, u32 a4, u32 a5)
{
	proc_exit(W_EXITCODE(code, 0));
}

long sys_exit_group(u32 code, u32 a2, u32 a3, u32 a4, u32 a5)
{
	proc_exit(W_EXITCODE(code, 0)); /* one thread per process */
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

long sys_kill(u32 upid, u32 usig, u32 a3, u32 a4, u32 a5)
{
	int pid = (int)upid, sig = (int)usig, r = 0;
	struct proc *p;

	if (sig < 0 || sig >= SIGRTMIN)
		return -EINVAL; /* no real-time signals */
	if (pid <= 0)
		return -EINVAL; /* process groups and "everyone" are not supported */
	/* Stop and continue need job control: not supported. */
	if (sig == SIGCONT || sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
		return -EINVAL;
	spin_lock(&proc_lock);
	p = proc_find(pid);
	if (!p || p->state != P_ALIVE)
		r = -ESRCH;
	else if (sig && sig != SIGCHLD && sig != SIGURG && sig != SIGWINCH) /* ignored by default */
		r = proc_signal(p, sig);
	spin_unlock(&proc_lock);
	return r;
}
