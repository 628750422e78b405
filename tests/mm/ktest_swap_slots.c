/* ktests for mm/swap_slots.c, on areas of their own (no disk needed). */
#include <kernel/ktest.h>
#include <kernel/sched.h>
#include <mm/swap_slots.h>
#include <arch/x86/cpu.h>

KTEST(swap_slots_contiguous_batches)
{
	struct swap_area a;
	struct swap_extent ext[4];
	int n;

	KT_ASSERT(t, swap_area_init(&a, 4096, NULL, 0) == 0);
	KT_EXPECT_EQ(t, swap_slots_free(&a), 4095); /* slot 0 is the header */
	KT_EXPECT_EQ(t, swap_slots_alloc_batch(&a, 64, ext, 4, &n), 64);
	KT_EXPECT_EQ(t, n, 1);
	KT_EXPECT_EQ(t, ext[0].start, 1);
	/* The next batch follows the first (next fit). */
	KT_EXPECT_EQ(t, swap_slots_alloc_batch(&a, 300, ext + 1, 3, &n), 300);
	KT_EXPECT_EQ(t, n, 1);
	KT_EXPECT_EQ(t, ext[1].start, 65);
	KT_EXPECT_EQ(t, swap_slot_count(&a, 100), 1);
	for (u32 s = 1; s < 365; s++)
		swap_slot_free(&a, s);
	KT_EXPECT_EQ(t, swap_slots_free(&a), 4095);
	swap_area_destroy(&a);
}

/* Free every other slot: a batch of 8 can only come in 8 pieces. */
KTEST(swap_slots_fragments)
{
	struct swap_area a;
	struct swap_extent ext[16];
	int n;
	u32 got;

	KT_ASSERT(t, swap_area_init(&a, 257, NULL, 0) == 0);
	KT_EXPECT_EQ(t, swap_slots_alloc_batch(&a, 256, ext, 16, &n), 256);
	for (u32 s = 1; s <= 256; s += 2)
		swap_slot_free(&a, s);
	got = swap_slots_alloc_batch(&a, 8, ext, 16, &n);
	KT_EXPECT_EQ(t, got, 8);
	KT_EXPECT_EQ(t, n, 8);
	for (int i = 0; i < n; i++)
		KT_EXPECT_EQ(t, ext[i].len, 1);
	/* A run freed in the middle (100..103, with 99 free beside it) is
	 * found whole: one extent, not four pieces. */
	for (u32 s = 100; s < 104; s++)
		if (swap_slot_count(&a, s))
			swap_slot_free(&a, s);
	got = swap_slots_alloc_batch(&a, 4, ext, 16, &n);
	KT_EXPECT_EQ(t, got, 4);
	KT_EXPECT_EQ(t, n, 1);
	KT_EXPECT(t, ext[0].start == 99 || ext[0].start == 100);
	swap_area_destroy(&a);
}

KTEST(swap_slots_full_and_bad)
{
	struct swap_area a;
	struct swap_extent ext[8];
	u32 bad[] = { 5, 6, 500 /* beyond the end: ignored */ };
	int n;

	KT_ASSERT(t, swap_area_init(&a, 33, bad, 3) == 0);
	KT_EXPECT_EQ(t, swap_slots_free(&a), 30);
	KT_EXPECT_EQ(t, swap_slots_alloc_batch(&a, 100, ext, 8, &n), 30); /* full: fewer */
	KT_EXPECT_EQ(t, swap_slots_free(&a), 0);
	KT_EXPECT_EQ(t, swap_slots_alloc_batch(&a, 1, ext, 8, &n), 0);
	KT_EXPECT_EQ(t, n, 0);
	KT_EXPECT_EQ(t, swap_slot_count(&a, 5), SWAP_MAP_BAD);
	/* Use counts: a slot is free only when its last user drops it. */
	KT_EXPECT_EQ(t, swap_slot_dup(&a, 7), 0);
	swap_slot_free(&a, 7);
	KT_EXPECT_EQ(t, swap_slots_free(&a), 0);
	swap_slot_free(&a, 7);
	KT_EXPECT_EQ(t, swap_slots_free(&a), 1);
	KT_EXPECT_EQ(t, swap_slots_alloc_batch(&a, 1, ext, 8, &n), 1);
	KT_EXPECT_EQ(t, ext[0].start, 7);
	swap_area_destroy(&a);
}

