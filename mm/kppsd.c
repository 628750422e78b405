/*
 * kppsd: the PPS daemon (seed 000), and memory pressure.
 *
 * Every pps_interval ms kppsd makes a pass over every mm on the mm list:
 * in each VMA flagged VM_PURE_PRIVATE and not VM_LOCKED it moves every
 * series one stage on, out of stages AGE to WRITE only (max_stage
 * PPS_STAGE_PERIODIC_MAX: age, unmap, attach slots, write; the pages stay,
 * so the application has time to rescue the ones it still wants). When
 * free frames fall below the low watermark it is woken for pressure
 * passes, which also take series out of stage FREE (the written pages
 * become SwappedPTEs and their frames are freed), and keeps going, a tick
 * apart (the delayed TLB flushes need one), until free frames are back
 * above the high watermark or a pass moves nothing.
 *
 * Pages PPS cannot take (legacy pages: shared after fork, MAP_SHARED, and
 * every page under reclaim=clock) are reclaimed by the clock (mm/clock.c),
 * which a pressure pass, and a full pass on request, run after the mms.
 *
 * A user-page allocation below the min watermark waits (interruptibly)
 * for kppsd's next pass instead of taking the last frames, which the kernel
 * keeps for itself (page tables, kmalloc, the disk driver). If a pressure
 * pass moves nothing, swap is full or nothing is reclaimable: kppsd has
 * the process with the most resident pages killed (oom_kill(), in
 * mm/oom_kill.c) and goes on. When there is no process it may kill (pid 1
 * never is), waiting cannot help: until a pass moves something again
 * (oom_hopeless), allocations stop waiting, take what is left, and a fault
 * that finds nothing fails with ENOMEM (the process is killed with "out of
 * memory at ...").
 *
 * Outside this file, /proc/kppsd (kernel/fs/proc_kppsd.c) reads kppsd's
 * figures and asks for passes through mm/kppsd.h; GDB (scripts/gdb/ppsos.py)
 * reads kppsd_mode, kppsd_modes, kppsd_request, kppsd_last, passes and
 * kppsd_thread by name, and looks for `kppsd_request = 0;` in kppsd_main.
 *
 * Locks: mm_list_lock to take references on the mms of a pass; per mm,
 * mmap_lock for reading (tried: an mm being written to, such as a child
 * half-built by fork, is skipped until the next pass), then pps_lock (one
 * stepper at a time).
 */
#include <mm/pps.h>
#include <mm/pps_age.h>
#include <mm/swap_slots.h>
#include <mm/kppsd.h>
#include <mm/mm.h>
#include <mm/frame.h>
#include <mm/swapfile.h>
#include <mm/vmstat.h>
#include <mm/dftlb.h>
#include <mm/deferred_free.h>
#include <mm/oom_kill.h>
#include <mm/legacy_fault.h>
#include <mm/clock.h>
#include <mm/rmap.h>
#include <mm/reclaim_stats.h>
#include <kernel/proc.h>
#include <kernel/sched.h>
#include <kernel/time.h>
#include <kernel/cmdline.h>
#include <kernel/printk.h>
#include <kernel/errno.h>

static u32 pps_interval = 1000;
CMDLINE_PARAM_UINT(pps_interval, pps_interval, 10, 60000, "ms between kppsd's periodic passes (stages 1-4)");
/* kppsd=: periodic passes and reclaim under pressure; nothing at all (no
 * thread); only the passes asked for (/proc/kppsd, GDB's pps-step). GDB
 * reads kppsd_mode as a number and names it from kppsd_modes[]. */
enum kppsd_mode { KPPSD_ON, KPPSD_OFF, KPPSD_MANUAL, KPPSD_NMODES };
enum kppsd_mode kppsd_mode;
static const char *const kppsd_modes[] = {
	[KPPSD_ON] = "on", [KPPSD_OFF] = "off", [KPPSD_MANUAL] = "manual", [KPPSD_NMODES] = NULL
};
_Static_assert(ARRAY_SIZE(kppsd_modes) == KPPSD_NMODES + 1, "a name for every kppsd mode");
CMDLINE_PARAM_ENUM(kppsd, kppsd_mode, kppsd_modes,
		   "on: periodic passes and reclaim; off: none; manual: only when asked");

static u32 wmark_min, wmark_low, wmark_high;

/* Passes on request (kppsd_request_pass() for /proc/kppsd; GDB's pps-step
 * writes it directly: set var kppsd_request=-1), whatever the mode: -1 a
 * full pass (stages 1-5), N one pass of stage N only; kppsd sets it back
 * to 0 when the pass is done. */
