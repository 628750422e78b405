/*
 * The swap disk's one door: every read and write of the swap device from
 * mm/ goes through here, and only swap_io.c knows which disk it is (the
 * primary slave, hdb) and how the disk driver is spoken to.
 *
 * Runs of slots, once swap is enabled: one request is one run of
 * contiguous slots and becomes one disk command (split only past the
 * command's limit); the pages need not be contiguous in memory (DMA
 * scatter-gather). Slot 0, the header, is refused.
 *
 * swap_io_submit() returns at once; done() is called when the disk has
 * finished (maybe in interrupt context: keep it short, wake someone). The
 * pages must stay allocated until then, which is also why a failed write
 * loses nothing: the data is still in them.
 *
 * The device itself, for swapfile.c before swap is enabled: its size, and
 * one page at a time by its index on the device (page 0 is the header).
 */
#ifndef MM_SWAP_IO_H
#define MM_SWAP_IO_H

#include <kernel/types.h>

#define SWAP_IO_MAX_PAGES 1024  /* 4 MiB per request */

struct page;
struct swap_io_req;             /* swap_io.c's: the disk request */

struct swap_io {
	struct page **pages;
	u32 npages;
	u32 slot;               /* first slot of the run */
	bool write;
	int status;             /* out: 0 or -EIO */
	u32 err_slot;           /* out: the slot that failed */
	void (*done)(struct swap_io *io);
	void *priv;
	/* private: allocated by swap_io_submit(), freed before done() */
	struct swap_io_req *req;
};

int swap_io_submit(struct swap_io *io);
/* The same, waiting for the result: 0 or -EIO (*err_slot says where). */
int swap_io_sync(struct page **pages, u32 npages, u32 slot, bool write, u32 *err_slot);

/* The swap device's size in bytes; 0 if there is no disk. */
u64 swap_dev_size(void);
/* Read or write page `index` of the device from or to buf (a page of
 * kernel memory), waiting for the disk: 0, or the driver's error (-EIO).
 * Works whether or not swap is enabled. */
int swap_dev_rw_page(u32 index, void *buf, bool write);

#endif
