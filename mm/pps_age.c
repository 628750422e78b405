/*
 * PPS aging (see pps_age.h for the design and the locks): the pass
 * clock, the idle-age histogram that sets stage 2's rule under pressure,
 * probation for pages read back by a sweep, and the refault distance.
 */
#include <mm/pps_age.h>
#include <mm/pps.h>
#include <mm/frame.h>
#include <mm/kmalloc.h>
#include <mm/vmstat.h>
#include <kernel/printk.h>

volatile u32 pps_age_seq;
volatile u32 pps_evictions;

/* Idle ages given to a page on probation: well past the oldest bucket. */
#define PROBATION_AGE 0x10000u
/* Stamps keep the eviction count in units of 4, so that 16 bits cover
 * distances of 256k pages (1 GiB of swap). */
#define STAMP_SHIFT 2

static u16 *slot_stamp;         /* per swap slot: pps_evictions >> 2 when freed */
static u32 slot_stamps;
static u32 last_hist[PPS_AGE_BUCKETS];  /* the last aged pass's histogram */
static struct pps_age_stats last_rule;

u32 pps_age_bucket(u32 idle)
{
	/* One bucket per pass up to 32 (the young end, where the pressure
	 * rule usually cuts), then 16 passes a bucket. */
	if (idle < 32)
		return idle;
	return MIN(32 + (idle - 32) / 16, PPS_AGE_BUCKETS - 1);
}

/* The smallest idle age that bucket b holds. */
static u32 bucket_floor(u32 b)
{
	return b < 32 ? b : 32 + (b - 32) * 16;
}

void pps_age_setup_slots(u32 nslots)
{
	if (slot_stamp || !nslots)
		return;
	slot_stamp = kzalloc(nslots * sizeof(u16));
	if (!slot_stamp) {
		printk("pps: no memory for %u refault stamps: refault distances off\n", nslots);
		return;
	}
	slot_stamps = nslots;
}

void pps_age_begin_pass(struct pps_result *res, bool pressure, u32 budget)
{
	pps_age_seq++;
	res->aged = true;
	res->budget = ~0u;
	res->min_idle = 1; /* periodic: idle for a whole pass */
	if (!pressure)
		return;
	/* Under pressure: the oldest pages that make up the budget, going
	 * by the last pass's histogram (a pass later, each page is one pass
	 * older: close enough). */
	u32 sum = 0;
	int b;
	for (b = PPS_AGE_BUCKETS - 1; b > 1; b--) {
		sum += last_hist[b];
		if (sum >= budget)
			break;
	}
	res->min_idle = bucket_floor(b);
	res->budget = budget;
	last_rule.min_idle = res->min_idle;
	last_rule.budget = budget;
}

void pps_age_end_pass(struct pps_result *res)
{
	if (!res->aged)
		return;
	for (u32 b = 0; b < PPS_AGE_BUCKETS; b++)
		last_hist[b] = res->hist[b];
}

void pps_age_referenced(struct page *p)
{
	/* On probation: this accessed bit is the touch that brought the page
	 * in (the sweep's), not a reuse. The next one makes it young. */
	if (p->flags & PG_probation) {
		p->flags &= ~PG_probation;
		return;
	}
	p->age_seq = pps_age_seq;
}

bool pps_age_may_unmap(struct page *p, struct pps_result *res)
{
	if (!res->aged)
		return true; /* a request: every old page in its range */
	u32 idle = pps_age_seq - p->age_seq;
	res->hist[pps_age_bucket(idle)]++;
	if (idle < res->min_idle || !res->budget)
		return false;
	res->budget--;
	return true;
}

void pps_age_new(struct page *p, bool probation)
{
	if (probation) {
		p->flags |= PG_probation;
		p->age_seq = pps_age_seq - PROBATION_AGE;
		count_vm_event(PPS_PROBATION);
	} else {
		p->flags &= ~PG_probation;
		p->age_seq = pps_age_seq;
	}
}

void pps_age_evicted(u32 slot)
{
	u32 n = pps_evictions++;
	if (slot < slot_stamps)
		slot_stamp[slot] = (u16)(n >> STAMP_SHIFT);
}

bool pps_age_refault(u32 slot)
{
	if (slot >= slot_stamps)
		return false;
	u32 dist = (u16)((u16)(pps_evictions >> STAMP_SHIFT) - slot_stamp[slot]);
	u32 resident = nr_managed_pages() - nr_free_pages();
	count_vm_event(WORKINGSET_REFAULT);
	/* Had memory been `dist` pages larger, the page would still be in;
	 * within what is resident now, it is part of the working set. */
	if ((dist << STAMP_SHIFT) < resident) {
		count_vm_event(WORKINGSET_ACTIVATE);
		return true;
	}
	return false;
}

void pps_age_get_stats(struct pps_age_stats *st)
{
	*st = last_rule;
	st->seq = pps_age_seq;
	st->evictions = pps_evictions;
	for (u32 b = 0; b < PPS_AGE_BUCKETS; b++)
		st->hist[b] = last_hist[b];
}
