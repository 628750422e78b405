/* Page runs to and from swap slots (see swap_io.h). */
#include <mm/swap_io.h>
#include <mm/swapfile.h>
#include <mm/frame.h>
#include <mm/kmalloc.h>
#include <mm/vmstat.h>
#include <kernel/waitqueue.h>
#include <kernel/sched.h>
#include <kernel/errno.h>
#include <kernel/printk.h>

static void io_done(struct ata_request *r)
{
	struct swap_io *io = r->priv;

	io->status = r->status;
	count_vm_events(io->write ? SWAP_WRITE_CMDS : SWAP_READ_CMDS, r->commands);
	if (r->status)
		io->err_slot = (u32)(r->err_lba / SECTORS_PER_PAGE);
	else
		count_vm_events(io->write ? PSWPOUT : PSWPIN, io->npages);
	kfree(io->sg);
	io->sg = NULL;
	io->done(io);
}

int swap_io_submit(struct swap_io *io)
{
	if (!swap_enabled)
		return -ENODEV;
	if (io->npages == 0 || io->npages > SWAP_IO_MAX_PAGES || io->slot == 0 ||
	    io->slot + io->npages > swap_area_main.nslots)
		return -EINVAL;
	io->sg = kmalloc(io->npages * sizeof(*io->sg));
	if (!io->sg)
		return -ENOMEM;
	for (u32 i = 0; i < io->npages; i++) {
		io->sg[i].buf = page_address(io->pages[i]);
		io->sg[i].len = PAGE_SIZE;
	}
	io->status = 0;
	io->req.drive = SWAP_DRIVE;
	io->req.lba = (u64)io->slot * SECTORS_PER_PAGE;
	io->req.nsect = io->npages * SECTORS_PER_PAGE;
	io->req.sg = io->sg;
	io->req.nsg = io->npages;
	io->req.write = io->write;
	io->req.done = io_done;
	io->req.priv = io;
	int r = ata_submit(&io->req);
	if (r) {
		kfree(io->sg);
		io->sg = NULL;
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
	r = swap_io_submit(&io);
	if (r)
		return r;
	wait_for_completion(&c);
	if (io.status && err_slot)
		*err_slot = io.err_slot;
	return io.status;
}
