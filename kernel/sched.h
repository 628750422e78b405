/*
 * Kernel threads and the scheduler.
 *
 * A thread's struct thread sits at the base of its KSTACK_SIZE-aligned
 * kernel stack, so current() is one AND of the stack pointer (as i386 Linux
 * once did with thread_info). The stack grows down towards the struct; the
 * magic words at both of its ends catch an overflow at the next switch.
 *
 * Scheduling is preemptive round robin over per-CPU run queues, each with
 * its own lock (struct cpu: rq_lock, runq). A thread belongs to one CPU,
 * t->cpu; its state and run-queue membership change only under that CPU's
 * rq_lock. A woken thread goes back to the CPU it last ran on unless that
 * one is busy and another allowed CPU idles; an idle CPU pulls queued
 * threads from busy ones; t->cpus_allowed limits all of it. Each CPU has
 * an idle thread that is never on a queue. See sched.c for the locking
 * (and for which sched_*.c file holds what).
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <kernel/types.h>
#include <kernel/list.h>
#include <kernel/percpu.h>
#include <kernel/waitqueue.h>
#include <arch/x86/memlayout.h>
#include <arch/x86/fpu.h>

#define THREAD_MAGIC 0x7468726Du /* "thrm" */
#define TIME_SLICE_TICKS 5

enum thread_state {
	T_RUNNABLE,     /* on t->cpu's run queue (or being pushed to another CPU) */
	T_RUNNING,      /* on a CPU */
	T_SLEEPING,     /* on a wait queue, or sleeping for a time */
	T_DEAD,         /* exited; its stack is freed by the next thread or the joiner */
};

struct proc;
struct rwsem;

struct thread {
	u32 magic;
	struct cpu *cpu;        /* CPU it runs or last ran on */
	u32 esp;                /* saved by switch_to() */
	enum thread_state state;
	int tid;
	char name[16];
	bool is_idle;
	bool detached;          /* freed on exit, nobody joins it */
	bool intena;            /* the CPU's intena, saved across a switch */
	void (*fn)(void *);
	void *arg;
	int exit_code;

	struct list_head rq_node;   /* run queue */
	struct list_head wait_node; /* a wait queue's sleepers */
	volatile u32 sigpending;    /* signals sent to its process (bit n: signal n) */
	bool interruptible;         /* this sleep ends when a signal arrives */
	struct proc *proc;          /* the user process it runs, or NULL */
	struct mm *use_mm;          /* a kernel thread's borrowed mm (kthread_use_mm) */
	/* A user thread's place in its thread group (kernel/proc.h). utid
	 * and thread_node change under proc_lock; the tid words are the
	 * thread's own. */
	int utid;                   /* user-visible TID (pid space); 0: kernel thread */
	struct list_head thread_node; /* proc->threads */
	u32 set_child_tid;          /* CLONE_CHILD_SETTID: store utid here at start */
	u32 clear_child_tid;        /* CLONE_CHILD_CLEARTID, set_tid_address: 0 + wake at exit */
	struct list_head all_node;  /* all_threads */
	u64 wake_tick;              /* deadline on the sleepers list (sched_sleep.c) */
	struct list_head sleep_node;
	struct completion exited;   /* dead and off its stack: the joiner may free it */
	volatile u32 ran_on_mask;   /* CPUs it has run on (tests, kmon) */
	u64 switches;
	/* scheduler: affinity, migrations, the one-CPU-at-a-time check */
	u32 cpus_allowed;           /* CPUs it may run on (bit n: cpu n) */
	u64 migrations;             /* times it moved to another CPU */
	volatile bool on_cpu;       /* its stack is in use by a CPU (switch_to not finished) */
	/* rwsems it holds for reading (debug builds; see kernel/rwsem.h) */
#define THREAD_HELD_RWSEMS 8
	struct rwsem *held_read[THREAD_HELD_RWSEMS];
	u32 nheld_read;
	/* Its TLS descriptors, GDT slots GDT_ENTRY_TLS_MIN.. (arch/x86/tls.c);
	 * changed only by the thread itself, or before it first runs. */
	u64 tls[GDT_ENTRY_TLS_ENTRIES];
	/* The user's x87/MMX/SSE registers while it is off a CPU
	 * (arch/x86/fpu.c): 16-byte aligned, 512 bytes of this stack. */
	struct fpu_state fpu;
	u32 magic_end;
};

static inline struct thread *current(void)
{
	u32 esp;
	__asm__("mov %%esp, %0" : "=r"(esp));
	return (struct thread *)(esp & ~(KSTACK_SIZE - 1));
}

void sched_init_bsp(void);
void sched_init_ap(struct cpu *c, struct thread *idle);
struct thread *sched_alloc_idle(struct cpu *c);
__noreturn void sched_idle_loop(void);

struct thread *kthread_create(void (*fn)(void *), void *arg, const char *name, bool detached);
static inline struct thread *kthread_run(void (*fn)(void *), void *arg, const char *name)
{
	return kthread_create(fn, arg, name, true);
}
struct thread *kthread_create_stopped(void (*fn)(void *), void *arg, const char *name);
void kthread_wake_new(struct thread *t);
int kthread_join(struct thread *t);
__noreturn void kthread_exit(int code);

void schedule(void);
void yield(void);
void sched_tick(void);              /* from the timer interrupt */
void sched_irq_exit(u32 eflags);    /* at the end of an interrupt */
void sched_wake(struct thread *t);  /* make a sleeping thread runnable */
/* Sleep for n ticks; returns early (-EINTR) only if a signal arrives. */
int sleep_ticks(u64 n);
int sleep_ms(u32 ms);
static inline bool signal_pending(void) { return current()->sigpending != 0; }
void thread_signal(struct thread *t, int sig); /* mark pending and wake it */

/* Used by wait queues: sleep, releasing `held` once our rq_lock is taken. */
void sched_sleep_release(struct spinlock *held);
/* The same, but also woken when jiffies reaches deadline (futex timeouts);
 * the caller finds out why it woke. */
void sched_sleep_release_until(struct spinlock *held, u64 deadline);

/* Affinity (kernel/sched_affinity.c, with the syscalls).
 * setaffinity: -EINVAL if mask holds no online CPU; a thread running on a
 * CPU the mask leaves out moves off it at its next scheduling point. */
int sched_setaffinity(struct thread *t, u32 mask);
u32 sched_getaffinity(struct thread *t);
u32 sched_online_mask(void);            /* kernel/sched_balance.c */

/* Statistics (kernel/sched_stats.c). */
u64 sched_total_switches(void);
u64 sched_total_migrations(void);
u64 sched_idle_ticks(struct cpu *c);     /* /proc: idle time, tickless idle included */
int sched_thread_count(void);
void sched_dump(void (*out)(const char *fmt, ...));

#endif
