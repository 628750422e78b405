/*
 * The scheduler: one global run queue, preemptive round robin, an idle
 * thread per CPU (see sched.h for the design).
 *
 * Locks: rq_lock protects runq, all_threads and every thread's state,
 * rq_node (while on the run queue) and cpu->curr. It is held across
 * switch_to(): the thread switched *to* releases it (sched_finish_switch),
 * which is what keeps another CPU from picking up the previous thread
 * while we are still running on its stack. sleep_lock protects sleepers.
 * Order: a wait queue's lock, then sleep_lock, then rq_lock.
 */
#include <kernel/sched.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/time.h>
#include <kernel/errno.h>
#include <mm/frame.h>
#include <arch/x86/cpu.h>
#include <arch/x86/ipi.h>
#include <arch/x86/gdt.h>
#include <arch/x86/trap.h>
#include <arch/x86/tls.h>
#include <kernel/proc.h>
#include <mm/mm.h>

static DEFINE_SPINLOCK(rq_lock);
static LIST_HEAD(runq);
static LIST_HEAD(all_threads);
static DEFINE_SPINLOCK(sleep_lock);
static LIST_HEAD(sleepers);
static int next_tid = 1;
static int nthreads;

void switch_to(u32 *save_esp, u32 next_esp);

static void thread_init(struct thread *t, struct cpu *c, const char *name)
{
	memset(t, 0, sizeof(*t));
	t->magic = THREAD_MAGIC;
	t->magic_end = THREAD_MAGIC;
	t->cpu = c;
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

static void make_idle(struct thread *t, struct cpu *c)
{
	char name[16];

	snprintf(name, sizeof(name), "idle/%d", c->id);
	thread_init(t, c, name);
	t->is_idle = true;
	t->state = T_RUNNING;
	t->ran_on_mask = 1u << c->id;
	c->idle = t;
	c->curr = t;
	spin_lock(&rq_lock);
	t->tid = next_tid++;
	list_add_tail(&t->all_node, &all_threads);
	nthreads++;
	spin_unlock(&rq_lock);
}

/* The BSP is already running on bsp_stack, whose base is its idle thread.
 * Nothing may take a spinlock before this: spinlocks find their CPU here. */
void sched_init_bsp(void)
{
	extern char bsp_stack[];
	struct thread *t = (struct thread *)bsp_stack;

	/* this_cpu() must work before make_idle takes rq_lock */
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

static void sched_finish_switch(void)
{
	struct thread *me = current();
	struct cpu *c = me->cpu;
	struct thread *prev = c->prev;

	c->prev = NULL;
	c->intena = me->intena;
	if (prev && prev->state == T_DEAD) {
		list_del(&prev->all_node);
		nthreads--;
	}
	spin_unlock(&rq_lock);

	if (prev && prev->state == T_DEAD) {
		/* prev's stack is no longer in use by anyone. */
		if (prev->detached) {
			free_pages_virt(prev, KSTACK_ORDER);
		} else {
			complete(&prev->exited);
		}
	}
}

/* Pick the next thread and switch to it. Called with rq_lock held (and
 * nothing else); returns, in the same thread, with rq_lock released. */
static void __schedule(void)
{
	struct thread *prev = current();
	struct cpu *c = prev->cpu;
	struct thread *next;

	ASSERT(spin_held(&rq_lock));
	ASSERT(!irqs_enabled());
	if (c->ncli != 1)
		panic("schedule: called holding %d spinlock(s) besides rq_lock", c->ncli - 1);
	if (c->irq_depth)
		panic("schedule: called from an interrupt handler");
	thread_check(prev);

	if (prev->state == T_RUNNING && !prev->is_idle) {
		prev->state = T_RUNNABLE;
		list_add_tail(&prev->rq_node, &runq);
	}
	if (!list_empty(&runq)) {
		next = list_first_entry(&runq, struct thread, rq_node);
		list_del(&next->rq_node);
		ASSERT(next->state == T_RUNNABLE && !next->is_idle);
	} else {
		next = c->idle;
	}
	c->need_resched = false;
	c->slice = TIME_SLICE_TICKS;
	next->state = T_RUNNING;
	if (next == prev) {
		spin_unlock(&rq_lock);
		return;
	}
	thread_check(next);
	next->cpu = c;
	next->ran_on_mask |= 1u << c->id;
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
	spin_lock(&rq_lock);
	__schedule();
}

void yield(void)
{
	schedule();
}

/* Sleep: the caller holds `held` and has put itself where a waker will
 * find it. rq_lock is taken before `held` is dropped, so the waker (who
 * needs `held`, then rq_lock) sees us either awake or fully asleep. */
void sched_sleep_release(struct spinlock *held)
{
	struct thread *me = current();

	if (me->is_idle)
		panic("the idle thread of cpu %d tried to sleep (move the work to a kernel thread)",
		      me->cpu->id);
	spin_lock(&rq_lock);
	spin_unlock(held);
	/* A signal sent after the caller last looked, but before we hold
	 * rq_lock, found us running and woke nobody: do not sleep then. */
	if (me->interruptible && me->sigpending) {
		spin_unlock(&rq_lock);
		return;
	}
	me->state = T_SLEEPING;
	__schedule();
}

/* Make t runnable and, if some CPU is idle, kick it to run t now rather
 * than at its next tick. */
void sched_wake(struct thread *t)
{
	struct cpu *c, *self;

	spin_lock(&rq_lock);
	if (t->state != T_SLEEPING) {
		spin_unlock(&rq_lock);
		return;
	}
	ASSERT(list_empty(&t->rq_node)); /* off every wait queue by now */
	t->state = T_RUNNABLE;
	list_add_tail(&t->rq_node, &runq);
	self = this_cpu();
	for_each_online_cpu(c) {
		if (c != self && c->curr == c->idle) {
			ipi_send_resched(c);
			break;
		}
	}
	spin_unlock(&rq_lock);
}

static void thread_start(void)
{
	struct thread *me;

	sched_finish_switch();
	me = current();
	me->fn(me->arg);
	kthread_exit(0);
}

/* Created but not yet runnable: the caller finishes setting it up (a
 * process sets t->proc) and then calls kthread_wake_new(). */
struct thread *kthread_create_stopped(void (*fn)(void *), void *arg, const char *name)
{
	struct thread *t = alloc_pages_virt(KSTACK_ORDER);
	u32 *sp;

	if (!t)
		return NULL;
	thread_init(t, NULL, name);
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

	spin_lock(&rq_lock);
	t->tid = next_tid++;
	list_add_tail(&t->all_node, &all_threads);
	nthreads++;
	t->state = T_SLEEPING;          /* so sched_wake() queues it */
	spin_unlock(&rq_lock);
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

	if (me->is_idle)
		panic("kthread_exit: idle thread of cpu %d cannot exit", me->cpu->id);
	spin_lock(&rq_lock);
	me->exit_code = code;
	me->state = T_DEAD;
	__schedule();
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

int sleep_ticks(u64 n)
{
	struct thread *me = current();
	u64 deadline = jiffies + (n ? n : 1);

	while (jiffies < deadline) {
		if (signal_pending())
			return -EINTR;
		spin_lock(&sleep_lock);
		me->wake_tick = deadline;
		list_add_tail(&me->sleep_node, &sleepers);
		me->interruptible = true;
		sched_sleep_release(&sleep_lock);
		me->interruptible = false;
		/* Woken early (a signal)? Then we may still be on the list. */
		spin_lock(&sleep_lock);
		if (!list_empty(&me->sleep_node))
			list_del(&me->sleep_node);
		spin_unlock(&sleep_lock);
	}
	return 0;
}

int sleep_ms(u32 ms)
{
	return sleep_ticks(ms_to_ticks(ms));
}

/* Sleep until sched_wake() or jiffies >= deadline, releasing `held` (a
 * wait queue's or futex bucket's lock) once rq_lock is taken. sleep_lock,
 * too, is dropped only under rq_lock, so neither kind of waker can find
 * us on its list and wake us before we are asleep; a deadline that passed
 * before we got onto the timer list is seen under rq_lock (jiffies moves
 * before wake_sleepers looks). Lock order: held, sleep_lock, rq_lock. */
void sched_sleep_release_until(struct spinlock *held, u64 deadline)
{
	struct thread *me = current();

	if (me->is_idle)
		panic("the idle thread of cpu %d tried to sleep", me->cpu->id);
	spin_lock(&sleep_lock);
	me->wake_tick = deadline;
	list_add_tail(&me->sleep_node, &sleepers);
	spin_lock(&rq_lock);
	spin_unlock(&sleep_lock);
	spin_unlock(held);
	if ((me->interruptible && me->sigpending) || jiffies >= deadline) {
		spin_unlock(&rq_lock);
	} else {
		me->state = T_SLEEPING;
		__schedule();
	}
	spin_lock(&sleep_lock);
	if (!list_empty(&me->sleep_node))
		list_del(&me->sleep_node);
	spin_unlock(&sleep_lock);
}

void thread_signal(struct thread *t, int sig)
{
	atomic_or(&t->sigpending, 1u << sig);
	sched_wake(t);
}

static void wake_sleepers(void)
{
	struct list_head *p, *n;
	struct thread *due[16];
	int ndue = 0, i;

	spin_lock(&sleep_lock);
	list_for_each_safe(p, n, &sleepers) {
		struct thread *t = list_entry(p, struct thread, sleep_node);
		if (t->wake_tick <= jiffies && ndue < (int)ARRAY_SIZE(due)) {
			list_del(&t->sleep_node);
			due[ndue++] = t;
		}
	}
	/* Wake under sleep_lock: a due thread may not have reached
	 * T_SLEEPING yet, and it will not until we let go of sleep_lock. */
	for (i = 0; i < ndue; i++)
		sched_wake(due[i]);
	spin_unlock(&sleep_lock);
}

/* Timer interrupt, every CPU, interrupts off. */
void sched_tick(void)
{
	struct cpu *c = this_cpu();

	ASSERT(!irqs_enabled());
	if (c->id == 0 && !list_empty(&sleepers))
		wake_sleepers();
	if (c->curr == c->idle) {
		if (!list_empty(&runq))
			c->need_resched = true;
	} else if (--c->slice <= 0) {
		c->need_resched = true;
	}
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

int sched_thread_count(void)
{
	return nthreads;
}

static const char *state_name(enum thread_state s)
{
	switch (s) {
	case T_RUNNABLE: return "runnable";
	case T_RUNNING: return "running";
	case T_SLEEPING: return "sleeping";
	case T_DEAD: return "dead";
	}
	return "?";
}

void sched_dump(void (*out)(const char *fmt, ...))
{
	struct list_head *p;

	/* Print under the lock: out() is printk, which takes only the
	 * console lock (never rq_lock). */
	spin_lock(&rq_lock);
	out("  tid name             state     cpu  switches ran-on\n");
	list_for_each(p, &all_threads) {
		struct thread *t = list_entry(p, struct thread, all_node);
		out("  %3d %-16s %-9s %3d %9llu 0x%x\n", t->tid, t->name, state_name(t->state),
		    t->cpu ? t->cpu->id : -1, t->switches, t->ran_on_mask);
	}
	spin_unlock(&rq_lock);
}

/* What a CPU does when it has nothing to do: halt until an interrupt, then
 * see whether that interrupt made work. cli before the check and sti;hlt
 * after it close the window where a wakeup IPI could slip in between. */
__noreturn void sched_idle_loop(void)
{
	for (;;) {
		cli();
		if (list_empty(&runq))
			sti_hlt();
		else
			sti();
		schedule();
	}
}
