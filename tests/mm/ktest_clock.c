/*
 * ktests for the clock (mm/clock.c): legacy pages built through the real
 * paths (a VMA with an anon object faults in legacy pages; fork's copy
 * shares them with a second mm), then the hand moved over them by hand.
 *
 * The tests that move the hand themselves hold kppsd off (kppsd_pause):
 * its passes run the clock too, and there is one hand; the last one asks
 * kppsd for its passes instead. No user process runs during ktests, so
 * the only legacy pages the hand finds are the test's.
 */
#include <kernel/ktest.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <mm/mm.h>
#include <mm/clock.h>
#include <mm/rmap.h>
#include <mm/anon.h>
#include <mm/legacy_fault.h>
#include <mm/swap_cache.h>
#include <mm/kppsd.h>
#include <mm/frame.h>
#include <mm/swapfile.h>
#include <mm/vmstat.h>
#include <arch/x86/pte.h>
#include "pps_fixture.h"

#define BASE 0x400000u
#define PATTERN(i) (0xC10C0000u + (i))
#define ONE_TURN 0xFFFFFFFFu    /* a target no pass reaches: one revolution */

/* A VMA of n pages with an anon object in a new mm (VM_SHARED: a shared
 * object), every page written through a fault (so a legacy page). */
static struct mm *make_legacy_mm(u32 n, u32 extra_flags, struct vma **vp)
{
	struct mm *mm = mm_create();
	struct vma *v = mm ? add_vma(mm, BASE, BASE + n * PAGE_SIZE, VM_READ | VM_WRITE | extra_flags) : NULL;
	int err;

	if (!v)
		return mm;
	down_write(&mm->mmap_lock);
	err = (extra_flags & VM_SHARED) ? anon_prepare_shared(v, n) : anon_prepare(v);
	up_write(&mm->mmap_lock);
	if (err)
		return mm;
	for (u32 i = 0; i < n; i++) {
		if (handle_mm_fault(mm, BASE + i * PAGE_SIZE, FAULT_WRITE))
			return mm;
		*(u32 *)page_at(mm, BASE + i * PAGE_SIZE) = PATTERN(i);
	}
	*vp = v;
	return mm;
}

/* A child of mm as fork makes it: the same VMA, sharing its pages
 * (copy-on-write, or one object for VM_SHARED). */
static struct mm *fork_legacy_mm(struct mm *mm, struct vma *pv, struct vma **vp)
{
	struct mm *child = mm_create();
	struct vma *cv = child ? vma_new(child, pv->start, pv->end, pv->flags, NULL) : NULL;
	int err = -1;

	if (!cv)
		return child;
	cv->pgoff = pv->pgoff; /* fork copies the whole VMA */
	down_write(&mm->mmap_lock); /* as fork holds them: copy_vma_cow asserts both */
	down_write(&child->mmap_lock);
	if (!vma_insert(child, cv))
		err = copy_vma_cow(child, cv, mm, pv);
	else
		kfree(cv);
	up_write(&child->mmap_lock);
	up_write(&mm->mmap_lock);
	if (!err)
		*vp = cv;
	return child;
}

/* As a CPU touching the page at va would: A set (and D for a write). */
static void touch(struct mm *mm, u32 va, bool write)
{
	spin_lock(&mm->page_table_lock);
	pte_t *p = pte_lookup(mm, va);
	if (p && pte_present(*p))
		*p = write ? pte_mkdirty(pte_mkyoung(*p)) : pte_mkyoung(*p);
	spin_unlock(&mm->page_table_lock);
}

static struct page *page_of(struct mm *mm, u32 va)
{
	pte_t pte = pte_at(mm, va);
	return pte_present(pte) ? pfn_to_page(pte_pfn(pte)) : NULL;
}

/* As if each online CPU had the mm loaded (ids are 0..ncpus_online-1). */
static u32 all_cpus(void)
{
	return ncpus_online >= 32 ? ~0u : (1u << ncpus_online) - 1;
}

/* Both mms gone; everything they held (frames, slots, the anon object)
 * is back. */
static void put_pair(struct ktest *t, struct mm *a, struct mm *b)
{
	a->cpu_mask = 0;
	if (b)
		b->cpu_mask = 0;
	if (b)
		put_last(t, b);
	put_last(t, a);
}

/*
 * The main case: one page mapped by two mms (fork). The first turn of the
 * hand finds it young and clears both A bits; the second finds it old
 * everywhere and evicts it: both PTEs SwappedPTEs of one slot with a use
 * each, one write, the frame freed, one TLB shootdown per PTE (the mms are
 * "loaded" on every CPU). Then the first fault reads it back into the swap
 * cache and the second maps the same frame without I/O.
 */
