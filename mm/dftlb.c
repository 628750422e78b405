/* The delayed TLB flush table (see dftlb.h for the design). */
#include <mm/dftlb.h>
#include <kernel/time.h>
#include <kernel/sched.h>
#include <mm/mm.h>
#include <mm/vmstat.h>
#include <mm/reclaim_stats.h>
#include <kernel/percpu.h>
#include <kernel/spinlock.h>
#include <kernel/panic.h>
#include <arch/x86/cpu.h>
#include <arch/x86/ipi.h>
#include <kernel/lab_todo.h>

struct dftlb_task dftlb_table[DFTLB_TASKS];
static DEFINE_SPINLOCK(dftlb_lock);
static u32 next_seq = 1;

/* A slot whose task is done, or free; its mm reference is dropped. */
static struct dftlb_task *grab_slot(void)
{
	for (int i = 0; i < DFTLB_TASKS; i++) {
		struct dftlb_task *t = &dftlb_table[i];
		if (t->seq == 0 || (t->closed && t->cpu_mask == 0))
			return t;
	}
	return NULL;
}

/* Does some slot hold a closed task that CPUs still owe? (dftlb_lock) */
static bool any_closed_pending(void)
{
	for (int i = 0; i < DFTLB_TASKS; i++)
		if (dftlb_table[i].closed && dftlb_table[i].cpu_mask)
			return true;
	return false;
}

struct dftlb_task *dftlb_open(struct mm *mm)
{
	struct dftlb_task *t;
	struct mm *old = NULL;
	bool drain, waited = false, full_waited = false;
	u64 full_since = 0, t0 = rdtsc();

	for (;;) {
		spin_lock(&dftlb_lock);
		t = grab_slot();
		if (t) {
			old = t->seq ? t->mm : NULL; /* not yet reaped */
			t->seq = next_seq++;
			t->mm = mm;
			t->cr3 = V2P(mm->pgdir);
			t->closed = false;
			t->cpu_mask = 0;
			t->nranges = 0;
			spin_unlock(&dftlb_lock);
			if (waited || full_waited) /* a pass asleep, not at work */
				reclaim_pass_waited(PASS_WAIT_DFTLB, rdtsc() - t0);
			break;
		}
		drain = any_closed_pending();
		spin_unlock(&dftlb_lock);
		if (drain) {
			/* Every slot is still owed a flush: we age pages
			 * faster than the CPUs tick. Their next ticks free
			 * slots, so wait for them (reclaim sends no IPI);
			 * force a drain only if ticks stop freeing any. */
			if (!full_waited) {
				count_vm_event(DFTLB_FULL_WAITS);
				full_since = jiffies;
				full_waited = true;
			}
			if (jiffies - full_since < DFTLB_FORCE_TICKS) {
				if (sleep_ticks(1))
					yield(); /* a signal is pending: sleeps end at once */
				continue;
			}
			count_vm_event(DFTLB_FORCED);
			dftlb_force_drain();
			full_since = jiffies;
		} else {
			/* Every slot is held by an *open* task (as many
			 * steppers at once as slots): no flush can free one,
			 * only its stepper's close. Let it run. */
			if (!waited)
				count_vm_event(DFTLB_OPEN_WAITS);
			waited = true;
			yield();
		}
	}
	mm_get(mm);
	if (old)
		mm_put(old);
	count_vm_event(DFTLB_TASKS_EV);
	return t;
}

bool dftlb_add_range(struct dftlb_task *t, u32 start, u32 end)
{
	if (t->nranges && t->ranges[t->nranges - 1].end == start) {
		t->ranges[t->nranges - 1].end = end;
		return true;
	}
	if (t->nranges == DFTLB_RANGES)
		return false;
	t->ranges[t->nranges].start = start;
	t->ranges[t->nranges].end = end;
	t->nranges++;
	return true;
}

u32 dftlb_close(struct dftlb_task *t)
{
	// LAB 4 BEGIN: dftlb_close: name the CPUs that owe this task a flush, flush this CPU's own, publish
	u32 mask = 0;
	struct cpu *c;

	/* Who may hold the translations: CPUs that have the mm loaded now
	 * (mm_activate keeps mm->cpu_mask). This CPU is left out of the mask
	 * and flushes the ranges itself, now, if it has the mm loaded (a
	 * process's own madvise(MADV_PAGEOUT)); kppsd runs on the kernel's
	 * directory and has nothing to flush. With one CPU the task is done
	 * at once. */
	irq_push();
	smp_mb(); /* stage 1's PTE changes before the read of mm->cpu_mask */
	for_each_online_cpu(c)
		if (c != this_cpu() && (t->mm->cpu_mask & (1u << c->id)))
			mask |= 1u << c->id;
	if (read_cr3() == V2P(t->mm->pgdir))
		for (u32 i = 0; i < t->nranges; i++)
			for (u32 va = t->ranges[i].start; va < t->ranges[i].end; va += PAGE_SIZE)
				invlpg(va);
	t->cpu_mask = mask;
	barrier();
	t->closed = true;
	/* A CPU idle with its timer stopped (kernel/sched_idle.c: tickless idle)
	 * has the kernel's CR3, so it holds no user translation and owes no
	 * flush; it would not drain one either. It stops the timer, then
	 * drains the closed tasks (tick_stop): store, full barrier, load on
	 * both sides, so one of us sees the other. */
	smp_mb();
	for_each_online_cpu(c)
		if ((mask & (1u << c->id)) && c->tick_stopped)
			atomic_and(&t->cpu_mask, ~(1u << c->id));
	irq_pop();
	return t->seq;
	// LAB 4 STUB
	// /* Nobody is asked to flush: the task is done the moment it is
	//  * closed. Safe only because the stub gate unmaps nothing. */
	// lab_todo(4, "dftlb_close in mm/dftlb.c (no CPU is asked to flush)");
	// t->cpu_mask = 0;
	// t->closed = true;
	// return t->seq;
	// LAB 4 END
}

