"""Lab 4: dftlb, delayed flush tasks and the stage-2 gate (docs/labs/04-dftlb.md)."""
from gradelib import KtestBatch, test

LAB, TITLE = 4, "dftlb: delayed TLB flushes"

# This lab's ktests (tests/mm/ktest_dftlb.c, tests/mm/ktest_pps.c), on 2
# CPUs: a task is owed by another CPU only if there is one. One boot runs
# them all (gradelib.KtestBatch).
# None of them uses lab 3's stages 1, 3 or 5 (stage 1 is done by hand), so
# this lab does not depend on lab 3; lab 3's reclaim test and all of lab
# 5's tests depend on dftlb_gate. They fault pages in: lab 2.
KTESTS = ["dftlb_close_names_cpus", "dftlb_stage2_gate", "dftlb_drain_at_tick", "dftlb_fill_and_drain"]
BATCH = KtestBatch(KTESTS, smp=2)


def ktest_graded(g, name):
    BATCH.check(g, name)


@test(points=30, deps=["lab1.all_cpus_online", "lab2.demand_zero"], timeout=180)
def close_names_cpus(g):
    """dftlb_close: the task is owed by the other CPUs that have the mm loaded, no one else."""
    ktest_graded(g, "dftlb_close_names_cpus")


@test(points=40, deps=["lab1.all_cpus_online", "lab2.demand_zero"], timeout=180)
def dftlb_gate(g):
    """the stage-2 gate: no unmap while a CPU owes the flush; after its tick, the old pages go."""
    ktest_graded(g, "dftlb_stage2_gate")


@test(points=30, deps=["lab1.all_cpus_online", "lab2.demand_zero"], timeout=180)
def drain_at_tick(g):
    """dftlb_drain_local: each CPU drains at its own timer tick; a full table waits; no IPI."""
    ktest_graded(g, "dftlb_drain_at_tick")
    ktest_graded(g, "dftlb_fill_and_drain")
