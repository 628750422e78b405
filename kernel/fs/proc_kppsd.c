/*
 * /proc/kppsd: the PPS daemon's state, and passes on request.
 *
 * Reading shows the mode, the interval, the completed passes, the
 * watermarks (with the free frames now), the last pass's tally and the
 * delayed flushes still pending, then the clock's hand (a pfn) and its
 * last pass (mm/clock.c, the legacy pages' reclaimer). The format is
 * fixed: the tests and the GDB helpers parse it. In the tally, stageN is the number of PTEs the
 * pass moved out of stage N (into stage N + 1).
 *
 * Writing `step` asks for one full pass, `stage N` (1..5) for one pass of
 * stage N only; the write returns when the pass is done.
 *
 * Everything comes from kppsd's and the clock's interfaces (mm/kppsd.h,
 * mm/clock.h): no lock here (each figure is one word; a tally may be from
 * a pass that is just ending).
 */
#include <kernel/fs/procfs.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include <mm/kppsd.h>
#include <mm/frame.h>
#include <mm/dftlb.h>
#include <mm/clock.h>
#include <mm/pps_age.h>

static int show_kppsd(struct seqbuf *sb, int pid)
{
	struct kppsd_stats st;
	const struct pps_result *last = &st.last;

	(void)pid;
	kppsd_get_stats(&st);
	sb_printf(sb, "mode: %s\n", st.mode);
	sb_printf(sb, "interval_ms: %u\n", st.interval_ms);
	sb_printf(sb, "passes: %u\n", st.passes);
	sb_printf(sb, "watermarks: min %u low %u high %u (free %u)\n", st.wmark_min, st.wmark_low,
		  st.wmark_high, nr_free_pages());
	sb_printf(sb, "last_pass: scanned %u stage1 %u stage2 %u stage3 %u stage4 %u stage5 %u\n",
		  last->scanned, last->moved[PPS_STAGE_AGE], last->moved[PPS_STAGE_UNMAP],
		  last->moved[PPS_STAGE_ATTACH], last->moved[PPS_STAGE_WRITE], last->moved[PPS_STAGE_FREE]);
	sb_printf(sb, "last_pass_busy_mms: %u\n", last->busy_mms);
	sb_printf(sb, "dftlb_pending: %d\n", dftlb_pending());
	/* Aging (mm/pps_age.h): the pass clock, the last pressure pass's
	 * rule for stage 2 and the last pass's old pages by idle age. */
	struct pps_age_stats ag; /* 280 bytes: the stack has room */
	pps_age_get_stats(&ag);
	sb_printf(sb, "aging: seq %u evictions %u pressure_rule min_bucket %u budget %u\n", ag.seq,
		  ag.evictions, ag.min_bucket, ag.budget);
	sb_printf(sb, "aging_idle_hist:");
	for (u32 b = 0; b < PPS_AGE_BUCKETS; b++)
		sb_printf(sb, " %u", ag.hist[b]);
	sb_printf(sb, "\n");
	sb_printf(sb, "clock_hand: %u\n", clock_hand);
	sb_printf(sb, "clock_last_pass: scanned %u referenced %u unmapped %u written %u freed %u%s%s\n",
		  clock_last.scanned, clock_last.referenced, clock_last.unmapped, clock_last.written,
		  clock_last.freed, clock_last.swap_full ? " swap_full" : "",
		  clock_last.io_errors ? " io_errors" : "");
	return 0;
}

static long write_kppsd(int pid, const char *buf, u32 n)
{
	u32 stage = 0;
	int req;

	(void)pid, (void)n;
	if (!strncmp(buf, "step", 4) && (buf[4] == 0 || buf[4] == '\n' || buf[4] == ' ')) {
		req = -1;
	} else if (!strncmp(buf, "stage ", 6)) {
		char num[8] = { 0 };
		for (int i = 0; i < 7 && buf[6 + i] >= '0' && buf[6 + i] <= '9'; i++)
			num[i] = buf[6 + i];
		if (!parse_uint(num, &stage) || stage < 1 || stage > 5)
			return -EINVAL;
		req = (int)stage;
	} else {
		return -EINVAL;
	}
	return kppsd_request_pass(req);
}

void kppsd_proc_init(void)
{
	procfs_register("kppsd", false, show_kppsd, write_kppsd);
}
