"""Lab 3: kppsd's six stages over series (docs/labs/03-kppsd-stages.md)."""
from gradelib import KtestBatch, test

LAB, TITLE = 3, "kppsd's six stages"

# This lab's ktests (tests/mm/ktest_pps_stages.c, tests/mm/ktest_pps.c), one
# boot for all of them (gradelib.KtestBatch).
# They build their address spaces by faulting pages in: they need lab 2.
# The reclaim test needs pages to come back too (init's and the shell's,
# whatever thrash does): it needs lab 5's swap-in, whose own tests need only
# this lab's ktests, not this reclaim test (no cycle).
KTESTS = ["pps_series_finding", "pps_stage1_age", "pps_stage3_attach", "pps_stage5_free"]
BATCH = KtestBatch(KTESTS, smp=1)


def ktest_graded(g, name):
    BATCH.check(g, name)


def stage_moves(vm):
    return [vm.get(f"pps_stage{s}", 0) for s in range(1, 6)]


@test(points=30, deps=["lab2.demand_zero", "lab4.dftlb_gate", "lab5.swapin_races"], timeout=240)
def stages_under_pressure(g):
    """thrash 40 MiB at -m 38: kppsd's stages 1-5 all move pages, every page checked."""
    sh = g.shell(smp=1, mem=38)
    before = stage_moves(sh.vmstat())
    out = sh.run("thrash 40 3000", timeout=180)
    said = [l for l in out if "LAB " in l or "oom" in l or "out of memory" in l]
    if not any(l.startswith("thrash: OK ") for l in out):
        raise AssertionError("thrash did not print its OK line (reclaim must free pages for it):\n"
                             + "\n".join(list(dict.fromkeys(out[-4:] + said))[:10]))
    after = stage_moves(sh.vmstat())
    moved = [a - b for a, b in zip(after, before)]
    still = [f"pps_stage{s + 1}" for s, m in enumerate(moved) if m <= 0]
    g.check(not still, f"/proc/vmstat: {', '.join(still)} did not grow while thrash ran "
            f"(moves of stages 1-5: {moved}): a stage that moves nothing keeps pages in memory")


@test(points=15, deps=["lab2.demand_zero"], timeout=180)
def series_finding(g):
    """series_len: runs of one stage, cut at 32, at a page table's end and at the range's end."""
    ktest_graded(g, "pps_series_finding")


@test(points=20, deps=["lab2.demand_zero"], timeout=180)
def stage1_age(g):
    """stage 1: A and D cleared, D kept in PG_dirty, the range queued in a dftlb task."""
    ktest_graded(g, "pps_stage1_age")


@test(points=15, deps=["lab2.demand_zero"], timeout=180)
def stage3_attach(g):
    """stage 3: a slot for each UnmappedPTE, in address order, the page dirty."""
    ktest_graded(g, "pps_stage3_attach")


@test(points=20, deps=["lab2.demand_zero"], timeout=180)
def stage5_free(g):
    """stage 5: clean UnmappedPTEs with a slot become SwappedPTEs, their frames freed."""
    ktest_graded(g, "pps_stage5_free")
