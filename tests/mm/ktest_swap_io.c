/*
 * ktests for mm/swap_io.c and mm/swapfile.c against the real swap disk
 * (they need a formatted hdb: the tests' QEMU runs attach one).
 */
#include <kernel/ktest.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <kernel/cmdline.h>
#include <kernel/errno.h>
#include <mm/swap_io.h>
#include <mm/swapfile.h>
#include <mm/frame.h>
#include <arch/x86/cpu.h>

#define RUN 32  /* pages per request */

static u32 pattern(u32 slot, u32 word, u32 seed)
{
	u32 x = slot * 2654435761u ^ word * 40503u ^ seed;
	x ^= x >> 13;
	return x * 0x5bd1e995u;
}

static void fill(struct page *p, u32 slot, u32 seed)
{
	u32 *w = page_address(p);
	for (u32 i = 0; i < PAGE_SIZE / 4; i++)
		w[i] = pattern(slot, i, seed);
}

static bool check(struct page *p, u32 slot, u32 seed)
{
	u32 *w = page_address(p);
	for (u32 i = 0; i < PAGE_SIZE / 4; i++)
		if (w[i] != pattern(slot, i, seed))
			return false;
	return true;
}

struct worker {
	u32 seed;
	u32 runs;
	u32 bad, errors, pages;
};

/* Take a batch of slots, write RUN pages of a pattern to it, read them
 * back into other pages (in a different order of frames), compare. */
static void roundtrip(void *arg)
{
	struct worker *w = arg;
	struct page *out[RUN], *in[RUN];
	struct swap_extent ext[4];
	int n;

	for (u32 r = 0; r < w->runs; r++) {
		u32 got = swap_slots_alloc_batch(&swap_area_main, RUN, ext, 4, &n);
		for (int i = 0; i < RUN; i++) {
			out[i] = alloc_page();
			in[RUN - 1 - i] = alloc_page();
		}
		u32 k = 0;
		for (int e = 0; e < n; e++) {
			struct swap_extent *x = &ext[e];
			for (u32 i = 0; i < x->len; i++)
				fill(out[k + i], x->start + i, w->seed + r);
			if (swap_io_sync(out + k, x->len, x->start, true, NULL) ||
			    swap_io_sync(in + k, x->len, x->start, false, NULL))
				w->errors++;
			for (u32 i = 0; i < x->len; i++)
				if (!check(in[k + i], x->start + i, w->seed + r))
					w->bad++;
			for (u32 i = 0; i < x->len; i++)
				swap_slot_free(&swap_area_main, x->start + i);
			k += x->len;
		}
		w->pages += got;
		for (int i = 0; i < RUN; i++) {
			free_page(out[i]);
			free_page(in[i]);
		}
	}
}

KTEST(swap_io_roundtrip)
{
	struct worker w[MAX_CPUS];
	struct thread *th[MAX_CPUS];
	int n = ncpus_online;
	u32 pages = 0, bad = 0, errors = 0;
	u32 free_before = swap_free_pages();

	KT_ASSERT(t, swap_enabled);
	for (int i = 0; i < n; i++) {
		w[i] = (struct worker){ .seed = 0x1234 * (i + 1), .runs = 3000 / (RUN * n) + 1 };
		KT_ASSERT(t, (th[i] = kthread_create(roundtrip, &w[i], "swapio", false)));
	}
	for (int i = 0; i < n; i++) {
		kthread_join(th[i]);
		pages += w[i].pages;
		bad += w[i].bad;
		errors += w[i].errors;
	}
	kt_info(t, "%u pages written and read back by %d threads: %u bad, %u I/O errors", pages, n, bad,
		errors);
	KT_EXPECT(t, pages >= 3000);
	KT_EXPECT_EQ(t, bad, 0);
	KT_EXPECT_EQ(t, errors, 0);
	KT_EXPECT_EQ(t, swap_free_pages(), free_before);
}

KTEST(swap_io_bad_requests)
{
	struct page *p = alloc_page();

	KT_ASSERT(t, p && swap_enabled);
	KT_EXPECT_EQ(t, swap_io_sync(&p, 1, 0, true, NULL), -EINVAL);  /* the header */
	KT_EXPECT_EQ(t, swap_io_sync(&p, 1, swap_area_main.nslots, false, NULL), -EINVAL);
	KT_EXPECT_EQ(t, swap_io_sync(&p, 0, 5, false, NULL), -EINVAL);
	free_page(p);
}

/* With QEMU's blkdebug failing one sector (see tests/mm/test_swap.py),
 * a write to it reports -EIO and the slot; the page still holds its data.
 * (Not static: ktest_pps_writeback.c fails a batched write on it too.) */
u32 swap_fail_slot;
CMDLINE_PARAM_UINT(swap_fail_slot, swap_fail_slot, 0, 0xFFFFFF, "ktest: the slot blkdebug fails (tests only)");

KTEST(swap_io_error_keeps_data)
{
	struct page *pg[4];
	u32 err_slot = 0, first;
	int r;

	if (!swap_fail_slot) {
		kt_info(t, "no swap_fail_slot= given: checking only that a good write works");
		swap_fail_slot = 0;
	}
	first = swap_fail_slot ? swap_fail_slot - 1 : 100;
	for (int i = 0; i < 4; i++) {
		KT_ASSERT(t, (pg[i] = alloc_page()));
		fill(pg[i], first + i, 77);
	}
	r = swap_io_sync(pg, 4, first, true, &err_slot);
	if (swap_fail_slot) {
		KT_EXPECT_EQ(t, r, -EIO);
		KT_EXPECT_EQ(t, err_slot, swap_fail_slot);
		kt_info(t, "write to slots %u..%u: error %d at slot %u", first, first + 3, r, err_slot);
	} else {
		KT_EXPECT_EQ(t, r, 0);
	}
	for (int i = 0; i < 4; i++) {
		KT_EXPECT(t, check(pg[i], first + i, 77)); /* nothing lost */
		free_page(pg[i]);
	}
	/* The disk still works elsewhere. */
	struct page *q = alloc_page();
	KT_ASSERT(t, q);
	fill(q, 2000, 5);
	KT_EXPECT_EQ(t, swap_io_sync(&q, 1, 2000, true, NULL), 0);
	memset(page_address(q), 0, PAGE_SIZE);
	KT_EXPECT_EQ(t, swap_io_sync(&q, 1, 2000, false, NULL), 0);
	KT_EXPECT(t, check(q, 2000, 5));
	free_page(q);
}
