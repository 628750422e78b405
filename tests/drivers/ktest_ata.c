/*
 * ktests for drivers/ata: IDENTIFY, data written and read back through
 * single, scatter-gather and long (LBA48) requests in PIO and DMA, several
 * CPUs submitting at once, asynchronous completions, bad requests, lost
 * interrupts (the watchdog's timeout, reset and retry), and
 * (with ata_test_sector=N and a blkdebug disk from tests/drivers/test_ata.py)
 * injected disk errors.
 *
 * They WRITE to the swap disk (drive 1, hdb), in its upper half only: the
 * swap header lives at sector 0. Every sector's pattern depends on its
 * sector number and a per-test seed, so data from an earlier run, or data
 * that landed on the wrong sector, never passes for the expected one.
 */
#include <kernel/ktest.h>
#include <kernel/cmdline.h>
#include <kernel/errno.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <kernel/waitqueue.h>
#include <drivers/ata/ata.h>
#include <drivers/ata/ata_channel.h>     /* white box: ata_timeout_ms, ata_drop_irqs */
#include <kernel/time.h>
#include <mm/frame.h>
#include <mm/kmalloc.h>
#include <arch/x86/cpu.h>

#define T_DRIVE 1
#define T_SECT_PER_PAGE (PAGE_SIZE / ATA_SECTOR_SIZE)
#define T_WORDS_PER_SECT (ATA_SECTOR_SIZE / 4)

static u32 ata_test_sector;     /* 0: the error-injection test has nothing to do */
CMDLINE_PARAM_UINT(ata_test_sector, ata_test_sector, 1, 0x0FFFFFFF,
		   "ktest ata_error_injection: the sector the blkdebug disk fails");

/* The first sector of the scratch area, at the start of the upper half. */
static u64 t_base(void)
{
	return ALIGN_UP(ata_sectors(T_DRIVE) / 2, T_SECT_PER_PAGE);
}

static u32 mix(u32 x)
{
	x ^= x >> 16;
	x *= 0x7feb352d;
	x ^= x >> 15;
	x *= 0x846ca68b;
	x ^= x >> 16;
	return x;
}

static void fill_sector(void *buf, u64 lba, u32 seed)
{
	u32 *w = buf;
	for (u32 i = 0; i < T_WORDS_PER_SECT; i++)
		w[i] = mix((u32)lba * T_WORDS_PER_SECT + i + seed * 0x9E3779B9u);
}

static bool sector_ok(const void *buf, u64 lba, u32 seed)
{
	const u32 *w = buf;
	for (u32 i = 0; i < T_WORDS_PER_SECT; i++)
		if (w[i] != mix((u32)lba * T_WORDS_PER_SECT + i + seed * 0x9E3779B9u))
			return false;
	return true;
}

static void fill_sg(struct ata_sg *sg, u32 nsg, u64 lba, u32 seed)
{
	for (u32 i = 0; i < nsg; i++)
		for (u32 off = 0; off < sg[i].len; off += ATA_SECTOR_SIZE)
			fill_sector((u8 *)sg[i].buf + off, lba++, seed);
}

/* The first sector whose data is wrong, or -1. */
static s64 check_sg(const struct ata_sg *sg, u32 nsg, u64 lba, u32 seed)
{
	for (u32 i = 0; i < nsg; i++)
		for (u32 off = 0; off < sg[i].len; off += ATA_SECTOR_SIZE, lba++)
			if (!sector_ok((const u8 *)sg[i].buf + off, lba, seed))
				return (s64)lba;
	return -1;
}

static void clear_sg(struct ata_sg *sg, u32 nsg)
{
	for (u32 i = 0; i < nsg; i++)
		memset(sg[i].buf, 0, sg[i].len);
}

/* n separate pages, deliberately not in address order: every other page of
 * 2n allocations, taken backwards, so neighbours in the list are never
 * neighbours in memory. */
static bool alloc_scattered(struct ata_sg *sg, u32 n)
{
	void **all = kzalloc(2 * n * sizeof(void *));

	if (!all)
		return false;
	for (u32 i = 0; i < 2 * n; i++) {
		if (!(all[i] = alloc_pages_virt(0))) {
			while (i--)
				free_pages_virt(all[i], 0);
			kfree(all);
			return false;
		}
	}
	for (u32 i = 0; i < n; i++) {
		sg[i].buf = all[2 * (n - 1 - i)];
		sg[i].len = PAGE_SIZE;
		free_pages_virt(all[2 * i + 1], 0);
	}
	kfree(all);
	return true;
}

