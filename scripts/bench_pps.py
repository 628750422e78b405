#!/usr/bin/python3
"""make bench: the thrash programs under real memory pressure, with figures.

    scripts/bench_pps.py [--mem MIB] [--smp N ...] [--repeat N] [--csv FILE]
                         [--workloads NAME,...]

Boots ppsos with -m 64 -smp 4 (the defaults; about 61 MiB free, swap on
build/swap.img) and runs every workload from the shell at a fixed size,
one after the other, each larger than RAM. For each it prints the
workload's own elapsed time (guest clock) and how much /proc/vmstat grew
while it ran:

  pgmajfault     faults that waited for the disk
  pps_rescue     faults on an UnmappedPTE: mapped back, no I/O
  pswpin/pswpout pages read from / written to swap
  tlb_ipi        TLB-flush IPIs sent (for any reason)
  run_tlb_ipi    mtthrash only: tlb_ipi's growth while its threads ran (its
                 own reading of /proc/vmstat between two barriers: reclaim's
                 alone, no munmap or exit in that window)
  dftlb_full_waits  times a full delayed-flush table waited for the ticks
  dftlb_forced   full delayed-flush tables drained with on_each_cpu (only
                 if the ticks stopped freeing slots: expected 0)
  swap_ra_hit/swap_ra  read-ahead pages used / read
  cmds/page      disk commands per page written (swap_write_cmds/pswpout):
                 stage 4 writes a run of contiguous slots with one command

then a Markdown table and a CSV file (build/bench.csv) with one row per
workload and CPU count; with `--smp 1 4`, also each workload's -smp 4 /
-smp 1 time ratio (near 1.0 for the single-threaded workloads).

What to look for: rescues are as many as the major faults or more (the
stages give a page time to be wanted again); swap-ins outnumber swap-outs
(a page read back keeps its slot while clean and leaves again without a
write); seqscan uses nearly all of its read-ahead, thrash much less;
tlb_ipi is 0 unless dftlb_forced says a full table was drained (then one
IPI per other CPU); cmds/page is far below 1.

With --repeat N every configuration is booted N times and each cell is the
median of the N runs (elapsed times under TCG vary from run to run; the
counts much less).

mtthrash is one process whose 4 threads share one region, so the mm is
live on every CPU while kppsd reclaims it: run_tlb_ipi must be 0, as
tlb_ipi is for the single-threaded workloads (a full table waits for the
ticks; tlb_ipi may also count its final munmap's shootdowns). It runs in the main boot at the others' size and, unless
--no-small, once more in a boot of its own at -m 32 at test_pps.py's size
(SMALL); its rows are repeated in a table of their own, with run_tlb_ipi.

Every workload checks every page; one that is not OK stops the bench with
an error. --workloads thrash,mtthrash runs only those programs. Run it on
an idle host: QEMU is TCG here, so the host's load shows in every figure.

`make bench` then runs scripts/bench_compare.py: the comparison of
ppsos (reclaim=pps and reclaim=clock) with Linux, LRU and OPT on the
workloads of scripts/bench_workloads.py; with BENCH_RECLAIM set, also
scripts/bench_reclaim.py (PPS against the clock with either reverse map,
fork workloads included).
"""
import argparse
import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from qemu import BUILD, Qemu, sh_run, sh_wait_prompt, user_lines  # noqa: E402

# Sizes for -m 64: 80 MiB of working memory (multithrash: 4 x 20 MiB).
WORKLOADS = [
    "thrash 80 40000",
    "seqscan 80 2",
    "hotcold 80 40000",
    "phase 80 4 10000",
    "multithrash 4 20 20000",
    "mtthrash 4 80 20000",
]
# The ratio table's workloads: one process, one thread. multithrash and
# mtthrash run in parallel at -smp 4 and one after another (or in time
# slices) at -smp 1, so their ratio measures overlap, not overhead.
SINGLE_THREADED = {"thrash", "seqscan", "hotcold", "phase"}
# mtthrash at -m 32 with test_pps.py's 40 MiB, in a boot of its own: (workload, MiB of RAM).
SMALL = [("mtthrash 4 40 20000", 32)]
COUNTERS = ["pgmajfault", "pps_rescue", "pswpin", "pswpout", "tlb_ipi", "dftlb_full_waits", "dftlb_forced",
            "swap_ra_hit", "swap_ra", "swap_write_cmds", "oom_kill"]
