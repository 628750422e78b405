/*
 * Page runs to and from swap slots, and the swap device's size and header
 * page (see swap_io.h). The disk driver's request and scatter-gather list
 * for a run are allocated together at submit and freed when the disk is
 * done, before the caller's done() runs (the driver does not touch a
 * request after its done(): ata.h).
 *
 * No lock of its own: a request belongs to the driver from submit to
 * done; swap_enabled and the slot count are set once, at boot.
 */
#include <mm/swap_io.h>
#include <mm/swapfile.h>
#include <mm/frame.h>
#include <mm/kmalloc.h>
#include <mm/vmstat.h>
#include <mm/reclaim_stats.h>
#include <drivers/ata/ata.h>
#include <kernel/waitqueue.h>
#include <kernel/sched.h>
#include <kernel/errno.h>
#include <kernel/printk.h>

#define SWAP_DRIVE 1            /* ata drive: primary slave (hdb) */
#define SECTORS_PER_PAGE (PAGE_SIZE / ATA_SECTOR_SIZE)

struct swap_io_req {
	struct ata_request ata;
	struct ata_sg sg[];     /* one per page of the run */
};

static void io_done(struct ata_request *r)
{
	struct swap_io *io = r->priv;

	io->status = r->status;
	count_vm_events(io->write ? SWAP_WRITE_CMDS : SWAP_READ_CMDS, r->commands);
	if (r->status)
		io->err_slot = (u32)(r->err_lba / SECTORS_PER_PAGE);
	else
		count_vm_events(io->write ? PSWPOUT : PSWPIN, io->npages);
	kfree(io->req);
	io->req = NULL;
	io->done(io);
}

int swap_io_submit(struct swap_io *io)
{
	struct swap_io_req *rq;

	if (!swap_enabled)
		return -ENODEV;
	if (io->npages == 0 || io->npages > SWAP_IO_MAX_PAGES || io->slot == 0 ||
	    io->slot + io->npages > swap_area_main.nslots)
		return -EINVAL;
	rq = kmalloc(sizeof(*rq) + io->npages * sizeof(rq->sg[0]));
	if (!rq)
		return -ENOMEM;
	for (u32 i = 0; i < io->npages; i++) {
		rq->sg[i].buf = page_address(io->pages[i]);
		rq->sg[i].len = PAGE_SIZE;
	}
	io->status = 0;
	io->req = rq;
	rq->ata = (struct ata_request){
		.drive = SWAP_DRIVE,
		.lba = (u64)io->slot * SECTORS_PER_PAGE,
		.nsect = io->npages * SECTORS_PER_PAGE,
		.sg = rq->sg,
		.nsg = io->npages,
		.write = io->write,
		.done = io_done,
		.priv = io,
	};
	int r = ata_submit(&rq->ata);
	if (r) {
		kfree(rq);
		io->req = NULL;
	}
	return r;
}

static void sync_done(struct swap_io *io)
{
	complete(io->priv);
}

int swap_io_sync(struct page **pages, u32 npages, u32 slot, bool write, u32 *err_slot)
{
	struct completion c;
	struct swap_io io = { .pages = pages, .npages = npages, .slot = slot, .write = write,
			      .done = sync_done, .priv = &c };
	int r;

	completion_init(&c, "swap_io");
	u64 t0 = rdtsc();
	r = swap_io_submit(&io);
	if (r)
		return r;
	wait_for_completion(&c);
	reclaim_pass_waited(PASS_WAIT_SWAP_IO, rdtsc() - t0); /* a kppsd pass's disk time, not its work */
	if (io.status && err_slot)
		*err_slot = io.err_slot;
	return io.status;
}

u64 swap_dev_size(void)
{
	return ata_sectors(SWAP_DRIVE) * ATA_SECTOR_SIZE;
}

int swap_dev_rw_page(u32 index, void *buf, bool write)
{
	return ata_rw(SWAP_DRIVE, (u64)index * SECTORS_PER_PAGE, buf, SECTORS_PER_PAGE, write);
}
