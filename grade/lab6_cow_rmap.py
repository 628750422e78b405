"""Lab 6: copy-on-write fork and reverse maps (docs/labs/06-cow-rmap.md).

In the lab's tree fork stays correct (every write after fork copies), so
the shell and every program still run; what is missing is the reuse of a
page its writer alone maps, and both reverse maps (the anon objects' walk,
seed 001; PTE chains, seed 002) that the clock needs to unmap a shared
page. The kernel-side tests are ktests (tests/mm/ktest_anon.c,
ktest_pte_chain.c, ktest_clock.c): no user space, a few seconds each.
"""
import re

from gradelib import test

LAB, TITLE = 6, "copy-on-write fork and reverse maps"


@test(points=30, deps=["lab2.demand_zero"], timeout=180)
def cow_fork(g):
    """Processes forked from one see only their own writes; a writer alone takes its page over."""
    run_cowtest(g)


def run_cowtest(g):
    sh = g.shell(smp=2)
    before = sh.vmstat()
    out = sh.user("cowtest -c 2 -m 4 -r 2", timeout=120)
    g.expect_lines(out, [r"^cowtest: 3 processes, \d+ pages checked, 0 mismatches$", r"^cowtest: OK$"],
                   what="cowtest's output")
    after = sh.vmstat()
    d = {k: after.get(k, 0) - before.get(k, 0) for k in ("fork_shared", "cow_fault", "cow_copy", "cow_reuse")}
    g.check(d["fork_shared"] >= 2 * 1024, f"fork shared {d['fork_shared']} pages, fewer than cowtest's 4 MiB "
            f"twice: is fork copying?")
    g.check(d["cow_copy"] > 0, f"no COW fault copied a page: {d}")
    g.check(d["cow_reuse"] > 0, f"no COW fault reused a page its writer alone maps (cow_reuse 0): "
            f"cow_fault must take such a page over in place: {d}")


@test(points=25, deps=["lab2.demand_zero"], timeout=120)
def anon_rmap(g):
    """The anon objects' walk finds a page in every VMA of its family, through fork, splits and copies."""
    g.ktest(["anon_fork_shares_pages_in_one_family", "anon_split_keeps_every_page_at_its_index",
             "anon_deep_fork_chain_one_object"], smp=1)


@test(points=25, deps=["lab2.demand_zero"], timeout=120)
def pte_chain(g):
    """PTE chains: link, collect, unlink; fork, COW and exit with rmap=chain."""
    g.ktest(["pte_chain_link_collect_unlink", "pte_chain_fork_cow_exit"], smp=1)


@test(points=20, deps=["lab2.demand_zero"], timeout=180)
def clock_unmaps_shared(g):
    """The clock evicts a page shared after fork from both mappings, by either reverse map."""
    for rmap in ("anon", "chain"):
        g.ktest(["clock_evicts_a_page_shared_after_fork", "clock_keeps_a_page_young_in_one_mapping"],
                smp=1, cmdline=f"rmap={rmap}")
