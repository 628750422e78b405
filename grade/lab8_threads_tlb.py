"""Lab 8: threads and TLB coherence (docs/labs/08-threads-tlb.md).

The tests are ktests (tests/mm/ktest_tlb.c): kernel threads that load a
test mm with kthread_use_mm stand in for the threads of a process, on as
many CPUs as the test boots. No user program runs.
"""
from gradelib import test

LAB, TITLE = 8, "threads and TLB coherence"


def run_ktests(g, names, smp):
    """Run the ktests; returns the serial log's lines."""
    g.ktest(names, smp=smp, timeout=120)
    return g.runs[-1][0].log.splitlines()


@test(points=30, deps=["lab2.demand_zero"], timeout=120)
def deferred_free_at_tick(g):
    """An unmap's frames wait on this CPU's deferred list (PG_deferred) and go back at the next tick."""
    log = run_ktests(g, ["tlb_deferred_free_drains_at_tick"], 1)
    g.expect_lines(log, [r"ok \d+ tlb_deferred_free_drains_at_tick"], what="the KTAP output")


@test(points=30, deps=["lab1.all_cpus_online"], timeout=120)
def drain_all_by_ipi(g):
    """-smp 2: short of memory, deferred_free_drain_all collects another CPU's list by IPI."""
    log = run_ktests(g, ["tlb_deferred_free_drains_by_ipi_when_short"], 2)
    g.expect_lines(log, [r"# tlb_deferred_free_drains_by_ipi_when_short: 16 pages deferred on cpu 1",
                         r"# tlb_deferred_free_drains_by_ipi_when_short: took \d+ frames, "
                         r"(1[6-9]|[2-9]\d|\d{3,}) came back from the lists by IPI"],
                   what="the KTAP output")


@test(points=40, deps=["lab1.all_cpus_online", "lab2.demand_zero"], timeout=150)
def shootdown_then_reuse(g):
    """-smp 4: a reader thread never sees a replaced page; the old frame waits deferred; IPIs only to the mm's CPUs."""
    log = run_ktests(g, ["tlb_shootdown_then_reuse", "tlb_ipi_counts_other_cpus_in_mask",
                         "tlb_same_mm_switch_keeps_cr3"], 4)
    for line in (r"# tlb_shootdown_then_reuse: \d+ of 40 rounds conclusive, 0 stale",
                 r"# tlb_ipi_counts_other_cpus_in_mask: \d+ of 32 unmaps with the mm on exactly 3 CPUs"):
        g.expect_lines(log, [line], what="the KTAP output")

