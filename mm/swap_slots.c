/*
 * The swap slot allocator (see swap_slots.h).
 *
 * A bitmap (set = in use) is scanned for a run of free slots, starting at
 * the hint where the last batch ended (next fit: consecutive batches land
 * next to each other, which keeps the disk head moving one way) and
 * skipping every cluster with no free slot by its counter, so a nearly
 * full area is not scanned bit by bit. The best run seen is remembered: if
 * no run is long enough, it is taken and the rest of the batch is looked
 * for again.
 */
#include <mm/swap_slots.h>
#include <mm/kmalloc.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/panic.h>

static inline bool slot_used(struct swap_area *a, u32 s)
{
	return a->bitmap[s / 32] & (1u << (s % 32));
}

static void mark(struct swap_area *a, u32 s, bool used)
{
	if (used) {
		a->bitmap[s / 32] |= 1u << (s % 32);
		a->cluster_free[s / SWAP_CLUSTER]--;
		a->nfree--;
	} else {
		a->bitmap[s / 32] &= ~(1u << (s % 32));
		a->cluster_free[s / SWAP_CLUSTER]++;
		a->nfree++;
	}
}

int swap_area_init(struct swap_area *a, u32 nslots, const u32 *bad, u32 nbad)
{
	memset(a, 0, sizeof(*a));
	spin_init(&a->lock, "swap_area");
	if (nslots < 2)
		return -EINVAL;
	a->nslots = nslots;
	a->nclusters = (nslots + SWAP_CLUSTER - 1) / SWAP_CLUSTER;
	a->count = kzalloc(nslots);
	a->bitmap = kzalloc(ALIGN_UP(nslots, 32) / 8);
	a->cluster_free = kzalloc(a->nclusters * sizeof(u16));
	if (!a->count || !a->bitmap || !a->cluster_free) {
		swap_area_destroy(a);
		return -ENOMEM;
	}
	for (u32 c = 0; c < a->nclusters; c++)
		a->cluster_free[c] = MIN(SWAP_CLUSTER, nslots - c * SWAP_CLUSTER);
	a->nfree = nslots;
	/* Slots past the end (in the last bitmap word) look used. */
	for (u32 s = nslots; s < ALIGN_UP(nslots, 32); s++)
		a->bitmap[s / 32] |= 1u << (s % 32);
	a->count[0] = SWAP_MAP_BAD; /* the header */
	mark(a, 0, true);
	for (u32 i = 0; i < nbad; i++)
		if (bad[i] > 0 && bad[i] < nslots && a->count[bad[i]] != SWAP_MAP_BAD) {
			a->count[bad[i]] = SWAP_MAP_BAD;
			mark(a, bad[i], true);
		}
	a->hint = 1;
	return 0;
}

void swap_area_destroy(struct swap_area *a)
{
	kfree(a->count);
	kfree(a->bitmap);
	kfree(a->cluster_free);
	a->count = NULL;
	a->bitmap = NULL;
	a->cluster_free = NULL;
	a->nslots = a->nfree = 0;
}

/* Find a run of n free slots from the hint (wrapping once). Returns its
 * start, or the best shorter run in *best / *best_len and ~0: the longest
 * in the area, or, for a caller that can live with shorter runs, the
 * longest once one at least `enough` long has ended, or at least `late`
 * long after SWAP_SCAN_SOON slots were scanned. Such a caller need not
 * scan a fragmented area whole, under the lock, each time. */
#define SWAP_SCAN_SOON (8 * SWAP_CLUSTER)
static u32 find_run(struct swap_area *a, u32 n, u32 enough, u32 late, u32 *best, u32 *best_len)
{
	u32 run_start = 0, run_len = 0;
	u32 s = a->hint, scanned = 0;

	*best_len = 0;
	while (scanned < a->nslots) {
		if (run_len == 0 && (*best_len >= enough || (scanned >= SWAP_SCAN_SOON && *best_len >= late)))
			return ~0u; /* a run long enough has ended */
		if (s >= a->nslots) {
			s = 0;
			run_len = 0; /* runs do not wrap around the end */
		}
		/* Skip a whole full cluster at once. */
		if (s % SWAP_CLUSTER == 0 && a->cluster_free[s / SWAP_CLUSTER] == 0) {
			u32 step = MIN(SWAP_CLUSTER, a->nslots - s);
			s += step;
			scanned += step;
			run_len = 0;
			continue;
		}
		if (slot_used(a, s)) {
			run_len = 0;
		} else {
			if (!run_len)
				run_start = s;
			if (++run_len > *best_len) {
				*best = run_start;
				*best_len = run_len;
			}
			if (run_len == n)
				return run_start;
		}
		s++;
		scanned++;
	}
	return ~0u;
}