static void free_sg_pages(struct ata_sg *sg, u32 n)
{
	for (u32 i = 0; i < n; i++)
		free_pages_virt(sg[i].buf, 0);
}

/* Write, clear, read back, verify: one round trip of a request. */
static void roundtrip(struct ktest *t, struct ata_sg *sg, u32 nsg, u64 lba, u32 seed)
{
	int err;
	s64 bad;

	fill_sg(sg, nsg, lba, seed);
	err = ata_rw_sg(T_DRIVE, lba, sg, nsg, true);
	KT_EXPECT_EQ(t, err, 0);
	clear_sg(sg, nsg);
	err = ata_rw_sg(T_DRIVE, lba, sg, nsg, false);
	KT_EXPECT_EQ(t, err, 0);
	bad = check_sg(sg, nsg, lba, seed);
	if (bad >= 0)
		ktest_fail(t, __FILE__, __LINE__, "wrong data at sector %llu (request at %llu)",
			   (u64)bad, lba);
}

static const char *mode_name(bool pio) { return pio ? "pio" : "dma"; }

KTEST(ata_identify)
{
	const char *model = ata_model(T_DRIVE);

	KT_ASSERT(t, ata_sectors(T_DRIVE) > 0);
	KT_ASSERT(t, model != NULL);
	KT_EXPECT(t, strlen(model) > 0);
	KT_EXPECT(t, ata_sectors(T_DRIVE) >= 4096);    /* the swap disk: megabytes */
	kt_info(t, "hdb: %s, %llu sectors, %s", model, ata_sectors(T_DRIVE),
		ata_dma_available() ? "bus master" : "no bus master");
	KT_EXPECT_EQ(t, ata_sectors(-1), 0);
	KT_EXPECT_EQ(t, ata_sectors(ATA_MAX_DRIVES), 0);
	KT_EXPECT(t, ata_model(ATA_MAX_DRIVES) == NULL);
}

KTEST(ata_missing_drive)
{
	u8 *buf = alloc_pages_virt(0);
	struct ata_stats s;

	KT_ASSERT(t, buf);
	KT_EXPECT_EQ(t, ata_rw(ATA_MAX_DRIVES, 0, buf, 1, false), -ENODEV);
	KT_EXPECT_EQ(t, ata_rw(-1, 0, buf, 1, false), -ENODEV);
	/* QEMU's primary master is empty when only index=1 is given. */
	if (ata_sectors(0) == 0)
		KT_EXPECT_EQ(t, ata_rw(0, 0, buf, 1, false), -ENODEV);
	/* The CD-ROM (secondary master) is ATAPI: not a disk of ours. */
	if (ata_sectors(2) == 0)
		KT_EXPECT_EQ(t, ata_rw(2, 0, buf, 1, true), -ENODEV);
	ata_get_stats(ATA_MAX_DRIVES, &s);
	KT_EXPECT_EQ(t, s.commands, 0);
	free_pages_virt(buf, 0);
}

KTEST(ata_out_of_range)
{
	u64 n = ata_sectors(T_DRIVE);
	u8 *buf = alloc_pages_virt(0);
	struct ata_sg sg[2];
	struct ata_request r = { 0 };

	KT_ASSERT(t, buf && n);
	KT_EXPECT_EQ(t, ata_rw(T_DRIVE, n, buf, 1, false), -EINVAL);
	KT_EXPECT_EQ(t, ata_rw(T_DRIVE, n - 1, buf, 2, false), -EINVAL);
	KT_EXPECT_EQ(t, ata_rw(T_DRIVE, ~0ull, buf, 1, false), -EINVAL);
	KT_EXPECT_EQ(t, ata_rw(T_DRIVE, 1ull << 48, buf, 1, true), -EINVAL);
	KT_EXPECT_EQ(t, ata_rw(T_DRIVE, 0, buf, 0, false), -EINVAL);
	/* A length that is not whole sectors. */
	sg[0].buf = buf;
	sg[0].len = 100;
	KT_EXPECT_EQ(t, ata_rw_sg(T_DRIVE, t_base(), sg, 1, false), -EINVAL);
	/* nsect that disagrees with the buffers. */
	sg[0].len = ATA_SECTOR_SIZE;
	sg[1].buf = buf + ATA_SECTOR_SIZE;
	sg[1].len = ATA_SECTOR_SIZE;
	r.drive = T_DRIVE;
	r.lba = t_base();
	r.nsect = 3;
	r.sg = sg;
	r.nsg = 2;
	r.done = (void (*)(struct ata_request *))0x1;  /* never called: refused first */
	KT_EXPECT_EQ(t, ata_submit(&r), -EINVAL);
	r.nsect = 2;
	r.done = NULL;
	KT_EXPECT_EQ(t, ata_submit(&r), -EINVAL);
	/* The last sector itself is fine. */
	KT_EXPECT_EQ(t, ata_rw(T_DRIVE, n - 1, buf, 1, false), 0);
	free_pages_virt(buf, 0);
}

