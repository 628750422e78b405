/*
 * ktests of PPS's write clustering (mm/pps_writeback.c), on an address
 * space built here and stepped by hand, one stage at a time, with kppsd
 * paused:
 *
 *  - pages unmapped every other one (a series of one page each, the rest
 *    still in use) go out in one disk command, not one per series;
 *  - pages dirtied again, whose old slots interleave two runs, are given
 *    fresh slots and go out in one or two commands, with no page written
 *    twice and no slot lost; they read back what was written last;
 *  - a page of a batch that spans series is rescued and written to in the
 *    write window (pps_io_window_hook): the write keeps its D bit, so the
 *    page is written again and reads back what was written last;
 *  - a batched write that fails (blkdebug, with swap_fail_slot=, see
 *    tests/mm/test_swap.py) loses nothing: the pages stay dirty in memory,
 *    the slot is retired, and the next passes write them elsewhere.
 */
#include <kernel/ktest.h>
#include <kernel/sched.h>
#include <kernel/time.h>
#include <mm/mm.h>
#include <mm/pps.h>
#include <mm/kppsd.h>
#include <mm/dftlb.h>
#include <mm/frame.h>
#include <mm/swapfile.h>
#include <mm/vmstat.h>
#include <arch/x86/pte.h>
#include <kernel/string.h>
#include "pps_fixture.h"

extern u32 swap_fail_slot;      /* tests/mm/ktest_swap_io.c's cmdline parameter */

/* One step of stage `only` over v, as a stepper does it; res is zeroed. */
static void step(struct mm *mm, struct vma *v, enum pps_stage only, struct pps_result *res)
{
	memset(res, 0, sizeof(*res));
	res->only_stage = only;
	down_read(&mm->mmap_lock);
	down_write(&mm->pps_lock);
	pps_step_range(mm, v, v->start, v->end, PPS_STAGE_FREE, res);
	pps_end_pass(res);
	up_write(&mm->pps_lock);
	up_read(&mm->mmap_lock);
}

static struct page *page_of(struct mm *mm, u32 va)
{
	return pfn_to_page(pte_pfn(*pte_lookup(mm, va)));
}

/* Age every present page, wait for the flush, then unmap the ones `keep`
 * does not make young again. Returns the pages unmapped. */
static u32 age_and_unmap(struct ktest *t, struct mm *mm, struct vma *v, bool (*keep)(u32 i),
			 struct pps_result *r)
{
	step(mm, v, PPS_STAGE_AGE, r);
	/* The gate: every CPU has flushed since A was cleared. */
	u64 deadline = jiffies + 5 * hz;
	for (u32 va = v->start; va < v->end; va += PAGE_SIZE)
		while (pte_present(*pte_lookup(mm, va)) && !dftlb_seq_done(page_of(mm, va)->dftlb_seq) &&
		       jiffies < deadline)
			sleep_ticks(1);
	spin_lock(&mm->page_table_lock);
	for (u32 va = v->start, i = 0; va < v->end; va += PAGE_SIZE, i++) {
		pte_t *p = pte_lookup(mm, va);
		if (pte_present(*p) && keep && keep(i))
			*p = pte_mkyoung(*p); /* touched again: stays */
	}
	spin_unlock(&mm->page_table_lock);
	step(mm, v, PPS_STAGE_UNMAP, r);
	KT_EXPECT(t, r->moved[PPS_STAGE_UNMAP] > 0);
	return r->moved[PPS_STAGE_UNMAP];
}

static bool even(u32 i) { return !(i & 1); }

/* Fault every page of v back in and check it holds base + i (but page
 * `odd`, if any: odd_val). */
