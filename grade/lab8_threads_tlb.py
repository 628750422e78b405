"""Lab 8: threads and TLB coherence (docs/labs/08-threads-tlb.md).

The tests are ktests (tests/mm/ktest_tlb.c): kernel threads that load a
test mm with kthread_use_mm stand in for the threads of a process, on as
many CPUs as the test boots. No user program runs.
"""
import gradelib
from gradelib import test

LAB, TITLE = 8, "threads and TLB coherence"


def needs(*deps):
    """The dependencies, less those whose lab has no grader file in this
    checkout yet (grade.py imports grade/lab1..lab7 before this file, so
    every lab that exists is registered by now)."""
    known = {t.id for t in gradelib.TESTS}
    return [d for d in deps if d in known]


def run_ktests(g, names, smp):
    """Run the ktests; a failure also shows the kernel's 'LAB 8:' lines,
    which say what is still a stub."""
    try:
        g.ktest(names, smp=smp, timeout=120)
    except AssertionError as e:
        raise AssertionError(explain(g, e, names)) from None
    return g.runs[-1][0].log.splitlines()


def explain(g, e, names):
    """A failure's message: the kernel's 'LAB 8:' lines (what is still a
    stub), what the ktests said (each distinct line once), then the
    grader's own words."""
    log = g.runs[-1][0].log.splitlines() if g.runs else []
    notes = [l for l in log if "LAB 8:" in l]
    seen, said = set(), []
    for l in log:
        key = l.split("] ", 1)[-1]
        if any(key.startswith(f"# {n}: ") for n in names) and key not in seen:
            seen.add(key)
            said.append(l)
    return "\n".join(notes + said[:8] + str(e).splitlines()[:1])


@test(points=30, deps=needs("lab2.demand_zero"), timeout=120)
def deferred_free_at_tick(g):
    """An unmap's frames wait on this CPU's deferred list (PG_deferred) and go back at the next tick."""
    log = run_ktests(g, ["tlb_deferred_free_drains_at_tick"], 1)
    g.expect_lines(log, [r"ok \d+ tlb_deferred_free_drains_at_tick"], what="the KTAP output")


@test(points=30, deps=needs("lab1.all_cpus_online"), timeout=120)
def drain_all_by_ipi(g):
    """-smp 2: short of memory, deferred_free_drain_all collects another CPU's list by IPI."""
    log = run_ktests(g, ["tlb_deferred_free_drains_by_ipi_when_short"], 2)
    g.expect_lines(log, [r"# tlb_deferred_free_drains_by_ipi_when_short: 16 pages deferred on cpu 1",
                         r"# tlb_deferred_free_drains_by_ipi_when_short: took \d+ frames, "
                         r"(1[6-9]|[2-9]\d|\d{3,}) came back from the lists by IPI"],
                   what="the KTAP output")


@test(points=40, deps=needs("lab1.all_cpus_online", "lab2.demand_zero"), timeout=150)
def shootdown_then_reuse(g):
    """-smp 4: a reader thread never sees a replaced page; the old frame waits deferred; IPIs only to the mm's CPUs."""
    log = run_ktests(g, ["tlb_shootdown_then_reuse", "tlb_ipi_counts_other_cpus_in_mask",
                         "tlb_same_mm_switch_keeps_cr3"], 4)
    for line in (r"# tlb_shootdown_then_reuse: \d+ of 40 rounds conclusive, 0 stale",
                 r"# tlb_ipi_counts_other_cpus_in_mask: \d+ of 32 unmaps with the mm on exactly 3 CPUs"):
        g.expect_lines(log, [line], what="the KTAP output")

