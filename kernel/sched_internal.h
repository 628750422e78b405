/*
 * The scheduler's private interface: what kernel/sched.c (run queues, the
 * switch, sleep and wake, kthreads) shares with sched_balance.c (placement,
 * pulling), sched_idle.c (tickless idle, the idle loop), sched_sleep.c
 * (sleeping for a time), sched_stats.c and sched_affinity.c. Not for the
 * rest of the kernel, which uses kernel/sched.h.
 *
 * The rules these rely on (ownership of t->cpu and a thread's state by its
 * CPU's rq_lock, the lock order) are in sched.c's top comment. "rq_lock
 * held" below means the rq_lock of the CPU passed in, asserted in debug
 * builds (ASSERT_HELD).
 */
#ifndef KERNEL_SCHED_INTERNAL_H
#define KERNEL_SCHED_INTERNAL_H

#include <kernel/sched.h>
#include <kernel/percpu.h>
#include <kernel/spinlock.h>
#include <kernel/list.h>

#define CPU_BIT(c) (1u << (c)->id)

/* ---- sched.c: run queues and their locks */
/* Lock two CPUs' rq locks in CPU-id order (one if a == b). */
void rq_lock_two(struct cpu *a, struct cpu *b);
/* Undo rq_lock_two(a, b). */
void rq_unlock_two(struct cpu *a, struct cpu *b);
/* This CPU's rq, locked (interrupts off before the CPU is read). */
struct cpu *rq_lock_this(void);
/* t's CPU with its rq locked: t->cpu is stable until the unlock. */
struct cpu *rq_lock_thread(struct thread *t);
/* Queue t (t->cpu == c, on no queue) on c's run queue; c's rq_lock held. */
void enqueue(struct cpu *c, struct thread *t);
/* Take runnable, queued t off c's run queue; c's rq_lock held. */
void dequeue(struct cpu *c, struct thread *t);
/* Move t, on no CPU, from one CPU to another; both rq locks held. */
void set_cpu(struct thread *t, struct cpu *from, struct cpu *to);

/* ---- sched.c: the switch */
/* Pick the next thread and switch; c's rq_lock held, returns it released. */
void __schedule(struct cpu *c);

/* ---- sched.c: the list of all threads, for sched_dump and the count */
extern struct spinlock threads_lock;    /* all_threads, nthreads, next_tid */
extern struct list_head all_threads;    /* every thread, linked by all_node */
extern int nthreads;                    /* threads on all_threads */

/* ---- sched_balance.c: placement and pulling */
/* Queue runnable t (on no queue) on an allowed CPU; from's rq_lock held, released. */
void place(struct thread *t, struct cpu *from);
/* Move one thread from a CPU >= 2 busier than `load` to c; c's rq_lock held. */
bool pull_one(struct cpu *c, int load);
/* A busy CPU's tick, interrupts off, no lock held: hand out queued work, even out. */
void sched_balance_tick(struct cpu *c);

/* ---- sched_idle.c: tickless idle */
/* Before c runs anything but its idle thread: restart its timer; interrupts off. */
void tick_restart(struct cpu *c);

/* ---- sched_sleep.c: sleeping for a time */
/* CPU 0's tick, interrupts off: wake the sleepers whose time has come. */
void sched_sleep_tick(void);

#endif