static void read_back_but(struct ktest *t, struct mm *mm, struct vma *v, u32 base, u32 odd, u32 odd_val)
{
	u32 bad = 0;

	for (u32 va = v->start, i = 0; va < v->end; va += PAGE_SIZE, i++) {
		for (int k = 0; k < 3 && !pte_present(*pte_lookup(mm, va)); k++)
			KT_EXPECT_EQ(t, handle_mm_fault(mm, va, 0), 0); /* swap-in, then a rescue */
		pte_t pte = *pte_lookup(mm, va);
		if (!pte_present(pte) || *(u32 *)P2V(pte_pfn(pte) << PAGE_SHIFT) != (i == odd ? odd_val : base + i))
			bad++;
	}
	KT_EXPECT_EQ(t, bad, 0);
}

static void read_back(struct ktest *t, struct mm *mm, struct vma *v, u32 base)
{
	read_back_but(t, mm, v, base, ~0u, 0);
}

static void interleaved(struct ktest *t, struct pps_result *r)
{
	u32 used = swap_used();
	struct vma *v;
	struct mm *mm = make_mm(64, &v);

	KT_ASSERT(t, mm);
	mm->cpu_mask = ~0u; /* every CPU may hold its translations */

	/* Odd pages out, even ones in use: 32 series of one page. */
	KT_EXPECT_EQ(t, age_and_unmap(t, mm, v, even, r), 32);
	step(mm, v, PPS_STAGE_ATTACH, r);
	KT_EXPECT_EQ(t, r->moved[PPS_STAGE_ATTACH], 32);
	u32 a = page_of(mm, v->start + PAGE_SIZE)->swap_slot;
	for (u32 i = 1; i < 64; i += 2) /* consecutive slots, in address order */
		KT_EXPECT_EQ(t, page_of(mm, v->start + i * PAGE_SIZE)->swap_slot, a + i / 2);
	u32 cmds = vm_events[SWAP_WRITE_CMDS], out = vm_events[PSWPOUT];
	step(mm, v, PPS_STAGE_WRITE, r);
	KT_EXPECT_EQ(t, r->moved[PPS_STAGE_WRITE], 32);
	KT_EXPECT_EQ(t, vm_events[PSWPOUT] - out, 32);
	KT_EXPECT_EQ(t, vm_events[SWAP_WRITE_CMDS] - cmds, 1); /* not 32 */
	KT_EXPECT_EQ(t, r->wb.n + r->wb.attach.len + r->wb.relocate.len, 0); /* nothing outlives the step */

	/* Then the even ones: their slots come after. */
	KT_EXPECT_EQ(t, age_and_unmap(t, mm, v, NULL, r), 32);
	step(mm, v, PPS_STAGE_ATTACH, r);
	step(mm, v, PPS_STAGE_WRITE, r);
	KT_EXPECT_EQ(t, r->moved[PPS_STAGE_WRITE], 32);
	KT_EXPECT_EQ(t, count_type(mm, v, pte_unmapped), 64);

	/* All 64 rescued and written to (new contents), and unmapped again:
	 * dirty, and their slots interleave the two runs. */
	for (u32 va = v->start; va < v->end; va += PAGE_SIZE)
		KT_EXPECT_EQ(t, handle_mm_fault(mm, va, FAULT_WRITE), 0);
	spin_lock(&mm->page_table_lock);
	for (u32 va = v->start, i = 0; va < v->end; va += PAGE_SIZE, i++) {
		pte_t *p = pte_lookup(mm, va);
		*p = pte_mkdirty(pte_mkyoung(*p)); /* as the CPU writing would */
		*(u32 *)P2V(pte_pfn(*p) << PAGE_SHIFT) = 0xD1170000 + i;
	}
	spin_unlock(&mm->page_table_lock);
	KT_EXPECT_EQ(t, age_and_unmap(t, mm, v, NULL, r), 64);
	u32 in_use = swap_used(), reloc = vm_events[SWAP_WRITE_RELOC];
	cmds = vm_events[SWAP_WRITE_CMDS];
	out = vm_events[PSWPOUT];
	step(mm, v, PPS_STAGE_WRITE, r);
	KT_EXPECT_EQ(t, r->moved[PPS_STAGE_WRITE], 64);
	KT_EXPECT_EQ(t, vm_events[PSWPOUT] - out, 64);                 /* each page once */
	KT_EXPECT(t, vm_events[SWAP_WRITE_CMDS] - cmds <= 2);          /* not 64 */
	KT_EXPECT(t, vm_events[SWAP_WRITE_RELOC] - reloc >= 62);
	KT_EXPECT_EQ(t, swap_used(), in_use);                          /* every old slot freed */
	kt_info(t, "64 re-dirtied pages: %u commands, %u relocated", vm_events[SWAP_WRITE_CMDS] - cmds,
		vm_events[SWAP_WRITE_RELOC] - reloc);

	/* Out to SwappedPTEs, and back: the last contents. */
	step(mm, v, PPS_STAGE_FREE, r);
	KT_EXPECT_EQ(t, count_type(mm, v, pte_swapped), 64);
	read_back(t, mm, v, 0xD1170000);
	mm->cpu_mask = 0; /* the pretence ends: a dying mm is loaded nowhere */
	put_last(t, mm);
	KT_EXPECT_EQ(t, swap_used(), used);
}

