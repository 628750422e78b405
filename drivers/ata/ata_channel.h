/*
 * Inside the ATA driver: the channels, the devices, and the functions the
 * driver's files share. Not for users of the driver (they see ata.h).
 *
 * A channel (primary, secondary) is one set of task-file registers shared
 * by its two devices, so it runs one command at a time. Its state:
 *
 *   queue     requests waiting, oldest first
 *   cur       the request whose command is on the wire, or NULL
 *   cmd_*     that command: first sector, length, PIO progress, mode
 *   finished  requests done but whose done() has not run yet
 *
 * Invariants: cur != NULL exactly while a command has been issued and not
 * yet completed, failed or timed out; a request is on at most one of queue,
 * cur, finished; done() is called after the request leaves finished, with
 * no driver lock held, so it may submit again.
 *
 * Lock: ch->lock protects all of the above, the task-file and bus-master
 * registers of the channel and the stats of its two devices. It is taken
 * by submitters (any CPU), by the IRQ handler (CPU 0, where the IOAPIC
 * sends IRQ 14/15) and by the watchdog thread. Lock order: ch->lock, then a
 * wait queue's lock (waking the watchdog).
 */
#ifndef DRIVERS_ATA_ATA_CHANNEL_H
#define DRIVERS_ATA_ATA_CHANNEL_H

#include <drivers/ata/ata.h>
#include <drivers/ata/ata_regs.h>
#include <kernel/spinlock.h>
#include <kernel/waitqueue.h>
#include <arch/x86/cpu.h>

#define ATA_CHANNELS 2
#define ATA_MAX_RETRIES 3       /* a command is tried at most 1 + this many times */
#define ATA_TIMEOUT_MS 5000     /* a command taking longer has failed */
#define ATA_WATCHDOG_MS 250     /* how often the watchdog looks while busy */

struct ata_prd {
	u32 addr;               /* physical */
	u16 count;              /* bytes, 0 = 64 KiB */
	u16 flags;              /* PRD_EOT on the last entry */
} __packed;

#define ATA_PRD_ENTRIES (PRD_TABLE_SIZE / sizeof(struct ata_prd))

struct ata_channel;

struct ata_device {
	bool present;           /* an ATA disk answered IDENTIFY */
	bool lba48;
	bool slave;
	u64 sectors;
	char name[4];           /* "hda" .. "hdd" */
	char model[ATA_ID_MODEL_LEN + 1];
	struct ata_channel *ch;
	struct ata_stats stats; /* under ch->lock */
};

struct ata_channel {
	int index;
	u16 base, ctrl;         /* task file, device control / alternate status */
	u16 bm;                 /* bus-master registers, 0 if no DMA */
	int irq;
	struct spinlock lock;
	struct list_head queue;
	struct list_head finished;
	struct ata_request *cur;

	/* The command in flight (valid while cur != NULL). */
	u64 cmd_lba;
	u32 cmd_nsect;
	u32 cmd_xfer;           /* PIO: sectors moved so far */
	u32 pio_idx, pio_off;   /* PIO: where the next sector's data is */
	bool cmd_dma;
	bool cmd_ext;           /* LBA48 */
	u8 cmd_op;
	u64 deadline_ms;        /* uptime_ms() after which it has timed out */

	struct ata_prd *prdt;   /* one page, physically contiguous */
};

extern struct ata_device ata_devs[ATA_MAX_DRIVES];
extern struct ata_channel ata_chans[ATA_CHANNELS];
extern bool ata_pio_only;    /* ata=pio, no bus master, or the benchmark */
extern struct waitqueue ata_watchdog_wq;
/* For the ktests: the timeout (ATA_TIMEOUT_MS unless a test shortens it),
 * and a number of interrupts to swallow, as if they were lost. */
extern u32 ata_timeout_ms;
extern volatile u32 ata_drop_irqs;

static inline struct ata_device *ata_cur_dev(struct ata_channel *ch)
{
	return &ata_devs[ch->cur->drive];
}

/* ~400 ns: four reads of the alternate status, the time a device needs
 * after a select or a command before its status means anything. */
static inline void ata_delay400(struct ata_channel *ch)
{
	for (int i = 0; i < 4; i++)
		inb(ch->ctrl);
}

/* ata_probe.c */
bool ata_wait_status(struct ata_channel *ch, u8 mask, u8 want, u32 timeout_us, u8 *st);
void ata_soft_reset(struct ata_channel *ch);
const char *ata_cmd_name(u8 op);

/* ata_queue.c: under ch->lock, except ata_run_finished() */
void ata_issue(struct ata_channel *ch);
void ata_finish(struct ata_channel *ch, int status, u64 err_lba);
void ata_irq_locked(struct ata_channel *ch);
void ata_run_finished(struct ata_channel *ch);

/* ata_error.c */
void ata_cmd_failed(struct ata_channel *ch, u8 status, bool timeout);
void ata_watchdog(void *arg);

/* ata_pio.c: the data phase of PIO commands, one sector per interrupt. */
#define ATA_PIO_MORE 0          /* sector moved, more to come */
#define ATA_PIO_DONE 1          /* the command has completed */
#define ATA_PIO_PROTO (-1)      /* the device did not ask for data when it should */
int ata_pio_write_first(struct ata_channel *ch);
int ata_pio_intr(struct ata_channel *ch, u8 status);
void ata_insw(u16 port, void *buf, u32 words);

/* ata_dma.c */
u32 ata_dma_build_prdt(struct ata_channel *ch, struct ata_request *r, u32 nsect);
void ata_dma_setup(struct ata_channel *ch, bool write);
void ata_dma_start(struct ata_channel *ch);
u8 ata_dma_stop(struct ata_channel *ch);
bool ata_dma_reachable(const struct ata_sg *sg);

#endif
