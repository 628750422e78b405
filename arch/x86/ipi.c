/*
 * Call-function IPIs (on_each_cpu) and reschedule IPIs.
 *
 * A request goes on each target CPU's call_queue (under that CPU's
 * call_lock), then the target gets a T_IPI_CALL interrupt and drains its
 * queue. req->pending counts the targets that have not yet run it; the
 * sender waits for zero (wait) or the last target frees it (no wait).
 * Per-CPU queues mean no global lock: several CPUs can broadcast at once.
 */
#include <arch/x86/ipi.h>
#include <arch/x86/lapic.h>
#include <arch/x86/trap.h>
#include <arch/x86/cpu.h>
#include <kernel/percpu.h>
#include <kernel/panic.h>
#include <mm/kmalloc.h>

struct call_req;

struct call_entry {
	struct list_head node;
	struct call_req *req;
};

struct call_req {
	void (*fn)(void *);
	void *arg;
	volatile u32 pending;
	bool wait;              /* the sender frees it; else the last target */
	struct call_entry entry[MAX_CPUS];
};

volatile u32 ipi_sent;

/* Run every request queued for this CPU. Interrupts are off. */
static void call_queue_drain(void)
{
	struct cpu *c = this_cpu();

	for (;;) {
		struct call_entry *e = NULL;

		spin_lock(&c->call_lock);
		if (!list_empty(&c->call_queue)) {
			e = list_first_entry(&c->call_queue, struct call_entry, node);
			list_del(&e->node);
		}
		spin_unlock(&c->call_lock);
		if (!e)
			return;
		struct call_req *r = e->req;
		bool wait = r->wait;
		r->fn(r->arg);
		c->ipi_calls++;
		/* After the decrement r may be freed by its sender. */
		if (atomic_add_return(&r->pending, -1) == 0 && !wait)
			kfree(r);
	}
}

static void ipi_call_irq(struct trapframe *tf)
{
	(void)tf;
	call_queue_drain();
}

static void ipi_resched_irq(struct trapframe *tf)
{
	(void)tf;
	this_cpu()->need_resched = true;
}

void ipi_init(void)
{
	for (int i = 0; i < MAX_CPUS; i++) {
		list_init(&cpus[i].call_queue);
		spin_init(&cpus[i].call_lock, "call_lock");
	}
	trap_set_handler(T_IPI_CALL, ipi_call_irq);
	trap_set_handler(T_IPI_RESCHED, ipi_resched_irq);
}

void on_each_cpu(void (*fn)(void *), void *arg, bool wait)
{
	on_cpus(~0u, fn, arg, wait);
}

void on_cpus(u32 want, void (*fn)(void *), void *arg, bool wait)
{
	struct call_req stack_req, *r = &stack_req;
	struct cpu *c, *self;
	u32 targets = 0, mask = 0;

	if (!wait && !(r = kmalloc(sizeof(*r)))) {
		r = &stack_req; /* no memory: fall back to waiting */
		wait = true;
	}
	r->fn = fn;
	r->arg = arg;
	r->wait = wait;
	irq_push(); /* stay on this CPU while we choose the targets */
	self = this_cpu();
	/* Choose the targets once: a CPU coming online meanwhile is not one. */
	for_each_online_cpu(c)
		if (c != self && (want & (1u << c->id))) {
			targets++;
			mask |= 1u << c->id;
		}
	/* +1 held by us until every entry is queued, so a fast target
	 * cannot free a no-wait request while we still walk it. */
	r->pending = targets + 1;
	for_each_online_cpu(c) {
		if (!(mask & (1u << c->id)))
			continue;
		r->entry[c->id].req = r;
		spin_lock(&c->call_lock);
		list_add_tail(&r->entry[c->id].node, &c->call_queue);
		spin_unlock(&c->call_lock);
		lapic_send_ipi(c->apic_id, ICR_FIXED | ICR_ASSERT | T_IPI_CALL);
		atomic_inc(&ipi_sent);
	}
	if (want & (1u << self->id))
		fn(arg);
	if (atomic_add_return(&r->pending, -1) == 0 && !wait)
		kfree(r);
	if (wait) {
		while (r->pending) {
			call_queue_drain();
			cpu_relax();
		}
	}
	irq_pop();
}

void ipi_send_resched(struct cpu *c)
{
	lapic_send_ipi(c->apic_id, ICR_FIXED | ICR_ASSERT | T_IPI_RESCHED);
}
