"""Lab 5: swap-in, read-ahead and rescue (docs/labs/05-swapin-readahead.md)."""
from gradelib import QemuError, test

# Every test here needs pages taken away first: kppsd's stages (lab 3's
# ktests, not its reclaim run, which needs this lab's swap-in) and the
# stage-2 gate (lab 4), on address spaces faulted in (lab 2).
STAGES = ["lab2.demand_zero", "lab3.series_finding", "lab3.stage1_age", "lab3.stage3_attach", "lab3.stage5_free", "lab4.dftlb_gate"]

LAB, TITLE = 5, "swap-in, read-ahead and rescue"


def grew(before, after, key):
    return after.get(key, 0) - before.get(key, 0)


def run(g, sh, cmd, timeout):
    """sh.run, failing with the kernel's own words when a lab 5 stub (or a
    kill) ended the run: under pressure the shell and init are swapped out
    too, and die with the workload when pages cannot come back."""
    try:
        out = sh.run(cmd, timeout=timeout)
    except QemuError as e:
        said = [l for l in sh.q.log.splitlines() if "LAB 5:" in l or "segfault" in l or "killed" in l]
        raise AssertionError(f"{cmd!r} did not come back to the prompt ({str(e).splitlines()[0]});"
                             " the kernel said:\n  " + "\n  ".join(said[-8:] or ["nothing"]))
    said = [l for l in out if "LAB 5:" in l]
    g.check(not said, f"{cmd!r}: the kernel says a lab 5 part is missing:\n  " + "\n  ".join(said))
    return out


@test(points=40, deps=STAGES, timeout=240)
def swap_in(g):
    """thrash and seqscan over more than memory: every page comes back from swap intact."""
    sh = g.shell(smp=1, mem=32)
    v0 = sh.vmstat()
    # Random touches over 32 MiB at -m 32 (about 24 MiB free): most pages
    # are written out, and each is checked every time it is touched again.
    out = run(g, sh, "thrash 32 6000", timeout=180)
    g.expect_lines(out, [r"^thrash: OK elapsed_ms=\d+ accesses=\d+ pages=8192"], what="thrash's output")
    v1 = sh.vmstat()
    g.check(grew(v0, v1, "pswpout") > 0, "thrash wrote no page to swap (pswpout did not grow)")
    g.check(grew(v0, v1, "pswpin") > 0, "no page was read back from swap (pswpin did not grow)")
    g.check(grew(v0, v1, "pgmajfault") > 0, "no major fault (pgmajfault did not grow)")
    # Two sweeps: the second reads pages back in order; read ahead, most
    # of them come in by rescue, not by a major fault each.
    out = run(g, sh, "seqscan 32 2", timeout=180)
    g.expect_lines(out, [r"^seqscan: OK elapsed_ms=\d+ accesses=\d+ pages=8192"], what="seqscan's output")
    v2 = sh.vmstat()
    ra, hit, maj = grew(v1, v2, "swap_ra"), grew(v1, v2, "swap_ra_hit"), grew(v1, v2, "pgmajfault")
    g.check(hit > 0, f"seqscan: no read-ahead page was used (swap_ra={ra} swap_ra_hit={hit})")
    g.check(grew(v1, v2, "pswpin") >= 2 * maj,
            f"seqscan: {grew(v1, v2, 'pswpin')} pages read in {maj} major faults: "
            "a sweep should read several pages a fault")


@test(points=25, deps=STAGES, timeout=180)
def readahead_window(g):
    """ktests: random major faults read one page; a sweep doubles the window to swap_ra=."""
    g.ktest(["swap_ra_random_reads_one", "swap_ra_sweep_doubles_window"], smp=1)


@test(points=20, deps=STAGES, timeout=180)
def rescue(g):
    """ktest: a read-ahead page comes back by rescue (same frame, no I/O, a window hit)."""
    g.ktest(["pps_rescue_readahead_page"], smp=1)


@test(points=15, deps=STAGES, timeout=180)
def swapin_races(g):
    """ktests: two CPUs fault on one SwappedPTE (one read); MADV_DONTNEED and fork during the read."""
    g.ktest(["pps_swapin_one_read", "io_window_swapin_vs_dontneed", "io_window_swapin_vs_fork"], smp=2)
