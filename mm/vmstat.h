/*
 * Event counters for /proc/vmstat, named as Linux names them where Linux
 * has the event. Incremented with atomic adds from any CPU.
 */
#ifndef MM_VMSTAT_H
#define MM_VMSTAT_H

#include <kernel/types.h>
#include <arch/x86/cpu.h>

enum vm_event {
	PGFAULT,        /* every user page fault */
	PGMAJFAULT,     /* faults that waited for the disk */
	PGALLOC,        /* user pages allocated by faults */
	PGFREE_USER,    /* user pages freed */
	PSWPIN,         /* pages read from swap */
	PSWPOUT,        /* pages written to swap */
	TLB_IPI,        /* TLB-flush IPIs sent: one per CPU interrupted, for any reason */
	PPS_RESCUE,     /* UnmappedPTE mapped back by a fault (minor) */
	PPS_SCANNED,    /* PTEs kppsd looked at */
	PPS_STAGE1,     /* PTEs aged: young -> old */
	PPS_STAGE2,     /* old -> UnmappedPTE */
	PPS_STAGE3,     /* swap slots attached */
	PPS_STAGE4,     /* pages written to their slots */
	PPS_STAGE5,     /* UnmappedPTE -> SwappedPTE, frame freed */
	KPPSD_WAKEUPS,  /* kppsd woken by low memory */
	DFTLB_TASKS_EV, /* delayed flush tasks queued */
	DFTLB_FORCED,   /* full table drained with on_each_cpu */
	SWAP_RA,        /* pages read ahead */
	SWAP_RA_HIT,    /* read-ahead pages then used */
	OOM_KILL,       /* processes killed: no memory, no swap */
	SWAP_WRITE_CMDS, /* disk commands that wrote pages to swap (pswpout / this: pages per command) */
	SWAP_READ_CMDS,  /* disk commands that read pages from swap */
	SWAPIN_ZAPPED,   /* swap-ins whose PTE was dropped (MADV_DONTNEED) while the read was in flight */
	DFTLB_FULL_WAITS, /* dftlb_open calls that found every slot owed a flush, and waited for ticks */
	DFTLB_OPEN_WAITS, /* dftlb_open calls that found every slot held by an open task, and waited */
	DFREE_DEFERRED,  /* pages put on a deferred free list (mm/deferred_free.h) */
	DFREE_TICK,      /* of which given back at a timer tick */
	DFREE_BATCH,     /* ... at once, the list having grown to a batch */
	DFREE_IPI,       /* ... by on_each_cpu, memory being short */
	DFREE_DIRECT,    /* ... taken from the lists by a short allocator holding a spinlock */
	/* The legacy page system (issue 12): COW, rmap, the clock. */
	COW_FAULT,       /* write faults on a page shared after fork */
	COW_COPY,        /* ... that copied it */
	COW_REUSE,       /* ... that found it no longer shared and made it writable */
	FORK_SHARED,     /* pages fork shared instead of copying */
	SWAPCACHE_HIT,   /* legacy swap-ins that found the page in memory (no I/O) */
	SWAPCACHE_ADD,   /* pages put in the swap cache */
	RMAP_WALKS,      /* reverse-map walks (page -> its PTEs) */
	RMAP_WALK_STEPS, /* VMAs (rmap=anon) or chain links (rmap=chain) visited by them */
	PTE_CHAIN_LINK,  /* pte_link calls (rmap=chain) */
	PTE_CHAIN_UNLINK, /* pte_unlink calls (rmap=chain) */
	CLOCK_SCANNED,   /* frames the clock hand passed */
	CLOCK_REFERENCED, /* ... found young (A bits cleared, page kept) */
	CLOCK_UNMAPPED,  /* PTEs the clock unmapped */
	CLOCK_FREED,     /* legacy frames the clock freed */
	CLOCK_WRITTEN,   /* legacy pages the clock wrote */
	PPS_REENTER,     /* VMAs that went back to PPS (their pages private again) */
	SHM_SWAPIN,      /* shared anonymous pages read back */
	PPS_PROBATION,   /* pages read back by a sweep, put on probation (mm/pps_age.h) */
	WORKINGSET_REFAULT,  /* PPS swap-ins whose slot has an eviction stamp */
	WORKINGSET_ACTIVATE, /* ... whose refault distance is within the resident pages */
	SWAP_RA_GROW,    /* swap-ins whose read-ahead window grew (mm/swap_ra.h) */
	SWAP_RA_SHRINK,  /* ... shrank */
	SWAP_WRITE_DEFERRED, /* stage 4 batches left for the next pass to lengthen */
	SWAP_WRITE_RELOC, /* dirty pages stage 4 gave a fresh slot, so their write joins a run (mm/pps_writeback.h) */
	SWAPIN_SLOT_FREED, /* pages read back that gave their slot up, swap being more than half full */
	NR_VM_EVENTS
};

extern volatile u32 vm_events[NR_VM_EVENTS];
extern const char *const vm_event_names[NR_VM_EVENTS];

static inline void count_vm_event(enum vm_event e) { atomic_inc(&vm_events[e]); }
static inline void count_vm_events(enum vm_event e, u32 n) { atomic_add_return(&vm_events[e], n); }

#endif
