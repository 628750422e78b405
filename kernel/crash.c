/*
 * Deliberate kernel faults: `crash=null|ud|div0|lock` on the command line, or
 * `crash ...` at the kmon prompt. Each lives in its own non-inlined function
 * so the panic report's EIP names it, and the backtrace shows how we got
 * there. The tests check that report.
 */
#include <kernel/crash.h>
#include <kernel/cmdline.h>
#include <kernel/string.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>

static char crash_opt[8];
CMDLINE_PARAM_STRING(crash, crash_opt, "null|ud|div0|lock: fault on purpose after boot (tests the panic report)");

/* Inline assembly, because C cannot say "fault here": the compiler knows a
 * NULL store or a division by zero is undefined and may delete it. */
__attribute__((noinline, noipa)) void crash_null(void)
{
	__asm__ volatile("movl $42, (%0)" ::"r"(0) : "memory");
}

__attribute__((noinline, noipa)) void crash_ud(void)
{
	__asm__ volatile("ud2");
}

__attribute__((noinline, noipa)) void crash_div0(void)
{
	u32 q, r;
	__asm__ volatile("divl %2" : "=a"(q), "=d"(r) : "r"(0), "a"(1), "d"(0));
}

/* Taking a spinlock this CPU already holds would spin forever; the lock
 * notices its owner and panics instead. */
__attribute__((noinline, noipa)) void crash_lock(void)
{
	static DEFINE_SPINLOCK(crash_demo_lock);

	spin_lock(&crash_demo_lock);
	spin_lock(&crash_demo_lock);
}

bool crash_by_name(const char *name)
{
	if (strcmp(name, "null") && strcmp(name, "ud") && strcmp(name, "div0") && strcmp(name, "lock"))
		return false;
	printk("crash: faulting on purpose (%s)\n", name);
	if (!strcmp(name, "null"))
		crash_null();
	else if (!strcmp(name, "ud"))
		crash_ud();
	else if (!strcmp(name, "div0"))
		crash_div0();
	else if (!strcmp(name, "lock"))
		crash_lock();
	return true;
}

bool crash_requested(void)
{
	return crash_opt[0] != 0;
}

void crash_thread(void *arg)
{
	(void)arg;
	if (!crash_by_name(crash_opt))
		printk("crash: unknown crash=%s (null, ud or div0)\n", crash_opt);
}
