/*
 * panic: report and stop.
 *
 * The first CPU to panic wins (panic_cpu); any other that panics meanwhile
 * just stops. The winner stops every other CPU with an NMI (it cannot be
 * masked, so a CPU spinning with interrupts off stops too), switches printk
 * to lock-free mode (the dead CPU may hold the console lock), prints the
 * report and then halts, or with `panic=exit` (tests) leaves QEMU with
 * status 255 through isa-debug-exit.
 */
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/percpu.h>
#include <kernel/sched.h>
#include <kernel/ksyms.h>
#include <kernel/cmdline.h>
#include <kernel/string.h>
#include <arch/x86/trap.h>
#include <arch/x86/cpu.h>
#include <arch/x86/tsc.h>
#include <arch/x86/lapic.h>
#include <drivers/qemu_exit.h>

static volatile u32 panic_cpu = ~0u;
static int panic_action; /* 0 halt, 1 exit */
static const char *const panic_choices[] = { "halt", "exit", NULL };
CMDLINE_PARAM_ENUM(panic, panic_action, panic_choices,
		   "after a panic report: halt (keep QEMU for GDB) or exit QEMU with status 255");

bool panic_in_progress(void)
{
	return panic_cpu != ~0u;
}

/* Where the first panic came from: if reporting it panics again, the
 * second report can at least say what the first one was about. */
static u32 first_eip;
static int first_vector = -1;

/* Returns false if another CPU is already panicking (then we stop). */
static bool panic_enter(u32 eip, int vector)
{
	cli();
	u32 me = (u32)this_cpu()->id;
	if (cmpxchg(&panic_cpu, ~0u, me) != ~0u) {
		if (panic_cpu == me) {
			char sym[64];
			printk_panic_mode();
			printk("PANIC: recursive panic on cpu %u at 0x%08x (%s), giving up\n", me, eip,
			       ksyms_format(eip, sym, sizeof(sym)));
			printk("PANIC: the first one: %s at 0x%08x (%s)\n",
			       first_vector < 0 ? "panic() called" : trap_name(first_vector), first_eip,
			       ksyms_format(first_eip, sym, sizeof(sym)));
			qemu_exit(QEMU_EXIT_PANIC);
		}
		for (;;)
			hlt();
	}
	first_eip = eip;
	first_vector = vector;
	printk_panic_mode();
	return true;
}

static int stop_other_cpus(void)
{
	struct cpu *c, *self = this_cpu();
	int before = 0, still = 0;

	if (!lapic_present())
		return 0;
	for_each_online_cpu(c)
		if (c != self)
			before++;
	if (!before)
		return 0;
	lapic_send_ipi_all_but_self(ICR_NMI | ICR_ASSERT);
	u64 end = rdtsc() + tsc_khz * 500; /* give them 500 ms */
	do {
		still = 0;
		for_each_online_cpu(c)
			if (c != self)
				still++;
		cpu_relax();
	} while (still && rdtsc() < end);
	if (still)
		printk("panic: %d CPUs did not stop\n", still);
	return before - still;
}

void backtrace_from(u32 ebp, u32 eip)
{
	struct thread *t = current();
	u32 lo = (u32)t, hi = (u32)t + KSTACK_SIZE;
	int depth = 0;

	printk("Backtrace:\n");
	for (;;) {
		char sym[64];
		printk(" #%d 0x%08x %s\n", depth, eip, ksyms_format(eip, sym, sizeof(sym)));
		if (++depth >= 24 || ebp < lo || ebp + 8 > hi || (ebp & 3))
			break;
		eip = ((u32 *)ebp)[1];
		ebp = ((u32 *)ebp)[0];
		if (!eip)
			break;
	}
}

static __noreturn void panic_finish(void)
{
	int stopped = stop_other_cpus();

	if (stopped)
		printk("panic: stopped %d other CPUs\n", stopped);
	if (panic_action == 1) {
		printk("panic: exiting QEMU (panic=exit)\n");
		qemu_exit(QEMU_EXIT_PANIC);
	}
	printk("panic: system halted; attach GDB (make debug) to look around\n");
	for (;;) {
		cli();
		hlt();
	}
}

__noreturn void panic(const char *fmt, ...)
{
	va_list ap;
	char msg[256];

	panic_enter((u32)__builtin_return_address(0), -1);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct thread *t = current();
	printk("PANIC: %s\n", msg);
	printk("cpu %d, thread %d (%s)\n", this_cpu()->id, t->tid, t->name);
	/* Start at our caller: panic's own frame says nothing. */
	u32 *fp = (u32 *)read_ebp();
	backtrace_from(fp[0], fp[1]);
	panic_finish();
}

__noreturn void panic_trap(struct trapframe *tf)
{
	struct thread *t = current();

	panic_enter(tf->eip, (int)tf->vector);
	printk("PANIC: %s (%s) on cpu %d, error code 0x%08x\n", trap_name(tf->vector),
	       trap_mnemonic(tf->vector), this_cpu()->id, tf->err);
	char sym[64];
	printk("EIP: 0x%08x <%s>\n", tf->eip, ksyms_format(tf->eip, sym, sizeof(sym)));
	if (tf->vector == T_PF)
		printk("page fault: %s of a %s page in %s mode\n", tf->err & 2 ? "write" : "read",
		       tf->err & 1 ? "protected" : "not-present", tf->err & 4 ? "user" : "kernel");
	printk("CR2: 0x%08x  CR3: 0x%08x  EFLAGS: 0x%08x  CS: 0x%04x\n", read_cr2(), read_cr3(),
	       tf->eflags, tf->cs);
	printk("EAX=%08x EBX=%08x ECX=%08x EDX=%08x\n", tf->eax, tf->ebx, tf->ecx, tf->edx);
	/* The CPU pushes no ESP for a kernel-mode trap: the interrupted ESP
	 * is where its frame ends. */
	printk("ESI=%08x EDI=%08x EBP=%08x ESP=%08x\n", tf->esi, tf->edi, tf->ebp,
	       (u32)&tf->user_esp);
	printk("thread %d (%s)\n", t->tid, t->name);
	backtrace_from(tf->ebp, tf->eip);
	panic_finish();
}