OK_RE = re.compile(r"^(\w+): OK elapsed_ms=(\d+) accesses=(\d+)")
RUN_TLB_IPI_RE = re.compile(r" tlb_ipi=(\d+)")


def vmstat(q):
    out = user_lines(sh_run(q, "cat /proc/vmstat"))
    return {l.split()[0]: int(l.split()[1]) for l in out
            if len(l.split()) == 2 and l.split()[1].isdigit()}


def cmds_per_page(d):
    return d["swap_write_cmds"] / d["pswpout"] if d["pswpout"] else 0.0


def bench(smp, mem, workloads=WORKLOADS, label=""):
    """One boot: each workload from the shell; label tags the rows' names
    (" (-m 32)" for the SMALL boot)."""
    rows = []
    with Qemu(smp=smp, mem=mem, swap=BUILD / "swap.img", name=f"bench-smp{smp}-m{mem}") as q:
        sh_wait_prompt(q, timeout=120)
        for w in workloads:
            before = vmstat(q)
            out = user_lines(sh_run(q, w, timeout=900))
            after = vmstat(q)
            ok = [m for m in map(OK_RE.match, out) if m]
            if not ok:
                sys.exit(f"bench: -smp {smp}: `{w}` did not finish OK:\n  " + "\n  ".join(out))
            d = {k: after.get(k, 0) - before.get(k, 0) for k in COUNTERS}
            if d["oom_kill"]:
                sys.exit(f"bench: -smp {smp}: an out-of-memory kill during `{w}`")
            run_ipi = RUN_TLB_IPI_RE.search(ok[0].string)
            row = {"workload": w + label, "smp": smp, "mem_mib": mem,
                   "elapsed_ms": int(ok[0].group(2)), "accesses": int(ok[0].group(3)), **d,
                   "cmds_per_page_written": round(cmds_per_page(d), 3),
                   "run_tlb_ipi": int(run_ipi.group(1)) if run_ipi else ""}
            rows.append(row)
            print(f"bench: -smp {smp} -m {mem}: {w}: {row['elapsed_ms']} ms, "
                  + " ".join(f"{k}={v}" for k, v in d.items())
                  + (f" run_tlb_ipi={row['run_tlb_ipi']}" if run_ipi else ""), flush=True)
        if "PANIC" in q.log:
            sys.exit(f"bench: -smp {smp}: kernel panic")
    return rows


def print_smp_ratio(rows):
    """With --smp 1 4 (both): each single-threaded workload's -smp 4 time
    over its -smp 1 time, which should be near 1.0: another CPU that only
    idles must cost nothing (kernel/sched_balance.c: wake placement;
    sched_idle.c: tickless idle). The goal is at most 1.2; with --repeat
    the times are medians."""
    t = {(r["workload"], r["smp"]): r["elapsed_ms"] for r in rows}
    both = [w for w in WORKLOADS if (w, 1) in t and (w, 4) in t and w.split()[0] in SINGLE_THREADED]
    if not both:
        return
    print("\n| workload | -smp 1 ms | -smp 4 ms | -smp 4 / -smp 1 |")
    print("| --- | ---: | ---: | ---: |")
    for w in both:
        print(f"| `{w}` | {t[(w, 1)]} | {t[(w, 4)]} | {t[(w, 4)] / max(t[(w, 1)], 1):.2f} |")


