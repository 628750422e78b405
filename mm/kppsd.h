/*
 * kppsd as seen from outside mm/kppsd.c: a snapshot of its figures and
 * passes on request, for /proc/kppsd (kernel/fs/proc_kppsd.c). The
 * daemon's other entry points (kppsd_init, kppsd_wake, kppsd_pause and
 * kppsd_resume, pps_alloc_user_page) are in mm/pps.h.
 */
#ifndef MM_KPPSD_H
#define MM_KPPSD_H

#include <kernel/types.h>
#include <mm/pps.h>

struct kppsd_stats {
	const char *mode;               /* kppsd=: "on", "off" or "manual" */
	u32 interval_ms;                /* pps_interval=: ms between periodic passes */
	u32 passes;                     /* completed passes */
	u32 wmark_min, wmark_low, wmark_high;   /* free-frame watermarks, in pages */
	struct pps_result last;         /* the last pass's tally (task: NULL) */
};

/* A copy of kppsd's figures as they are now (no lock: each is one word,
 * and the tally may be from a pass that is just ending). */
void kppsd_get_stats(struct kppsd_stats *st);

/* Ask kppsd for one pass, whatever its mode, and wait until it is done:
 * req -1 a full pass (stages 1-5), N (1..5) one pass of stage N only.
 * 0 when done, -ENODEV without a kppsd thread (kppsd=off), -EINTR if a
 * signal came first. */
int kppsd_request_pass(int req);

#endif
