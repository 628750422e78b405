/*
 * Trap dispatch: every interrupt and exception arrives in trap_dispatch()
 * with interrupts off (interrupt gates).
 *
 * - CPU exceptions in the kernel are bugs: panic with a full report
 *   (kernel/panic.c). In user mode a page fault may be fixed (demand
 *   paging, PPS); anything else kills the process with Linux's signal. A
 *   user floating-point error (#MF, #XM: an exception the program
 *   unmasked) is SIGFPE, reported with its cause read from the FPU
 *   (arch/x86/fpu.c).
 * - Device IRQs and IPIs go to the handler registered for the vector, then
 *   the LAPIC gets its EOI here, in one place, before we maybe reschedule:
 *   a handler that forgot the EOI would block its vector on this CPU.
 * - On the way out, a thread whose time slice ran out is preempted.
 */
#include <arch/x86/trap.h>
#include <arch/x86/lapic.h>
#include <arch/x86/cpu.h>
#include <arch/x86/fpu.h>
#include <kernel/percpu.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/proc.h>
#include <kernel/syscall.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <mm/mm.h>
#include <mm/uaccess.h>
#include <arch/x86/memlayout.h>

static irq_handler_t handlers[256];

static const char *const exc_names[32][2] = {
	{ "Divide Error", "#DE" }, { "Debug", "#DB" }, { "Non-Maskable Interrupt", "NMI" },
	{ "Breakpoint", "#BP" }, { "Overflow", "#OF" }, { "BOUND Range Exceeded", "#BR" },
	{ "Invalid Opcode", "#UD" }, { "Device Not Available", "#NM" }, { "Double Fault", "#DF" },
	{ "Coprocessor Segment Overrun", "CSO" }, { "Invalid TSS", "#TS" },
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

static bool from_user(struct trapframe *tf)
{
	return (tf->cs & 3) == 3;
}

/* An exception in user mode: a page fault may be fixed (demand paging);
 * anything else ends the process with the signal Linux would send. */
static void user_exception(struct trapframe *tf, u32 cr2)
{
	char why[128];
	int sig = SIGSEGV;
	const char *fp_cause = NULL;

	/* Read the FP error while it is certainly ours (the registers would
	 * survive a switch anyway: they are saved and restored). */
	if (tf->vector == T_MF || tf->vector == T_XM || tf->vector == T_NM)
		fp_cause = fpu_fault_cause(tf->vector);
	sti(); /* faults may sleep (the mmap lock, later the swap disk) */
	if (tf->vector == T_PF) {
		// LAB 2 BEGIN: the user page fault: fix it (handle_mm_fault) or kill the process
		int r = handle_mm_fault(current_proc()->mm, cr2, (tf->err & 2) | FAULT_USER);
		if (r == 0)
			return;
		if (r == -ENOMEM) {
			/* Killed while waiting for memory (the OOM killer chose
			 * us and said so): die of that signal on the way out. */
			if (signal_pending())
				return;
			snprintf(why, sizeof(why), "out of memory at %x ip %08x, killed", cr2, tf->eip);
			proc_kill_fatal(SIGKILL, why);
		}
		/* A bad address: the message the tests and the shell know. */
		snprintf(why, sizeof(why), "segfault at %x ip %08x", cr2, tf->eip);
		proc_kill_fatal(SIGSEGV, why);
		// LAB 2 STUB
	//	/* TODO: call handle_mm_fault; on failure print and kill (docs/labs/02-page-faults.md) */
	//	snprintf(why, sizeof(why), "LAB 2: user page fault at %x ip %08x not handled (arch/x86/trap.c)",
	//		 cr2, tf->eip);
	//	proc_kill_fatal(SIGKILL, why);
		// LAB 2 END
	}
	switch (tf->vector) {
	case T_DE: sig = SIGFPE; break;
	case T_MF: case T_XM: sig = SIGFPE; break; /* x87 / SIMD floating point */
	case T_NM: sig = SIGFPE; break;     /* FP instruction, no FPU (CR0.EM) */
	case T_UD: sig = SIGILL; break;
	case T_BP: case T_DB: sig = SIGTRAP; break;
	case T_AC: sig = SIGBUS; break;     /* alignment check */
	}
	if (fp_cause)
		snprintf(why, sizeof(why), "%s (%s, %s) ip %08x, killed by signal %d",
			 trap_name(tf->vector), trap_mnemonic(tf->vector), fp_cause, tf->eip, sig);
	else
		snprintf(why, sizeof(why), "%s (%s) ip %08x, killed by signal %d",
			 trap_name(tf->vector), trap_mnemonic(tf->vector), tf->eip, sig);
	proc_kill_fatal(sig, why);
}

/* A page fault in kernel mode on a user address: legal only inside the
 * user-copy routines (uaccess.asm), which have fixups. */
static bool kernel_fault_on_user(struct trapframe *tf, u32 cr2)
{
	struct proc *p = current_proc();

	if (tf->vector != T_PF || cr2 >= KERNEL_BASE || !p || !p->mm)
		return false;
	u32 eip = tf->eip;
	if (!uaccess_fixup(&eip))
		return false; /* the kernel touched user memory directly: a bug */
	if (tf->eflags & EFLAGS_IF)
		sti();
	if (handle_mm_fault(p->mm, cr2, tf->err & 2) == 0)
		return true; /* retry the copy */
	tf->eip = eip; /* resume at the fixup: the copy reports -EFAULT */
	return true;
}

void trap_dispatch(struct trapframe *tf)
{
	struct cpu *c;
	int v = tf->vector;
	u32 cr2 = read_cr2(); /* before anything can fault again */

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
	if (v == T_SYSCALL) {
		sti();
		syscall_dispatch(tf);
		goto out_user;
	}
	if (v < 32) {
		if (from_user(tf))
			user_exception(tf, cr2);
		else if (!kernel_fault_on_user(tf, cr2))
			panic_trap(tf);
		goto out_user;
	}

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
out_user:
	if (from_user(tf)) {
		cli();
		if (this_cpu()->need_resched)
			schedule();
		proc_return_to_user(tf);
	}
}
