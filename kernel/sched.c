/*
 * The scheduler's core: per-CPU run queues and their locks, the switch,
 * sleeping and waking, kernel threads (see sched.h for the design). The
 * rest of it, each file with its own invariants and locks:
 *   sched_balance.c   placement of woken, new and pushed threads; pulling
 *   sched_idle.c      tickless idle and the idle loop
 *   sched_sleep.c     sleeping for a time (sleep_ticks, timed waits)
 *   sched_affinity.c  cpus_allowed: sched_setaffinity and its syscalls
 *   sched_stats.c     counters, sched_dump
 * They share what sched_internal.h declares. The rules below hold for all
 * of them.
 *
 * Ownership. Every thread belongs to one CPU, t->cpu: the one it runs on,
 * last ran on, or is queued on. That CPU's rq_lock protects the thread's
 * state and rq_node, and t->cpu itself: t->cpu changes only with both the
 * old and the new CPU's rq_lock held, and only while t is not running. So a
 * waker reads t->cpu, locks that rq, and checks t->cpu again (it may have
 * moved in between). cpu->curr is written under the CPU's own rq_lock.
 *
 * The switch. The rq_lock is held across switch_to(): the thread switched
 * *to* releases it (sched_finish_switch). So whoever takes a CPU's rq_lock
 * finds every thread of that CPU that is not running fully off its stack:
 * a thread going to sleep on CPU A cannot be woken (or pulled) by CPU B
 * until A is off its stack, and a thread never runs on two CPUs. on_cpu
 * checks it (set when a CPU picks a thread, cleared once it switched away).
 *
 * Migration. A thread moves only while on no CPU: pulled from a queue by an
 * idle CPU, or by a CPU with two threads less at its tick (pull_one);
 * placed on another CPU when woken (sched_wake, select_cpu); or pushed
 * after its CPU was taken out of its cpus_allowed: the CPU that ran it
 * switches away first and pushes it from the next thread's finish switch,
 * when its stack is free (push_after_switch).
 *
 * Lock order: a wait queue's lock, then sleep_lock (sched_sleep.c), then
 * rq locks; two rq locks in CPU-id order (rq_lock_two; rq_lock_nested
 * asserts it), or the second one with spin_trylock (pulling,
 * sched_balance.c). threads_lock (all_threads) is never held with an rq
 * lock. proc_lock before rq locks (setaffinity, sched_affinity.c).
 *
 * Preemption. The timer interrupt ends a running thread's slice
 * (sched_tick); the thread is switched away from on the way out of an
 * interrupt (sched_irq_exit) if it was interruptible there, i.e. held no
 * spinlock.
 */
#include <kernel/sched.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/lock_assert.h>
#include <mm/frame.h>
#include <arch/x86/cpu.h>
#include <arch/x86/gdt.h>
#include <arch/x86/trap.h>
#include <arch/x86/tls.h>
#include <kernel/proc.h>
#include <mm/mm.h>
#include "sched_internal.h"

DEFINE_SPINLOCK(threads_lock);          /* all_threads, nthreads, next_tid */
LIST_HEAD(all_threads);
int nthreads;
static int next_tid = 1;

void switch_to(u32 *save_esp, u32 next_esp);

/* ---- run queues and their locks ----------------------------------------- */

static void rq_lock_nested(struct cpu *held, struct cpu *c)
{
	ASSERT_HELD(&held->rq_lock);
	ASSERT(held->id < c->id); /* lock order: rq locks by CPU id */
	spin_lock(&c->rq_lock);
}

void rq_lock_two(struct cpu *a, struct cpu *b)
{
	if (a == b) {
		spin_lock(&a->rq_lock);
	} else if (a->id < b->id) {
		spin_lock(&a->rq_lock);
		rq_lock_nested(a, b);
	} else {
		spin_lock(&b->rq_lock);
		rq_lock_nested(b, a);
	}
}

void rq_unlock_two(struct cpu *a, struct cpu *b)
{
	if (a != b)
		spin_unlock(&b->rq_lock);
	spin_unlock(&a->rq_lock);
}

/* This CPU's rq, locked. Interrupts go off before the CPU is read: a
 * preemption in between could move us to another CPU. */
struct cpu *rq_lock_this(void)
{
	struct cpu *c;

	irq_push();
	c = this_cpu();
	spin_lock(&c->rq_lock);
	irq_pop();
	return c;
}

