/*
 * Delayed TLB flush (dftlb, seed 000 "Delay to Flush TLB").
 *
 * Stage 1 of PPS clears the accessed bit of a series of PTEs. CPUs that ran
 * the mm may still hold those translations in their TLBs; rather than
 * interrupting them at once (an IPI per range), the range goes into a task
 * {mm, cpu mask, ranges}, and every CPU's LAPIC timer interrupt flushes the
 * tasks that name it and clears its bit. Loading CR3 (switching address
 * spaces) flushes every user translation, so it clears the CPU's bit in
 * every task too.
 *
 * The invariant this buys (checked by stage 2, never assumed): once a task
 * is done (mask empty), a PTE it covered whose accessed bit is still clear
 * cannot be in any TLB (a CPU sets A when it loads a translation), so it
 * may become an UnmappedPTE without any IPI.
 *
 * Tasks are named by sequence numbers that only grow; struct page keeps the
 * number of the task that last aged it (page->dftlb_seq). A slot of the
 * table is reused only when its task is done, so "no slot holds this
 * sequence number" also means done. A table full of closed tasks still
 * owed waits for the next timer ticks, which finish them (counted as
 * dftlb_full_waits): sending IPIs to finish them sooner would defeat the
 * point, so only a table still full DFTLB_FORCE_TICKS ticks later (a CPU
 * whose ticks stopped coming) is drained by force with on_each_cpu
 * (counted as dftlb_forced, and in tlb_ipi). A table full of *open* tasks
 * cannot be helped by flushing, so dftlb_open yields until a stepper
 * closes one (counted as dftlb_open_waits). Each
 * task holds a reference on its mm, dropped when its slot is reused.
 *
 * Several CPUs: a task's mask is every other CPU with the mm in CR3 at
 * close (threads, kernel threads using the mm), and it is done only when
 * each has ticked or loaded another CR3. A CPU that loads the mm after the
 * close walks the aged PTEs and sets A again if it uses one, so stage 2
 * refuses that page. A thread that migrates takes its CPU's bit with it:
 * bits follow CR3 loads, not threads.
 *
 * Locks: dftlb_lock (spinlock) for the table's slots; a task's cpu_mask is
 * cleared with atomic ands by the CPUs (from the timer, interrupts off).
 */
#ifndef MM_DFTLB_H
#define MM_DFTLB_H

#include <kernel/types.h>

#define DFTLB_TASKS 32
#define DFTLB_FORCE_TICKS 10    /* a full table waits this long for ticks before IPIs */
#define DFTLB_RANGES 8

struct mm;

struct dftlb_task {
	u32 seq;                        /* 0: slot free */
	struct mm *mm;                  /* referenced until dftlb_reap */
	u32 cr3;                        /* mm's pgdir as CR3 holds it (the drain reads this, never mm) */
	volatile u32 cpu_mask;          /* CPUs that still owe a flush */
	bool closed;                    /* ranges complete, mask set */
	u32 nranges;
	struct { u32 start, end; } ranges[DFTLB_RANGES];
};

extern struct dftlb_task dftlb_table[DFTLB_TASKS];

/* Stage 1: open a task for mm, add ranges, close it (which publishes it:
 * from then on the CPUs drain it). Returns the task's sequence number. */
struct dftlb_task *dftlb_open(struct mm *mm);
bool dftlb_add_range(struct dftlb_task *t, u32 start, u32 end); /* false: full */
u32 dftlb_close(struct dftlb_task *t);

bool dftlb_seq_done(u32 seq);           /* the stage-2 gate */
void dftlb_drain_local(void);           /* LAPIC timer, every CPU */
void dftlb_cr3_switched(void);          /* this CPU loaded a new CR3 */
void dftlb_force_drain(void);           /* on_each_cpu: everyone, now */
int dftlb_pending(void);                /* tasks not yet done */
/* Drop the mm references of finished tasks (kppsd's loop, exit): a done
 * task must not keep a dead process's memory alive. Sleeps not; call
 * without spinlocks (mm_put may free a whole address space). */
void dftlb_reap(void);

#endif
