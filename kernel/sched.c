/*
 * The scheduler: per-CPU run queues, preemptive round robin on each, an
 * idle thread per CPU (see sched.h for the design).
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
 * Lock order: a wait queue's lock, then sleep_lock, then rq locks; two rq
 * locks in CPU-id order (rq_lock_two; rq_lock_nested asserts it), or the
 * second one with spin_trylock (pulling). threads_lock (all_threads) is
 * never held with an rq lock. proc_lock before rq locks (setaffinity).
 *
 * Tickless idle (nohz=on, the default): an idle CPU other than CPU 0 with
 * no user mm loaded stops its LAPIC timer before halting. Nothing owes it
 * a tick: jiffies and the sleepers are CPU 0's; dftlb tasks are drained in
 * the tick, but a CPU on the kernel's CR3 holds no user translation, so
 * dftlb_close leaves tick-stopped CPUs out and tick_stop drains the tasks
 * closed before. The reschedule IPI of a wake, or of a busy CPU's tick
 * that has work to hand out, wakes it; it restarts its timer only when it
 * switches to a thread.
 */
#include <kernel/sched.h>
#include <mm/deferred_free.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/time.h>
#include <kernel/errno.h>
#include <kernel/cmdline.h>
#include <kernel/lock_assert.h>
#include <mm/frame.h>
#include <arch/x86/cpu.h>
#include <arch/x86/ipi.h>
#include <arch/x86/gdt.h>
#include <arch/x86/lapic.h>
#include <arch/x86/trap.h>
#include <arch/x86/tls.h>
#include <kernel/proc.h>
#include <mm/mm.h>
#include <mm/dftlb.h>

static DEFINE_SPINLOCK(threads_lock);   /* all_threads, nthreads, next_tid */
static LIST_HEAD(all_threads);
static DEFINE_SPINLOCK(sleep_lock);
static LIST_HEAD(sleepers);
static int next_tid = 1;
static int nthreads;

static int nohz_off;            /* nohz=off: idle CPUs keep their timer */
static const char *const nohz_choices[] = { "on", "off", NULL };
CMDLINE_PARAM_ENUM(nohz, nohz_off, nohz_choices,
		   "on: an idle CPU other than cpu 0 stops its timer (tickless idle)");

void switch_to(u32 *save_esp, u32 next_esp);

#define CPU_BIT(c) (1u << (c)->id)
#define BALANCE_TICKS 4         /* a busy CPU looks for a busier one this often */

/* ---- run queues and their locks ----------------------------------------- */

static void rq_lock_nested(struct cpu *held, struct cpu *c)
{
	ASSERT_HELD(&held->rq_lock);
	ASSERT(held->id < c->id); /* lock order: rq locks by CPU id */
	spin_lock(&c->rq_lock);
}

static void rq_lock_two(struct cpu *a, struct cpu *b)
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

static void rq_unlock_two(struct cpu *a, struct cpu *b)
{
	if (a != b)
		spin_unlock(&b->rq_lock);
	spin_unlock(&a->rq_lock);
}

/* This CPU's rq, locked. Interrupts go off before the CPU is read: a
 * preemption in between could move us to another CPU. */
static struct cpu *rq_lock_this(void)
{
	struct cpu *c;

	irq_push();
	c = this_cpu();
	spin_lock(&c->rq_lock);
	irq_pop();
	return c;
}

/* t's CPU, with its rq locked: t->cpu is stable until the unlock. */
static struct cpu *rq_lock_thread(struct thread *t)
{
	for (;;) {
		struct cpu *c = t->cpu;
		spin_lock(&c->rq_lock);
		if (t->cpu == c)
			return c;
		spin_unlock(&c->rq_lock);
	}
}

static void enqueue(struct cpu *c, struct thread *t)
{
	ASSERT_HELD(&c->rq_lock);
	ASSERT(t->cpu == c && list_empty(&t->rq_node) && !t->is_idle);
	t->state = T_RUNNABLE;
	list_add_tail(&t->rq_node, &c->runq);
	c->nr_queued++;
}

static void dequeue(struct cpu *c, struct thread *t)
{
	ASSERT_HELD(&c->rq_lock);
	ASSERT(t->cpu == c && t->state == T_RUNNABLE);
	list_del(&t->rq_node);
	list_init(&t->rq_node);
	c->nr_queued--;
}

/* Move t, on no CPU, from one CPU to another; both rq locks held. */
static void set_cpu(struct thread *t, struct cpu *from, struct cpu *to)
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

/* ---- placement: where a woken, new or pushed thread goes ---------------- */