static struct swap_area shared_area;
static volatile u32 owner_clash;

/* Each thread takes batches and checks no slot it got was anyone else's:
 * it stamps count 2 (dup) on its slots and expects to see exactly that. */
static void hammer(void *arg)
{
	struct swap_extent ext[8];
	int n;

	(void)arg;
	for (int round = 0; round < 200; round++) {
		u32 want = 1 + (round * 7) % 40;
		u32 got = swap_slots_alloc_batch(&shared_area, want, ext, 8, &n);
		for (int i = 0; i < n; i++)
			for (u32 s = ext[i].start; s < ext[i].start + ext[i].len; s++) {
				if (swap_slot_count(&shared_area, s) != 1)
					atomic_inc(&owner_clash);
				swap_slot_dup(&shared_area, s);
			}
		yield();
		for (int i = 0; i < n; i++)
			for (u32 s = ext[i].start; s < ext[i].start + ext[i].len; s++) {
				if (swap_slot_count(&shared_area, s) != 2)
					atomic_inc(&owner_clash);
				swap_slot_free(&shared_area, s);
				swap_slot_free(&shared_area, s);
			}
		(void)got;
	}
}

KTEST(swap_slots_concurrent)
{
	struct thread *th[2 * MAX_CPUS];
	int nt = 2 * ncpus_online;

	KT_ASSERT(t, swap_area_init(&shared_area, 2048, NULL, 0) == 0);
	owner_clash = 0;
	for (int i = 0; i < nt; i++)
		KT_ASSERT(t, (th[i] = kthread_create(hammer, NULL, "slots", false)));
	for (int i = 0; i < nt; i++)
		kthread_join(th[i]);
	KT_EXPECT_EQ(t, owner_clash, 0);
	KT_EXPECT_EQ(t, swap_slots_free(&shared_area), 2047);
	kt_info(t, "%d threads, 200 batches each", nt);
	swap_area_destroy(&shared_area);
}

/* A reservation: one run, handed out in order; what is left goes back, and
 * the next batch starts where the unused slots were. */
KTEST(swap_slots_reservation)
{
	struct swap_area a;
	struct swap_resv r = { 0 };
	struct swap_extent ext;
	int n;

	KT_ASSERT(t, swap_area_init(&a, 1024, NULL, 0) == 0);
	KT_EXPECT_EQ(t, swap_resv_fill(&a, &r, 128), 128);
	KT_EXPECT_EQ(t, swap_slots_free(&a), 1023 - 128);
	KT_EXPECT_EQ(t, swap_resv_take(&r), 1);
	KT_EXPECT_EQ(t, swap_resv_take(&r), 2);
	KT_EXPECT_EQ(t, swap_resv_peek(&r), 3);
	swap_resv_release(&a, &r);
	KT_EXPECT_EQ(t, r.len, 0);
	KT_EXPECT_EQ(t, swap_resv_take(&r), 0);
	KT_EXPECT_EQ(t, swap_slots_free(&a), 1021);          /* slots 1 and 2 stay taken */
	KT_EXPECT_EQ(t, swap_slot_count(&a, 3), 0);
	KT_EXPECT_EQ(t, swap_slots_alloc_batch(&a, 4, &ext, 1, &n), 4);
	KT_EXPECT_EQ(t, ext.start, 3);                      /* no hole left behind */
	/* Fragmented (runs of 7 free slots between used ones): the longest
	 * run there is, fewer slots than asked. */
	KT_EXPECT_EQ(t, swap_slots_alloc_batch(&a, 1017, &ext, 1, &n), 1017);
	for (u32 s = 9; s < 1024; s++)
		if (s % 8)
			swap_slot_free(&a, s);
	KT_EXPECT_EQ(t, swap_resv_fill(&a, &r, 128), 7);
	KT_EXPECT_EQ(t, r.start % 8, 1);
	swap_resv_release(&a, &r);
	swap_area_destroy(&a);
}
