/*
 * The swap area: the second IDE disk (primary slave, hdb), in Linux's swap
 * format, so `mkswap` on the host and `swap=format` here make the same
 * thing (seed 000 stages 3 and 4 write to it). mm/ reaches the disk only
 * through swap_io.h.
 *
 * Page 0 is the header: 1024 bytes of boot block, then version (1),
 * last_page, nr_badpages, a UUID, a label and the bad page list, and the
 * signature "SWAPSPACE2" in the page's last 10 bytes. Slot n is page n of
 * the disk; slot 0 (the header) and bad pages are never handed out.
 */
#ifndef MM_SWAPFILE_H
#define MM_SWAPFILE_H

#include <kernel/types.h>
#include <mm/swap_slots.h>

extern struct swap_area swap_area_main;
extern bool swap_enabled;

void swap_init(void);           /* at boot: find, check or format, enable */
u32 swap_total_pages(void);     /* usable slots (0 without swap) */
u32 swap_free_pages(void);

#endif