/* t's CPU, with its rq locked: t->cpu is stable until the unlock. */
struct cpu *rq_lock_thread(struct thread *t)
{
	for (;;) {
		struct cpu *c = t->cpu;
		spin_lock(&c->rq_lock);
		if (t->cpu == c)
			return c;
		spin_unlock(&c->rq_lock);
	}
}

void enqueue(struct cpu *c, struct thread *t)
{
	ASSERT_HELD(&c->rq_lock);
	ASSERT(t->cpu == c && list_empty(&t->rq_node) && !t->is_idle);
	t->state = T_RUNNABLE;
	list_add_tail(&t->rq_node, &c->runq);
	c->nr_queued++;
}

void dequeue(struct cpu *c, struct thread *t)
{
	ASSERT_HELD(&c->rq_lock);
	ASSERT(t->cpu == c && t->state == T_RUNNABLE);
	list_del(&t->rq_node);
	list_init(&t->rq_node);
	c->nr_queued--;
}

/* Move t, on no CPU, from one CPU to another; both rq locks held. */
void set_cpu(struct thread *t, struct cpu *from, struct cpu *to)
{
	ASSERT_HELD(&from->rq_lock);
	ASSERT_HELD(&to->rq_lock);
	ASSERT(t->cpu == from && !t->on_cpu);
	if (from == to)
		return;
	t->cpu = to;
	if (t->switches) {      /* a new thread has not run anywhere yet */
		t->migrations++;
		to->nr_migrations++;
	}
}

/* ---- threads ------------------------------------------------------------- */

static void thread_init(struct thread *t, struct cpu *c, const char *name)
{
	memset(t, 0, sizeof(*t));
	t->magic = THREAD_MAGIC;
	t->magic_end = THREAD_MAGIC;
	t->cpu = c;
	t->cpus_allowed = ~0u;
	strlcpy(t->name, name, sizeof(t->name));
	list_init(&t->rq_node);
	list_init(&t->wait_node);
	list_init(&t->sleep_node);
	completion_init(&t->exited, "thread_exit");
}

static void thread_check(struct thread *t)
{
	if (t->magic != THREAD_MAGIC || t->magic_end != THREAD_MAGIC)
		panic("thread %p (%s): struct thread corrupt, kernel stack overflow?", t, t->name);
}

static void thread_list_add(struct thread *t)
{
	spin_lock(&threads_lock);
	t->tid = next_tid++;
	list_add_tail(&t->all_node, &all_threads);
	nthreads++;
	spin_unlock(&threads_lock);
}

static void make_idle(struct thread *t, struct cpu *c)
{
	char name[16];

	snprintf(name, sizeof(name), "idle/%d", c->id);
	thread_init(t, c, name);
	t->is_idle = true;
	t->state = T_RUNNING;
	t->on_cpu = true;
	t->cpus_allowed = CPU_BIT(c);
	t->ran_on_mask = CPU_BIT(c);
	c->idle = t;
	c->curr = t;
	thread_list_add(t);
}

/* The BSP is already running on bsp_stack, whose base is its idle thread.
 * Nothing may take a spinlock before this: spinlocks find their CPU here. */
void sched_init_bsp(void)
{
	extern char bsp_stack[];
	struct thread *t = (struct thread *)bsp_stack;

	for (int i = 0; i < MAX_CPUS; i++) {
		spin_init(&cpus[i].rq_lock, "rq_lock");
		list_init(&cpus[i].runq);
	}
	/* this_cpu() must work before make_idle takes a lock */
	t->cpu = &cpus[0];
	make_idle(t, &cpus[0]);
	t->tid = 0;
}

/* Allocate an AP's idle thread and stack; the AP starts on that stack. */
struct thread *sched_alloc_idle(struct cpu *c)
{
	struct thread *t = alloc_pages_virt(KSTACK_ORDER);

	if (!t)
		return NULL;
	t->cpu = c;
	return t;
}

/* First code run by an AP on its idle thread's stack. */
void sched_init_ap(struct cpu *c, struct thread *idle)
{
	make_idle(idle, c);
}

/* ---- the switch ------------------------------------------------------------ */

/* First thing a thread does once switched to: release the rq_lock held
 * across the switch, then deal with the thread we switched away from, now
 * that its stack is free: free it if dead, push it elsewhere if this CPU is
 * no longer allowed for it. */