u32 sched_online_mask(void)
{
	struct cpu *c;
	u32 m = 0;

	for_each_online_cpu(c)
		m |= CPU_BIT(c);
	return m;
}

/* Idle: running its idle thread with nothing queued. Read without its
 * lock, so a hint: placement may be wrong for an instant, never unsafe. */
static bool cpu_idle(struct cpu *c)
{
	return c->curr == c->idle && c->nr_queued == 0;
}

static int cpu_load(struct cpu *c)
{
	return c->nr_queued + (c->curr != c->idle);
}

/* An idle CPU in mask: this one if it is idle (no IPI needed), else the
 * lowest-numbered. NULL if none. */
static struct cpu *find_idle(u32 mask)
{
	struct cpu *self = this_cpu(), *c;

	if ((mask & CPU_BIT(self)) && cpu_idle(self))
		return self;
	for_each_online_cpu(c)
		if ((mask & CPU_BIT(c)) && cpu_idle(c))
			return c;
	return NULL;
}

static struct cpu *least_loaded(u32 mask)
{
	struct cpu *best = NULL, *c;

	for_each_online_cpu(c)
		if ((mask & CPU_BIT(c)) && (!best || cpu_load(c) < cpu_load(best)))
			best = c;
	return best;
}

/* Where a woken (or new, or pushed) thread goes, first match:
 *
 * 1. This CPU, if it is running its idle thread: an interrupt on an idle
 *    CPU woke t (the disk's, the timer's). This CPU is awake and schedules
 *    on the way out of the interrupt; any other costs a reschedule IPI
 *    and, under QEMU's TCG, the wakeup of a second host thread. Without
 *    this rule every disk interrupt on CPU 0 woke the vCPU that thrash or
 *    kppsd had last run on: `thrash 40 20000` at -smp 4 sent 1500-3500
 *    reschedule IPIs instead of about 150, and on a busy host took up to
 *    several times its -smp 1 time. More than one thread may pile up here this way; a
 *    busy CPU's tick hands the extra ones to idle CPUs
 *    (kick_idle_for_queued).
 * 2. Wake affinity: the CPU t last ran on, if it idles (its caches still
 *    hold t's memory).
 * 3. Any idle CPU (the last one is busy, or t never ran).
 * 4. The last CPU, busy as it is; or, for a new thread or one whose CPU
 *    is no longer allowed, the least loaded.
 *
 * Only CPUs in t->cpus_allowed count. */
static struct cpu *select_cpu(struct thread *t)
{
	u32 allowed = t->cpus_allowed & sched_online_mask();
	struct cpu *last = t->cpu, *self = this_cpu(), *c;

	if (!allowed)   /* its CPUs went away: anywhere rather than nowhere */
		allowed = sched_online_mask();
	if ((allowed & CPU_BIT(self)) && self->curr == self->idle)
		return self;
	if (t->switches && (allowed & CPU_BIT(last)) && cpu_idle(last))
		return last;
	if ((c = find_idle(allowed)))
		return c;
	if (t->switches && (allowed & CPU_BIT(last)))
		return last;
	return least_loaded(allowed);
}

/* c has a new queued thread: make it look soon. An idle CPU gets a
 * reschedule IPI (or, if it is us, schedules on irq exit); a busy one picks
 * it up when its running thread's slice ends. */
static void kick(struct cpu *c)
{
	if (c->curr != c->idle)
		return;
	if (c == this_cpu())
		c->need_resched = true;
	else
		ipi_send_resched(c);
}

/* Queue t, runnable and on no CPU and no queue, on an allowed CPU. `from`
 * is t->cpu, whose rq_lock the caller holds; returns with it released. */
static void place(struct thread *t, struct cpu *from)
{
	struct cpu *to;

	ASSERT_HELD(&from->rq_lock);
	to = select_cpu(t);
	if (to != from) {
		/* Both locks in order. While we hold neither, t is runnable on
		 * no queue: a waker leaves it alone (not sleeping), a puller
		 * cannot see it, and only we move it. */
		spin_unlock(&from->rq_lock);
		rq_lock_two(from, to);
		ASSERT(t->cpu == from);
		set_cpu(t, from, to);
	}
	enqueue(to, t);
	kick(to);
	rq_unlock_two(from, to);
}

/* ---- pulling: an idle CPU takes queued work from a busy one -------------- */

/* One thread allowed on c, queued on the busiest CPU if that one has at
 * least two threads more than c's `load`, moved to c's queue. c's rq_lock
 * held; the other rq is taken with trylock (any order is then
 * deadlock-free), and left alone if contended. The queue's tail is taken:
 * the thread that waited least, whose cache footprint there is the
 * coldest. */
