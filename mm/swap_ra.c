/*
 * The adaptive read-ahead window of each VMA (see swap_ra.h).
 */
#include <mm/swap_ra.h>
#include <mm/mm.h>
#include <mm/pps.h>
#include <mm/vmstat.h>
#include <kernel/cmdline.h>
#include <kernel/lock_assert.h>
#include <kernel/printk.h>

u32 swap_readahead_window = PPS_SERIES_MAX;
CMDLINE_PARAM_UINT(swap_ra, swap_readahead_window, 1, PPS_SERIES_MAX,
		   "largest window of a swap-in's read-ahead in its VMA (1: none)");

/* inline: lab 5's student tree may not call it yet (no unused warning) */
static inline u32 roundup_pow2(u32 n)
{
	u32 p = 1;
	while (p < n)
		p <<= 1;
	return p;
}

u32 swap_ra_window(struct vma *v, u32 va)
{
	struct swap_ra *ra = &v->ra;
	u32 win, page = va & ~(PAGE_SIZE - 1);

	ASSERT_HELD(&v->mm->page_table_lock);
	// LAB 5 BEGIN: the window from the last one's hits and this fault's distance to the last
	/* Most of the last window used: a sweep, grow. (A hit or two out of
	 * a big window is chance: random touches that happened to land on
	 * read-ahead pages.) */
	if (ra->hits && 2u * ra->hits + 1 >= ra->win)
		win = roundup_pow2(ra->hits + 2u);
	else if (ra->win && (page == ra->prev_va + PAGE_SIZE || page + PAGE_SIZE == ra->prev_va))
		win = 2;
	else
		win = 1;
	// LAB 5 STUB
	//	static bool said;
	//	if (!said)
	//		printk("LAB 5: swap_ra_window() not implemented: no read-ahead "
	//		       "(docs/labs/05-swapin-readahead.md)\n");
	//	said = true;
	//	win = 1;
	// LAB 5 END
	win = MIN(win, swap_readahead_window);
	win = MAX(win, 1u);
	if (ra->win && win > ra->win)
		count_vm_event(SWAP_RA_GROW);
	else if (win < ra->win)
		count_vm_event(SWAP_RA_SHRINK);
	ra->win = (u16)win;
	ra->hits = 0;
	ra->prev_va = page;
	return win;
}

void swap_ra_hit(struct vma *v)
{
	ASSERT_HELD(&v->mm->page_table_lock);
	if (v->ra.hits < 0xffff)
		v->ra.hits++;
	count_vm_event(SWAP_RA_HIT);
}

bool swap_ra_sweeping(const struct vma *v)
{
	return swap_readahead_window > 1 && v->ra.win >= swap_readahead_window;
}

bool swap_ra_fill_sweep(struct vma *v, u32 va)
{
	struct swap_ra *ra = &v->ra;
	u32 page = va & ~(PAGE_SIZE - 1);

	ASSERT_HELD(&v->mm->page_table_lock);
	if (ra->fill_run && page == ra->fill_prev + PAGE_SIZE)
		ra->fill_run++;
	else
		ra->fill_run = 1;
	ra->fill_prev = page;
	return ra->fill_run >= SWAP_RA_FILL_RUN;
}
