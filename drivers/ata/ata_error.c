/*
 * When a command goes wrong: an error reported by the device (ERR, DF, a
 * bus-master error), or no interrupt within ata_timeout_ms.
 *
 * A failed command is printed (device, command, sectors, status and error
 * registers) and issued again, at most ATA_MAX_RETRIES more times; a
 * timeout or a device fault soft-resets the channel first. The last retry
 * of a multi-sector DMA command runs in PIO: QEMU's DMA (like many disks)
 * reports only where its transfer began, PIO stops at the bad sector
 * itself. When retries run out the request ends with -EIO and err_lba; a
 * failed write leaves the caller's buffer untouched (the driver only reads
 * from it).
 *
 * The watchdog is a kernel thread, not a timer hook: the reset it may do
 * waits for milliseconds, and an idle disk costs it nothing (it sleeps
 * until a channel is busy).
 *
 * Locks: everything but the watchdog's sleep runs under ch->lock.
 */
#include <drivers/ata/ata_channel.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/time.h>

struct waitqueue ata_watchdog_wq;
u32 ata_timeout_ms = ATA_TIMEOUT_MS;

/* Where the command stopped by our own count: a PIO read at the sector it
 * waits for, a PIO write at the last one sent; of DMA we only know the start. */
static u64 ata_progress_lba(struct ata_channel *ch)
{
	if (ch->cmd_dma)
		return ch->cmd_lba;
	return ch->cmd_lba + (ch->cur->write && ch->cmd_xfer ? ch->cmd_xfer - 1 : ch->cmd_xfer);
}

/* Where the device says the command failed, if that lies within it (after
 * an error the LBA registers hold the failing sector; QEMU's DMA reports
 * the start of the transfer it gave up on). */
static u64 ata_error_lba(struct ata_channel *ch)
{
	u64 lba;

	if (ch->cmd_ext) {
		outb(ch->ctrl, ATA_CTL_HOB);
		lba = (u64)inb(ch->base + ATA_REG_LBA0) << 24 |
		      (u64)inb(ch->base + ATA_REG_LBA1) << 32 |
		      (u64)inb(ch->base + ATA_REG_LBA2) << 40;
		outb(ch->ctrl, 0);
	} else {
		lba = (u64)(inb(ch->base + ATA_REG_DEVICE) & 0x0F) << 24;
	}
	lba |= inb(ch->base + ATA_REG_LBA0) | (u32)inb(ch->base + ATA_REG_LBA1) << 8 |
	       (u32)inb(ch->base + ATA_REG_LBA2) << 16;
	if (lba < ch->cmd_lba || lba >= ch->cmd_lba + ch->cmd_nsect)
		return ata_progress_lba(ch);
	return lba;
}

void ata_cmd_failed(struct ata_channel *ch, u8 status, bool timeout)
{
	struct ata_request *r = ch->cur;
	struct ata_device *d = ata_cur_dev(ch);
	u8 err = inb(ch->base + ATA_REG_ERROR);
	u64 at = timeout ? ata_progress_lba(ch) : ata_error_lba(ch);  /* no error: registers mean nothing */

	d->stats.errors++;
	if (timeout)
		d->stats.timeouts++;
	printk("ata: %s: %s at sector %llu (%u sectors) %s at sector %llu: status 0x%02x error 0x%02x, attempt %u of %u\n",
	       d->name, ata_cmd_name(ch->cmd_op), ch->cmd_lba, ch->cmd_nsect,
	       timeout ? "timed out" : "failed", at, status, err, r->attempts + 1, ATA_MAX_RETRIES + 1);
	if (ch->cmd_dma)
		ata_dma_stop(ch);
	if (timeout || (status & ATA_SR_DF))
		ata_soft_reset(ch);
	if (r->attempts < ATA_MAX_RETRIES) {
		r->attempts++;
		d->stats.retries++;
		if (r->attempts == ATA_MAX_RETRIES && ch->cmd_dma && ch->cmd_nsect > 1)
			r->pio_retry = true;
		ata_issue(ch);
		return;
	}
	printk("ata: %s: %s error at sector %llu, giving up: -EIO\n", d->name,
	       r->write ? "write" : "read", at);
	ata_finish(ch, -EIO, at);
}

/* Commands that never interrupt must not hang their callers: every
 * ATA_WATCHDOG_MS while some channel is busy, fail the overdue ones. */
void ata_watchdog(void *arg)
{
	for (;;) {
		wait_event(&ata_watchdog_wq, READ_ONCE(ata_chans[0].cur) || READ_ONCE(ata_chans[1].cur));
		sleep_ms(MIN(ATA_WATCHDOG_MS, READ_ONCE(ata_timeout_ms) / 2));
		for (int i = 0; i < ATA_CHANNELS; i++) {
			struct ata_channel *ch = &ata_chans[i];

			spin_lock(&ch->lock);
			if (ch->cur && uptime_ms() > ch->deadline_ms)
				ata_cmd_failed(ch, inb(ch->ctrl), true);
			spin_unlock(&ch->lock);
			ata_run_finished(ch);
		}
	}
}