/* Single requests of one contiguous buffer, odd sizes included (1, 7, 255,
 * 256, 257 sectors: both sides of the LBA28 command limit). */
KTEST(ata_rw_single)
{
	static const u32 sizes[] = { 1, 7, 8, 64, 255, 256, 257, 300 };
	bool boot_pio = ata_get_mode_pio();
	u8 *buf = alloc_pages_virt(7);          /* 512 KiB, contiguous */
	u64 lba = t_base();

	KT_ASSERT(t, buf);
	for (int pio = 0; pio < 2; pio++) {
		u32 pages = 0;

		if (!pio && !ata_dma_available())
			continue;
		ata_set_mode_pio(pio);
		for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++) {
			struct ata_sg sg = { buf, sizes[i] * ATA_SECTOR_SIZE };
			roundtrip(t, &sg, 1, lba, 100 + i + 10 * pio);
			lba += sizes[i] + 3;            /* offsets not page aligned */
			pages += (sizes[i] + 7) / 8;
		}
		/* Page-sized requests spread over the area. */
		for (u32 i = 0; i < 64; i++) {
			struct ata_sg sg = { buf + (i % 16) * PAGE_SIZE, PAGE_SIZE };
			roundtrip(t, &sg, 1, t_base() + 2048 + i * 24, 200 + i + 1000 * pio);
			pages++;
		}
		kt_info(t, "%s: %u pages written and verified", mode_name(pio), pages);
	}
	ata_set_mode_pio(boot_pio);
	free_pages_virt(buf, 7);
}

/* Scatter-gather requests of separate pages: one contiguous run of sectors
 * backed by pages scattered in memory; also sub-page pieces. */
KTEST(ata_rw_scatter_gather)
{
	enum { NPAGES = 32 };
	struct ata_sg sg[NPAGES];
	bool boot_pio = ata_get_mode_pio();
	struct ata_stats before, after;

	KT_ASSERT(t, alloc_scattered(sg, NPAGES));
	for (int pio = 0; pio < 2; pio++) {
		if (!pio && !ata_dma_available())
			continue;
		ata_set_mode_pio(pio);
		for (u32 round = 0; round < 8; round++) {
			u32 n = 1 + (round * 5) % NPAGES;
			u64 lba = t_base() + 8192 + round * 300 + pio * 4096;

			ata_get_stats(T_DRIVE, &before);
			roundtrip(t, sg, n, lba, 300 + round + 100 * pio);
			ata_get_stats(T_DRIVE, &after);
			/* One contiguous run of <= 256 sectors: one command each way. */
			KT_EXPECT_EQ(t, after.commands - before.commands, 2);
		}
		/* Pieces of 512 and 1536 bytes inside the pages. */
		struct ata_sg small[3] = { { sg[0].buf, 512 },
					   { (u8 *)sg[1].buf + 1024, 1536 },
					   { (u8 *)sg[2].buf + 512, 3584 } };
		roundtrip(t, small, 3, t_base() + 12000 + pio * 100, 400 + pio);
	}
	ata_set_mode_pio(boot_pio);
	free_sg_pages(sg, NPAGES);
}

/* Longer than one LBA28 command: one LBA48 command each way, in both modes;
 * a run of scattered pages and a contiguous buffer. PIO moves only ~3 MiB/s
 * under TCG, so its runs are shorter (but still past 256 sectors). */
