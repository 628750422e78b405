/*
 * Finding the disks: the PCI IDE controller and its bus master, IDENTIFY
 * on each of the four device positions, the interrupt routing, and the
 * small helpers the rest of the driver shares (status polling, channel
 * reset, command names, per-drive accessors).
 *
 * Probing runs once from ata_init(), before any request can exist, with
 * device interrupts masked (nIEN) and polled status, so nothing is left
 * pending on the edge-triggered IRQ line when it is routed. ATAPI devices
 * (the CD-ROM of a GRUB ISO boot) refuse IDENTIFY and leave their
 * signature: they are named and skipped.
 *
 * Locks: none during ata_init(); afterwards ata_devs[] is read-only except
 * for the stats, which are under their channel's lock.
 */
#include <drivers/ata/ata_channel.h>
#include <drivers/pci.h>
#include <kernel/cmdline.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <arch/x86/ioapic.h>
#include <arch/x86/trap.h>
#include <arch/x86/tsc.h>
#include <mm/frame.h>

#define ATA_BM_BAR 4                    /* PIIX: bus master registers in BAR4 */
#define ATA_POLL_STEP_US 1
#define ATA_IDENTIFY_TIMEOUT_US 1000000
#define ATA_RESET_PULSE_US 5            /* SRST held at least 5 us */
#define ATA_RESET_SETTLE_US 2000        /* and BSY valid 2 ms after */
#define ATA_RESET_TIMEOUT_US 100000     /* under the channel lock: keep it short */
#define SECTORS_PER_MIB (1024 * 1024 / ATA_SECTOR_SIZE)

struct ata_device ata_devs[ATA_MAX_DRIVES];
struct ata_channel ata_chans[ATA_CHANNELS];
bool ata_pio_only;
static bool ata_have_bm;
static u16 ata_id_buf[ATA_ID_WORDS];   /* IDENTIFY data, used only while probing */

static int ata_mode;                    /* index in ata_modes */
enum { ATA_MODE_DMA, ATA_MODE_PIO };
static const char *const ata_modes[] = { "dma", "pio", NULL };
CMDLINE_PARAM_ENUM(ata, ata_mode, ata_modes, "disk transfers: dma (bus master, default) or pio");

/* Poll the alternate status (no interrupt acknowledge) until the bits in
 * mask equal want; false on timeout, or at once when the device reports an
 * error the caller is not waiting for. */
bool ata_wait_status(struct ata_channel *ch, u8 mask, u8 want, u32 timeout_us, u8 *st)
{
	for (u32 t = 0;; t += ATA_POLL_STEP_US) {
		*st = inb(ch->ctrl);
		if ((*st & mask) == want)
			return true;
		if (!(*st & ATA_SR_BSY) && (*st & (ATA_SR_ERR | ATA_SR_DF)) && !(mask & ATA_SR_ERR))
			return false;
		if (t >= timeout_us)
			return false;
		udelay(ATA_POLL_STEP_US);
	}
}

/* Pulse SRST: both devices of the channel abandon whatever they were doing. */
void ata_soft_reset(struct ata_channel *ch)
{
	u8 st;

	outb(ch->ctrl, ATA_CTL_SRST);
	udelay(ATA_RESET_PULSE_US);
	outb(ch->ctrl, 0);
	udelay(ATA_RESET_SETTLE_US);
	if (!ata_wait_status(ch, ATA_SR_BSY, 0, ATA_RESET_TIMEOUT_US, &st))
		printk("ata: channel %d still busy after reset (status 0x%02x)\n", ch->index, st);
	inb(ch->base + ATA_REG_STATUS);
}

const char *ata_cmd_name(u8 op)
{
	switch (op) {
	case ATA_CMD_READ_PIO: return "READ SECTORS";
	case ATA_CMD_READ_PIO_EXT: return "READ SECTORS EXT";
	case ATA_CMD_READ_DMA: return "READ DMA";
	case ATA_CMD_READ_DMA_EXT: return "READ DMA EXT";
	case ATA_CMD_WRITE_PIO: return "WRITE SECTORS";
	case ATA_CMD_WRITE_PIO_EXT: return "WRITE SECTORS EXT";
	case ATA_CMD_WRITE_DMA: return "WRITE DMA";
	case ATA_CMD_WRITE_DMA_EXT: return "WRITE DMA EXT";
	case ATA_CMD_IDENTIFY: return "IDENTIFY";
	}
	return "command";
}

