/*
 * Killing a process when memory and swap are exhausted (see oom_kill.h).
 *
 * Locks: proc_lock, held from the choice until the signal is sent, so the
 * victim cannot exit and be freed in between (the messages are printed
 * under it too).
 */
#include <mm/oom_kill.h>
#include <mm/mm.h>
#include <mm/vmstat.h>
#include <kernel/proc.h>
#include <kernel/sched.h>
#include <kernel/printk.h>

bool oom_kill(void)
{
	struct proc *victim;
	u32 rss;

	spin_lock(&proc_lock);
	if (nr_mm_dying || proc_oom_victim_exiting()) {
		/* A victim is still giving its memory back: wait for it
		 * rather than kill a second process. */
		spin_unlock(&proc_lock);
		return true;
	}
	victim = proc_pick_oom_victim(&rss);
	if (victim) {
		printk("kppsd: out of memory and swap: killed pid %d (%s), %u kB resident\n", victim->pid,
		       victim->name, rss * 4);
		count_vm_event(OOM_KILL);
		proc_signal(victim, SIGKILL); /* every thread of it */
	} else {
		printk("kppsd: out of memory and swap, and no process to kill\n");
	}
	spin_unlock(&proc_lock);
	return victim != NULL;
}