static void evict_shared_after_fork(struct ktest *t)
{
	struct vma *pv = NULL, *cv = NULL;
	u32 legacy0 = nr_legacy_pages, swap0 = swap_used();
	struct mm *a = make_legacy_mm(1, 0, &pv), *b = NULL;
	struct clock_result r;

	KT_ASSERT(t, a && pv);
	b = fork_legacy_mm(a, pv, &cv);
	if (!b || !cv) {
		ktest_fail(t, __FILE__, __LINE__, "fork copy failed");
		goto out;
	}
	struct page *p = page_of(a, BASE);
	KT_EXPECT(t, p && page_of(b, BASE) == p);
	KT_EXPECT(t, p && (p->flags & PG_legacy) && p->mapcount == 2);
	KT_EXPECT_EQ(t, nr_legacy_pages, legacy0 + 1);
	a->cpu_mask = b->cpu_mask = all_cpus(); /* every CPU may cache them: shootdowns */
	touch(a, BASE, false);
	touch(b, BASE, false);

	u32 ev0[NR_VM_EVENTS];
	memcpy(ev0, (const void *)vm_events, sizeof(ev0));
	u32 free0 = nr_free_pages();

	/* Turn 1: young in both, kept, both A bits cleared. */
	clock_pass(ONE_TURN, &r);
	KT_EXPECT_EQ(t, r.scanned, max_pfn);
	KT_EXPECT_EQ(t, r.referenced, 1);
	KT_EXPECT_EQ(t, r.freed + r.unmapped + r.written, 0);
	KT_EXPECT(t, pte_present(pte_at(a, BASE)) && !pte_young(pte_at(a, BASE)));
	KT_EXPECT(t, pte_present(pte_at(b, BASE)) && !pte_young(pte_at(b, BASE)));
	KT_EXPECT(t, p->flags & PG_referenced);

	/* Turn 2: old everywhere: evicted. */
	clock_pass(ONE_TURN, &r);
	KT_EXPECT_EQ(t, r.unmapped, 2);
	KT_EXPECT_EQ(t, r.written, 1);
	KT_EXPECT_EQ(t, r.freed, 1);
	KT_EXPECT(t, !r.swap_full && !r.io_errors);
	pte_t pa = pte_at(a, BASE), pb = pte_at(b, BASE);
	KT_EXPECT(t, pte_swapped(pa) && pte_swapped(pb));
	KT_EXPECT_EQ(t, pte_swp_slot(pa), pte_swp_slot(pb));
	u32 slot = pte_swp_slot(pa);
	KT_EXPECT_EQ(t, swap_slot_count(&swap_area_main, slot), 2); /* one use per SwappedPTE */
	spin_lock(&rmap_lock);
	KT_EXPECT(t, !swap_cache_lookup(slot)); /* out of the cache: the frame is free */
	spin_unlock(&rmap_lock);
	KT_EXPECT_EQ(t, nr_legacy_pages, legacy0);
	KT_EXPECT_EQ(t, nr_free_pages(), free0 + 1);
	KT_EXPECT_EQ(t, a->rss, 0);
	KT_EXPECT_EQ(t, b->rss, 0);
	KT_EXPECT_EQ(t, vm_events[CLOCK_UNMAPPED] - ev0[CLOCK_UNMAPPED], 2);
	KT_EXPECT_EQ(t, vm_events[CLOCK_FREED] - ev0[CLOCK_FREED], 1);
	KT_EXPECT_EQ(t, vm_events[PSWPOUT] - ev0[PSWPOUT], 1);
	if (ncpus_online > 1)
		KT_EXPECT(t, vm_events[TLB_IPI] - ev0[TLB_IPI] >= 2u * (u32)(ncpus_online - 1));

	/* Back: a reads it (into the swap cache), b maps the same frame. */
	u32 in0 = vm_events[PSWPIN], hit0 = vm_events[SWAPCACHE_HIT];
	KT_EXPECT(t, !handle_mm_fault(a, BASE, 0));
	KT_EXPECT(t, !handle_mm_fault(b, BASE, 0));
	KT_EXPECT_EQ(t, vm_events[PSWPIN] - in0, 1);
	KT_EXPECT_EQ(t, vm_events[SWAPCACHE_HIT] - hit0, 1);
	p = page_of(a, BASE);
	KT_EXPECT(t, p && page_of(b, BASE) == p);
	if (p) {
		KT_EXPECT_EQ(t, *(u32 *)page_address(p), PATTERN(0));
		KT_EXPECT(t, (p->flags & PG_swapcache) && !(p->flags & PG_dirty));
	}

	/* Clean with a copy on its slot: it leaves again without a write. */
	u32 out0 = vm_events[PSWPOUT];
	touch(a, BASE, false);
	touch(b, BASE, false);
	clock_pass(ONE_TURN, &r);
	KT_EXPECT_EQ(t, r.referenced, 1);
	clock_pass(ONE_TURN, &r);
	KT_EXPECT_EQ(t, r.unmapped, 2);
	KT_EXPECT_EQ(t, r.written, 0);
	KT_EXPECT_EQ(t, r.freed, 1);
	KT_EXPECT_EQ(t, vm_events[PSWPOUT], out0);
	KT_EXPECT(t, pte_swapped(pte_at(a, BASE)) && pte_swapped(pte_at(b, BASE)));
out:
	put_pair(t, a, b);
	KT_EXPECT_EQ(t, nr_legacy_pages, legacy0);
	KT_EXPECT_EQ(t, swap_used(), swap0);
}

