/* The /proc/vmstat event counters (see vmstat.h). */
#include <mm/vmstat.h>

volatile u32 vm_events[NR_VM_EVENTS];
const char *const vm_event_names[NR_VM_EVENTS] = {
	[PGFAULT] = "pgfault",
	[PGMAJFAULT] = "pgmajfault",
	[PGALLOC] = "pgalloc_user",
	[PGFREE_USER] = "pgfree_user",
	[PSWPIN] = "pswpin",
	[PSWPOUT] = "pswpout",
	[TLB_IPI] = "tlb_ipi",
};