KTEST(ata_rw_lba48_long)
{
	enum { NPAGES = 256, PIO_PAGES = 64, BIG_SECT = 4096, PIO_BIG_SECT = 600 };
	struct ata_sg *sg = kmalloc(NPAGES * sizeof(*sg));
	u8 *big = alloc_pages_virt(9);     /* 2 MiB contiguous: 4096 sectors */
	bool boot_pio = ata_get_mode_pio();
	struct ata_stats before, after;

	KT_ASSERT(t, sg && big);
	KT_ASSERT(t, alloc_scattered(sg, NPAGES));
	for (int pio = 0; pio < 2; pio++) {
		u32 npages = pio ? PIO_PAGES : NPAGES;
		struct ata_sg one = { big, (pio ? PIO_BIG_SECT : BIG_SECT) * ATA_SECTOR_SIZE };

		if (!pio && !ata_dma_available())
			continue;
		ata_set_mode_pio(pio);
		ata_get_stats(T_DRIVE, &before);
		roundtrip(t, sg, npages, t_base() + 16384 + 1, 500 + pio);
		ata_get_stats(T_DRIVE, &after);
		KT_EXPECT_EQ(t, after.commands - before.commands, 2);

		ata_get_stats(T_DRIVE, &before);
		roundtrip(t, &one, 1, t_base() + 20480 + 5, 600 + pio);
		ata_get_stats(T_DRIVE, &after);
		KT_EXPECT_EQ(t, after.commands - before.commands, 2);
		kt_info(t, "%s: %u sectors in %u pages, %u contiguous sectors: one command each way",
			mode_name(pio), npages * T_SECT_PER_PAGE, npages, one.len / ATA_SECTOR_SIZE);
	}
	ata_set_mode_pio(boot_pio);
	free_sg_pages(sg, NPAGES);
	kfree(sg);
	free_pages_virt(big, 9);
}

/* ---- several CPUs at once ------------------------------------------------- */

enum { CT_THREADS = 4, CT_REQS = 200, CT_MAX_PAGES = 4, CT_AREA_PAGES = 64 };

struct ct_arg {
	int id;
	int errors;
	u32 cpus;
	bool pio;
	struct ata_sg sg[CT_MAX_PAGES];
};

static void ct_thread(void *p)
{
	struct ct_arg *a = p;
	u32 rng = 0x1234567u + a->id * 7919u;
	u64 area = ata_sectors(T_DRIVE) / 2 + 32768 + (u64)a->id * CT_AREA_PAGES * T_SECT_PER_PAGE;

	for (u32 i = 0; i < CT_REQS; i++) {
		rng = mix(rng + i);
		u32 n = a->pio ? 1 : 1 + rng % CT_MAX_PAGES;
		u64 lba = area + (u64)(rng >> 8) % (CT_AREA_PAGES - n + 1) * T_SECT_PER_PAGE;
		u32 seed = (u32)a->id << 16 | i;

		a->cpus |= 1u << this_cpu_id();
		fill_sg(a->sg, n, lba, seed);
		if (ata_rw_sg(T_DRIVE, lba, a->sg, n, true))
			a->errors++;
		clear_sg(a->sg, n);
		if (ata_rw_sg(T_DRIVE, lba, a->sg, n, false))
			a->errors++;
		if (check_sg(a->sg, n, lba, seed) >= 0)
			a->errors++;
	}
}

KTEST(ata_concurrent)
{
	struct ct_arg *a = kzalloc(CT_THREADS * sizeof(*a));
	struct thread *th[CT_THREADS];
	u32 cpus = 0;
	int errors = 0;

	KT_ASSERT(t, a);
	for (int i = 0; i < CT_THREADS; i++) {
		a[i].id = i;
		a[i].pio = ata_get_mode_pio();
		KT_ASSERT(t, alloc_scattered(a[i].sg, CT_MAX_PAGES));
	}
	for (int i = 0; i < CT_THREADS; i++)
		KT_ASSERT(t, (th[i] = kthread_create(ct_thread, &a[i], "ata_ct", false)));
	for (int i = 0; i < CT_THREADS; i++) {
		kthread_join(th[i]);
		cpus |= a[i].cpus;
		errors += a[i].errors;
		free_sg_pages(a[i].sg, CT_MAX_PAGES);
	}
	KT_EXPECT_EQ(t, errors, 0);
	kt_info(t, "%s: %d threads x %d requests, ran on cpu mask 0x%x", mode_name(a[0].pio),
		CT_THREADS, CT_REQS, cpus);
	kfree(a);
}

/* ---- asynchronous submission ---------------------------------------------- */

enum { AS_REQS = 48 };
static struct waitqueue as_wq;
static volatile u32 as_done, as_failed;

static void as_callback(struct ata_request *r)
{
	if (r->status)
		atomic_inc(&as_failed);
	atomic_inc(&as_done);
	wake_up(&as_wq);
}