static bool pull_one(struct cpu *c, int load)
{
	struct cpu *o, *busiest = NULL;
	struct list_head *p;
	bool pulled = false;

	ASSERT_HELD(&c->rq_lock);
	for_each_online_cpu(o)
		if (o != c && o->nr_queued && cpu_load(o) >= load + 2 &&
		    (!busiest || cpu_load(o) > cpu_load(busiest)))
			busiest = o;
	if (!busiest || !spin_trylock(&busiest->rq_lock))
		return false;
	for (p = busiest->runq.prev; p != &busiest->runq; p = p->prev) {
		struct thread *t = list_entry(p, struct thread, rq_node);
		if (t->cpus_allowed & CPU_BIT(c)) {
			dequeue(busiest, t);
			set_cpu(t, busiest, c);
			enqueue(c, t);
			pulled = true;
			break;
		}
	}
	spin_unlock(&busiest->rq_lock);
	return pulled;
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

/* ---- tickless idle ---------------------------------------------------------- */

/* Stop this CPU's timer while it idles, if nothing needs its tick: not CPU
 * 0 (jiffies, the sleepers), not with a user mm loaded (dftlb tasks are
 * drained in the tick). A dftlb task may still name us: closed after we
 * switched to the kernel's CR3 but from an mm->cpu_mask read before; our
 * TLB holds none of its translations, so drain it now. Interrupts off. */
static void tick_stop(struct cpu *c)
{
	if (nohz_off || c->id == 0 || c->loaded_mm || c->tick_stopped)
		return;
	lapic_timer_stop();
	c->tick_stop_jiffies = jiffies;
	c->tick_stopped = true;
	/* From now on dftlb_close leaves us out of new tasks; the ones closed
	 * before it could see tick_stopped are drained here (see dftlb.c). */
	smp_mb();
	dftlb_drain_local();
	/* Its deferred frames would otherwise wait for a tick that is not
	 * coming: hand them back now (every TLB has flushed them already). */
	deferred_free_tick();
}

/* Before this CPU runs anything but its idle thread: the timer runs again
 * (preemption, dftlb). The ticks it skipped were idle time. Interrupts
 * off. An idle CPU woken for nothing (a pull that found no work) leaves
 * its timer off. */
static void tick_restart(struct cpu *c)
{
	if (!c->tick_stopped)
		return;
	c->tick_stopped = false;
	c->idle_ticks += jiffies - c->tick_stop_jiffies;
	lapic_timer_resume();
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

	ASSERT_HELD(&c->rq_lock);
	c->prev = NULL;
	c->push_after_switch = NULL;
	c->intena = me->intena;
	if (prev) {
		ASSERT(prev->on_cpu);
		prev->on_cpu = false;
	}
	if (push) {
		place(push, c);         /* releases c->rq_lock */
	} else {
		spin_unlock(&c->rq_lock);
	}

	if (prev && prev->state == T_DEAD) {
		/* Nobody looks at a dead thread's state any more. */
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
static void __schedule(struct cpu *c)
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
	ASSERT(list_empty(&t->rq_node)); /* off every wait queue by now */
	/* Runnable from here on (so no second waker queues it too) but on no
	 * queue until place() puts it on one. */
	t->state = T_RUNNABLE;
	place(t, c);
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

/* ---- affinity -------------------------------------------------------------- */

/* The CPU it may no longer run on learns at once: a queued thread is
 * moved now, a running one is preempted (an IPI, or yield() if it is the
 * caller, which then must hold no spinlock) and pushed by its CPU once off
 * its stack, a sleeping one is placed right when woken. */
int sched_setaffinity(struct thread *t, u32 mask)
{
	struct cpu *c;

	if (!(mask & sched_online_mask()))
		return -EINVAL;
	if (t->is_idle)
		return -EINVAL;
	c = rq_lock_thread(t);
	t->cpus_allowed = mask;
	if ((mask & CPU_BIT(c)) || t->state == T_SLEEPING || t->state == T_DEAD) {
		spin_unlock(&c->rq_lock);
	} else if (t->state == T_RUNNABLE && !list_empty(&t->rq_node)) {
		dequeue(c, t);
		place(t, c);
	} else if (t->state == T_RUNNING && t == current()) {
		spin_unlock(&c->rq_lock);
		yield();
	} else if (t->state == T_RUNNING) {
		spin_unlock(&c->rq_lock);
		ipi_send_resched(c);    /* it sets c->need_resched */
	} else {
		/* runnable on no queue: whoever is placing it reads the new mask */
		spin_unlock(&c->rq_lock);
	}
	return 0;
}

u32 sched_getaffinity(struct thread *t)
{
	return t->cpus_allowed & sched_online_mask();
}

/* ---- sleeping for a time ----------------------------------------------------- */

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
	struct cpu *c;

	if (me->is_idle)
		panic("the idle thread of cpu %d tried to sleep", me->cpu->id);
	spin_lock(&sleep_lock);
	me->wake_tick = deadline;
	list_add_tail(&me->sleep_node, &sleepers);
	c = rq_lock_this();
	spin_unlock(&sleep_lock);
	spin_unlock(held);
	if ((me->interruptible && me->sigpending) || jiffies >= deadline) {
		spin_unlock(&c->rq_lock);
	} else {
		me->state = T_SLEEPING;
		__schedule(c);
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

/* A busy CPU with threads waiting: if one of them may run on an idle CPU,
 * wake that CPU (its timer may be off) so that it pulls. */
static void kick_idle_for_queued(struct cpu *c)
{
	struct list_head *p;
	struct cpu *idle;
	u32 want = 0;

	spin_lock(&c->rq_lock);
	list_for_each(p, &c->runq)
		want |= list_entry(p, struct thread, rq_node)->cpus_allowed;
	spin_unlock(&c->rq_lock);
	want &= ~CPU_BIT(c);
	if (want && (idle = find_idle(want)))
		ipi_send_resched(idle);
}

/* Timer interrupt, every CPU whose timer runs, interrupts off. */
void sched_tick(void)
{
	struct cpu *c = this_cpu();

	ASSERT(!irqs_enabled());
	if (c->id == 0 && !list_empty(&sleepers))
		wake_sleepers();
	if (c->curr == c->idle) {
		if (c->nr_queued)
			c->need_resched = true;
		return;
	}
	if (--c->slice <= 0)
		c->need_resched = true;
	if (ncpus_online == 1)
		return;
	if (c->nr_queued)
		kick_idle_for_queued(c);
	/* Busy CPUs even out too, now and then: one with two threads more
	 * than us gives us one. */
	if (c->ticks % BALANCE_TICKS == 0) {
		spin_lock(&c->rq_lock);
		pull_one(c, cpu_load(c));
		spin_unlock(&c->rq_lock);
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

/* ---- statistics ---------------------------------------------------------- */

/* Idle ticks, counting those a stopped timer skipped so far. */
u64 sched_idle_ticks(struct cpu *c)
{
	u64 n = c->idle_ticks;

	if (c->tick_stopped)
		n += jiffies - c->tick_stop_jiffies;
	return n;
}

int sched_thread_count(void)
{
	return nthreads;
}

u64 sched_total_switches(void)
{
	struct cpu *c;
	u64 n = 0;

	for_each_online_cpu(c)
		n += c->ctx_switches;
	return n;
}

u64 sched_total_migrations(void)
{
	struct cpu *c;
	u64 n = 0;

	for_each_online_cpu(c)
		n += c->nr_migrations;
	return n;
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
	struct cpu *c;

	/* Print under threads_lock (no thread leaves the list meanwhile);
	 * states are read without their rq locks, a snapshot that may be an
	 * instant stale. out() is printk, which takes only the console lock. */
	spin_lock(&threads_lock);
	out("  tid name             state     cpu  switches migrations allowed ran-on\n");
	list_for_each(p, &all_threads) {
		struct thread *t = list_entry(p, struct thread, all_node);
		out("  %3d %-16s %-9s %3d %9llu %10llu 0x%-5x 0x%x\n", t->tid, t->name,
		    state_name(t->state), t->cpu ? t->cpu->id : -1, t->switches, t->migrations,
		    t->cpus_allowed & sched_online_mask(), t->ran_on_mask);
	}
	spin_unlock(&threads_lock);
	for_each_online_cpu(c)
		out("  cpu%d: queued %d, switches %llu, migrations in %llu, tick %s\n", c->id,
		    c->nr_queued, c->ctx_switches, c->nr_migrations,
		    c->tick_stopped ? "stopped" : "running");
}

/* ---- the idle loop --------------------------------------------------------- */

/* What a CPU does when it has nothing to do: halt until an interrupt, then
 * see whether that interrupt made work (schedule() also tries to pull from
 * busy CPUs). cli before the check and sti;hlt after it close the window
 * where a wakeup IPI could slip in between. */
__noreturn void sched_idle_loop(void)
{
	for (;;) {
		struct cpu *c;

		cli();
		c = this_cpu();
		if (c->nr_queued == 0) {
			tick_stop(c);
			sti_hlt();
		} else {
			sti();
		}
		schedule();
	}
}