volatile int kppsd_request;
struct pps_result kppsd_last;           /* the last pass's tally */
static volatile bool kick;             /* memory is low: a pressure pass, now */
static struct waitqueue memory_wq;      /* allocations waiting below min */
static volatile u32 passes;             /* completed passes (waiters watch it) */
static volatile bool oom_hopeless;      /* out of memory, and nobody to kill */
#define OOM_BUSY_PASSES 50              /* see the pressure loop: passes that skipped a busy mm */
static struct thread *kppsd_thread;
/* Held for reading by each pass, for writing by kppsd_pause(). */
static struct rwsem pass_sem;

void kppsd_wake(void)
{
	if (!kick) {
		kick = true;
		count_vm_event(KPPSD_WAKEUPS);
	}
}

struct page *pps_alloc_user_page(void)
{
	for (int tries = 0;; tries++) {
		u32 nfree = nr_free_pages();
		if (nfree < wmark_low && kppsd_mode == KPPSD_ON)
			kppsd_wake();
		if (nfree >= wmark_min || kppsd_mode != KPPSD_ON || tries >= 50 || !kppsd_thread ||
		    oom_hopeless)
			return alloc_page();
		/* Below min. Frames an unmap freed may still wait on the CPUs'
		 * deferred lists (mm/deferred_free.h): take them back first. */
		if (deferred_free_drain_all())
			continue;
		/* Then wait for kppsd to free some (or give up after a while,
		 * and take what there is). */
		u32 seen = passes;
		u64 t0 = rdtsc();
		int r = wait_event_interruptible(&memory_wq, passes != seen || oom_hopeless ||
								 nr_free_pages() >= wmark_min);
		reclaim_alloc_stalled(rdtsc() - t0);
		if (r)
			return NULL; /* killed while waiting */
	}
}

/*
 * One VMA, a page table's span (4 MiB) at a time: frames stage 5 frees are
 * wanted at once, not when the pass ends. A pressure pass over a large mm
 * lasts seconds (stage 4 writes synchronously, and the pass walks every
 * PTE), and an allocation waiting below min would otherwise wait for all
 * of it: the larger the process, the longer the stall (make bench-scale).
 * So after each span, if free frames are back above min, the waiters are
 * woken. A series never crosses a page table, so the spans give the very
 * series one call over the VMA would.
 */
#define STEP_SPAN (PTES_PER_TABLE * PAGE_SIZE)

static void step_vma(struct mm *mm, struct vma *v, enum pps_stage max_stage, struct pps_result *res)
{
	for (u32 a = v->start, end; a < v->end; a = end) {
		end = MIN(v->end, ALIGN_DOWN(a, STEP_SPAN) + STEP_SPAN); /* v->end <= USER_TOP: no overflow */
		pps_step_range(mm, v, a, end, max_stage, res);
		if (nr_free_pages() >= wmark_min)
			wake_up(&memory_wq);
	}
}

static int step_mm(struct mm *mm, enum pps_stage max_stage, struct pps_result *res)
{
	struct list_head *l;

	/* The same order as madvise and /proc/PID/reclaim: mmap_lock, then
	 * pps_lock. An mm whose mmap_lock is held for writing is skipped this
	 * pass rather than waited for: its writer may itself be waiting for
	 * this pass (fork builds the child under the child's mmap_lock and
	 * waits for kppsd when frames run out). */
	/* Forked VMAs whose pages are their own again go back to PPS
	 * first (mm/pps_reenter.c; it only tries the write lock). */
	pps_reenter_mm(mm);
	if (!down_read_trylock(&mm->mmap_lock)) {
		res->busy_mms++;
		return 0;
	}
	down_write(&mm->pps_lock);
	list_for_each(l, &mm->vmas) {
		struct vma *v = list_entry(l, struct vma, node);
		if (vma_pps_reclaimable(v))
			step_vma(mm, v, max_stage, res);
	}
	pps_end_pass(res);
	up_write(&mm->pps_lock);
	up_read(&mm->mmap_lock);
	return 0;
}

/*
 * The clock's share of a pass (mm/clock.c): PPS takes only pure private
 * pages, so the legacy ones (shared after fork, MAP_SHARED, and every page
 * under reclaim=clock) are left to the clock, after PPS has done its part.
 * Under pressure it frees what is still missing below the high watermark;
 * a full pass on request turns the hand once round (as a step moves every
 * series: young pages aged, old ones evicted). Its moves count with PPS's,
 * so the pressure loop sees progress (an all-young round clears A bits:
 * the next one can evict). The same pass_sem read hold keeps it off while
 * a ktest has kppsd paused.
 */
static u32 kppsd_clock(bool revolution)
{
	struct clock_result cr;
	u32 nfree = nr_free_pages(), target = revolution ? max_pfn : 0;

	if (!revolution && nfree < wmark_high)
		target = wmark_high - nfree;
	if (!target || !nr_legacy_pages)
		return 0;
	clock_pass(target, &cr);
	/* With swap full, aging is no progress: nothing old can leave. */
	return cr.unmapped + cr.written + cr.freed + (cr.swap_full ? 0 : cr.referenced);
}