/* swap_slots_alloc_batch, taking shorter runs as find_run says. */
static u32 alloc_batch(struct swap_area *a, u32 n, u32 enough, u32 late, struct swap_extent *ext,
		       int max_ext, int *next)
{
	u32 got = 0;

	*next = 0;
	spin_lock(&a->lock);
	while (got < n && *next < max_ext && a->nfree) {
		u32 want = n - got, best, best_len, start, len;
		start = find_run(a, want, MIN(want, enough), MIN(want, late), &best, &best_len);
		if (start != ~0u) {
			len = want;
		} else {
			start = best;
			len = best_len;
		}
		if (!len)
			break;
		for (u32 s = start; s < start + len; s++) {
			ASSERT(a->count[s] == 0);
			a->count[s] = 1;
			mark(a, s, true);
		}
		ext[*next].start = start;
		ext[*next].len = len;
		(*next)++;
		got += len;
		a->hint = start + len < a->nslots ? start + len : 1;
	}
	spin_unlock(&a->lock);
	return got;
}

u32 swap_slots_alloc_batch(struct swap_area *a, u32 n, struct swap_extent *ext, int max_ext, int *next)
{
	return alloc_batch(a, n, n, n, ext, max_ext, next);
}

void swap_slot_free(struct swap_area *a, u32 slot)
{
	spin_lock(&a->lock);
	if (slot == 0 || slot >= a->nslots || a->count[slot] == 0 || a->count[slot] == SWAP_MAP_BAD)
		panic("swap_slot_free: slot %u is not in use (count %u)", slot,
		      slot < a->nslots ? a->count[slot] : 0);
	if (--a->count[slot] == 0)
		mark(a, slot, false);
	spin_unlock(&a->lock);
}

bool swap_slot_mark_bad(struct swap_area *a, u32 slot)
{
	bool bad = false;

	spin_lock(&a->lock);
	if (slot > 0 && slot < a->nslots && a->count[slot] == 1) {
		a->count[slot] = SWAP_MAP_BAD; /* stays marked in the bitmap */
		a->nbad_later++;
		bad = true;
	}
	spin_unlock(&a->lock);
	return bad;
}

int swap_slot_dup(struct swap_area *a, u32 slot)
{
	int r = 0;

	spin_lock(&a->lock);
	if (slot == 0 || slot >= a->nslots || a->count[slot] == 0 || a->count[slot] == SWAP_MAP_BAD)
		panic("swap_slot_dup: slot %u is not in use", slot);
	if (a->count[slot] == SWAP_MAP_MAX)
		r = -ENOSPC; /* the caller copies the page instead */
	else
		a->count[slot]++;
	spin_unlock(&a->lock);
	return r;
}

u32 swap_slot_count(struct swap_area *a, u32 slot)
{
	return slot < a->nslots ? a->count[slot] : 0;
}

u32 swap_slots_free(struct swap_area *a)
{
	return a->nfree;
}

bool swap_area_half_full(struct swap_area *a)
{
	return a->nfree * 2 < a->nslots;
}

u32 swap_resv_fill(struct swap_area *a, struct swap_resv *r, u32 want)
{
	struct swap_extent ext;
	int next;

	ASSERT(r->len == 0);
	if (alloc_batch(a, want, SWAP_RESV_ENOUGH, SWAP_RESV_LATE, &ext, 1, &next) == 0)
		return 0;
	r->start = ext.start;
	r->len = ext.len;
	return r->len;
}

void swap_resv_release(struct swap_area *a, struct swap_resv *r)
{
	spin_lock(&a->lock);
	for (u32 s = r->start; s < r->start + r->len; s++) {
		ASSERT(a->count[s] == 1);
		a->count[s] = 0;
		mark(a, s, false);
	}
	/* Nothing taken since: the next batch may start where these were,
	 * rather than leave them a hole until the hint comes round. */
	if (r->len && a->hint == r->start + r->len)
		a->hint = r->start;
	spin_unlock(&a->lock);
	r->len = 0;
}
