"""PTE chains (rmap=chain) under real processes: fork trees on 4 CPUs share
pages copy-on-write, every shared page is linked on a chain from each PTE
that maps it, and every PTE is unlinked again by a COW copy, an exit, an
exec or re-entry into PPS.

The kernel checks the chains itself as it goes: pte_unlink panics when a
PTE is not on its page's chain, pte_link when one is linked twice, a page
table freed with a PTE still linked panics, and freeing a page table
without its pair trips free_pages. So a run without a panic, with every
tree OK and with the chains really used (pte_chain_link grew), is the
evidence; and once the trees are gone the pairs of their page tables are
gone too (meminfo's PteChain back to what it was with only init and sh).
"""
import re

import pytest

from qemu import sh_run, sh_wait_prompt, user_lines

TREES = 2
FORKTREE_PROCS = 40   # forktree 3 3: 1 + 3 + 9 + 27


def numbers(q, path, pattern):
    """{name: value} of the lines of `path` that match `pattern` (two groups)."""
    out = user_lines(sh_run(q, f"cat {path}"))
    q.check(not any(l.startswith("cat:") for l in out), f"'cat {path}' failed: {out!r}")
    return {m.group(1): int(m.group(2)) for l in out for m in [re.fullmatch(pattern, l)] if m}


def vmstat(q):
    return numbers(q, "/proc/vmstat", r"([a-z][a-z0-9_]*) (\d+)")


def meminfo(q):
    return numbers(q, "/proc/meminfo", r"(\w+):\s+(\d+) kB")


@pytest.mark.parametrize("reclaim", ["pps", "clock"])
def test_forktrees_on_pte_chains(qemu, test_initrd, reclaim):
    q = qemu(smp=4, initrd=test_initrd, cmdline=f"rmap=chain reclaim={reclaim}")
    sh_wait_prompt(q)
    q.check(f"legacy pages: rmap=chain reclaim={reclaim}" in q.log, "the boot did not take rmap=chain")
    mem0 = meminfo(q)
    q.check(mem0.get("PteChain", 0) > 0, f"PteChain is {mem0.get('PteChain')} kB with init and sh running")
    v0 = vmstat(q)
    for _ in range(TREES):
        sh_run(q, "forktree 3 3 &")
    sh_run(q, "wait", timeout=240)
    q.check("PANIC" not in q.log, "kernel panic during the fork trees")
    oks = [l for l in q.log.splitlines() if f"forktree: OK {FORKTREE_PROCS} processes" in l]
    q.check(len(oks) == TREES, f"{len(oks)} of {TREES} trees finished OK")
    v1 = vmstat(q)
    links = v1["pte_chain_link"] - v0["pte_chain_link"]
    unlinks = v1["pte_chain_unlink"] - v0["pte_chain_unlink"]
    # Each of the trees' forks shares at least one page (its stack), so
    # links at least one per fork, and every process of the trees is gone,
    # with its links.
    forks = TREES * (FORKTREE_PROCS - 1)
    q.check(links >= forks, f"only {links} PTEs linked on chains during {forks} forks")
    q.check(unlinks >= forks, f"only {unlinks} PTEs unlinked from chains after {forks} forks")
    rows = user_lines(sh_run(q, "ps"))[1:]
    q.check(sorted(l.split()[-1] for l in rows) == ["init", "ps", "sh"],
            f"processes left after the trees: {rows!r}")
    # The trees' page tables are gone, and their pairs with them: what is
    # left is init's, sh's and the one cat's, as before.
    mem1 = meminfo(q)
    q.check(mem1["PteChain"] == mem0["PteChain"],
            f"PteChain {mem0['PteChain']} kB before the trees, {mem1['PteChain']} kB after")