/* PPS pages on their way out after the last pass: unmapped (stages 3 to
 * 5), so stage 2 need not unmap them again for the free target. */
static u32 pps_in_flight;

/* The last pressure pass left a short write batch unwritten and moved no
 * page towards the disk (kppsd's own: one pass at a time). Its pages count
 * as on their way out, so with free frames between the watermarks the
 * budget may unmap nothing new: the batch would never grow, and kppsd
 * would step without moving a page for ever. The next pass writes every
 * batch, short or not. A pass that did move pages keeps the deferral: its
 * batches grow (writing them at once cost hotcold a fifth of its pages
 * per write command). */
static bool wb_stalled;

/*
 * Under pressure, how many pages stage 2 should unmap in this pass (the
 * rule of mm/pps_age.h): what the free target lacks, less what is already
 * on its way out. At least a batch while allocations wait below min.
 */
static u32 pressure_budget(void)
{
	u32 nfree = nr_free_pages(), need = nfree < wmark_high ? wmark_high - nfree : 0;
	u32 budget = need > pps_in_flight ? need - pps_in_flight : 0;

	if (nfree < wmark_min)
		budget = MAX(budget, wmark_min - nfree);
	/* Stage 4 writes a short batch only when memory is low: unmap at
	 * least a batch's worth at a time. */
	if (budget)
		budget = MAX(budget, PPS_WB_MIN_BATCH);
	return budget;
}

/* One pass over every mm; returns the number of stage moves (the sum of
 * res->moved[]: moved[s] counts the PTEs that left stage s) and of the
 * clock's. */
static u32 kppsd_pass(enum pps_stage max_stage, bool request, struct pps_result *res)
{
	struct mm *mms[NPROC * 2];
	struct reclaim_pass_timer timer;
	struct list_head *l;
	int n = 0;
	u32 moves;

	down_read(&pass_sem);
	reclaim_pass_begin(&timer);
	if (!request) {
		/* kppsd's own passes age: under pressure the oldest pages go
		 * first, as many as needed (mm/pps_age.h). Requests unmap
		 * every old page of their range. */
		pps_age_begin_pass(res, max_stage == PPS_STAGE_FREE, pressure_budget());
		/* Under pressure, while free frames stay above the low
		 * watermark, short write batches wait a pass to grow: one
		 * command per PPS_WB_MIN_BATCH pages or more, unless that
		 * stalled the last pass (wb_stalled). Below it, every batch is
		 * written at once. */
		if (max_stage == PPS_STAGE_FREE && nr_free_pages() >= wmark_low && !wb_stalled)
			res->wb_min = PPS_WB_MIN_BATCH;
	}
	spin_lock(&mm_list_lock);
	list_for_each(l, &mm_list) {
		if (n == (int)ARRAY_SIZE(mms))
			break;
		mms[n] = list_entry(l, struct mm, mm_list);
		if (mm_tryget(mms[n]))
			n++;
	}
	spin_unlock(&mm_list_lock);
	for (int i = 0; i < n; i++) {
		step_mm(mms[i], max_stage, res);
		mm_put(mms[i]);
	}
	/* Finished flush tasks hold their mm: drop them now, not only
	 * between passes. Under steady pressure kppsd goes from pass to
	 * pass, and a process that exited meanwhile would otherwise keep
	 * its whole address space until the pressure ends, which it may
	 * never do while that memory is held. */
	dftlb_reap();
	if (!request)
		wb_stalled = res->wb_deferred &&
			     !(res->moved[PPS_STAGE_UNMAP] + res->moved[PPS_STAGE_ATTACH] +
			       res->moved[PPS_STAGE_WRITE] + res->moved[PPS_STAGE_FREE]);
	moves = pps_count_moves(res);
	pps_age_end_pass(res);
	{
		u32 out = res->seen[PPS_STAGE_ATTACH] + res->seen[PPS_STAGE_WRITE] + res->seen[PPS_STAGE_FREE] +
			  res->moved[PPS_STAGE_UNMAP];
		pps_in_flight = out > res->moved[PPS_STAGE_FREE] ? out - res->moved[PPS_STAGE_FREE] : 0;
	}
	if (max_stage == PPS_STAGE_FREE && res->only_stage == PPS_STAGE_NONE)
		moves += kppsd_clock(request);
	reclaim_pass_end(&timer, res, max_stage == PPS_STAGE_FREE);
	kppsd_last = *res;
	kppsd_last.task = NULL;
	passes++;
	up_read(&pass_sem);
	wake_up(&memory_wq);
	return moves;
}

