/*
 * The user's floating-point state: x87, MMX and SSE registers, saved and
 * restored around context switches.
 *
 * Why the kernel must do this: the FP registers are one set per CPU, like
 * the general registers, but switch_to() saves only the callee-saved
 * general registers. Without this file two processes computing with
 * doubles on one CPU overwrite each other's x87 stack, and SSE (which
 * needs CR4.OSFXSR, "the OS saves these registers") faults with #UD, so a
 * glibc program that picks an SSE2 memcpy through CPUID dies.
 *
 * Design: eager switching. Each thread has a 512-byte, 16-byte-aligned
 * save area in struct thread (struct fpu_state). The scheduler calls
 * fpu_switch(prev, next) right before switch_to(): FXSAVE prev's registers
 * into prev's area, FXRSTOR next's from next's. Kernel threads have no
 * user FP state and cost nothing. The alternative, lazy switching (set
 * CR0.TS and load the registers only at a thread's first FP instruction,
 * in the #NM handler), skips the copy for threads that do not touch FP in
 * a time slice, but needs an owner per CPU, care when a thread migrates
 * (its registers may still sit in another CPU), and leaks one process's
 * registers to another if done wrong (the "LazyFP" bug). Today nearly
 * every program touches SSE (glibc's memcpy and strlen use it), so lazy
 * would mostly add an #NM trap to the same copy; Linux went eager-only
 * for these reasons. Measured under QEMU TCG (ktest fpu_switch_cost,
 * -smp 1): an FXSAVE+FXRSTOR pair costs about 1400 TSC cycles (600 ns);
 * a switch between two threads that only yield, about 3300 cycles without
 * FP state and 4700 with it: a visible cost only to a thread that does
 * nothing but switch; beside a time slice of milliseconds it is noise.
 *
 * Invariants:
 *  - The kernel never executes an FP/MMX/SSE instruction except here (the
 *    Makefile's -mno-sse -mno-mmx -mno-80387; tests/arch/test_fpu.py checks
 *    the disassembly). So the registers survive interrupts and syscalls
 *    untouched: while a thread runs, even in the kernel, the CPU holds its
 *    user FP state.
 *  - t->fpu.user: the thread has user FP state. Then while it is off a CPU
 *    its area holds that state. Set by fpu_init_thread / fpu_copy /
 *    fpu_reset_current; kernel threads never set it and are not saved.
 *  - The area is saved before switch_to(), while prev cannot run anywhere
 *    else yet (the scheduler holds its run-queue lock across switch_to,
 *    which is also what keeps a second CPU off prev's kernel stack): a
 *    thread that migrates finds its registers in its area on the new CPU.
 *
 * Locks: none of its own. fpu_switch runs with interrupts off under the
 * scheduler's lock; the other entry points touch the current thread (with
 * interrupts off around the register moves) or a thread not yet running.
 *
 * CPU bring-up (fpu_init_cpu, on every CPU): CR0.MP set and CR0.EM, CR0.TS
 * clear (a real FPU, no traps on use), CR0.NE set (errors raise #MF rather
 * than the PC's old IRQ 13); with FXSR, CR4.OSFXSR; with SSE,
 * CR4.OSXMMEXCPT (unmasked SIMD errors raise #XM, not #UD). A CPU without
 * FXSR (before the Pentium II) saves with FNSAVE's 108-byte format; one
 * without an FPU at all runs with CR0.EM set, and a user FP instruction
 * ends the process with SIGFPE (trap.c).
 */
#include <arch/x86/fpu.h>
#include <arch/x86/cpu.h>
#include <arch/x86/trap.h>
#include <kernel/sched.h>
#include <kernel/proc.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/spinlock.h>

_Static_assert(offsetof(struct thread, fpu) % 16 == 0, "FXSAVE area must be 16-byte aligned");
_Static_assert(sizeof(struct thread) <= 1024, "struct thread eats into the kernel stack");

enum fpu_format fpu_format;
bool fpu_has_sse, fpu_has_sse2;
/* The registers a new program starts with (exec), made once at boot. */
u8 fpu_clean_area[FPU_AREA_SIZE] __aligned(16);
u32 fpu_mxcsr_mask; /* MXCSR bits the CPU accepts (check a user-given image) */

void fpu_save_to(void *area, enum fpu_format f)
{
	if (f == FPU_FXSAVE) {
		fxsave(area);
	} else if (f == FPU_FNSAVE) {
		fnsave(area);   /* FNSAVE also resets the FPU (as FNINIT): */
		frstor(area);   /* put the registers back */
	}
}

void fpu_restore_from(const void *area, enum fpu_format f)
{
	if (f == FPU_FXSAVE)
		fxrstor(area);
	else if (f == FPU_FNSAVE)
		frstor(area);
}

static const char *format_name(enum fpu_format f)
{
	switch (f) {
	case FPU_FXSAVE: return "FXSAVE";
	case FPU_FNSAVE: return "FNSAVE";
	case FPU_NONE: return "none";
	}
	return "?";
}

/* The boot CPU's registers right after FNINIT, with MXCSR and the data
 * registers at their reset values: what every new program starts with. */
static void fpu_make_clean_image(void)
{
	u8 *a = fpu_clean_area;

	memset(a, 0, FPU_AREA_SIZE);
	fninit();
	if (fpu_format == FPU_FXSAVE) {
		fxsave(a);
		fpu_mxcsr_mask = *(u32 *)(a + FXSAVE_MXCSR_MASK);
		if (!fpu_mxcsr_mask)
			fpu_mxcsr_mask = 0xFFBF; /* CPUs that leave it 0 mean this (SDM 11.6.6) */
		*(u32 *)(a + FXSAVE_MXCSR) = fpu_has_sse ? FPU_MXCSR_DEFAULT : 0;
		memset(a + FXSAVE_ST0, 0, 2 * 8 * 16); /* ST0-7 and XMM0-7 */
	} else if (fpu_format == FPU_FNSAVE) {
		fnsave(a);
	}
}

