/*
 * Processes and their threads: the Space layer.
 *
 * A process (struct proc) is an address space (struct mm), open files and
 * a group of threads that share them; its pid is the thread group's id
 * (Linux's TGID). Each of its threads is a kernel thread (struct thread,
 * kernel/sched.h) that runs user code, returning to ring 3 through a trap
 * frame at the top of its kernel stack. User-visible thread ids (utid)
 * come from the pid number space, and the main thread's is the pid, as on
 * Linux: after exec the one remaining thread carries the pid.
 *
 * A process lives while it has threads. exit() ends one thread; the last
 * one to leave tears the process down (drops the mm, closes the files,
 * becomes a zombie, wakes the parent). exit_group, a fatal fault and any
 * signal (every signal ppsos accepts is fatal) make a *group exit*: the
 * status is recorded once, first come first served, and every thread is
 * told to leave (its sigpending set and, if asleep, woken).
 *
 * Locks: proc_lock protects the process table, every proc's parent,
 * children, state, exit_status, child_events, its thread list, thread
 * count and group-exit fields, and every thread's proc, utid and
 * thread_node. p->mm is changed under it too, and only when the changer
 * is the group's one thread (exec after de_thread, the last exit), so a
 * thread of the group reads its own p->mm without a lock; others (/proc,
 * the scheduler for a thread that is not running) read it under
 * proc_lock, or rq_lock for a thread of the group that is off CPU. The
 * slots of p->files, shared by the group's threads, change under
 * p->files_lock (kernel/fs/vfs.c); a call that uses a file holds a
 * reference (fd_get).
 * Lock order: proc_lock, then a wait queue's lock, then rq_lock.
 */
#ifndef KERNEL_PROC_H
#define KERNEL_PROC_H

#include <kernel/types.h>
#include <kernel/list.h>
#include <kernel/waitqueue.h>
#include <kernel/sched.h>
#include <arch/x86/trap.h>
#include <uapi/ppsos/signal.h>
#include <uapi/ppsos/wait.h>

#define NPROC 64                /* fork fails with -EAGAIN beyond this */
#define NOFILE 32               /* open files per process */
#define THREADS_PER_PROC 64     /* clone fails with -EAGAIN beyond this... */
#define USER_THREADS_MAX 256    /* ...or beyond this many user threads in all
				 * (16 KiB of kernel stack each: 4 MiB) */

enum proc_state { P_ALIVE, P_ZOMBIE };

struct file;
struct trapframe;

struct proc {
	int pid;                        /* the TGID */
	char name[16];
	enum proc_state state;
	int exit_status;                /* waitpid's encoding: the group exit's,
					 * else the main thread's own */
	struct proc *parent;
	struct list_head children;      /* its children, via sibling */
	struct list_head sibling;
	struct list_head threads;       /* its live threads, via thread_node */
	int nr_threads;                 /* on that list; 0 once the last has left */
	bool group_exit;                /* every thread is leaving, exit_status is set */
	struct thread *execer;          /* exec is ending the other threads */
	struct waitqueue thread_wq;     /* de_thread waits here for them to go */
	struct mm *mm;
	struct spinlock files_lock;     /* files[]: the group's threads share them */
	struct file *files[NOFILE];
	struct waitqueue child_wq;      /* waitpid sleeps here */
	u32 child_events;               /* bumped when a child exits */
	u64 start_jiffies;
};

extern struct spinlock proc_lock;
extern struct proc *proc_table[NPROC];

static inline struct proc *current_proc(void) { return current()->proc; }
/* The user trap frame: always at the top of the thread's kernel stack. */
static inline struct trapframe *current_user_tf(void)
{
	return (struct trapframe *)((char *)current() + KSTACK_SIZE) - 1;
}

/* The process table (kernel/proc.c). */
struct proc *proc_alloc(const char *name);      /* pid assigned; NULL if full */
void proc_free(struct proc *p);
struct proc *proc_find(int pid);                /* proc_lock held */
int proc_new_id(void);                          /* a pid or tid; proc_lock held */
void proc_set_name(struct proc *p, const char *path);
int proc_count(void);
/* The process an out-of-memory kill takes: the live one with the most
 * resident pages (*rss gets them), never pid 1 nor one without memory;
 * NULL if there is none. proc_lock held, for as long as the result is used. */
struct proc *proc_pick_oom_victim(u32 *rss);
/* Is a process that was told to exit still holding its memory? (proc_lock) */
bool proc_oom_victim_exiting(void);

/* Threads of a process (kernel/thread_group.c). */
/* A user thread of p, created stopped, that will enter user mode with tf;
 * its TID (t->utid) is chosen, but it is not in the group yet. NULL: no
 * memory. */
struct thread *user_thread_create(struct proc *p, const struct trapframe *tf);
/* Give up a user thread that was never added to a group. */
void user_thread_discard(struct thread *t);
/* Add t to p's group (the first thread's TID is the pid) and start it.
 * 0, or -EAGAIN (limits) or -EINTR (the group is exiting or exec'ing:
 * then the caller discards t). t may be gone by the time this returns. */
int thread_group_add(struct proc *p, struct thread *t);
/* Take the exiting t off its group; true if it was the last. proc_lock held. */
bool thread_group_leave(struct proc *p, struct thread *t);
struct thread *thread_find_by_tid(int tid);     /* proc_lock held; live threads only */
/* A group exit of p with this status, its threads told by sig (the first
 * group exit's status wins). proc_lock held. */
void thread_group_exit(struct proc *p, int status, int sig);
int user_thread_count(void);
/* exec: end the other threads and wait until they are gone; 0, or -EINTR
 * if the group is being killed meanwhile. */
int de_thread(void);

/* Signals and the end (kernel/proc.c, kernel/exit.c). */
void proc_return_to_user(struct trapframe *tf); /* signals, segments: on the way out */
__noreturn void thread_exit(int status);        /* exit(): this thread */
__noreturn void proc_exit_group(int status);    /* status: W_EXITCODE(code, sig) */
void proc_kill_fatal(int sig, const char *why); /* a fault we cannot fix */
/* Send sig to the process: every signal ends the whole group (pid 1
 * ignores them). proc_lock held. */
int proc_signal(struct proc *p, int sig);

/* Starting user space: pid 1 from `init=` (default /bin/init). */
bool proc_init_available(void);
void proc_start_init(void);

#endif
