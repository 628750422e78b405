/*
 * kppsd as seen from outside mm/kppsd.c: starting it, waking it under
 * pressure, the allocation of user pages that waits for it below the min
 * watermark, holding its passes off (ktests), and for /proc/kppsd
 * (kernel/fs/proc_kppsd.c) a snapshot of its figures and passes on request.
 */
#ifndef MM_KPPSD_H
#define MM_KPPSD_H

#include <kernel/types.h>
#include <mm/pps.h>

void kppsd_init(void);
void kppsd_wake(void);                  /* memory is low: a pressure pass, now */
/* Allocating user pages: waits for kppsd below the min watermark. */
struct page *pps_alloc_user_page(void);
/* Keep kppsd's passes off while a test steps an mm by hand. */
void kppsd_pause(void);
void kppsd_resume(void);

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