def medians(runs):
    """Rows of several benches of the same configurations: one row per
    (workload, smp, mem), each number the median of its runs (the lower
    middle one for an even count)."""
    groups = {}
    for r in runs:
        groups.setdefault((r["workload"], r["smp"], r["mem_mib"]), []).append(r)
    out = []
    for rs in groups.values():
        row = dict(rs[0])
        for k, v in row.items():
            if isinstance(v, (int, float)) and not isinstance(v, bool) and k not in ("smp", "mem_mib"):
                vals = sorted(r[k] for r in rs)
                row[k] = vals[(len(vals) - 1) // 2]
        row["runs"] = len(rs)
        out.append(row)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mem", type=int, default=64, help="MiB of guest RAM (default 64)")
    ap.add_argument("--smp", type=int, nargs="+", default=[4], help="CPU counts (default 4)")
    ap.add_argument("--csv", default=str(BUILD / "bench.csv"), help="CSV output file")
    ap.add_argument("--repeat", type=int, default=1, help="boots per configuration; cells are medians")
    ap.add_argument("--no-small", action="store_true",
                    help="no extra boot for " + ", ".join(f"{w} at -m {m}" for w, m in SMALL))
    ap.add_argument("--workloads", default="",
                    help="only these programs (comma list of names, e.g. thrash,mtthrash)")
    a = ap.parse_args()
    only = set(filter(None, a.workloads.replace(" ", ",").split(",")))
    workloads = [w for w in WORKLOADS if not only or w.split()[0] in only]
    small = [(w, m) for w, m in ([] if a.no_small else SMALL) if not only or w.split()[0] in only]
    if not workloads and not small:
        print(f"bench: none of the workloads is one of {a.workloads}: nothing to run")
        return
    print(f"bench: -m {a.mem}, -smp {' '.join(map(str, a.smp))}; "
          f"workloads: {', '.join(workloads)}", flush=True)
    runs = []
    for rnd in range(a.repeat):
        for smp in a.smp:
            if workloads:
                runs += bench(smp, a.mem, workloads)
            for w, mem in small:
                runs += bench(smp, mem, [w], label=f" (-m {mem})")
    rows = medians(runs)
    print()
    if a.repeat > 1:
        print(f"Each cell: the median of {a.repeat} runs.")
    print("| workload | -smp | elapsed ms | pgmajfault | pps_rescue | pswpin | pswpout "
          "| tlb_ipi | dftlb_forced | swap_ra_hit/swap_ra | cmds/page written |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        if r["run_tlb_ipi"] != "" and "(-m" in r["workload"]:
            continue  # the -m 32 boot's rows: in the threads table below
        print(f"| `{r['workload']}` | {r['smp']} | {r['elapsed_ms']} | {r['pgmajfault']} "
              f"| {r['pps_rescue']} | {r['pswpin']} | {r['pswpout']} | {r['tlb_ipi']} "
              f"| {r['dftlb_forced']} | {r['swap_ra_hit']}/{r['swap_ra']} "
              f"| {r['cmds_per_page_written']:.3f} |")
    print_smp_ratio(rows)
    with open(a.csv, "w", newline="") as f:
        wr = csv.DictWriter(f, fieldnames=list(rows[0]))
        wr.writeheader()
        wr.writerows(rows)
    print(f"\nbench: CSV in {a.csv}")
    print_threads(rows)


def print_threads(rows):
    """The mtthrash rows again, with the TLB IPIs sent while its threads
    ran (reclaim only: 0, a full dftlb table waits for the ticks)."""
    mt = [r for r in rows if r["run_tlb_ipi"] != ""]
    if not mt:
        return
    print("\n| threaded workload | -m | -smp | elapsed ms | pswpout | pswpin | tlb_ipi "
          "| run_tlb_ipi | dftlb_full_waits | dftlb_forced |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in mt:
        print(f"| `{r['workload']}` | {r['mem_mib']} | {r['smp']} | {r['elapsed_ms']} "
              f"| {r['pswpout']} | {r['pswpin']} | {r['tlb_ipi']} | {r['run_tlb_ipi']} "
              f"| {r['dftlb_full_waits']} | {r['dftlb_forced']} |")


if __name__ == "__main__":
    main()