static void sched_finish_switch(void)
{
	struct thread *me = current();
	struct cpu *c = me->cpu;
	struct thread *prev = c->prev, *push = c->push_after_switch;
	bool dead = false;

	ASSERT_HELD(&c->rq_lock);
	c->prev = NULL;
	c->push_after_switch = NULL;
	c->intena = me->intena;
	if (prev) {
		ASSERT(prev->on_cpu);
		prev->on_cpu = false;
		/* Read under the rq_lock, never after it: once we let go, a
		 * prev that only went to sleep may be woken, run on another
		 * CPU and exit there. Seeing T_DEAD then, we would free its
		 * stack a second time (that CPU's next switch frees it), or
		 * free it under the new thread that reuses it (CI once saw a
		 * thread fault on its own freed stack in exitrace). */
		dead = prev->state == T_DEAD;
	}
	if (push) {
		place(push, c);         /* releases c->rq_lock */
	} else {
		spin_unlock(&c->rq_lock);
	}

	if (dead) {
		/* Dead and off every CPU: nobody else touches prev now. */
		spin_lock(&threads_lock);
		list_del(&prev->all_node);
		nthreads--;
		spin_unlock(&threads_lock);
		if (prev->detached) {
			free_pages_virt(prev, KSTACK_ORDER);
		} else {
			complete(&prev->exited);
		}
	}
}

/* Pick the next thread and switch to it. Called with this CPU's rq_lock
 * held (and nothing else); returns, in the same thread, with it released. */
void __schedule(struct cpu *c)
{
	struct thread *prev = current();
	struct thread *next;

	ASSERT(c == prev->cpu);
	ASSERT_HELD(&c->rq_lock);
	ASSERT(!irqs_enabled());
	if (c->ncli != 1)
		panic("schedule: called holding %d spinlock(s) besides rq_lock", c->ncli - 1);
	if (c->irq_depth)
		panic("schedule: called from an interrupt handler");
	thread_check(prev);

	if (prev->state == T_RUNNING && !prev->is_idle) {
		if (prev->cpus_allowed & CPU_BIT(c)) {
			enqueue(c, prev);
		} else {
			prev->state = T_RUNNABLE;       /* on no queue until pushed */
			c->push_after_switch = prev;
		}
	}
	if (list_empty(&c->runq))
		pull_one(c, 0);         /* about to idle: load 0 */
	if (!list_empty(&c->runq)) {
		next = list_first_entry(&c->runq, struct thread, rq_node);
		dequeue(c, next);
	} else {
		next = c->idle;
	}
	c->need_resched = false;
	c->slice = TIME_SLICE_TICKS;
	next->state = T_RUNNING;
	if (next == prev) {
		spin_unlock(&c->rq_lock);
		return;
	}
	thread_check(next);
	tick_restart(c);
	ASSERT(next->cpu == c);
	ASSERT(!next->on_cpu);  /* a thread never runs on two CPUs */
	next->on_cpu = true;
	next->ran_on_mask |= CPU_BIT(c);
	next->switches++;
	c->curr = next;
	c->prev = prev;
	c->ctx_switches++;
	prev->intena = c->intena;
	/* The next thread's address space and, for a trap from its user
	 * mode, its kernel stack. Kernel threads run on the kernel's own
	 * page directory, so a freed mm is never left loaded anywhere. */
	tss_set_kernel_stack(c, (u32)next + KSTACK_SIZE);
	tls_load(c, next);
	mm_activate(next->proc ? next->proc->mm : next->use_mm);
	fpu_switch(prev, next); /* the user FP registers: arch/x86/fpu.c */
	switch_to(&prev->esp, next->esp);
	sched_finish_switch();
}

void schedule(void)
{
	__schedule(rq_lock_this());
}

void yield(void)
{
	schedule();
}

/* ---- sleeping and waking -------------------------------------------------- */

/* Sleep: the caller holds `held` and has put itself where a waker will
 * find it. Our rq_lock is taken before `held` is dropped, so the waker
 * (who needs `held`, then our rq_lock) sees us either awake or fully
 * asleep. */
void sched_sleep_release(struct spinlock *held)
{
	struct thread *me = current();
	struct cpu *c;

	if (me->is_idle)
		panic("the idle thread of cpu %d tried to sleep (move the work to a kernel thread)",
		      me->cpu->id);
	c = rq_lock_this();
	spin_unlock(held);
	/* A signal sent after the caller last looked, but before we hold
	 * the rq_lock, found us running and woke nobody: do not sleep then. */
	if (me->interruptible && me->sigpending) {
		spin_unlock(&c->rq_lock);
		return;
	}
	me->state = T_SLEEPING;
	__schedule(c);
}