KTEST(clock_evicts_a_page_shared_after_fork)
{
	KT_ASSERT(t, swap_enabled);
	kppsd_pause();
	evict_shared_after_fork(t);
	kppsd_resume();
}

/*
 * A page touched in one of its mappings between two turns stays: the hand
 * test-and-clears every mapping's A bit, and one young is enough. The turn
 * after that (nobody touched it) evicts it.
 */
static void keep_touched(struct ktest *t)
{
	struct vma *pv = NULL, *cv = NULL;
	u32 swap0 = swap_used();
	struct mm *a = make_legacy_mm(2, 0, &pv), *b = NULL;
	struct clock_result r;

	KT_ASSERT(t, a && pv);
	b = fork_legacy_mm(a, pv, &cv);
	if (!b || !cv) {
		ktest_fail(t, __FILE__, __LINE__, "fork copy failed");
		goto out;
	}
	for (u32 i = 0; i < 2; i++)
		touch(a, BASE + i * PAGE_SIZE, false);
	clock_pass(ONE_TURN, &r);
	KT_EXPECT_EQ(t, r.referenced, 2);
	KT_EXPECT_EQ(t, r.freed, 0);
	touch(b, BASE + PAGE_SIZE, false); /* page 1, in the child only */
	clock_pass(ONE_TURN, &r);
	KT_EXPECT_EQ(t, r.referenced, 1);
	KT_EXPECT_EQ(t, r.freed, 1);    /* page 0 */
	KT_EXPECT(t, pte_swapped(pte_at(a, BASE)) && pte_swapped(pte_at(b, BASE)));
	KT_EXPECT(t, pte_present(pte_at(a, BASE + PAGE_SIZE)) && !pte_young(pte_at(b, BASE + PAGE_SIZE)));
	clock_pass(ONE_TURN, &r);
	KT_EXPECT_EQ(t, r.freed, 1);    /* page 1 */
	KT_EXPECT(t, pte_swapped(pte_at(a, BASE + PAGE_SIZE)) && pte_swapped(pte_at(b, BASE + PAGE_SIZE)));
	/* each comes back with its own contents */
	for (u32 i = 0; i < 2; i++) {
		KT_EXPECT(t, !handle_mm_fault(b, BASE + i * PAGE_SIZE, 0));
		KT_EXPECT_EQ(t, *(u32 *)page_at(b, BASE + i * PAGE_SIZE), PATTERN(i));
	}
out:
	put_pair(t, a, b);
	KT_EXPECT_EQ(t, swap_used(), swap0);
}

KTEST(clock_keeps_a_page_young_in_one_mapping)
{
	KT_ASSERT(t, swap_enabled);
	kppsd_pause();
	keep_touched(t);
	kppsd_resume();
}

/*
 * A page of a shared object (MAP_SHARED|MAP_ANONYMOUS) in two mms: the
 * eviction makes both PTEs none, the object's table keeps the slot, and
 * a fault in either mm finds the data again; a write in one is seen by the
 * other (one page, not a copy).
 */
