/*
 * Thread groups: the threads of a process (see proc.h for the model).
 *
 * Invariants, all under proc_lock:
 *  - a user thread is on exactly one group's list from thread_group_add
 *    until it leaves in thread_exit; t->proc is set for exactly that time
 *    (the last thread keeps it until the teardown is done), so nobody
 *    reaches a freed proc through a thread;
 *  - p->nr_threads counts the list; a process with 0 is a zombie, or being
 *    torn down by its last thread, and never gets a thread again;
 *  - TIDs come from the pid counter, so a TID is never a live pid of
 *    another process, and the first thread's TID is the pid;
 *  - once p->group_exit or p->execer is set, no thread joins the group,
 *    so the threads a group exit or an exec told to leave are all there
 *    are.
 * Limits: THREADS_PER_PROC per process, USER_THREADS_MAX in all (kernel
 * stacks are 16 KiB and come from the same memory as user pages).
 */
#include <kernel/proc.h>
#include <kernel/lock_assert.h>
#include <kernel/errno.h>
#include <kernel/panic.h>
#include <mm/kmalloc.h>
#include <mm/uaccess.h>
#include <arch/x86/cpu.h>

static int nr_user_threads; /* proc_lock */

void enter_user(struct trapframe *tf);

/* A user thread's first code: build the user trap frame on its own stack,
 * do CLONE_CHILD_SETTID (in its own mm: a fork-like child's is not the
 * parent's), and leave for ring 3, unless it was killed before it ran. */
static void user_thread_entry(void *arg)
{
	struct thread *me = current();
	struct trapframe *tf = current_user_tf();

	*tf = *(struct trapframe *)arg;
	kfree(arg);
	if (me->set_child_tid) {
		int tid = me->utid;
		(void)copy_to_user(me->set_child_tid, &tid, sizeof(tid)); /* a fault is ignored, as Linux does */
	}
	cli();
	proc_return_to_user(tf);
	enter_user(tf);
}

/* A thread discarded before it ran: it frees its trap frame and ends. */
static void discarded_entry(void *arg)
{
	kfree(arg);
}

struct thread *user_thread_create(struct proc *p, const struct trapframe *tf)
{
	struct trapframe *copy = kmalloc(sizeof(*copy));
	struct thread *t;

	if (!copy)
		return NULL;
	*copy = *tf;
	/* Created asleep: proc is set (by thread_group_add) before it runs. */
	t = kthread_create_stopped(user_thread_entry, copy, p->name);
	if (!t) {
		kfree(copy);
		return NULL;
	}
	list_init(&t->thread_node);
	/* Its TID now, so that clone can store it (CLONE_PARENT_SETTID)
	 * before the thread can run: a new process's first thread has the
	 * pid, another thread a fresh id. */
	spin_lock(&proc_lock);
	t->utid = p->nr_threads ? proc_new_id() : p->pid;
	spin_unlock(&proc_lock);
	return t;
}

/* The scheduler owns the stack of a thread that exists; the clean way to
 * be rid of one that never ran is to let it run to its end at once. */
void user_thread_discard(struct thread *t)
{
	ASSERT(!t->proc && list_empty(&t->thread_node));
	t->utid = 0;
	t->fn = discarded_entry;
	kthread_wake_new(t);
}

int thread_group_add(struct proc *p, struct thread *t)
{
	int err = 0;

	spin_lock(&proc_lock);
	bool first = p->nr_threads == 0;
	if (!first && (p->group_exit || p->execer))
		err = -EINTR; /* the caller is being ended too */
	else if (p->nr_threads >= THREADS_PER_PROC || nr_user_threads >= USER_THREADS_MAX)
		err = -EAGAIN;
	else {
		if (first)
			t->utid = p->pid;
		ASSERT(t->utid > 0);
		t->proc = p;
		list_add_tail(&t->thread_node, &p->threads);
		p->nr_threads++;
		nr_user_threads++;
		/* Woken under proc_lock: from the moment it is on the list a
		 * group exit may wake it, and it may run, exit and be freed;
		 * the caller must not touch it after we let go. */
		kthread_wake_new(t);
	}
	spin_unlock(&proc_lock);
	return err;
}

bool thread_group_leave(struct proc *p, struct thread *t)
{
	ASSERT_HELD(&proc_lock);
	ASSERT(t->proc == p && p->nr_threads > 0);
	list_del(&t->thread_node);
	p->nr_threads--;
	nr_user_threads--;
	if (p->execer)
		wake_up(&p->thread_wq); /* de_thread counts us out */
	return p->nr_threads == 0;
}

struct thread *thread_find_by_tid(int tid)
{
	ASSERT_HELD(&proc_lock);
	if (tid <= 0)
		return NULL;
	for (int i = 0; i < NPROC; i++) {
		struct proc *p = proc_table[i];
		struct list_head *l;
		if (!p)
			continue;
		list_for_each(l, &p->threads) {
			struct thread *t = list_entry(l, struct thread, thread_node);
			if (t->utid == tid)
				return t;
		}
	}
	return NULL;
}

int user_thread_count(void)
{
	return nr_user_threads; /* a snapshot for /proc and the tests */
}

/* Tell every thread of p but `except` to leave: the signal is pending and
 * a sleeper is woken (an interruptible sleep ends at once; an
 * uninterruptible one, a swap-in read for instance, finishes first). Each
 * leaves on its way back to user mode (proc_return_to_user); one running
 * user code on another CPU does so at its next timer tick. */
static void zap_threads(struct proc *p, int sig, struct thread *except)
{
	struct list_head *l;

	ASSERT_HELD(&proc_lock);
	list_for_each(l, &p->threads) {
		struct thread *t = list_entry(l, struct thread, thread_node);
		if (t != except)
			thread_signal(t, sig);
	}
}

/* A group exit with this status (the first one wins, as on Linux). The
 * caller may be one of p's threads (tgkill of a sibling, kill of its own
 * pid, exit_group): it is told too, and leaves on its way out. */
void thread_group_exit(struct proc *p, int status, int sig)
{
	ASSERT_HELD(&proc_lock);
	if (p->group_exit || p->nr_threads == 0)
		return;
	p->group_exit = true;
	p->exit_status = status;
	zap_threads(p, sig, NULL);
}

/*
 * Linux's de_thread: exec in a process with several threads first ends
 * the others and waits until they have left the group, so that nobody
 * uses the old mm when exec drops it. Only one exec may do this at a time,
 * and not during a group exit: the loser is told -EINTR, and the signal
 * already pending for it ends it on the way out.
 */
int de_thread(void)
{
	struct thread *me = current();
	struct proc *p = me->proc;
	int err;

	spin_lock(&proc_lock);
	if (p->group_exit || p->execer || signal_pending()) {
		spin_unlock(&proc_lock);
		return -EINTR;
	}
	if (p->nr_threads == 1) {
		me->utid = p->pid;
		spin_unlock(&proc_lock);
		return 0;
	}
	p->execer = me;
	zap_threads(p, SIGKILL, me);
	spin_unlock(&proc_lock);

	/* nr_threads only falls now (no thread may join); it is written
	 * under proc_lock before the wake_up, read here as one word. */
	err = wait_event_interruptible(&p->thread_wq, p->nr_threads == 1);

	spin_lock(&proc_lock);
	p->execer = NULL;
	if (!err)
		me->utid = p->pid; /* exec's thread carries the pid, as on Linux */
	spin_unlock(&proc_lock);
	return err;
}
