"""Lab 4: dftlb, delayed flush tasks and the stage-2 gate (docs/labs/04-dftlb.md)."""
from gradelib import QemuError, scaled, test
from qemu import ktap_results

LAB, TITLE = 4, "dftlb: delayed TLB flushes"

# This lab's ktests (tests/mm/ktest_dftlb.c, tests/mm/ktest_pps.c), on 2
# CPUs: a task is owed by another CPU only if there is one. One boot runs
# them all, the first time one is asked for (grading must be fast); each
# graded test then reads its own result. A ktest that did not get to report
# in that boot (another one panicked or hung first) gets a boot of its own.
# None of them uses lab 3's stages 1, 3 or 5 (stage 1 is done by hand), so
# this lab does not depend on lab 3, and lab 3's reclaim test depends on
# dftlb_gate.
KTESTS = ["dftlb_close_names_cpus", "dftlb_stage2_gate", "dftlb_drain_at_tick", "dftlb_fill_and_drain"]
_done = {}      # ktest name -> (passed, its failure lines, the stubs' messages)


def ktest_graded(g, name, smp=2):
    if name not in _done:
        names = [n for n in KTESTS if n not in _done] if not _done else [name]
        q = g.boot(smp=smp, cmdline=f"ktest={','.join(names)} panic=exit")
        try:
            q.wait_exit(scaled(120))
        except QemuError:
            pass                # a panic or a hang: what did report is in the log
        res = ktap_results(q.log)
        lines = [l.strip() for l in q.log.splitlines()]
        stubs = list(dict.fromkeys(l for l in lines if "LAB " in l and "not implemented" in l))
        for n in names:
            if n in res:
                _done[n] = (res[n][1], [l for l in lines if f"# {n}:" in l], stubs)
        if name not in _done:
            tail = "\n".join(lines[-15:])
            raise AssertionError(f"ktest {name} never reported (a panic or a hang?); "
                                 f"the end of the log:\n{tail}")
    ok, fails, stubs = _done[name]
    more = [f"... and {len(fails) - 6} more"] if len(fails) > 6 else []
    said = ["the kernel said (stubs still in place):"] + stubs if stubs else []
    g.check(ok, f"ktest {name} failed:\n" + "\n".join(fails[:6] + more + said))


@test(points=30, deps=["lab1.all_cpus_online"], timeout=180)
def close_names_cpus(g):
    """dftlb_close: the task is owed by the other CPUs that have the mm loaded, no one else."""
    ktest_graded(g, "dftlb_close_names_cpus")


@test(points=40, deps=["lab1.all_cpus_online"], timeout=180)
def dftlb_gate(g):
    """the stage-2 gate: no unmap while a CPU owes the flush; after its tick, the old pages go."""
    ktest_graded(g, "dftlb_stage2_gate")


@test(points=30, deps=["lab1.all_cpus_online"], timeout=180)
def drain_at_tick(g):
    """dftlb_drain_local: each CPU drains at its own timer tick; a full table waits; no IPI."""
    ktest_graded(g, "dftlb_drain_at_tick")
    ktest_graded(g, "dftlb_fill_and_drain")
