/*
 * Moving pages between memory and a run of swap slots: the only door from
 * mm/ to the disk. One request is one run of contiguous slots and becomes
 * one disk command (split only past the command's limit); the pages need
 * not be contiguous in memory (DMA scatter-gather).
 *
 * swap_io_submit() returns at once; done() is called when the disk has
 * finished (maybe in interrupt context: keep it short, wake someone). The
 * pages must stay allocated until then, which is also why a failed write
 * loses nothing: the data is still in them.
 */
#ifndef MM_SWAP_IO_H
#define MM_SWAP_IO_H

#include <kernel/types.h>
#include <drivers/ata/ata.h>

#define SWAP_IO_MAX_PAGES 1024  /* 4 MiB per request */

struct page;

struct swap_io {
	struct page **pages;
	u32 npages;
	u32 slot;               /* first slot of the run */
	bool write;
	int status;             /* out: 0 or -EIO */
	u32 err_slot;           /* out: the slot that failed */
	void (*done)(struct swap_io *io);
	void *priv;
	/* private */
	struct ata_request req;
	struct ata_sg *sg;
};

int swap_io_submit(struct swap_io *io);
/* The same, waiting for the result: 0 or -EIO (*err_slot says where). */
int swap_io_sync(struct page **pages, u32 npages, u32 slot, bool write, u32 *err_slot);

#endif