static void evict_shmem(struct ktest *t)
{
	struct vma *pv = NULL, *cv = NULL;
	u32 swap0 = swap_used();
	struct mm *a = make_legacy_mm(1, VM_SHARED, &pv), *b = NULL;
	struct clock_result r;

	KT_ASSERT(t, a && pv);
	b = fork_legacy_mm(a, pv, &cv);
	if (!b || !cv) {
		ktest_fail(t, __FILE__, __LINE__, "fork copy failed");
		goto out;
	}
	KT_EXPECT(t, !handle_mm_fault(b, BASE, 0)); /* fork copies no shared PTE: b maps it now */
	KT_EXPECT(t, page_of(a, BASE) && page_of(a, BASE) == page_of(b, BASE));
	u32 free0 = nr_free_pages();
	touch(b, BASE, true);
	clock_pass(ONE_TURN, &r);
	KT_EXPECT_EQ(t, r.referenced, 1);
	clock_pass(ONE_TURN, &r);
	KT_EXPECT_EQ(t, r.unmapped, 2);
	KT_EXPECT_EQ(t, r.written, 1);
	KT_EXPECT_EQ(t, r.freed, 1);
	KT_EXPECT(t, pte_none(pte_at(a, BASE)) && pte_none(pte_at(b, BASE)));
	KT_EXPECT_EQ(t, nr_free_pages(), free0 + 1);
	KT_EXPECT_EQ(t, swap_used(), swap0 + 1); /* the table's slot */
	KT_EXPECT(t, !handle_mm_fault(b, BASE, FAULT_WRITE));
	KT_EXPECT_EQ(t, *(u32 *)page_at(b, BASE), PATTERN(0));
	*(u32 *)page_at(b, BASE) = PATTERN(7);
	KT_EXPECT(t, !handle_mm_fault(a, BASE, 0));
	KT_EXPECT_EQ(t, *(u32 *)page_at(a, BASE), PATTERN(7));
out:
	put_pair(t, a, b);
	KT_EXPECT_EQ(t, swap_used(), swap0);
}

KTEST(clock_evicts_a_shared_anonymous_page)
{
	KT_ASSERT(t, swap_enabled);
	kppsd_pause();
	evict_shmem(t);
	kppsd_resume();
}

/* With no legacy page, a pass goes once round and stops where it began. */
KTEST(clock_turns_once_at_most)
{
	struct clock_result r;

	kppsd_pause();
	u32 hand = clock_hand, legacy = nr_legacy_pages;
	clock_pass(ONE_TURN, &r);
	KT_EXPECT_EQ(t, r.scanned, max_pfn);
	KT_EXPECT_EQ(t, clock_hand, hand);
	if (!legacy)
		KT_EXPECT_EQ(t, r.referenced + r.unmapped + r.written + r.freed, 0);
	clock_pass(0, &r); /* nothing wanted: nothing scanned */
	KT_EXPECT_EQ(t, r.scanned, 0);
	kppsd_resume();
}

/*
 * kppsd runs the clock in a full pass on request (/proc/kppsd's `step`),
 * one revolution each: the first ages the page, the second evicts it.
 * kppsd is not paused here (it makes the passes); in the ktest boot
 * memory is plentiful, so no pressure pass moves the hand meanwhile.
 */
KTEST(clock_runs_in_a_full_request_pass)
{
	struct vma *pv = NULL, *cv = NULL;
	u32 swap0 = swap_used();
	struct mm *a = make_legacy_mm(1, 0, &pv), *b = NULL;

	KT_ASSERT(t, swap_enabled);
	KT_ASSERT(t, a && pv);
	b = fork_legacy_mm(a, pv, &cv);
	if (!b || !cv) {
		ktest_fail(t, __FILE__, __LINE__, "fork copy failed");
		goto out;
	}
	touch(a, BASE, false);
	KT_EXPECT_EQ(t, kppsd_request_pass(-1), 0);
	KT_EXPECT_EQ(t, clock_last.scanned, max_pfn);
	KT_EXPECT_EQ(t, clock_last.referenced, 1);
	KT_EXPECT(t, pte_present(pte_at(a, BASE)) && !pte_young(pte_at(a, BASE)));
	KT_EXPECT_EQ(t, kppsd_request_pass(-1), 0);
	KT_EXPECT_EQ(t, clock_last.freed, 1);
	KT_EXPECT(t, pte_swapped(pte_at(a, BASE)) && pte_swapped(pte_at(b, BASE)));
	KT_EXPECT(t, !handle_mm_fault(b, BASE, 0));
	KT_EXPECT_EQ(t, *(u32 *)page_at(b, BASE), PATTERN(0));
out:
	put_pair(t, a, b);
	KT_EXPECT_EQ(t, swap_used(), swap0);
}
