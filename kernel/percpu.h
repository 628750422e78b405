/*
 * Per-CPU data. cpus[] is indexed by a dense CPU number (0 = the boot CPU),
 * not by LAPIC id. A CPU finds its own struct cpu through the thread it is
 * running (current()->cpu, see kernel/sched.h), which is only stable while
 * the thread cannot migrate: with interrupts off or a spinlock held.
 *
 * Fields written by other CPUs are marked; everything else is touched only
 * by the owning CPU, with interrupts off.
 */
#ifndef KERNEL_PERCPU_H
#define KERNEL_PERCPU_H

#include <kernel/types.h>
#include <kernel/list.h>
#include <kernel/spinlock.h>
#include <arch/x86/gdt.h>

#define MAX_CPUS 16

struct thread;

struct cpu {
	int id;                 /* index in cpus[] */
	u32 apic_id;            /* LAPIC id, from the MADT or MP table */
	volatile bool online;   /* set by the CPU itself once it takes interrupts */
	struct thread *idle;    /* runs when the run queue is empty */
	struct thread *prev;    /* thread we switched away from (sched.c) */
	struct thread *curr;    /* thread running now, for other CPUs to read */
	struct mm *loaded_mm;   /* the address space in CR3 (NULL: the kernel's own) */

	int ncli;               /* depth of irq-disabling spinlocks held */
	bool intena;            /* were interrupts on before the first one? */
	int irq_depth;          /* >0 while in a hardware interrupt handler */
	bool need_resched;      /* time slice used up: schedule on irq exit */
	int slice;              /* ticks left in the running thread's slice */

	volatile u64 ticks;     /* LAPIC timer interrupts done on this CPU */
	u64 idle_ticks;         /* of which the idle thread was running */
	u64 ctx_switches;
	u32 ipi_calls;          /* call-function IPIs handled */

	/* The scheduler's run queue (kernel/sched.c). Other CPUs lock it to
	 * wake, place or pull threads; nr_queued and curr are also read
	 * without the lock, as hints for placement. */
	struct spinlock rq_lock;     /* runq, and the state of threads with t->cpu == this */
	struct list_head runq;       /* runnable threads waiting for this CPU */
	volatile int nr_queued;      /* length of runq */
	struct thread *push_after_switch; /* prev, no longer allowed here (sched_finish_switch) */
	u64 nr_migrations;           /* threads that moved to this CPU from another */
	volatile bool tick_stopped;  /* idle with its LAPIC timer off (tickless idle; dftlb reads it) */
	u64 tick_stop_jiffies;       /* when it stopped, to account idle time */

	struct list_head call_queue; /* on_each_cpu requests (other CPUs add) */
	struct spinlock call_lock;   /* protects call_queue */

	struct gdt_desc_table gdt;   /* this CPU's GDT and TSS */

	/* TLB coherence (mm/mm.c, mm/deferred_free.h) */
	u64 cr3_loads;               /* address-space switches (mm_activate) */
	struct list_head dfree_list; /* flushed frames to give back (others may empty it) */
	volatile u32 dfree_count;    /* pages on dfree_list */
	struct spinlock dfree_lock;  /* protects dfree_list, dfree_count */
};

extern struct cpu cpus[MAX_CPUS];
extern int ncpus_found;          /* CPUs listed by the firmware */
extern volatile int ncpus_online;

struct cpu *this_cpu(void);
static inline int this_cpu_id(void) { return this_cpu()->id; }

#define for_each_online_cpu(c) \
	for (c = &cpus[0]; c < &cpus[ncpus_found]; c++) if (c->online)

#endif