static void as_round(struct ktest *t, struct ata_request *rq, struct ata_sg *sg, bool write, u32 seed)
{
	as_done = 0;
	for (u32 i = 0; i < AS_REQS; i++) {
		struct ata_request *r = &rq[i];
		memset(r, 0, sizeof(*r));
		r->drive = T_DRIVE;
		r->lba = t_base() + 40960 + (u64)((i * 37) % AS_REQS) * T_SECT_PER_PAGE;
		r->nsect = T_SECT_PER_PAGE;
		r->sg = &sg[i];
		r->nsg = 1;
		r->write = write;
		r->done = as_callback;
		if (write)
			fill_sg(r->sg, 1, r->lba, seed);
		else
			clear_sg(r->sg, 1);
		KT_EXPECT_EQ(t, ata_submit(r), 0);
	}
	wait_event(&as_wq, as_done == AS_REQS);
}

/* Many requests in flight at once, completed by callbacks in the interrupt
 * handler; the queue keeps them all and loses none. */
KTEST(ata_async_queue)
{
	struct ata_request *rq = kmalloc(AS_REQS * sizeof(*rq));
	struct ata_sg *sg = kmalloc(AS_REQS * sizeof(*sg));
	int bad = 0;

	KT_ASSERT(t, rq && sg);
	KT_ASSERT(t, alloc_scattered(sg, AS_REQS));
	waitqueue_init(&as_wq, "ata_async_test");
	as_failed = 0;
	as_round(t, rq, sg, true, 777);
	as_round(t, rq, sg, false, 777);
	KT_EXPECT_EQ(t, as_failed, 0);
	for (u32 i = 0; i < AS_REQS; i++)
		bad += check_sg(&sg[i], 1, rq[i].lba, 777) >= 0;
	KT_EXPECT_EQ(t, bad, 0);
	free_sg_pages(sg, AS_REQS);
	kfree(sg);
	kfree(rq);
}

/* Lost interrupts: the watchdog times the command out, resets the channel
 * and retries; when every attempt is lost the caller gets -EIO, not a hang. */
KTEST(ata_timeout_recovery)
{
	enum { TEST_TIMEOUT_MS = 100, NSECT = 8 };
	u8 *buf = alloc_pages_virt(0);
	struct ata_stats st0, st1;
	u32 saved = ata_timeout_ms;
	u64 lba = t_base() + 50000, t0;
	struct ata_sg sg = { buf, NSECT * ATA_SECTOR_SIZE };

	KT_ASSERT(t, buf);
	ata_timeout_ms = TEST_TIMEOUT_MS;
	fill_sg(&sg, 1, lba, 1234);
	KT_EXPECT_EQ(t, ata_rw(T_DRIVE, lba, buf, NSECT, true), 0);

	/* One interrupt lost: the retry succeeds. */
	ata_get_stats(T_DRIVE, &st0);
	memset(buf, 0, PAGE_SIZE);
	t0 = uptime_ms();
	ata_drop_irqs = 1;
	KT_EXPECT_EQ(t, ata_rw(T_DRIVE, lba, buf, NSECT, false), 0);
	KT_EXPECT(t, check_sg(&sg, 1, lba, 1234) < 0);
	ata_get_stats(T_DRIVE, &st1);
	KT_EXPECT_EQ(t, st1.timeouts - st0.timeouts, 1);
	KT_EXPECT_EQ(t, st1.retries - st0.retries, 1);
	kt_info(t, "one lost interrupt: recovered in %llu ms", uptime_ms() - t0);

	/* Every attempt lost: -EIO at the command's first sector. */
	struct ata_request r = { 0 };
	waitqueue_init(&as_wq, "ata_timeout_test");
	as_done = 0;
	r.drive = T_DRIVE;
	r.lba = lba;
	r.nsect = NSECT;
	r.sg = &sg;
	r.nsg = 1;
	r.done = as_callback;
	ata_drop_irqs = 1000;
	t0 = uptime_ms();
	KT_EXPECT_EQ(t, ata_submit(&r), 0);
	wait_event(&as_wq, as_done == 1);
	ata_drop_irqs = 0;
	KT_EXPECT_EQ(t, r.status, -EIO);
	KT_EXPECT_EQ(t, r.err_lba, lba);
	kt_info(t, "every interrupt lost: -EIO after %llu ms", uptime_ms() - t0);
	ata_get_stats(T_DRIVE, &st0);
	KT_EXPECT_EQ(t, st0.timeouts - st1.timeouts, 4);

	/* And the disk works again. */
	roundtrip(t, &sg, 1, lba, 4321);
	ata_timeout_ms = saved;
	free_pages_virt(buf, 0);
}

/* ---- injected errors (tests/drivers/test_ata.py) --------------------------- */

