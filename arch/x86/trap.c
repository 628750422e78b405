/*
 * Trap dispatch: every interrupt and exception arrives in trap_dispatch()
 * with interrupts off (interrupt gates).
 *
 * - CPU exceptions in the kernel are bugs: panic with a full report
 *   (kernel/panic.c). User-mode exceptions arrive with processes (issue 3).
 * - Device IRQs and IPIs go to the handler registered for the vector, then
 *   the LAPIC gets its EOI here, in one place, before we maybe reschedule:
 *   a handler that forgot the EOI would block its vector on this CPU.
 * - On the way out, a thread whose time slice ran out is preempted.
 */
#include <arch/x86/trap.h>
#include <arch/x86/lapic.h>
#include <arch/x86/cpu.h>
#include <kernel/percpu.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/sched.h>

static irq_handler_t handlers[256];

static const char *const exc_names[32][2] = {
	{ "Divide Error", "#DE" }, { "Debug", "#DB" }, { "Non-Maskable Interrupt", "NMI" },
	{ "Breakpoint", "#BP" }, { "Overflow", "#OF" }, { "BOUND Range Exceeded", "#BR" },
	{ "Invalid Opcode", "#UD" }, { "Device Not Available", "#NM" }, { "Double Fault", "#DF" },
	{ "Coprocessor Segment Overrun", "#MF" }, { "Invalid TSS", "#TS" },
	{ "Segment Not Present", "#NP" }, { "Stack-Segment Fault", "#SS" },
	{ "General Protection", "#GP" }, { "Page Fault", "#PF" }, { "Reserved", "#15" },
	{ "x87 Floating-Point Exception", "#MF" }, { "Alignment Check", "#AC" },
	{ "Machine Check", "#MC" }, { "SIMD Floating-Point Exception", "#XM" },
	{ "Virtualization Exception", "#VE" }, { "Control Protection", "#CP" },
};

const char *trap_name(int v)
{
	if (v < 32)
		return exc_names[v][0] ? exc_names[v][0] : "Reserved";
	if (v == T_TIMER)
		return "LAPIC timer";
	if (v >= IRQ_BASE && v < IRQ_BASE + 24)
		return "device IRQ";
	return "interrupt";
}

const char *trap_mnemonic(int v)
{
	return v < 32 && exc_names[v][1] ? exc_names[v][1] : "";
}

void trap_set_handler(int vector, irq_handler_t fn)
{
	handlers[vector] = fn;
}

bool in_interrupt(void)
{
	bool r;

	irq_push();
	r = this_cpu()->irq_depth > 0;
	irq_pop();
	return r;
}

void trap_dispatch(struct trapframe *tf)
{
	struct cpu *c;
	int v = tf->vector;

	if (v == T_NMI) {
		if (panic_in_progress()) {
			/* Another CPU panicked and asks us to stop where we are. */
			this_cpu()->online = false;
			for (;;)
				hlt();
		}
		printk("trap: unexpected NMI at eip %p\n", (void *)tf->eip);
		return;
	}
	if (v < 32)
		panic_trap(tf);

	c = this_cpu();
	c->irq_depth++;
	if (handlers[v])
		handlers[v](tf);
	else if (v != T_SPURIOUS)
		printk("trap: unexpected interrupt, vector %d\n", v);
	c->irq_depth--;
	if (v != T_SPURIOUS)
		lapic_eoi();
	sched_irq_exit(tf->eflags);
}
