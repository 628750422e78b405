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
	TLB_IPI,        /* TLB-flush IPIs sent, for any reason */
	NR_VM_EVENTS
};

extern volatile u32 vm_events[NR_VM_EVENTS];
extern const char *const vm_event_names[NR_VM_EVENTS];

static inline void count_vm_event(enum vm_event e) { atomic_inc(&vm_events[e]); }
static inline void count_vm_events(enum vm_event e, u32 n) { atomic_add_return(&vm_events[e], n); }

#endif