bool dftlb_seq_done(u32 seq)
{
	// LAB 4 BEGIN: dftlb_seq_done: the stage-2 gate: is task seq done on every CPU?
	bool done = true;

	if (!seq)
		return true;
	spin_lock(&dftlb_lock);
	for (int i = 0; i < DFTLB_TASKS; i++)
		if (dftlb_table[i].seq == seq) {
			done = dftlb_table[i].closed && dftlb_table[i].cpu_mask == 0;
			break;
		}
	spin_unlock(&dftlb_lock);
	return done;
	// LAB 4 STUB
	// lab_todo(4, "dftlb_seq_done in mm/dftlb.c (never done: stage 2 waits for ever)");
	// (void)seq;
	// return false;
	// LAB 4 END
}

/* From the LAPIC timer (interrupts off): flush what the tasks naming this
 * CPU ask for, if this CPU has their mm loaded; either way, it no longer
 * holds those translations, so it clears its bit. */
void dftlb_drain_local(void)
{
	// LAB 4 BEGIN: dftlb_drain_local: at this CPU's tick, flush what the closed tasks naming it ask for
	u32 me = 1u << this_cpu_id(), cr3 = read_cr3();

	for (int i = 0; i < DFTLB_TASKS; i++) {
		struct dftlb_task *t = &dftlb_table[i];
		if (!t->closed || !(t->cpu_mask & me))
			continue;
		/* t->cr3, not t->mm: when we drain from tick_stop, a closer
		 * may clear our bit at the same moment (we are idle on the
		 * kernel's CR3), the task is done and dftlb_reap may drop
		 * its mm under us. Then nothing here matches our CR3. */
		if (cr3 == t->cr3) {
			u32 pages = 0;
			for (u32 r = 0; r < t->nranges; r++)
				pages += (t->ranges[r].end - t->ranges[r].start) >> PAGE_SHIFT;
			if (pages > 64) {
				write_cr3(cr3);   /* cheaper than many invlpg */
				dftlb_cr3_switched();
				return;
			}
			for (u32 r = 0; r < t->nranges; r++)
				for (u32 va = t->ranges[r].start; va < t->ranges[r].end; va += PAGE_SIZE)
					invlpg(va);
		}
		atomic_and(&t->cpu_mask, ~me);
	}
	// LAB 4 STUB
	// /* From the timer interrupt: no printk here. Nothing is drained. */
	// LAB 4 END
}

void dftlb_cr3_switched(void)
{
	u32 me = 1u << this_cpu_id();

	for (int i = 0; i < DFTLB_TASKS; i++)
		if (dftlb_table[i].closed && (dftlb_table[i].cpu_mask & me))
			atomic_and(&dftlb_table[i].cpu_mask, ~me);
}

static void drain_ipi(void *arg)
{
	(void)arg;
	dftlb_drain_local();
}

void dftlb_force_drain(void)
{
	on_each_cpu(drain_ipi, NULL, true);
	count_vm_events(TLB_IPI, ncpus_online > 1 ? ncpus_online - 1 : 0);
}

void dftlb_reap(void)
{
	struct mm *put[DFTLB_TASKS];
	int n = 0;

	spin_lock(&dftlb_lock);
	for (int i = 0; i < DFTLB_TASKS; i++) {
		struct dftlb_task *t = &dftlb_table[i];
		if (t->seq && t->mm && t->closed && t->cpu_mask == 0) {
			put[n++] = t->mm;
			t->mm = NULL;
		}
	}
	spin_unlock(&dftlb_lock);
	while (n)
		mm_put(put[--n]);
}

int dftlb_pending(void)
{
	int n = 0;

	for (int i = 0; i < DFTLB_TASKS; i++)
		if (dftlb_table[i].seq && !(dftlb_table[i].closed && dftlb_table[i].cpu_mask == 0))
			n++;
	return n;
}
