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
	[PPS_RESCUE] = "pps_rescue",
	[PPS_SCANNED] = "pps_scanned",
	[PPS_STAGE1] = "pps_stage1",
	[PPS_STAGE2] = "pps_stage2",
	[PPS_STAGE3] = "pps_stage3",
	[PPS_STAGE4] = "pps_stage4",
	[PPS_STAGE5] = "pps_stage5",
	[KPPSD_WAKEUPS] = "kppsd_wakeups",
	[DFTLB_TASKS_EV] = "dftlb_tasks",
	[DFTLB_FORCED] = "dftlb_forced",
	[SWAP_RA] = "swap_ra",
	[SWAP_RA_HIT] = "swap_ra_hit",
	[OOM_KILL] = "oom_kill",
	[SWAP_WRITE_CMDS] = "swap_write_cmds",
	[SWAP_READ_CMDS] = "swap_read_cmds",
	[SWAPIN_ZAPPED] = "swapin_zapped",
};
