/*
 * The request queue of each channel: submission from any CPU, issuing one
 * command at a time, completion in the interrupt handler. Errors and
 * timeouts are in ata_error.c, the synchronous wrappers in ata_sync.c.
 *
 * Life of a request: ata_submit() checks it and queues it; when the channel
 * is idle ata_start_next() makes it cur and ata_issue() sends its first
 * command: as many sectors as one command may carry (256 for LBA28, 65536
 * for LBA48, for DMA what one PRD table holds), never one per page. Each
 * completion moves the request's cursor on and issues the next command
 * until all its sectors are done; then it goes to the finished list and
 * the next queued request starts at once, still under the lock, so the disk
 * never waits for a callback.
 *
 * A failed or overdue command goes to ata_cmd_failed() (ata_error.c), which
 * retries it through ata_issue() or ends the request with ata_finish().
 *
 * Locks: ch->lock (see ata_channel.h); done() runs after it is dropped, in
 * ata_run_finished().
 */
#include <drivers/ata/ata_channel.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/time.h>

volatile u32 ata_drop_irqs;

/* Take the next queued request if the channel is idle. */
static void ata_start_next(struct ata_channel *ch)
{
	if (ch->cur || list_empty(&ch->queue))
		return;
	ch->cur = list_first_entry(&ch->queue, struct ata_request, node);
	list_del(&ch->cur->node);
	ata_issue(ch);
	wake_up(&ata_watchdog_wq);
}

/* The current request is over: park it for its callback, start the next. */
void ata_finish(struct ata_channel *ch, int status, u64 err_lba)
{
	struct ata_request *r = ch->cur;

	r->status = status;
	r->err_lba = err_lba;
	list_add_tail(&r->node, &ch->finished);
	ch->cur = NULL;
	ata_start_next(ch);
}

/* Call done() of every finished request, outside the lock. */
void ata_run_finished(struct ata_channel *ch)
{
	for (;;) {
		struct ata_request *r;

		spin_lock(&ch->lock);
		if (list_empty(&ch->finished)) {
			spin_unlock(&ch->lock);
			return;
		}
		r = list_first_entry(&ch->finished, struct ata_request, node);
		list_del(&r->node);
		spin_unlock(&ch->lock);
		r->done(r);     /* may free r: not touched again */
	}
}

/* Write the task file for the command in ch->cmd_* and the device. */
static void ata_write_taskfile(struct ata_channel *ch, struct ata_device *d)
{
	u64 lba = ch->cmd_lba;
	u8 dev = ATA_DEV_OBS | ATA_DEV_LBA | (d->slave ? ATA_DEV_SLAVE : 0);

	if (ch->cmd_ext) {
		/* LBA48: the high-order bytes first, each register is a FIFO of two. */
		outb(ch->base + ATA_REG_DEVICE, dev);
		ata_delay400(ch);
		outb(ch->base + ATA_REG_NSECT, (u8)(ch->cmd_nsect >> 8));
		outb(ch->base + ATA_REG_LBA0, (u8)(lba >> 24));
		outb(ch->base + ATA_REG_LBA1, (u8)(lba >> 32));
		outb(ch->base + ATA_REG_LBA2, (u8)(lba >> 40));
	} else {
		outb(ch->base + ATA_REG_DEVICE, dev | (u8)((lba >> 24) & 0x0F));
		ata_delay400(ch);
	}
	outb(ch->base + ATA_REG_NSECT, (u8)ch->cmd_nsect);     /* 0 means the maximum */
	outb(ch->base + ATA_REG_LBA0, (u8)lba);
	outb(ch->base + ATA_REG_LBA1, (u8)(lba >> 8));
	outb(ch->base + ATA_REG_LBA2, (u8)(lba >> 16));
}

static u8 ata_opcode(bool write, bool dma, bool ext)
{
	if (dma)
		return write ? (ext ? ATA_CMD_WRITE_DMA_EXT : ATA_CMD_WRITE_DMA)
			     : (ext ? ATA_CMD_READ_DMA_EXT : ATA_CMD_READ_DMA);
	return write ? (ext ? ATA_CMD_WRITE_PIO_EXT : ATA_CMD_WRITE_PIO)
		     : (ext ? ATA_CMD_READ_PIO_EXT : ATA_CMD_READ_PIO);
}

/* A device still busy before a command is in trouble: the command is not
 * sent and the watchdog's timeout resets the channel and retries. Failing
 * here instead would recurse (issue, fail, retry, issue...) once per queued
 * request with a dead disk. */
#define ATA_READY_WAIT_US 1000