/* With ata_test_sector=S, QEMU's blkdebug fails every read and write that
 * touches sector S. Requests across S must fail with -EIO naming S, a failed
 * write must leave its buffer intact, and the disk must go on working. */
KTEST(ata_error_injection)
{
	enum { SPAN = 16, BEFORE = 5 };
	u64 s = ata_test_sector;
	u8 *buf = alloc_pages_virt(1), *copy = alloc_pages_virt(1);
	bool boot_pio = ata_get_mode_pio();
	struct ata_sg sg = { buf, SPAN * ATA_SECTOR_SIZE };
	struct ata_stats st0, st1;

	KT_ASSERT(t, buf && copy);
	if (!s) {
		kt_info(t, "no ata_test_sector= given: nothing to inject, skipped");
		goto out;
	}
	KT_ASSERT(t, s > BEFORE && s + 2 * SPAN < ata_sectors(T_DRIVE));
	ata_get_stats(T_DRIVE, &st0);
	for (int pio = 0; pio < 2; pio++) {
		struct ata_request r = { 0 };
		if (!pio && !ata_dma_available())
			continue;
		ata_set_mode_pio(pio);

		/* A read across the bad sector. */
		memset(buf, 0, SPAN * ATA_SECTOR_SIZE);
		int err = ata_rw(T_DRIVE, s - BEFORE, buf, SPAN, false);
		KT_EXPECT_EQ(t, err, -EIO);

		/* The same through ata_submit, to see err_lba. */
		r.drive = T_DRIVE;
		r.lba = s - BEFORE;
		r.nsect = SPAN;
		r.sg = &sg;
		r.nsg = 1;
		r.done = as_callback;
		waitqueue_init(&as_wq, "ata_inject");
		as_done = 0;
		KT_EXPECT_EQ(t, ata_submit(&r), 0);
		wait_event(&as_wq, as_done == 1);
		KT_EXPECT_EQ(t, r.status, -EIO);
		KT_EXPECT_EQ(t, r.err_lba, s);
		kt_info(t, "%s: read at %llu: status %d, err_lba %llu", mode_name(pio), r.lba,
			r.status, r.err_lba);

		/* A write across it: fails, and the data is still in memory. */
		fill_sg(&sg, 1, s - BEFORE, 900 + pio);
		memcpy(copy, buf, SPAN * ATA_SECTOR_SIZE);
		memset(&r, 0, sizeof(r));
		r.drive = T_DRIVE;
		r.lba = s - BEFORE;
		r.nsect = SPAN;
		r.sg = &sg;
		r.nsg = 1;
		r.write = true;
		r.done = as_callback;
		as_done = 0;
		KT_EXPECT_EQ(t, ata_submit(&r), 0);
		wait_event(&as_wq, as_done == 1);
		KT_EXPECT_EQ(t, r.status, -EIO);
		KT_EXPECT_EQ(t, r.err_lba, s);
		KT_EXPECT(t, memcmp(buf, copy, SPAN * ATA_SECTOR_SIZE) == 0);
		kt_info(t, "%s: write at %llu: status %d, err_lba %llu, buffer intact", mode_name(pio),
			r.lba, r.status, r.err_lba);

		/* The bad sector alone. */
		memset(&r, 0, sizeof(r));
		r.drive = T_DRIVE;
		r.lba = s;
		r.nsect = 1;
		sg.len = ATA_SECTOR_SIZE;
		r.sg = &sg;
		r.nsg = 1;
		r.done = as_callback;
		as_done = 0;
		KT_EXPECT_EQ(t, ata_submit(&r), 0);
		wait_event(&as_wq, as_done == 1);
		KT_EXPECT_EQ(t, r.status, -EIO);
		KT_EXPECT_EQ(t, r.err_lba, s);
		sg.len = SPAN * ATA_SECTOR_SIZE;

		/* Everything else still works: just after the bad sector. */
		roundtrip(t, &sg, 1, s + 1, 950 + pio);
		roundtrip(t, &sg, 1, s + SPAN, 960 + pio);
	}
	ata_get_stats(T_DRIVE, &st1);
	KT_EXPECT(t, st1.errors > st0.errors);
	KT_EXPECT(t, st1.retries > st0.retries);
	kt_info(t, "errors %u, retries %u, timeouts %u", st1.errors - st0.errors,
		st1.retries - st0.retries, st1.timeouts - st0.timeouts);
	ata_set_mode_pio(boot_pio);
out:
	free_pages_virt(buf, 1);
	free_pages_virt(copy, 1);
}