KTEST(pps_wb_interleaved_pages_few_commands)
{
	struct pps_result *r = kzalloc(sizeof(*r));

	KT_ASSERT(t, swap_enabled && r);
	kppsd_pause();
	interleaved(t, r);
	kppsd_resume();
	kfree(r);
}

static struct {
	struct vma *v;
	u32 va;                 /* the page rescued in the window */
	int calls;
	u32 start, end;         /* the window's range */
} race;

/* In the write window, a fault rescues race.va and the CPU writes to it
 * (another thread of the process would hold mmap_lock for reading, as the
 * stepper does: the rescue needs no more). */
static void rescue_in_write(enum pps_io_window w, struct mm *mm, u32 start, u32 end)
{
	if (w != PPS_WINDOW_WRITE || race.calls++)
		return;
	race.start = start;
	race.end = end;
	pps_rescue(mm, race.v, race.va);
	spin_lock(&mm->page_table_lock);
	pte_t *p = pte_lookup(mm, race.va);
	if (pte_present(*p)) {
		*p = pte_mkdirty(pte_mkyoung(*p));
		*(u32 *)P2V(pte_pfn(*p) << PAGE_SHIFT) = 0xBEEF0000;
	}
	spin_unlock(&mm->page_table_lock);
}

static void rescue_in_window(struct ktest *t, struct pps_result *r)
{
	u32 used = swap_used();
	struct vma *v;
	struct mm *mm = make_mm(16, &v);

	KT_ASSERT(t, mm);
	mm->cpu_mask = ~0u;
	KT_EXPECT_EQ(t, age_and_unmap(t, mm, v, even, r), 8); /* 8 series of one page */
	step(mm, v, PPS_STAGE_ATTACH, r);
	memset(&race, 0, sizeof(race));
	race.v = v;
	race.va = v->start + 5 * PAGE_SIZE;
	pps_io_window_hook = rescue_in_write;
	step(mm, v, PPS_STAGE_WRITE, r);
	pps_io_window_hook = NULL;
	KT_EXPECT_EQ(t, race.calls, 1);                         /* one batch for the 8 series */
	KT_EXPECT_EQ(t, race.start, v->start + PAGE_SIZE);
	KT_EXPECT_EQ(t, race.end, v->end);
	KT_EXPECT_EQ(t, r->moved[PPS_STAGE_WRITE], 8);
	/* Written and marked clean, but the write in the window is in D. */
	pte_t pte = *pte_lookup(mm, race.va);
	KT_EXPECT(t, pte_present(pte) && pte_dirty(pte));
	KT_EXPECT(t, !(page_of(mm, race.va)->flags & PG_dirty));
	/* Stage 1 moves D back into PG_dirty: the page is written again. */
	KT_EXPECT_EQ(t, age_and_unmap(t, mm, v, NULL, r), 9);
	KT_EXPECT(t, page_of(mm, race.va)->flags & PG_dirty);
	step(mm, v, PPS_STAGE_ATTACH, r);
	step(mm, v, PPS_STAGE_WRITE, r);
	KT_EXPECT_EQ(t, r->moved[PPS_STAGE_WRITE], 9);
	step(mm, v, PPS_STAGE_FREE, r);
	KT_EXPECT_EQ(t, count_type(mm, v, pte_swapped), 16);
	read_back_but(t, mm, v, 0xC0DE0000, 5, 0xBEEF0000);
	mm->cpu_mask = 0;
	put_last(t, mm);
	KT_EXPECT_EQ(t, swap_used(), used);
}

