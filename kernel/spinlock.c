/*
 * Spinlocks and the per-CPU interrupt-disable nesting (see spinlock.h).
 *
 * irq_push() turns interrupts off and counts; the matching irq_pop() turns
 * them back on only when the count drops to zero and they were on before
 * the first push. Interrupts go off *before* this_cpu() is read, because
 * a thread could otherwise migrate between reading the CPU and using it.
 */
#include <kernel/spinlock.h>
#include <kernel/percpu.h>
#include <kernel/panic.h>
#include <kernel/ksyms.h>
#include <arch/x86/cpu.h>

void irq_push(void)
{
	bool was_on = irqs_enabled();

	cli();
	struct cpu *c = this_cpu();
	if (c->ncli++ == 0)
		c->intena = was_on;
}

void irq_pop(void)
{
	struct cpu *c = this_cpu();

	if (irqs_enabled())
		panic("irq_pop: interrupts are on inside a spinlock section");
	if (c->ncli <= 0)
		panic("irq_pop: unbalanced (ncli=%d)", c->ncli);
	if (--c->ncli == 0 && c->intena)
		sti();
}

void spin_init(struct spinlock *l, const char *name)
{
	l->locked = 0;
	l->name = name;
	l->owner = NULL;
	l->owner_pc = NULL;
}

bool spin_held(struct spinlock *l)
{
	bool r;

	irq_push();
	r = l->locked && l->owner == this_cpu();
	irq_pop();
	return r;
}

/* About a few seconds of spinning under QEMU's TCG; a lock held that long
 * is a deadlock, and a report naming it beats a silent hang. */
#define SPIN_LOCKUP_LOOPS (1u << 28)

void spin_lock(struct spinlock *l)
{
	u32 loops = 0;
	char sym[64];

	irq_push();
	if (l->locked && l->owner == this_cpu())
		panic("spinlock %s: recursive acquire on cpu %d (first taken at %s)", l->name,
		      this_cpu()->id, ksyms_format((u32)l->owner_pc, sym, sizeof(sym)));
	while (xchg(&l->locked, 1) != 0) {
		cpu_relax();
		if (++loops == SPIN_LOCKUP_LOOPS)
			panic("spinlock %s: lockup, held by cpu %d, taken at %s", l->name,
			      l->owner ? l->owner->id : -1,
			      ksyms_format((u32)l->owner_pc, sym, sizeof(sym)));
	}
	l->owner = this_cpu();
	l->owner_pc = __builtin_return_address(0);
}

bool spin_trylock(struct spinlock *l)
{
	irq_push();
	if (xchg(&l->locked, 1) != 0) {
		irq_pop();
		return false;
	}
	l->owner = this_cpu();
	l->owner_pc = __builtin_return_address(0);
	return true;
}

void spin_unlock(struct spinlock *l)
{
	if (!l->locked || l->owner != this_cpu())
		panic("spinlock %s: released by cpu %d, owner is cpu %d", l->name, this_cpu()->id,
		      l->owner ? l->owner->id : -1);
	l->owner = NULL;
	l->owner_pc = NULL;
	/* A plain store is a release on x86; the barrier stops the compiler
	 * moving the critical section's stores below it. */
	barrier();
	l->locked = 0;
	irq_pop();
}
