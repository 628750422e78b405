/*
 * Enabling the swap area at boot (see swapfile.h).
 *
 * Every way the disk can be unfit has its own message and leaves the kernel
 * running without swap: no disk, a disk too small, an unreadable header,
 * no signature (use mkswap, or boot with swap=format), an old or unknown
 * version, a header that claims more pages than the disk holds, a bad page
 * list that does not fit. swap=format writes a fresh header over the whole
 * disk; swap=off ignores the disk.
 *
 * The disk is reached only through swap_io.h: its size and the header page
 * with swap_dev_size() and swap_dev_rw_page(), before swap is enabled.
 * No lock: swap_init() runs once, at boot, before anything uses swap;
 * swap_enabled and the area's size do not change after it.
 */
#include <mm/swapfile.h>
#include <mm/pps_age.h>
#include <mm/swap_io.h>
#include <mm/frame.h>
#include <kernel/cmdline.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/fs/procfs.h>
#include <arch/x86/tsc.h>
#include <arch/x86/pte.h>

#define SWAP_MAGIC "SWAPSPACE2"
#define SWAP_MAGIC_OLD "SWAP-SPACE"
#define MAGIC_OFF (PAGE_SIZE - 10)
#define SWAP_MIN_PAGES 10       /* as Linux's mkswap */
#define SWAP_MAX_BADPAGES ((MAGIC_OFF - 1536) / 4)

struct swap_header {
	char bootbits[1024];
	u32 version;
	u32 last_page;
	u32 nr_badpages;
	u8 uuid[16];
	char volume[16];
	u32 padding[117];
	u32 badpages[];
};

/* The layout is Linux's; every field is naturally aligned, no packing. */
_Static_assert(offsetof(struct swap_header, badpages) == 1536, "swap header layout");

struct swap_area swap_area_main;
bool swap_enabled;
static u32 usable_pages;

/* swap=: use hdb if it has a header; write a fresh header first; no swap. */
enum swap_mode { SWAP_MODE_ON, SWAP_MODE_FORMAT, SWAP_MODE_OFF, SWAP_NMODES };
static enum swap_mode swap_mode;
static const char *const swap_modes[] = {
	[SWAP_MODE_ON] = "on", [SWAP_MODE_FORMAT] = "format", [SWAP_MODE_OFF] = "off",
	[SWAP_NMODES] = NULL
};
_Static_assert(ARRAY_SIZE(swap_modes) == SWAP_NMODES + 1, "a name for every swap mode");
CMDLINE_PARAM_ENUM(swap, swap_mode, swap_modes,
		   "on: use hdb if it has a swap header; format: write a fresh one first; off: no swap");

/* Slots that went bad since boot (failed writes) are out of the total. */
u32 swap_total_pages(void) { return swap_enabled ? usable_pages - swap_area_main.nbad_later : 0; }
u32 swap_free_pages(void) { return swap_enabled ? swap_slots_free(&swap_area_main) : 0; }

static void format_header(struct swap_header *h, u32 pages)
{
	memset(h, 0, PAGE_SIZE);
	h->version = 1;
	h->last_page = pages - 1;
	h->nr_badpages = 0;
	/* A random (version 4) UUID, from the TSC through xorshift: unique
	 * enough to tell two formats apart. */
	u32 x = (u32)rdtsc_now() | 1;
	for (int i = 0; i < 16; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		h->uuid[i] = (u8)x;
	}
	h->uuid[6] = (h->uuid[6] & 0x0F) | 0x40;
	h->uuid[8] = (h->uuid[8] & 0x3F) | 0x80;
	strlcpy(h->volume, "ppsos-swap", sizeof(h->volume));
	memcpy((char *)h + MAGIC_OFF, SWAP_MAGIC, 10);
}

