/*
 * Synchronous reads and writes: submit a request whose done() completes a
 * completion on the caller's stack, and sleep on it. For callers in thread
 * context only (they sleep); no lock is held while sleeping.
 */
#include <drivers/ata/ata_channel.h>
#include <kernel/errno.h>

#define ATA_RW_MAX_SECTORS (0xFFFFFFFFu / ATA_SECTOR_SIZE)  /* one buffer's len fits in u32 */

/* complete() wakes under the completion's own lock, so the waiter's stack
 * frame (request and completion) stays valid until the waker is done. */
static void ata_sync_done(struct ata_request *r)
{
	complete(r->priv);
}

int ata_rw_sg(int drive, u64 lba, struct ata_sg *sg, u32 nsg, bool write)
{
	struct ata_request r = { 0 };
	struct completion c;
	u64 bytes = 0;
	int err;

	if (drive < 0 || drive >= ATA_MAX_DRIVES || !ata_devs[drive].present)
		return -ENODEV;
	if (!sg)
		return -EINVAL;
	for (u32 i = 0; i < nsg; i++)
		bytes += sg[i].len;
	r.drive = drive;
	r.lba = lba;
	r.nsect = (u32)(bytes / ATA_SECTOR_SIZE);
	r.sg = sg;
	r.nsg = nsg;
	r.write = write;
	r.done = ata_sync_done;
	r.priv = &c;
	completion_init(&c, "ata_rw");
	err = ata_submit(&r);
	if (err)
		return err;
	wait_for_completion(&c);
	return r.status;
}

int ata_rw(int drive, u64 lba, void *buf, u32 nsect, bool write)
{
	struct ata_sg sg = { buf, nsect * ATA_SECTOR_SIZE };

	if (nsect == 0 || nsect > ATA_RW_MAX_SECTORS)
		return -EINVAL;
	return ata_rw_sg(drive, lba, &sg, 1, write);
}
