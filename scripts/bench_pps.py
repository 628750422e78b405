#!/usr/bin/python3
"""make bench-pps: the thrash programs under real memory pressure, with figures.

Boots ppsos with -m 32 (about 29 MiB free; swap on build/swap.img) at
-smp 1 and -smp 4, and in each boot runs every workload from the shell,
one after the other. For each run it prints the workload's own elapsed
time (guest clock) and how much /proc/vmstat grew while it ran: pages
written to and read from swap, major faults, rescues of UnmappedPTEs (a
page kppsd was about to evict, mapped back without I/O), how many of the
pages read ahead were used, and the TLB work: delayed-flush tasks queued,
forced drains, and TLB-flush IPIs sent for any reason.

What to look for: rescues (faults with no I/O: the stages gave the page
time to be wanted again) are as many as the major faults or more; swap-ins
outnumber swap-outs, because a page read back keeps its slot while clean
and leaves again without a write; nearly all of seqscan's read-ahead is
used and a third of thrash's; tlb_ipi stays small against dftlb_tasks (the
flushes ride on the timer interrupt; the IPIs are the forced drains and
other kernel work), and is 0 on one CPU.

Every workload checks every page; a CORRUPT or FAIL line stops the bench
with an error. Run it on an idle host: QEMU is TCG here, so the host's load
shows in every figure.
"""
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from qemu import Qemu, sh_run, sh_wait_prompt, user_lines  # noqa: E402

MEM = 32
WORKLOADS = [
    "thrash 40 20000",
    "seqscan 40 2",
    "hotcold 40 20000",
    "phase 40 4 5000",
    "multithrash 4 10 20000",
]
COUNTERS = ["pswpout", "pswpin", "pgmajfault", "pps_rescue", "swap_ra", "swap_ra_hit",
            "dftlb_tasks", "dftlb_forced", "tlb_ipi", "oom_kill"]
OK_RE = re.compile(r"^(\w+): OK elapsed_ms=(\d+) accesses=(\d+)")


def vmstat(q):
    out = user_lines(sh_run(q, "cat /proc/vmstat"))
    return {l.split()[0]: int(l.split()[1]) for l in out
            if len(l.split()) == 2 and l.split()[1].isdigit()}


def bench(smp):
    rows = []
    with Qemu(smp=smp, mem=MEM, name=f"bench-pps-smp{smp}") as q:
        sh_wait_prompt(q, timeout=120)
        for w in WORKLOADS:
            before = vmstat(q)
            out = user_lines(sh_run(q, w, timeout=600))
            after = vmstat(q)
            ok = [OK_RE.match(l) for l in out if OK_RE.match(l)]
            if not ok:
                sys.exit(f"bench-pps: smp {smp}: `{w}` did not finish OK:\n  " + "\n  ".join(out))
            d = {k: after.get(k, 0) - before.get(k, 0) for k in COUNTERS}
            rows.append((w, int(ok[0].group(2)), int(ok[0].group(3)), d))
            print(f"bench-pps: smp {smp}: {w}: {ok[0].group(2)} ms, "
                  + " ".join(f"{k}={v}" for k, v in d.items()), flush=True)
        if "PANIC" in q.log:
            sys.exit(f"bench-pps: smp {smp}: kernel panic")
    return rows


def main():
    smps = [int(a) for a in sys.argv[1:]] or [1, 4]
    print(f"bench-pps: -m {MEM}, workloads of 40 MiB (multithrash: 4 x 10 MiB), "
          f"-smp {', '.join(map(str, smps))}", flush=True)
    table = {smp: bench(smp) for smp in smps}
    print()
    print("| workload | -smp | elapsed | swap out / in (pages) | major faults | rescues "
          "| read-ahead used | dftlb tasks | forced | TLB IPIs |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for smp, rows in table.items():
        for w, ms, _acc, d in rows:
            ra = f"{d['swap_ra_hit']}/{d['swap_ra']}" if d["swap_ra"] else "0/0"
            print(f"| `{w}` | {smp} | {ms / 1000:.1f} s | {d['pswpout']} / {d['pswpin']} "
                  f"| {d['pgmajfault']} | {d['pps_rescue']} | {ra} | {d['dftlb_tasks']} "
                  f"| {d['dftlb_forced']} | {d['tlb_ipi']} |")
            if d["oom_kill"]:
                sys.exit(f"bench-pps: an out-of-memory kill during `{w}`")


if __name__ == "__main__":
    main()
