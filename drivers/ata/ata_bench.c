/*
 * `bench=disk`: the disk benchmark. Measures sequential and random 4 KiB
 * page writes and reads on the swap disk (drive 1), in PIO and in DMA, and
 * prints MiB/s for each, then a side-by-side table, then exits QEMU.
 *
 *   seq 4KiB   one synchronous request per page, pages in disk order
 *   seq 64KiB  one request per 16 pages, each request a scatter-gather list
 *              of 16 separate (non-contiguous) pages: one command
 *   rand 4KiB  one request per page at a random page of the region
 *
 * It writes the upper half of the disk (the swap header lives at sector 0)
 * and times with the TSC. Destroys the data there: run it on scratch disks.
 * No floating point in the kernel: rates are kept in tenths of MiB/s.
 */
#include <drivers/ata/ata.h>
#include <drivers/qemu_exit.h>
#include <kernel/cmdline.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <arch/x86/tsc.h>
#include <mm/frame.h>

#define BENCH_DRIVE 1                   /* the swap disk, primary slave */
#define BENCH_BYTES (16u << 20)         /* per DMA measurement */
#define BENCH_PIO_BYTES (4u << 20)      /* PIO moves ~3 MiB/s under TCG: keep the run short */
#define BENCH_PAGE_SECT (PAGE_SIZE / ATA_SECTOR_SIZE)
#define BENCH_BATCH_PAGES 16            /* 64 KiB requests */
#define BENCH_SEED 0x2545F491u

static int bench_choice;
static const char *const bench_choices[] = { "none", "disk", NULL };
CMDLINE_PARAM_ENUM(bench, bench_choice, bench_choices, "run a benchmark and exit: disk");

bool ata_bench_requested(void)
{
	return bench_choice == 1;
}

enum bench_kind { SEQ_4K, SEQ_64K, RAND_4K, BENCH_KINDS };
static const char *const kind_names[] = { "seq", "seq", "rand" };
static const char *const kind_sizes[] = { "4KiB", "64KiB", "4KiB" };

struct bench_ctx {
	u64 base;               /* first sector of the region */
	u32 pages;              /* pages in the region */
	struct ata_sg sg[BENCH_BATCH_PAGES];
	u32 rng;
	int errors;
};

static u32 bench_rand(struct bench_ctx *b)
{
	b->rng ^= b->rng << 13;
	b->rng ^= b->rng >> 17;
	b->rng ^= b->rng << 5;
	return b->rng;
}

/* One measurement; returns tenths of MiB/s. */
static u32 bench_one(struct bench_ctx *b, enum bench_kind k, bool write, bool dma, u32 *nreq)
{
	u32 per_req = k == SEQ_64K ? BENCH_BATCH_PAGES : 1;
	u32 n = MIN((dma ? BENCH_BYTES : BENCH_PIO_BYTES) / PAGE_SIZE, b->pages) / per_req;
	u64 t0 = rdtsc_now(), us;

	for (u32 i = 0; i < n; i++) {
		u32 page = k == RAND_4K ? bench_rand(b) % b->pages : i * per_req;
		int err = ata_rw_sg(BENCH_DRIVE, b->base + (u64)page * BENCH_PAGE_SECT, b->sg, per_req, write);
		if (err)
			b->errors++;
	}
	us = tsc_to_us(rdtsc_now() - t0);
	*nreq = n;
	if (!us)
		us = 1;
	return (u32)((u64)n * per_req * PAGE_SIZE * 10 * 1000000 / us >> 20);
}

void ata_bench_thread(void *arg)
{
	struct bench_ctx b = { .rng = BENCH_SEED };
	u32 rate[2][BENCH_KINDS][2];    /* [dma][kind][write] */
	u64 sectors = ata_sectors(BENCH_DRIVE);
	u32 nreq;

	if (sectors < 2 * BENCH_PAGE_SECT * BENCH_BATCH_PAGES) {
		printk("bench-disk: no disk at hdb (or too small): attach the swap disk\n");
		qemu_exit(QEMU_EXIT_FAIL);
	}
	b.base = ALIGN_UP(sectors / 2, BENCH_PAGE_SECT);
	b.pages = (u32)MIN((sectors - b.base) / BENCH_PAGE_SECT, (u64)BENCH_BYTES / PAGE_SIZE);
	b.pages = ALIGN_DOWN(b.pages, BENCH_BATCH_PAGES);
	for (int i = 0; i < BENCH_BATCH_PAGES; i++) {
		/* Separate allocations: in general not contiguous, as swap's pages. */
		b.sg[i].buf = alloc_pages_virt(0);
		b.sg[i].len = PAGE_SIZE;
		if (!b.sg[i].buf) {
			printk("bench-disk: out of memory\n");
			qemu_exit(QEMU_EXIT_FAIL);
		}
		memset(b.sg[i].buf, 0xA5 ^ i, PAGE_SIZE);
	}
	printk("bench-disk: hdb %s, region of %u pages at sector %llu, %u MiB per DMA test, %u per PIO test%s\n",
	       ata_model(BENCH_DRIVE), b.pages, b.base, BENCH_BYTES >> 20, BENCH_PIO_BYTES >> 20,
	       ata_dma_available() ? "" : " (no bus master: PIO only)");

	for (int dma = 0; dma < 2; dma++) {
		if (dma && !ata_dma_available())
			break;
		ata_set_mode_pio(!dma);
		for (int write = 1; write >= 0; write--)
			for (int k = 0; k < BENCH_KINDS; k++) {
				u32 r = bench_one(&b, k, write, dma, &nreq);
				rate[dma][k][write] = r;
				printk("bench-disk: %s %s-%s %s x %u: %u.%u MiB/s\n", dma ? "dma" : "pio",
				       kind_names[k], write ? "write" : "read", kind_sizes[k], nreq,
				       r / 10, r % 10);
			}
	}
	ata_set_mode_pio(false);

	printk("bench-disk: %-18s %10s %10s %8s\n", "MiB/s", "PIO", "DMA", "DMA/PIO");
	for (int write = 1; write >= 0; write--)
		for (int k = 0; k < BENCH_KINDS; k++) {
			char name[24];
			u32 p = rate[0][k][write], d = ata_dma_available() ? rate[1][k][write] : 0;
			snprintf(name, sizeof(name), "%s-%s %s", kind_names[k], write ? "write" : "read",
				 kind_sizes[k]);
			printk("bench-disk: %-18s %8u.%u %8u.%u %7u.%ux\n", name, p / 10, p % 10, d / 10,
			       d % 10, p ? d / p : 0, p ? d * 10 / p % 10 : 0);
		}
	for (int i = 0; i < BENCH_BATCH_PAGES; i++)
		free_pages_virt(b.sg[i].buf, 0);
	printk("bench-disk: done, %d errors\n", b.errors);
	qemu_exit(b.errors ? QEMU_EXIT_FAIL : QEMU_EXIT_PASS);
}
