/*
 * clone and fork: a new thread in the caller's process, or a new process.
 * fork is clone(SIGCHLD) with the caller's stack.
 *
 * clone (120) takes Linux's i386 arguments: ebx flags, ecx the new stack
 * (0: the caller's), edx parent_tidptr, esi tls (a struct user_desc),
 * edi child_tidptr. The child returns 0 in eax with esp at the new stack;
 * the caller gets the child's TID (a new process's pid).
 *
 * ppsos has two kinds of child, and accepts the flag sets that make them:
 *  - a thread: CLONE_VM | CLONE_SIGHAND | CLONE_THREAD | CLONE_FILES,
 *    optionally CLONE_FS and CLONE_SYSVSEM (there is no cwd, umask or
 *    System V semaphore to share): what pthread_create passes in glibc
 *    and musl;
 *  - a process (no CLONE_VM): a copy of the address space (mm_dup), the
 *    open files shared as fork does; exit signal SIGCHLD or 0.
 * Both take CLONE_SETTLS, CLONE_PARENT_SETTID, CLONE_CHILD_SETTID and
 * CLONE_CHILD_CLEARTID; CLONE_DETACHED is ignored, as on Linux. Linux's
 * own rules (CLONE_THREAD needs CLONE_SIGHAND, which needs CLONE_VM) and
 * every other combination (a process sharing the mm or the file table,
 * vfork, namespaces, ptrace) are -EINVAL. clone3 (435) is not here: glibc
 * falls back to clone on -ENOSYS.
 *
 * The child's TID is chosen first and stored (CLONE_PARENT_SETTID; a fault
 * is ignored, as on Linux) before the child can run: glibc's child reads
 * it. Joining the group, the last step, starts the child; only the limits
 * can fail then.
 */
#include <kernel/proc.h>
#include <kernel/syscall.h>
#include <kernel/errno.h>
#include <kernel/fs/vfs.h>
#include <mm/mm.h>
#include <mm/uaccess.h>
#include <arch/x86/trap.h>
#include <arch/x86/tls.h>
#include <uapi/ppsos/sched.h>

#define CLONE_THREAD_SET (CLONE_VM | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD)
#define CLONE_THREAD_OPTIONAL (CLONE_FS | CLONE_SYSVSEM)
#define CLONE_TID_FLAGS (CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | \
			 CLONE_CHILD_CLEARTID | CLONE_DETACHED)

static int clone_check_flags(u32 flags)
{
	if (flags & ~(CSIGNAL | CLONE_THREAD_SET | CLONE_THREAD_OPTIONAL | CLONE_TID_FLAGS))
		return -EINVAL;
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if (flags & CLONE_VM)   /* the exit signal of a thread is ignored, as on Linux */
		return (flags & CLONE_THREAD_SET) == CLONE_THREAD_SET ? 0 : -EINVAL;
	if (flags & (CLONE_FILES | CLONE_THREAD_OPTIONAL))
		return -EINVAL;
	if ((flags & CSIGNAL) != SIGCHLD && (flags & CSIGNAL) != 0)
		return -EINVAL;
	return 0;
}

/* The child's thread: the caller's TLS (or the one asked for) and its tid
 * words. 0 or -errno; on failure the thread is discarded. */
static int clone_setup_thread(struct thread *t, u32 flags, u32 tls, u32 ctid)
{
	int err;

	tls_inherit(t, current());
	fpu_copy(t, current()); /* the child starts with the caller's FP registers */
	if ((flags & CLONE_SETTLS) && (err = tls_set_area(t, tls, false))) {
		user_thread_discard(t);
		return err;
	}
	if (flags & CLONE_CHILD_SETTID)
		t->set_child_tid = ctid;
	if (flags & CLONE_CHILD_CLEARTID)
		t->clear_child_tid = ctid;
	return 0;
}

static void clone_parent_settid(u32 flags, u32 ptid, int tid)
{
	if (flags & CLONE_PARENT_SETTID)
		(void)copy_to_user(ptid, &tid, sizeof(tid)); /* a fault is ignored, as on Linux */
}

/* A new thread in the caller's process. */
static long clone_thread(u32 flags, const struct trapframe *tf, u32 ptid, u32 tls, u32 ctid)
{
	struct thread *t = user_thread_create(current_proc(), tf);
	int tid, err;

	if (!t)
		return -ENOMEM;
	if ((err = clone_setup_thread(t, flags, tls, ctid)))
		return err;
	tid = t->utid;
	clone_parent_settid(flags, ptid, tid);
	if ((err = thread_group_add(current_proc(), t))) {
		user_thread_discard(t);
		return err;
	}
	return tid;
}

static void clone_undo_process(struct proc *child)
{
	spin_lock(&proc_lock);
	list_del(&child->sibling);
	spin_unlock(&proc_lock);
	for (int fd = 0; fd < NOFILE; fd++)
		if (child->files[fd])
			file_put(child->files[fd]);
	mm_put(child->mm);
	proc_free(child);
}

/* A new process with a copy of the caller's address space and one thread
 * (whatever the number of the caller's), whose TID is its pid. */
static long clone_process(u32 flags, const struct trapframe *tf, u32 ptid, u32 tls, u32 ctid)
{
	struct proc *me = current_proc(), *child;
	struct thread *t;
	int err, pid;

	child = proc_alloc(me->name);
	if (!child)
		return -EAGAIN;
	child->mm = mm_dup(me->mm);
	if (!child->mm) {
		proc_free(child);
		return -ENOMEM;
	}
	spin_lock(&me->files_lock); /* a sibling thread may open or close */
	for (int fd = 0; fd < NOFILE; fd++)
		if (me->files[fd])
			child->files[fd] = file_get(me->files[fd]);
	spin_unlock(&me->files_lock);
	spin_lock(&proc_lock);
	child->parent = me;
	list_add_tail(&child->sibling, &me->children);
	spin_unlock(&proc_lock);

	t = user_thread_create(child, tf);
	err = t ? clone_setup_thread(t, flags, tls, ctid) : -ENOMEM;
	pid = child->pid;
	if (!err) {
		clone_parent_settid(flags, ptid, pid);
		if ((err = thread_group_add(child, t))) /* the system's thread limit */
			user_thread_discard(t);
	}
	if (err) {
		clone_undo_process(child);
		return err;
	}
	/* Not child->pid: once it joined, the child may run, exit and be
	 * reaped (and freed) by another thread of ours before we get here. */
	return pid;
}

long sys_clone(u32 flags, u32 newsp, u32 ptid, u32 tls, u32 ctid)
{
	struct trapframe tf = *current_user_tf();
	int err = clone_check_flags(flags);

	if (err)
		return err;
	tf.eax = 0; /* clone returns 0 in the child */
	if (newsp)
		tf.user_esp = newsp;
	if (flags & CLONE_THREAD)
		return clone_thread(flags, &tf, ptid, tls, ctid);
	return clone_process(flags, &tf, ptid, tls, ctid);
}

long sys_fork(u32 a1, u32 a2, u32 a3, u32 a4, u32 a5)
{
	return sys_clone(SIGCHLD, 0, 0, 0, 0);
}

/* The calls that name threads. */
long sys_gettid(u32 a1, u32 a2, u32 a3, u32 a4, u32 a5)
{
	return current()->utid;
}

/* Where this thread's exit stores 0 and wakes a futex (CLONE_CHILD_CLEARTID's
 * word); glibc and musl call it at start. Returns the TID. */
long sys_set_tid_address(u32 uaddr, u32 a2, u32 a3, u32 a4, u32 a5)
{
	current()->clear_child_tid = uaddr;
	return current()->utid;
}
