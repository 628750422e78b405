/*
 * ktests for kernel/thread_group.c and the exit rules of kernel/exit.c:
 * a process's thread bookkeeping, with kernel threads standing in for
 * user threads (a process with no mm and no files). Each test's process
 * has a stand-in parent, so its zombie and status can be looked at; the
 * test then reaps both by hand.
 */
#include <kernel/ktest.h>
#include <kernel/proc.h>
#include <kernel/errno.h>
#include <kernel/time.h>

static struct waitqueue member_wq;
static volatile bool members_go;

/* A member waits (interruptibly, as in a futex) until told to go, or until
 * a group exit wakes it, and then exits with the code it was given. */
static void member(void *arg)
{
	wait_event_interruptible(&member_wq, members_go);
	thread_exit(W_EXITCODE((int)(uintptr_t)arg, 0));
}

/* A member thread for p, created stopped, with its TID (the first gets the
 * pid in thread_group_add). */
static struct thread *new_member(struct proc *p, int code)
{
	struct thread *t = kthread_create_stopped(member, (void *)(uintptr_t)code, "kt-member");

	if (t) {
		list_init(&t->thread_node);
		spin_lock(&proc_lock);
		t->utid = p->nr_threads ? proc_new_id() : 0;
		spin_unlock(&proc_lock);
	}
	return t;
}

static int threads_before; /* sched_thread_count() when the group was made */

static struct proc *new_group(struct proc **parent)
{
	/* The parent first: with no init (ktest runs), it may get pid 1,
	 * which must not be the group's (pid 1's exit powers off). */
	struct proc *p;

	*parent = proc_alloc("kt-parent");
	p = proc_alloc("kt-group");
	if (!p || !*parent) {
		if (p)
			proc_free(p);
		if (*parent)
			proc_free(*parent);
		return NULL;
	}
	spin_lock(&proc_lock);
	p->parent = *parent;
	list_add_tail(&p->sibling, &(*parent)->children);
	spin_unlock(&proc_lock);
	waitqueue_init(&member_wq, "kt-members");
	members_go = false;
	threads_before = sched_thread_count();
	return p;
}

/* Wait (up to 10 s) for p's last thread to make it a zombie; then reap it
 * and free the stand-in parent. Returns p's status, or -1. It also waits
 * for the members' kernel stacks: a dead thread's stack is freed by the
 * next thread its CPU runs, after p became a zombie, and the ktest runner
 * counts frames as soon as the test returns. */
static int reap_group(struct proc *p, struct proc *parent)
{
	u64 deadline = jiffies + 10 * hz;
	int status = -1;

	while ((p->state != P_ZOMBIE || sched_thread_count() > threads_before) && jiffies < deadline)
		sleep_ticks(1);
	sleep_ticks(1); /* the last one is off the list; its stack goes right after */
	spin_lock(&proc_lock);
	bool zombie = p->state == P_ZOMBIE;
	if (zombie) {
		status = p->exit_status;
		list_del(&p->sibling);
	}
	spin_unlock(&proc_lock);
	if (zombie) {
		proc_free(p);
		proc_free(parent);
	}
	return status;
}

KTEST(thread_group_tids_limit_and_group_exit)
{
	struct thread *th[THREADS_PER_PROC], *extra;
	struct proc *parent, *p = new_group(&parent);
	int base = user_thread_count(), n = 0, status;

	KT_ASSERT(t, p);
	for (n = 0; n < THREADS_PER_PROC; n++) {
		th[n] = new_member(p, 1);
		if (!th[n])
			break;
		KT_EXPECT_EQ(t, thread_group_add(p, th[n]), 0);
	}
	KT_EXPECT_EQ(t, n, THREADS_PER_PROC);
	KT_EXPECT_EQ(t, th[0]->utid, p->pid);
	/* The 65th: -EAGAIN, and it is given up cleanly. */
	extra = new_member(p, 1);
	KT_ASSERT(t, extra);
	KT_EXPECT_EQ(t, thread_group_add(p, extra), -EAGAIN);
	extra->arg = NULL; /* discarding frees arg, a user thread's trap frame */
	user_thread_discard(extra);

	spin_lock(&proc_lock);
	KT_EXPECT_EQ(t, p->nr_threads, n);
	KT_EXPECT_EQ(t, user_thread_count(), base + n);
	for (int i = 0; i < n; i++) {
		KT_EXPECT(t, thread_find_by_tid(th[i]->utid) == th[i]);
		KT_EXPECT(t, i == 0 || th[i]->utid > th[i - 1]->utid); /* fresh ids */
	}
	KT_EXPECT(t, thread_find_by_tid(0) == NULL);
	KT_EXPECT(t, thread_find_by_tid(th[n - 1]->utid + 1000) == NULL);
	/* A group exit: its status wins over the members' own codes, and it
	 * wakes every member from its interruptible sleep. */
	thread_group_exit(p, W_EXITCODE(0, SIGTERM), SIGTERM);
	thread_group_exit(p, W_EXITCODE(0, SIGKILL), SIGKILL); /* the first one wins */
	spin_unlock(&proc_lock);

	status = reap_group(p, parent);
	KT_EXPECT_EQ(t, status, W_EXITCODE(0, SIGTERM));
	KT_EXPECT_EQ(t, user_thread_count(), base);
}

/* Without a group exit the process's status is its main thread's code,
 * whichever thread is the last to go. */
KTEST(thread_group_status_is_the_main_threads)
{
	struct proc *parent, *p = new_group(&parent);
	int base = user_thread_count(), codes[] = { 7, 1, 2 };

	KT_ASSERT(t, p);
	for (int i = 0; i < 3; i++) {
		struct thread *m = new_member(p, codes[i]);
		KT_ASSERT(t, m);
		KT_EXPECT_EQ(t, thread_group_add(p, m), 0);
	}
	spin_lock(&member_wq.lock);
	members_go = true;
	wake_up_locked(&member_wq, true);
	spin_unlock(&member_wq.lock);
	KT_EXPECT_EQ(t, reap_group(p, parent), W_EXITCODE(7, 0));
	KT_EXPECT_EQ(t, user_thread_count(), base);
}