/* IDENTIFY strings hold two characters per word, high byte first. */
static void ata_id_string(const u16 *id, int word, int len, char *out)
{
	for (int i = 0; i < len / 2; i++) {
		out[2 * i] = (char)(id[word + i] >> 8);
		out[2 * i + 1] = (char)id[word + i];
	}
	out[len] = 0;
	for (int i = len - 1; i >= 0 && (out[i] == ' ' || out[i] == 0); i--)
		out[i] = 0;
}

enum ata_probe_result { PROBE_NONE, PROBE_ATA, PROBE_ATAPI, PROBE_FAILED };

static enum ata_probe_result ata_identify(struct ata_device *d, u16 *id)
{
	struct ata_channel *ch = d->ch;
	u8 st;

	outb(ch->base + ATA_REG_DEVICE, ATA_DEV_OBS | (d->slave ? ATA_DEV_SLAVE : 0));
	ata_delay400(ch);
	outb(ch->base + ATA_REG_NSECT, 0);
	outb(ch->base + ATA_REG_LBA0, 0);
	outb(ch->base + ATA_REG_LBA1, 0);
	outb(ch->base + ATA_REG_LBA2, 0);
	outb(ch->base + ATA_REG_COMMAND, ATA_CMD_IDENTIFY);
	ata_delay400(ch);
	st = inb(ch->base + ATA_REG_STATUS);
	if (st == 0 || st == ATA_SR_FLOATING)
		return PROBE_NONE;
	if (!ata_wait_status(ch, ATA_SR_BSY, 0, ATA_IDENTIFY_TIMEOUT_US, &st))
		return PROBE_FAILED;
	if (inb(ch->base + ATA_REG_LBA1) == ATAPI_SIG_LBA1 && inb(ch->base + ATA_REG_LBA2) == ATAPI_SIG_LBA2) {
		inb(ch->base + ATA_REG_STATUS);
		return PROBE_ATAPI;
	}
	/* An aborted IDENTIFY without a signature: nothing there (QEMU answers
	 * for a missing master this way when a slave exists). */
	if (st & ATA_SR_ERR) {
		inb(ch->base + ATA_REG_STATUS);
		return PROBE_NONE;
	}
	if (!ata_wait_status(ch, ATA_SR_DRQ, ATA_SR_DRQ, ATA_IDENTIFY_TIMEOUT_US, &st)) {
		inb(ch->base + ATA_REG_STATUS);
		return PROBE_FAILED;
	}
	ata_insw(ch->base + ATA_REG_DATA, id, ATA_ID_WORDS);
	inb(ch->base + ATA_REG_STATUS);
	return PROBE_ATA;
}

static void ata_probe_device(struct ata_device *d, u16 *id)
{
	switch (ata_identify(d, id)) {
	case PROBE_NONE:
		return;
	case PROBE_ATAPI:
		printk("ata: %s: ATAPI device (CD-ROM), skipped\n", d->name);
		return;
	case PROBE_FAILED:
		printk("ata: %s: IDENTIFY failed, skipped\n", d->name);
		return;
	case PROBE_ATA:
		break;
	}
	if (!(id[ATA_ID_CAPS] & ATA_ID_CAPS_LBA)) {
		printk("ata: %s: no LBA support, skipped\n", d->name);
		return;
	}
	ata_id_string(id, ATA_ID_MODEL, ATA_ID_MODEL_LEN, d->model);
	d->lba48 = id[ATA_ID_CMDSET2] & ATA_ID_CMDSET2_LBA48;
	if (d->lba48)
		d->sectors = (u64)id[ATA_ID_LBA48_SECTORS] | (u64)id[ATA_ID_LBA48_SECTORS + 1] << 16 |
			     (u64)id[ATA_ID_LBA48_SECTORS + 2] << 32 | (u64)id[ATA_ID_LBA48_SECTORS + 3] << 48;
	if (!d->sectors)        /* no LBA48, or a disk that left its count empty */
		d->sectors = (u32)id[ATA_ID_LBA28_SECTORS] | (u32)id[ATA_ID_LBA28_SECTORS + 1] << 16;
	d->present = d->sectors != 0;
}

static void ata_irq(struct trapframe *tf)
{
	struct ata_channel *ch = &ata_chans[tf->vector == IRQ_BASE + ATA_PRIMARY_IRQ ? 0 : 1];

	spin_lock(&ch->lock);
	ata_irq_locked(ch);
	spin_unlock(&ch->lock);
	ata_run_finished(ch);
}

static void ata_channel_init(struct ata_channel *ch, int index, u16 base, u16 ctrl, int irq, u16 bm)
{
	ch->index = index;
	ch->base = base;
	ch->ctrl = ctrl;
	ch->irq = irq;
	ch->bm = bm;
	spin_init(&ch->lock, index ? "ata1" : "ata0");
	list_init(&ch->queue);
	list_init(&ch->finished);
}