void fpu_init_cpu(void)
{
	static bool bsp_done;
	u32 a, b, c, d, cr0, cr4;

	cpuid(1, &a, &b, &c, &d);
	if (!bsp_done) {
		/* The boot CPU decides for all: the APs are the same model
		 * (QEMU's -cpu applies to every vCPU). */
		if (!(d & CPUID1_EDX_FPU))
			fpu_format = FPU_NONE;
		else if (d & CPUID1_EDX_FXSR)
			fpu_format = FPU_FXSAVE;
		else
			fpu_format = FPU_FNSAVE;
		fpu_has_sse = fpu_format == FPU_FXSAVE && (d & CPUID1_EDX_SSE);
		fpu_has_sse2 = fpu_has_sse && (d & CPUID1_EDX_SSE2);
	} else if ((fpu_format == FPU_FXSAVE && !(d & CPUID1_EDX_FXSR)) ||
		   (fpu_has_sse && !(d & CPUID1_EDX_SSE)) ||
		   (fpu_format != FPU_NONE && !(d & CPUID1_EDX_FPU))) {
		panic("fpu: cpu %d lacks FP features the boot CPU has (CPUID.1 edx %#x)",
		      this_cpu_id(), d);
	}

	cr0 = read_cr0();
	cr4 = read_cr4();
	if (fpu_format == FPU_NONE) {
		cr0 = (cr0 | CR0_EM) & ~(CR0_MP | CR0_TS);
	} else {
		cr0 = (cr0 | CR0_MP | CR0_NE) & ~(CR0_EM | CR0_TS);
		if (fpu_format == FPU_FXSAVE)
			cr4 |= CR4_OSFXSR;
		if (fpu_has_sse)
			cr4 |= CR4_OSXMMEXCPT;
	}
	write_cr0(cr0);
	write_cr4(cr4);
	if (fpu_format != FPU_NONE)
		fninit();

	if (!bsp_done) {
		bsp_done = true;
		fpu_make_clean_image();
		if (fpu_format == FPU_NONE)
			printk("fpu: no x87 FPU: user floating point ends the process with SIGFPE\n");
		else
			printk("fpu: x87%s%s%s, %s state, eager switching\n",
			       d & CPUID1_EDX_MMX ? " MMX" : "", fpu_has_sse ? " SSE" : "",
			       fpu_has_sse2 ? " SSE2" : "", format_name(fpu_format));
	}
}

void fpu_init_thread(struct thread *t)
{
	memcpy(t->fpu.area, fpu_clean_area, FPU_AREA_SIZE);
	t->fpu.user = true;
}

void fpu_copy(struct thread *child, struct thread *parent)
{
	ASSERT(child != current() && child->state != T_RUNNING);
	if (!parent->fpu.user) {
		/* A kernel thread starting a process: nothing to inherit. */
		fpu_init_thread(child);
		return;
	}
	if (parent == current()) {
		/* Our registers are live in the CPU, newer than our area. */
		irq_push();
		fpu_save_to(child->fpu.area, fpu_format);
		irq_pop();
	} else {
		ASSERT(parent->state != T_RUNNING);
		memcpy(child->fpu.area, parent->fpu.area, FPU_AREA_SIZE);
	}
	child->fpu.user = true;
}

void fpu_reset_current(void)
{
	struct thread *me = current();

	/* Interrupts off: a switch in between would save the old registers
	 * over the clean area, or skip saving the new ones. */
	irq_push();
	memcpy(me->fpu.area, fpu_clean_area, FPU_AREA_SIZE);
	me->fpu.user = true;
	fpu_restore_from(me->fpu.area, fpu_format);
	irq_pop();
}

void fpu_switch(struct thread *prev, struct thread *next)
{
	ASSERT(!irqs_enabled());
	if (prev->fpu.user)
		fpu_save_to(prev->fpu.area, fpu_format);
	/* A user thread that missed fpu_copy/fpu_init_thread (a new way to
	 * create one?) starts clean rather than with someone else's
	 * registers. */
	if (next->proc && !next->fpu.user)
		fpu_init_thread(next);
	if (next->fpu.user)
		fpu_restore_from(next->fpu.area, fpu_format);
}

/* The unmasked exceptions whose flags are set, lowest first: bits 0-5 of
 * the x87 status word and of MXCSR have the same meaning. */
static const char *const fp_error_names[6] = {
	"invalid operation", "denormal operand", "divide by zero",
	"overflow", "underflow", "inexact result",
};

const char *fpu_fault_cause(int vector)
{
	u32 pending = 0;

	if (fpu_format == FPU_NONE)
		return "no FPU";
	if (vector == T_NM)
		return "FPU turned off (CR0.TS or CR0.EM): a kernel bug";
	if (vector == T_MF) {
		u16 sw = fnstsw(), cw = fnstcw();
		pending = sw & ~cw & 0x3F;
		if ((pending & 1) && (sw & 0x40)) /* SF: the x87 register stack */
			return (sw & 0x200) ? "x87 stack overflow" : "x87 stack underflow";
	} else if (vector == T_XM && fpu_has_sse) {
		u32 m = stmxcsr();
		pending = m & ~(m >> 7) & 0x3F; /* flags 0-5, masks 7-12 */
	}
	if (!pending)
		return "no pending exception";
	return fp_error_names[__builtin_ctz(pending)];
}
