/*
 * The ATA disk driver's interface: the four IDE devices of a PIIX
 * controller (primary/secondary channel, master/slave), read and written by
 * requests that any CPU may submit.
 *
 * A request is one contiguous run of sectors and a list of buffers
 * (scatter-gather) that together hold exactly nsect * 512 bytes; the driver
 * turns it into as few disk commands as the command set allows (one per
 * 256 sectors with LBA28, per 65536 with LBA48, and for DMA as many sectors
 * as fit in one PRD table), retries failed commands a bounded number of
 * times, and reports the outcome in status/err_lba before calling done().
 *
 * Ownership: from ata_submit() until done() is called the request and its
 * buffers belong to the driver; the caller must not touch or free them.
 * done() runs once, possibly in interrupt context with no lock held, and may
 * submit another request; it must not sleep.
 */
#ifndef DRIVERS_ATA_ATA_H
#define DRIVERS_ATA_ATA_H

#include <kernel/types.h>
#include <kernel/list.h>

#define ATA_SECTOR_SIZE 512
#define ATA_MAX_DRIVES 4        /* hda hdb hdc hdd */

struct ata_sg {
	void *buf;      /* kernel virtual (direct map for DMA) */
	u32 len;        /* a multiple of 512 */
};

struct ata_request {
	int drive;                  /* 0..3: primary master, primary slave, secondary master, secondary slave */
	u64 lba;                    /* first sector */
	u32 nsect;                  /* sum of sg lens / 512 */
	struct ata_sg *sg;
	u32 nsg;
	bool write;
	int status;                 /* out: 0 or -EIO (or -EINVAL) */
	u64 err_lba;                /* out: failing sector when status != 0 */
	u32 commands;               /* out: disk commands it took, retries included */
	void (*done)(struct ata_request *r);   /* called once, maybe in interrupt context: keep it short */
	void *priv;

	/* Driver-private, valid between ata_submit() and done(). */
	struct list_head node;      /* channel queue, then its finished list */
	u32 done_sect;              /* sectors transferred by finished commands */
	u32 sg_idx, sg_off;         /* where the next command's data starts */
	u32 attempts;               /* failed attempts of the current command */
	bool dma_ok;                /* every buffer can be reached by bus-master DMA */
	bool pio_retry;             /* the current command's last retry runs in PIO */
};

int ata_submit(struct ata_request *r);                    /* async; 0 or -ENODEV/-EINVAL immediately */
int ata_rw(int drive, u64 lba, void *buf, u32 nsect, bool write);   /* sync, sleeps; 0 or -EIO */
int ata_rw_sg(int drive, u64 lba, struct ata_sg *sg, u32 nsg, bool write); /* sync */
u64 ata_sectors(int drive);                               /* 0 if no such disk */
const char *ata_model(int drive);                        /* NULL if no such disk */
void ata_init(void);        /* once from kmain, after the IOAPIC, IPIs and kmalloc, interrupts on */
void ata_set_mode_pio(bool pio);                          /* for the benchmark: switch at runtime */
bool ata_get_mode_pio(void);                              /* PIO now (ata=pio, no bus master, or set) */
bool ata_dma_available(void);                             /* a bus master was found */

struct ata_stats {
	u32 commands, sectors_read, sectors_written, errors, retries, timeouts;
};
void ata_get_stats(int drive, struct ata_stats *s);

/* bench=disk on the command line (drivers/ata/ata_bench.c). */
bool ata_bench_requested(void);
void ata_bench_thread(void *arg);

#endif
