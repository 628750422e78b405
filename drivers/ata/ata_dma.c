/*
 * Bus-master DMA (PIIX "IDE bus master"): the controller moves the data
 * itself, following a PRD table, a list of physically contiguous regions,
 * and interrupts once at the end of the whole command. One command can
 * then carry a whole run of sectors scattered over many pages with a single
 * interrupt, where PIO takes one interrupt and 256 port reads per sector.
 *
 * Rules of the PRD table: entries are word aligned, a region may not cross
 * a 64 KiB physical boundary, the table itself is one page here (so it
 * never crosses 64 KiB either, and QEMU reads no more than a page of it).
 * A command therefore carries at most ATA_PRD_ENTRIES regions: with 4 KiB
 * pages that is 2 MiB; with larger contiguous buffers up to the 65536
 * sectors of an LBA48 command. Physical address = V2P(buffer): DMA buffers
 * must lie in the direct map, which ata_dma_reachable() checks at submit.
 *
 * Lock: ch->lock, for the channel's PRD table and bus-master registers.
 */
#include <drivers/ata/ata_channel.h>
#include <arch/x86/memlayout.h>
#include <mm/frame.h>

#define ATA_DMA_ALIGN 4         /* PRD addresses: word aligned; we ask for dwords */

bool ata_dma_reachable(const struct ata_sg *sg)
{
	uintptr_t va = (uintptr_t)sg->buf;
	u64 ram_end = (u64)KERNEL_BASE + MIN((u64)max_pfn << PAGE_SHIFT, (u64)DIRECT_MAP_MAX);

	return va >= KERNEL_BASE && (u64)va + sg->len <= ram_end && !(va & (ATA_DMA_ALIGN - 1));
}

/* Fill the PRD table for up to nsect sectors of the current request from
 * its sg cursor; returns how many sectors it covers (fewer when the table
 * fills up first). */
u32 ata_dma_build_prdt(struct ata_channel *ch, struct ata_request *r, u32 nsect)
{
	struct ata_prd *p = ch->prdt;
	u32 want = nsect * ATA_SECTOR_SIZE, bytes = 0, n = 0;
	u32 idx = r->sg_idx, off = r->sg_off;

	while (bytes < want && n < ATA_PRD_ENTRIES) {
		phys_addr_t pa = V2P(r->sg[idx].buf) + off;
		u32 chunk = MIN(r->sg[idx].len - off, want - bytes);

		chunk = MIN(chunk, PRD_BOUNDARY - (pa & (PRD_BOUNDARY - 1)));
		p[n].addr = pa;
		p[n].count = (u16)chunk;        /* 65536 becomes 0, which means 64 KiB */
		p[n].flags = 0;
		n++;
		bytes += chunk;
		off += chunk;
		if (off == r->sg[idx].len) {
			idx++;
			off = 0;
		}
	}
	/* The table filled up in the middle of a sector: end it on a sector
	 * boundary, the command's unit. */
	while (bytes % ATA_SECTOR_SIZE) {
		u32 extra = bytes % ATA_SECTOR_SIZE;
		u32 last = p[n - 1].count ? p[n - 1].count : PRD_BOUNDARY;

		if (last <= extra) {
			n--;
			bytes -= last;
		} else {
			p[n - 1].count = (u16)(last - extra);
			bytes -= extra;
		}
	}
	if (n)
		p[n - 1].flags = PRD_EOT;
	return bytes / ATA_SECTOR_SIZE;
}

/* Before the ATA command: table, direction, stale status bits cleared. */
void ata_dma_setup(struct ata_channel *ch, bool write)
{
	u8 st;

	outb(ch->bm + BM_REG_CMD, 0);
	outl(ch->bm + BM_REG_PRDT, V2P(ch->prdt));
	outb(ch->bm + BM_REG_CMD, write ? 0 : BM_CMD_TO_MEMORY);
	st = inb(ch->bm + BM_REG_STATUS);
	outb(ch->bm + BM_REG_STATUS, st | BM_SR_INTR | BM_SR_ERR);
}

/* After the ATA command: let the engine go. */
void ata_dma_start(struct ata_channel *ch)
{
	outb(ch->bm + BM_REG_CMD, inb(ch->bm + BM_REG_CMD) | BM_CMD_START);
}

/* Stop the engine and clear its interrupt and error bits; returns the
 * status it had. */
u8 ata_dma_stop(struct ata_channel *ch)
{
	u8 st = inb(ch->bm + BM_REG_STATUS);

	outb(ch->bm + BM_REG_CMD, inb(ch->bm + BM_REG_CMD) & ~BM_CMD_START);
	outb(ch->bm + BM_REG_STATUS, st | BM_SR_INTR | BM_SR_ERR);
	return st;
}
