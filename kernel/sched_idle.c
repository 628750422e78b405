/*
 * What a CPU does with nothing to run: the idle loop, and tickless idle.
 *
 * Tickless idle (nohz=on, the default): an idle CPU other than CPU 0 with
 * no user mm loaded stops its LAPIC timer before halting. Nothing owes it
 * a tick: jiffies and the sleepers are CPU 0's; dftlb tasks are drained in
 * the tick, but a CPU on the kernel's CR3 holds no user translation, so
 * dftlb_close leaves tick-stopped CPUs out and tick_stop drains the tasks
 * closed before. The reschedule IPI of a wake, or of a busy CPU's tick
 * that has work to hand out, wakes it; it restarts its timer only when it
 * switches to a thread.
 *
 * Invariants. c->tick_stopped is true exactly while c's LAPIC timer is
 * off, and then c runs its idle thread; tick_stop_jiffies is when it went
 * off, and the ticks it skipped are added to idle_ticks when it restarts
 * (sched_idle_ticks counts them meanwhile). Only the CPU itself writes
 * these, with interrupts off; others read them without a lock (dftlb_close,
 * statistics).
 *
 * Locks: none taken here. tick_stop runs in the idle loop with interrupts
 * off; tick_restart in __schedule, with the CPU's rq_lock held.
 */
#include <kernel/sched.h>
#include <kernel/time.h>
#include <kernel/cmdline.h>
#include <arch/x86/cpu.h>
#include <arch/x86/lapic.h>
#include <mm/deferred_free.h>
#include <mm/dftlb.h>
#include "sched_internal.h"

static int nohz_off;            /* nohz=off: idle CPUs keep their timer */
static const char *const nohz_choices[] = { "on", "off", NULL };
CMDLINE_PARAM_ENUM(nohz, nohz_off, nohz_choices,
		   "on: an idle CPU other than cpu 0 stops its timer (tickless idle)");

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
void tick_restart(struct cpu *c)
{
	if (!c->tick_stopped)
		return;
	c->tick_stopped = false;
	c->idle_ticks += jiffies - c->tick_stop_jiffies;
	lapic_timer_resume();
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