/* Why a header is unusable, or NULL if it is fine. */
static const char *check_header(struct swap_header *h, u32 disk_pages, char *why, u32 size)
{
	if (!memcmp((char *)h + MAGIC_OFF, SWAP_MAGIC_OLD, 10))
		return "an old version 0 swap header (SWAP-SPACE): run mkswap again";
	if (memcmp((char *)h + MAGIC_OFF, SWAP_MAGIC, 10))
		return "no swap signature (SWAPSPACE2): format the image with mkswap, or boot with swap=format";
	if (h->version != 1) {
		snprintf(why, size, "unsupported swap header version %u (only 1 is known)", h->version);
		return why;
	}
	if (h->last_page < SWAP_MIN_PAGES - 1) {
		snprintf(why, size, "a corrupt header: last_page %u is too small", h->last_page);
		return why;
	}
	if (h->last_page >= disk_pages) {
		snprintf(why, size, "a header that claims %u pages but the disk holds only %u: refused",
			 h->last_page + 1, disk_pages);
		return why;
	}
	if (h->nr_badpages > SWAP_MAX_BADPAGES) {
		snprintf(why, size, "a corrupt header: %u bad pages (at most %u fit)", h->nr_badpages,
			 SWAP_MAX_BADPAGES);
		return why;
	}
	return NULL;
}

static int show_swaps(struct seqbuf *sb, int pid)
{
	(void)pid;
	sb_printf(sb, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	if (swap_enabled)
		sb_printf(sb, "%-40s%s\t%u\t\t%u\t\t%d\n", "/dev/hdb", "partition",
			  swap_total_pages() * 4, (swap_total_pages() - swap_free_pages()) * 4, -2);
	return 0;
}

void swap_init(void)
{
	u64 size = swap_dev_size();
	u32 disk_pages, nslots;
	struct swap_header *h;
	char why[128];
	const char *bad;
	int err;

	procfs_register("swaps", false, show_swaps, NULL);
	if (swap_mode == SWAP_MODE_OFF) {
		printk("swap: off (swap=off)\n");
		return;
	}
	if (!size) {
		printk("swap: no disk at the primary slave (hdb): running without swap\n");
		return;
	}
	disk_pages = (u32)MIN(size / PAGE_SIZE, 0xFFFFFFFFu);
	if (disk_pages < SWAP_MIN_PAGES) {
		printk("swap: hdb is too small for swap (%u KiB, at least %u KiB needed): running without swap\n",
		       (u32)(size / 1024), SWAP_MIN_PAGES * 4);
		return;
	}
	h = alloc_pages_virt(0);
	if (!h) {
		printk("swap: no memory for the header: running without swap\n");
		return;
	}
	if (swap_mode == SWAP_MODE_FORMAT) {
		format_header(h, disk_pages);
		err = swap_dev_rw_page(0, h, true);
		if (err) {
			printk("swap: cannot write the swap header (error %d): running without swap\n", err);
			goto out;
		}
		printk("swap: formatted hdb (swap=format): %u pages\n", disk_pages);
	} else if ((err = swap_dev_rw_page(0, h, false))) {
		printk("swap: cannot read the swap header (error %d): running without swap\n", err);
		goto out;
	}
	bad = check_header(h, disk_pages, why, sizeof(why));
	if (bad) {
		printk("swap: hdb has %s; running without swap\n", bad);
		goto out;
	}
	nslots = h->last_page + 1;
	if (nslots > PTE_SWP_SLOTS) {
		/* A SwappedPTE has 20 bits of slot number: slot 2^20 would
		 * read back as slot 0, the header. */
		printk("swap: hdb has %u pages of swap, but a SwappedPTE holds slot numbers below %u: "
		       "using the first %u MiB\n", nslots, PTE_SWP_SLOTS, (PTE_SWP_SLOTS * 4) >> 10);
		nslots = PTE_SWP_SLOTS;
	}
	err = swap_area_init(&swap_area_main, nslots, h->badpages, h->nr_badpages);
	if (err) {
		printk("swap: no memory for the slot map (%u slots): running without swap\n", nslots);
		goto out;
	}
	usable_pages = swap_slots_free(&swap_area_main);
	pps_age_setup_slots(nslots); /* refault stamps (mm/pps_age.h) */
	swap_enabled = true;
	printk("swap: hdb: %u KiB of swap (%u pages, %u bad), label '%.16s'\n", usable_pages * 4,
	       h->last_page, h->nr_badpages, h->volume[0] ? h->volume : "");
out:
	free_pages_virt(h, 0);
}
