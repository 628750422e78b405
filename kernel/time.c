/*
 * jiffies and hz. jiffies is 64-bit and written only by CPU 0's timer
 * interrupt; readers on other CPUs may see a torn value for one instant on
 * i386, which is harmless for the coarse uses it has (timeouts, printk).
 */
#include <kernel/time.h>
#include <kernel/cmdline.h>
#include <kernel/percpu.h>
#include <kernel/sched.h>
#include <mm/dftlb.h>
#include <mm/deferred_free.h>
#include <arch/x86/tsc.h>

volatile u64 jiffies;
u32 hz = 100;
CMDLINE_PARAM_UINT(hz, hz, 10, 1000, "LAPIC timer interrupts per second on every CPU");

/* Every CPU's LAPIC timer interrupt, interrupts off. This is the hook
 * where per-CPU periodic work goes: the delayed TLB flush drain, and the
 * deferred free list going back to the allocator.
 *
 * c->ticks counts ticks whose drains are done: it moves after them, so a
 * CPU that cleared its bit in a delayed flush task closed after someone
 * read c->ticks shows a larger count once this interrupt ends (the TLB
 * ktests check "bits leave only at ticks" this way, with no window). */
void timer_interrupt(void)
{
	struct cpu *c = this_cpu();

	if (c->curr == c->idle)
		c->idle_ticks++;
	if (c->id == 0)
		jiffies++;
	dftlb_drain_local();
	deferred_free_tick();
	c->ticks++;
	sched_tick();
}

u64 ms_to_ticks(u32 ms)
{
	return ((u64)ms * hz + 999) / 1000;
}

u32 ticks_to_ms(u64 ticks)
{
	return (u32)(ticks * 1000 / hz);
}

extern u64 boot_tsc;

u64 uptime_ms(void)
{
	return tsc_to_us(rdtsc_now() - boot_tsc) / 1000;
}