/* Make a sleeping thread runnable on the CPU select_cpu() chooses. */
void sched_wake(struct thread *t)
{
	struct cpu *c = rq_lock_thread(t);

	if (t->state != T_SLEEPING) {
		spin_unlock(&c->rq_lock);
		return;
	}
	ASSERT(list_empty(&t->rq_node)); /* a sleeping thread is on no run queue */
	/* Runnable from here on (so no second waker queues it too) but on no
	 * queue until place() puts it on one. */
	t->state = T_RUNNABLE;
	place(t, c);
}

void thread_signal(struct thread *t, int sig)
{
	atomic_or(&t->sigpending, 1u << sig);
	sched_wake(t);
}

/* ---- kernel threads -------------------------------------------------------- */

static void thread_start(void)
{
	struct thread *me;

	sched_finish_switch();
	me = current();
	me->fn(me->arg);
	kthread_exit(0);
}

/* Created but not yet runnable: the caller finishes setting it up (a
 * process sets t->proc) and then calls kthread_wake_new(). A thread made
 * by a user process's thread (fork) inherits its affinity, as on Linux;
 * kernel threads may run anywhere. */
struct thread *kthread_create_stopped(void (*fn)(void *), void *arg, const char *name)
{
	struct thread *t = alloc_pages_virt(KSTACK_ORDER);
	struct thread *me = current();
	u32 *sp;

	if (!t)
		return NULL;
	irq_push();
	thread_init(t, this_cpu(), name);
	irq_pop();
	if (me->proc)
		t->cpus_allowed = me->cpus_allowed;
	t->fn = fn;
	t->arg = arg;
	t->detached = true;
	t->intena = true;               /* new threads run with interrupts on */
	/* A stack switch_to() can pop: edi, esi, ebx, ebp, return address. */
	/* The top of the stack is kept for a user trap frame (proc.h:
	 * current_user_tf), so a thread that becomes a process can build one
	 * there without writing over its own frames. */
	sp = (u32 *)((char *)t + KSTACK_SIZE - sizeof(struct trapframe));
	*--sp = 0;                      /* fake return address for thread_start */
	*--sp = (u32)thread_start;
	*--sp = 0;                      /* ebp: ends backtraces */
	*--sp = 0;
	*--sp = 0;
	*--sp = 0;
	t->esp = (u32)sp;
	t->state = T_SLEEPING;          /* so sched_wake() queues it */
	thread_list_add(t);
	return t;
}

void kthread_wake_new(struct thread *t)
{
	sched_wake(t);
}

struct thread *kthread_create(void (*fn)(void *), void *arg, const char *name, bool detached)
{
	struct thread *t = kthread_create_stopped(fn, arg, name);

	if (t) {
		t->detached = detached;
		sched_wake(t);
	}
	return t;
}

__noreturn void kthread_exit(int code)
{
	struct thread *me = current();
	struct cpu *c;

	if (me->is_idle)
		panic("kthread_exit: idle thread of cpu %d cannot exit", me->cpu->id);
	c = rq_lock_this();
	me->exit_code = code;
	me->state = T_DEAD;
	__schedule(c);
	panic("kthread_exit: dead thread %s scheduled again", me->name);
}

/* Wait for a thread created with detached=false to exit; free it. */
int kthread_join(struct thread *t)
{
	int code;

	if (t->detached)
		panic("kthread_join: thread %s is detached", t->name);
	wait_for_completion(&t->exited);
	code = t->exit_code;
	free_pages_virt(t, KSTACK_ORDER);
	return code;
}

/* ---- the tick and preemption ------------------------------------------------ */

/* Timer interrupt, every CPU whose timer runs, interrupts off. */
void sched_tick(void)
{
	struct cpu *c = this_cpu();

	ASSERT(!irqs_enabled());
	if (c->id == 0)
		sched_sleep_tick();
	if (c->curr == c->idle) {
		if (c->nr_queued)
			c->need_resched = true;
		return;
	}
	if (--c->slice <= 0)
		c->need_resched = true;
	sched_balance_tick(c);
}

/* Last thing before returning from an interrupt: preempt if the slice is
 * used up and the interrupted code could be preempted (interrupts were on,
 * so it held no spinlock). */
void sched_irq_exit(u32 eflags)
{
	struct cpu *c = this_cpu();

	if (c->need_resched && (eflags & EFLAGS_IF) && c->irq_depth == 0 && c->ncli == 0)
		schedule();
}