KTEST(pps_wb_rescue_in_write_window)
{
	struct pps_result *r = kzalloc(sizeof(*r));

	KT_ASSERT(t, swap_enabled && r);
	kppsd_pause();
	rescue_in_window(t, r);
	kppsd_resume();
	kfree(r);
}

static void failed_write(struct ktest *t, struct pps_result *r)
{
	u32 used = swap_used(), nbad = swap_area_main.nbad_later;
	struct vma *v;
	struct mm *mm = make_mm(32, &v);

	KT_ASSERT(t, mm);
	mm->cpu_mask = ~0u; /* every CPU may hold its translations */
	KT_EXPECT_EQ(t, age_and_unmap(t, mm, v, NULL, r), 32);
	if (swap_fail_slot) {
		/* The batch's slots around the failing one: page 8 gets it. */
		spin_lock(&swap_area_main.lock);
		swap_area_main.hint = swap_fail_slot - 8;
		spin_unlock(&swap_area_main.lock);
	}
	step(mm, v, PPS_STAGE_ATTACH, r);
	KT_EXPECT_EQ(t, r->moved[PPS_STAGE_ATTACH], 32);
	if (swap_fail_slot) {
		KT_ASSERT(t, page_of(mm, v->start + 8 * PAGE_SIZE)->swap_slot == swap_fail_slot);
		step(mm, v, PPS_STAGE_WRITE, r);
		KT_EXPECT_EQ(t, r->io_errors, 1);
		KT_EXPECT_EQ(t, r->moved[PPS_STAGE_WRITE], 0);
		/* Nothing lost: every page in memory, dirty; the bad slot
		 * retired and taken from its page. */
		u32 dirty = 0;
		for (u32 va = v->start; va < v->end; va += PAGE_SIZE)
			dirty += pte_unmapped(*pte_lookup(mm, va)) && (page_of(mm, va)->flags & PG_dirty);
		KT_EXPECT_EQ(t, dirty, 32);
		KT_EXPECT_EQ(t, page_of(mm, v->start + 8 * PAGE_SIZE)->swap_slot, 0);
		KT_EXPECT_EQ(t, swap_area_main.nbad_later, nbad + 1);
		step(mm, v, PPS_STAGE_ATTACH, r);
		KT_EXPECT_EQ(t, r->moved[PPS_STAGE_ATTACH], 1); /* a fresh slot for page 8 */
	} else {
		kt_info(t, "no swap_fail_slot= given: checking only that the batch is written");
	}
	step(mm, v, PPS_STAGE_WRITE, r);
	KT_EXPECT_EQ(t, r->io_errors, 0);
	KT_EXPECT_EQ(t, r->moved[PPS_STAGE_WRITE], 32);
	step(mm, v, PPS_STAGE_FREE, r);
	KT_EXPECT_EQ(t, count_type(mm, v, pte_swapped), 32);
	read_back(t, mm, v, 0xC0DE0000);
	mm->cpu_mask = 0;
	put_last(t, mm);
	/* Every slot back (the retired one leaves SwapTotal: nbad_later). */
	KT_EXPECT_EQ(t, swap_used(), used);
}

KTEST(pps_wb_failed_write_loses_nothing)
{
	struct pps_result *r = kzalloc(sizeof(*r));

	KT_ASSERT(t, swap_enabled && r);
	kppsd_pause();
	failed_write(t, r);
	kppsd_resume();
	kfree(r);
}