/* Send the next command of ch->cur, starting at its cursor. */
void ata_issue(struct ata_channel *ch)
{
	struct ata_request *r = ch->cur;
	struct ata_device *d = ata_cur_dev(ch);
	u32 limit = d->lba48 ? ATA_LBA48_MAX_SECTORS : ATA_LBA28_MAX_SECTORS;
	u8 st;

	ch->cmd_lba = r->lba + r->done_sect;
	ch->cmd_nsect = MIN(r->nsect - r->done_sect, limit);
	ch->cmd_xfer = 0;
	ch->pio_idx = r->sg_idx;
	ch->pio_off = r->sg_off;
	ch->cmd_dma = ch->bm && ch->prdt && r->dma_ok && !READ_ONCE(ata_pio_only) && !r->pio_retry;
	if (ch->cmd_dma) {
		u32 n = ata_dma_build_prdt(ch, r, ch->cmd_nsect);
		if (n)
			ch->cmd_nsect = n;
		else
			ch->cmd_dma = false;
	}
	ch->cmd_ext = d->lba48 && (ch->cmd_nsect > ATA_LBA28_MAX_SECTORS ||
				   ch->cmd_lba + ch->cmd_nsect > ATA_LBA28_LIMIT);
	ch->cmd_op = ata_opcode(r->write, ch->cmd_dma, ch->cmd_ext);
	ch->deadline_ms = uptime_ms() + READ_ONCE(ata_timeout_ms);
	d->stats.commands++;
	r->commands++;

	if (!ata_wait_status(ch, ATA_SR_BSY, 0, ATA_READY_WAIT_US, &st))
		return;
	ata_write_taskfile(ch, d);
	if (ch->cmd_dma)
		ata_dma_setup(ch, r->write);
	outb(ch->base + ATA_REG_COMMAND, ch->cmd_op);
	if (ch->cmd_dma)
		ata_dma_start(ch);
	else if (r->write)
		ata_pio_write_first(ch);        /* no DRQ: the watchdog will see */
}

/* The command finished well: move the request on. */
static void ata_cmd_done(struct ata_channel *ch)
{
	struct ata_request *r = ch->cur;
	struct ata_device *d = ata_cur_dev(ch);
	u32 bytes = ch->cmd_nsect * ATA_SECTOR_SIZE;

	if (r->write)
		d->stats.sectors_written += ch->cmd_nsect;
	else
		d->stats.sectors_read += ch->cmd_nsect;
	r->done_sect += ch->cmd_nsect;
	while (bytes) {
		u32 step = MIN(bytes, r->sg[r->sg_idx].len - r->sg_off);
		bytes -= step;
		r->sg_off += step;
		if (r->sg_off == r->sg[r->sg_idx].len) {
			r->sg_idx++;
			r->sg_off = 0;
		}
	}
	r->attempts = 0;
	r->pio_retry = false;
	if (r->done_sect == r->nsect)
		ata_finish(ch, 0, 0);
	else
		ata_issue(ch);
}

/* The channel interrupted. Reading the status register acknowledges it, so
 * every path reads it: with the edge-triggered ISA line a left-over request
 * would otherwise hide every later one. */
void ata_irq_locked(struct ata_channel *ch)
{
	u8 st, bms = 0;

	if (!ch->cur) {
		inb(ch->base + ATA_REG_STATUS);
		return;         /* spurious, or late after a timeout */
	}
	if (READ_ONCE(ata_drop_irqs)) {
		atomic_dec(&ata_drop_irqs);
		inb(ch->base + ATA_REG_STATUS);
		return;         /* a test pretends this one was lost */
	}
	if (ch->cmd_dma) {
		bms = inb(ch->bm + BM_REG_STATUS);
		if (!(bms & BM_SR_INTR)) {
			inb(ch->base + ATA_REG_STATUS);
			return;
		}
		st = inb(ch->base + ATA_REG_STATUS);
		if (st & ATA_SR_BSY)
			return;
		ata_dma_stop(ch);
		if ((st & (ATA_SR_ERR | ATA_SR_DF)) || (bms & BM_SR_ERR))
			ata_cmd_failed(ch, st, false);
		else
			ata_cmd_done(ch);
		return;
	}
	st = inb(ch->base + ATA_REG_STATUS);
	if (st & ATA_SR_BSY)
		return;
	if (st & (ATA_SR_ERR | ATA_SR_DF)) {
		ata_cmd_failed(ch, st, false);
		return;
	}
	switch (ata_pio_intr(ch, st)) {
	case ATA_PIO_DONE:
		ata_cmd_done(ch);
		break;
	case ATA_PIO_PROTO:
		ata_cmd_failed(ch, st, false);
		break;
	}
}

int ata_submit(struct ata_request *r)
{
	struct ata_device *d;
	struct ata_channel *ch;
	u64 bytes = 0;

	if (r->drive < 0 || r->drive >= ATA_MAX_DRIVES || !ata_devs[r->drive].present)
		return -ENODEV;
	d = &ata_devs[r->drive];
	if (!r->sg || !r->nsg || !r->nsect || !r->done)
		return -EINVAL;
	r->dma_ok = true;
	for (u32 i = 0; i < r->nsg; i++) {
		if (!r->sg[i].buf || !r->sg[i].len || r->sg[i].len % ATA_SECTOR_SIZE)
			return -EINVAL;
		bytes += r->sg[i].len;
		r->dma_ok &= ata_dma_reachable(&r->sg[i]);
	}
	if (bytes != (u64)r->nsect * ATA_SECTOR_SIZE || r->lba > d->sectors ||
	    r->nsect > d->sectors - r->lba)
		return -EINVAL;
	r->status = 0;
	r->err_lba = 0;
	r->done_sect = 0;
	r->sg_idx = 0;
	r->sg_off = 0;
	r->attempts = 0;
	r->pio_retry = false;
	r->commands = 0;

	ch = d->ch;
	spin_lock(&ch->lock);
	list_add_tail(&r->node, &ch->queue);
	ata_start_next(ch);
	spin_unlock(&ch->lock);
	return 0;
}
