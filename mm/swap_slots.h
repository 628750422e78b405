/*
 * Swap slots: which 4 KiB pages of the swap area are in use, and by how
 * many PTEs (a use count per slot, like Linux's swap_map).
 *
 * Slots are handed out in batches of contiguous slots, so a series of
 * pages kppsd writes together lands in one run of the disk and goes out in
 * one disk command (seed 000, stage 3: "a batch of continual swap
 * entries"). When no run is long enough the batch comes in a few pieces
 * (extents), largest first; only a full area gives fewer slots than asked.
 *
 * A stepper that attaches slots to many short series (PPS's stage 3 and
 * stage 4's relocations) keeps a *reservation* instead: one run taken at
 * once and handed out slot by slot in address order, so that consecutive
 * series get consecutive slots even when the area's free space is
 * fragmented. Reserved slots count as in use (count 1, no owner yet); the
 * stepper gives back what it did not hand out (swap_resv_release) before it
 * lets go of the mm.
 *
 * The allocator works on any struct swap_area, so the ktests can make
 * their own in memory; the kernel's one real area is swap_area_main
 * (mm/swapfile.c). Lock: area->lock, a spinlock; nothing here sleeps.
 */
#ifndef MM_SWAP_SLOTS_H
#define MM_SWAP_SLOTS_H

#include <kernel/types.h>
#include <kernel/spinlock.h>

#define SWAP_CLUSTER 256        /* slots per cluster (1 MiB): the unit of hints */
#define SWAP_MAP_BAD 0xFF       /* count of a slot that is never used */
#define SWAP_MAP_MAX 0xFE       /* highest use count */

struct swap_extent {
	u32 start, len;
};

struct swap_area {
	struct spinlock lock;
	u32 nslots;             /* slot 0 is the header */
	u32 nfree;
	u8 *count;              /* per slot: 0 free, 1.. users, SWAP_MAP_BAD */
	u32 *bitmap;            /* bit set: slot not free (fast scans) */
	u16 *cluster_free;      /* free slots per cluster */
	u32 nclusters;
	u32 hint;               /* next-fit: where the last batch ended */
	u32 nbad_later;         /* slots found bad after init (failed writes) */
};

/* Set up an area of nslots slots, all free but slot 0 and the bad ones. */
int swap_area_init(struct swap_area *a, u32 nslots, const u32 *bad, u32 nbad);
void swap_area_destroy(struct swap_area *a);

/* Up to n slots in at most max_ext runs; returns the number of slots given
 * (less than n only when the area is full) and the runs in ext[0..*next). */
u32 swap_slots_alloc_batch(struct swap_area *a, u32 n, struct swap_extent *ext, int max_ext, int *next);
void swap_slot_free(struct swap_area *a, u32 slot);     /* drop one use */
int swap_slot_dup(struct swap_area *a, u32 slot);       /* add one use */
u32 swap_slot_count(struct swap_area *a, u32 slot);
/* A write to slot failed: if its one user is the caller, it becomes bad
 * (never handed out again, out of the area's size) and true is returned;
 * a slot others still use stays theirs (false). */
bool swap_slot_mark_bad(struct swap_area *a, u32 slot);
u32 swap_slots_free(struct swap_area *a);
/* More than half of the slots in use (Linux's vm_swap_full): a page read
 * back then gives its slot up instead of keeping a clean copy on disk.
 * Read without the lock: a hint. */
bool swap_area_half_full(struct swap_area *a);

/* A reservation: slots [start, start + len), each in use once, unused yet. */
struct swap_resv {
	u32 start, len;
};
/* Take one run of up to want slots into an empty reservation: the first
 * run of want from the hint; if there is none, the first free run at least
 * SWAP_RESV_ENOUGH long, or, past the first 8 clusters scanned, at least
 * SWAP_RESV_LATE long; else the longest there is. Returns its length, 0 if
 * the area is full. */
#define SWAP_RESV_ENOUGH 32
#define SWAP_RESV_LATE 8
u32 swap_resv_fill(struct swap_area *a, struct swap_resv *r, u32 want);
/* The reservation's next slot, 0 if it is empty. */
static inline u32 swap_resv_peek(const struct swap_resv *r)
{
	return r->len ? r->start : 0;
}
/* Hand out the next slot (its use passes to the caller), 0 if empty. */
static inline u32 swap_resv_take(struct swap_resv *r)
{
	if (!r->len)
		return 0;
	r->len--;
	return r->start++;
}
/* Give back every slot not handed out; the reservation is empty after. */
void swap_resv_release(struct swap_area *a, struct swap_resv *r);

#endif
