/*
 * Out of memory and swap: killing a process to make room.
 *
 * kppsd calls oom_kill() when its pressure passes have stopped moving pages
 * and free frames are still below the min watermark: swap is full (or off)
 * and nothing else is reclaimable. The process layer picks the victim
 * (proc_pick_oom_victim: the most resident pages, never pid 1); this file
 * says so on the console, counts it (oom_kill in /proc/vmstat) and sends
 * SIGKILL. What kppsd does when there is nobody to kill (oom_hopeless) is
 * kppsd's business (mm/kppsd.c).
 */
#ifndef MM_OOM_KILL_H
#define MM_OOM_KILL_H

#include <kernel/types.h>

/* Kill the process with the most resident pages; false if there is none. */
bool oom_kill(void);

#endif
