/*
 * PIO data transfer: the CPU moves every 16-bit word through the data
 * port. Slow (one port access per word), but it needs no bus master and
 * reaches any buffer, so it is the fallback and what `ata=pio` forces.
 *
 * Protocol, one sector per DRQ block (no READ/WRITE MULTIPLE):
 *   read:  the device interrupts when a sector is ready; the handler reads
 *          the status (acknowledging the interrupt), then the 256 words.
 *   write: the device raises DRQ without an interrupt for the first sector,
 *          which the issuer writes at once; after each sector it interrupts,
 *          and the handler writes the next, until the last interrupt, with
 *          DRQ clear, ends the command.
 *
 * Every request buffer is a multiple of 512 bytes, so a sector never
 * straddles two scatter-gather entries: the cursor (pio_idx, pio_off)
 * moves one whole sector at a time.
 *
 * Lock: all of this runs under ch->lock (see ata_channel.h).
 */
#include <drivers/ata/ata_channel.h>

#define ATA_SECTOR_WORDS (ATA_SECTOR_SIZE / 2)
#define ATA_DRQ_WAIT_US 10000   /* the first write sector: DRQ comes in microseconds */

void ata_insw(u16 port, void *buf, u32 words)
{
	__asm__ volatile("cld; rep insw" : "+D"(buf), "+c"(words) : "d"(port) : "memory");
}

static void ata_outsw(u16 port, const void *buf, u32 words)
{
	__asm__ volatile("cld; rep outsw" : "+S"(buf), "+c"(words) : "d"(port) : "memory");
}

/* The buffer of the next sector, and the cursor moved past it. */
static void *pio_next_sector(struct ata_channel *ch)
{
	struct ata_sg *sg = &ch->cur->sg[ch->pio_idx];
	void *p = (u8 *)sg->buf + ch->pio_off;

	ch->pio_off += ATA_SECTOR_SIZE;
	if (ch->pio_off == sg->len) {
		ch->pio_idx++;
		ch->pio_off = 0;
	}
	ch->cmd_xfer++;
	return p;
}

int ata_pio_write_first(struct ata_channel *ch)
{
	u8 st;

	if (!ata_wait_status(ch, ATA_SR_BSY | ATA_SR_DRQ, ATA_SR_DRQ, ATA_DRQ_WAIT_US, &st))
		return ATA_PIO_PROTO;
	ata_outsw(ch->base + ATA_REG_DATA, pio_next_sector(ch), ATA_SECTOR_WORDS);
	return ATA_PIO_MORE;
}

int ata_pio_intr(struct ata_channel *ch, u8 status)
{
	if (!ch->cur->write) {
		if (!(status & ATA_SR_DRQ))
			return ATA_PIO_PROTO;
		ata_insw(ch->base + ATA_REG_DATA, pio_next_sector(ch), ATA_SECTOR_WORDS);
		return ch->cmd_xfer == ch->cmd_nsect ? ATA_PIO_DONE : ATA_PIO_MORE;
	}
	/* A write: this interrupt says the last sector sent has been taken. */
	if (ch->cmd_xfer == ch->cmd_nsect)
		return ATA_PIO_DONE;
	if (!(status & ATA_SR_DRQ))
		return ATA_PIO_PROTO;
	ata_outsw(ch->base + ATA_REG_DATA, pio_next_sector(ch), ATA_SECTOR_WORDS);
	return ATA_PIO_MORE;
}
