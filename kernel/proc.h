/*
 * Processes: the Space layer. A process is one kernel thread that runs user
 * code (returning to ring 3 through a trap frame at the top of its kernel
 * stack), an address space (struct mm) and open files.
 *
 * Locks: proc_lock protects the process table, every proc's parent,
 * children, state and exit_status, and child_events. A process's mm and
 * files are changed only by its own thread (exec, exit), so its thread
 * reads them without a lock; others (/proc readers) take proc_lock and a
 * reference with mm_get(). Lock order: proc_lock, then a wait queue's
 * lock (exit wakes the parent's child_wq under proc_lock).
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

enum proc_state { P_ALIVE, P_ZOMBIE };

struct file;
struct trapframe;

struct proc {
	int pid;
	char name[16];
	enum proc_state state;
	int exit_status;                /* waitpid's encoding */
	struct proc *parent;
	struct list_head children;      /* its children, via sibling */
	struct list_head sibling;
	struct thread *thread;
	struct mm *mm;
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

struct proc *proc_alloc(const char *name);      /* pid assigned; NULL if full */
void proc_free(struct proc *p);
struct proc *proc_find(int pid);                /* proc_lock held */
void proc_set_name(struct proc *p, const char *path);
int proc_start(struct proc *p, const struct trapframe *tf);
void proc_return_to_user(struct trapframe *tf); /* signals, on the way out */
__noreturn void proc_exit(int status);          /* status: W_EXITCODE(code, sig) */
void proc_kill_fatal(int sig, const char *why); /* a fault we cannot fix */
int proc_signal(struct proc *p, int sig);
int proc_count(void);
/* The process an out-of-memory kill takes: the live one with the most
 * resident pages (*rss gets them), never pid 1 nor one without memory;
 * NULL if there is none. proc_lock held, for as long as the result is used. */
struct proc *proc_pick_oom_victim(u32 *rss);

/* Starting user space: pid 1 from `init=` (default /bin/init). */
bool proc_init_available(void);
void proc_start_init(void);

#endif