static void kppsd_main(void *arg)
{
	u64 next = jiffies + ms_to_ticks(pps_interval);
	u32 idle_pressure_passes = 0, busy_pressure_passes = 0;

	(void)arg;
	for (;;) {
		while (!kick && jiffies < next && !kppsd_request) {
			sleep_ticks(1);
			dftlb_reap();
		}
		if (kppsd_request) {
			/* A pass on request, whatever the mode. */
			struct pps_result res = { 0 };
			int req = kppsd_request;
			res.only_stage = req > 0 ? (enum pps_stage)req : PPS_STAGE_NONE;
			kppsd_pass(PPS_STAGE_FREE, true, &res);
			kppsd_request = 0;
			wake_up(&memory_wq);
			continue;
		}
		if (kppsd_mode != KPPSD_ON) {
			kick = false;
			next = jiffies + ms_to_ticks(pps_interval);
			continue;
		}
		bool pressure = kick || nr_free_pages() < wmark_low;
		kick = false;
		struct pps_result res = { 0 };
		u64 pass_start = jiffies;
		u32 moves = kppsd_pass(pressure ? PPS_STAGE_FREE : PPS_STAGE_PERIODIC_MAX, false, &res);
		u64 pass_ticks = jiffies - pass_start;
		if (!pressure) {
			next = jiffies + ms_to_ticks(pps_interval);
			continue;
		}
		/* Under pressure: again next tick (the gate needs the flushes
		 * to drain), until there is room or nothing moves. */
		if (nr_free_pages() >= wmark_high) {
			idle_pressure_passes = 0;
			oom_hopeless = false;
			next = jiffies + ms_to_ticks(pps_interval);
			continue;
		}
		if (moves == 0 && dftlb_pending() == 0) {
			/* A pass that skipped an mm because a writer held its
			 * mmap_lock (one thread's mmap while its siblings wait
			 * in swap-ins) proves nothing: that mm may be full of
			 * pages to reclaim. Such passes count towards the kill
			 * only one in OOM_BUSY_PASSES, so a writer that itself
			 * waits for memory still ends in one. */
			if (res.busy_mms && ++busy_pressure_passes % OOM_BUSY_PASSES) {
				kick = true;
				sleep_ticks(1);
				continue;
			}
			if (++idle_pressure_passes >= 3 && nr_free_pages() < wmark_min && !oom_hopeless &&
			    !deferred_free_drain_all()) { /* no kill while freed pages wait on a list */
				oom_hopeless = !oom_kill();
				idle_pressure_passes = 0;
				wake_up(&memory_wq);
			}
		} else {
			idle_pressure_passes = 0;
			busy_pressure_passes = 0;
			oom_hopeless = false;
		}
		kick = true;
		/* The pass rate follows the pressure and the pass's cost: while
		 * allocations wait below min the next pass comes at the next
		 * tick; otherwise kppsd rests as long as the pass took, so that
		 * walking a large process costs at most about half a CPU. */
		sleep_ticks(nr_free_pages() < wmark_min ? 1 : MAX(1, (u32)pass_ticks));
	}
}

void kppsd_init(void)
{
	u32 managed = nr_managed_pages();

	wmark_low = MAX(64u, managed / 32);
	wmark_min = wmark_low / 2;
	wmark_high = wmark_low * 2;
	waitqueue_init(&memory_wq, "memory_wq");
	rwsem_init(&pass_sem, "kppsd_pass");
	pps_fault_init();
	if (kppsd_mode == KPPSD_OFF) {
		printk("kppsd: off (kppsd=off)\n");
		return;
	}
	kppsd_thread = kthread_run(kppsd_main, NULL, "kppsd");
	printk("kppsd: %s, pass every %u ms; watermarks min %u low %u high %u pages\n",
	       kppsd_modes[kppsd_mode], pps_interval, wmark_min, wmark_low, wmark_high);
}

/*
 * Hold kppsd's passes off: returns once no pass is running, and none starts
 * until kppsd_resume(). For the ktests that drive the stages by hand on an
 * mm of their own (kppsd would otherwise step it between their checks).
 * Allocations waiting below the min watermark wait for the resume too.
 */
void kppsd_pause(void)
{
	down_write(&pass_sem);
}

void kppsd_resume(void)
{
	up_write(&pass_sem);
}

void kppsd_get_stats(struct kppsd_stats *st)
{
	st->mode = kppsd_modes[kppsd_mode];
	st->interval_ms = pps_interval;
	st->passes = passes;
	st->wmark_min = wmark_min;
	st->wmark_low = wmark_low;
	st->wmark_high = wmark_high;
	st->last = kppsd_last;
}

int kppsd_request_pass(int req)
{
	if (!kppsd_thread)
		return -ENODEV; /* kppsd=off */
	u32 seen = passes;
	kppsd_request = req;
	if (wait_event_interruptible(&memory_wq, kppsd_request == 0 && passes != seen))
		return -EINTR;
	return 0;
}