/* Find the PIIX IDE function and its bus master; 0 if there is none. */
static u16 ata_find_bus_master(void)
{
	struct pci_dev pci;
	u16 bm;

	if (!pci_find_class(PCI_CLASS_STORAGE, PCI_SUBCLASS_IDE, &pci))
		return 0;
	bm = pci_bar_io(&pci, ATA_BM_BAR);
	if (bm)
		pci_enable_bus_master(&pci);
	return bm;
}

void ata_init(void)
{
	u16 bm = ata_find_bus_master();
	bool any = false;

	if (bm)
		printk("ata: bus master at 0x%x\n", bm);
	else
		printk("ata: no bus master, PIO only\n");
	ata_have_bm = bm != 0;
	ata_pio_only = !bm || ata_mode == ATA_MODE_PIO;
	ata_channel_init(&ata_chans[0], 0, ATA_PRIMARY_BASE, ATA_PRIMARY_CTRL, ATA_PRIMARY_IRQ, bm);
	ata_channel_init(&ata_chans[1], 1, ATA_SECONDARY_BASE, ATA_SECONDARY_CTRL, ATA_SECONDARY_IRQ,
			 bm ? bm + BM_CHANNEL_STRIDE : 0);
	waitqueue_init(&ata_watchdog_wq, "ata_watchdog");

	for (int i = 0; i < ATA_MAX_DRIVES; i++) {
		struct ata_device *d = &ata_devs[i];
		struct ata_channel *ch = &ata_chans[i / 2];

		d->ch = ch;
		d->slave = i & 1;
		d->name[0] = 'h';
		d->name[1] = 'd';
		d->name[2] = (char)('a' + i);
		outb(ch->ctrl, ATA_CTL_NIEN);
		if (inb(ch->ctrl) == ATA_SR_FLOATING)
			continue;       /* no device drives this channel */
		ata_probe_device(d, ata_id_buf);
	}

	for (int c = 0; c < ATA_CHANNELS; c++) {
		struct ata_channel *ch = &ata_chans[c];
		if (!ata_devs[2 * c].present && !ata_devs[2 * c + 1].present)
			continue;
		any = true;
		if (ch->bm && !(ch->prdt = alloc_pages_virt(0)))
			printk("ata: channel %d: no memory for a PRD table, PIO only\n", c);
		trap_set_handler(IRQ_BASE + ch->irq, ata_irq);
		ioapic_route_isa(ch->irq, IRQ_BASE + ch->irq, 0);
		inb(ch->base + ATA_REG_STATUS);
		outb(ch->ctrl, 0);      /* device interrupts on */
	}
	for (int i = 0; i < ATA_MAX_DRIVES; i++) {
		struct ata_device *d = &ata_devs[i];
		if (!d->present)
			continue;
		printk("ata: %s: %s, %llu sectors (%llu MiB), %s, %s\n", d->name, d->model, d->sectors,
		       d->sectors / SECTORS_PER_MIB, d->lba48 ? "LBA48" : "LBA28",
		       ata_pio_only || !d->ch->prdt ? (ata_mode == ATA_MODE_PIO ? "PIO (ata=pio)" : "PIO") : "DMA");
	}
	if (any)
		kthread_run(ata_watchdog, NULL, "ata_watchdog");
	else
		printk("ata: no ATA disks\n");
}

/* ---- accessors -------------------------------------------------------- */

u64 ata_sectors(int drive)
{
	if (drive < 0 || drive >= ATA_MAX_DRIVES || !ata_devs[drive].present)
		return 0;
	return ata_devs[drive].sectors;
}

const char *ata_model(int drive)
{
	if (drive < 0 || drive >= ATA_MAX_DRIVES || !ata_devs[drive].present)
		return NULL;
	return ata_devs[drive].model;
}

void ata_set_mode_pio(bool pio)
{
	WRITE_ONCE(ata_pio_only, pio || !ata_have_bm);
}

bool ata_get_mode_pio(void)
{
	return READ_ONCE(ata_pio_only);
}

bool ata_dma_available(void)
{
	return ata_have_bm;
}

void ata_get_stats(int drive, struct ata_stats *s)
{
	struct ata_channel *ch;

	memset(s, 0, sizeof(*s));
	if (drive < 0 || drive >= ATA_MAX_DRIVES || !ata_devs[drive].present)
		return;
	ch = ata_devs[drive].ch;
	spin_lock(&ch->lock);
	*s = ata_devs[drive].stats;
	spin_unlock(&ch->lock);
}
