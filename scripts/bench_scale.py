#!/usr/bin/python3
"""make bench-scale: does reclaim's cost per PTE stay flat as a process grows?

    scripts/bench_scale.py [--mem MIB] [--smp N] [--swap-mb MIB]
                           [--sizes MIB,...] [--accesses N] [--csv FILE]
                           [--flat RATIO]

Boots ppsos once at -m 512 -smp 8 (the defaults) with a fresh 1 GiB swap
disk (tests/qemu.py's own image, deleted at the end), checks that every
CPU came up (the ACPI MADT's list: the log's "smp: N CPUs online" and
/proc/cpuinfo) and that the kernel manages the RAM it was given
(/proc/meminfo MemTotal), then runs `thrash MIB ACCESSES` at each size, one
after the other: a process of MIB MiB of private anonymous memory, filled,
accessed at random, and checked. The sizes go from well inside RAM to
nearly twice it, so the last ones swap. A run that fits in RAM makes
RESIDENT_ACCESSES random accesses (cheap: no fault), so that it lives
through several of kppsd's periodic passes (one a second); one that swaps
makes ACCESSES.

Per size it reads /proc/vmstat and /proc/fault_latency before and after the
run (mm/reclaim_stats.h) and reports their growth:

  pages          the process's pages (its PTEs once all are touched)
  passes         kppsd's passes during the run (pressure passes in brackets)
  PTEs/pass      kppsd_scanned / kppsd_passes: what one pass walks
  ns/PTE         kppsd's time per scanned PTE, not counting its waits for
                 swap writes and for delayed-flush slots (kppsd_pass_ns -
                 kppsd_pass_io_ns - kppsd_pass_dftlb_ns): the walk and the
                 stages' own work, over all passes of the run
  ns/PTE p50     the same for the median periodic pass and the median
                 pressure pass (of those that scanned at least 1024 PTEs;
                 /proc/kppsd_cost, the lower edge of its bucket: quarter
                 powers of two, within 19%); a pass that was preempted (the
                 host runs 8 vCPUs on few cores) moves the mean, not the
                 median. A pressure pass does more per PTE (slots, writes,
                 frees): compare each kind with itself
  ns/PTE +waits  all of a pass's time per scanned PTE
  moves/PTE      stage moves (pps_stage1..5) per scanned PTE: the stages'
                 work, which the cost per PTE follows (a PTE aged costs a
                 cmpxchg, one given a slot the allocator, one written the
                 disk command's setup). With a fixed access rate, a larger
                 process has more pages untouched between two passes, so
                 more of them move on
  scanned/freed  PTEs scanned per frame stage 5 freed (pressure only)
  swap-ins etc.  also the slowest fault (max), which p99 hides
  allocstalls    user-page allocations that waited below the min watermark
                 for a kppsd pass (pps_alloc_user_page), and their total ms:
                 the part of fault latency that is waiting for reclaim
  zero, rescue, swapin   the faults of each kind (/proc/fault_latency):
                 count, mean latency, p50 and p99 (the upper edges of the
                 log2 histogram's buckets, so within a factor of two)

then a table, a CSV (build/bench-scale.csv) and the ratio of the largest
size's figure to the smallest size's that has it (swap-ins only happen once
the process outgrows RAM). Flat means a ratio near 1; --flat (default 2.0)
is where the verdict line calls a figure not flat. Times are wall time
(TSC) under TCG on a shared host: noisy from run to run, the counts much
less. The verdict is information; the bench fails only if a run fails, a
CPU is missing or the RAM is not all managed.
"""
import argparse
import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from qemu import BUILD, Qemu, sh_run, sh_wait_prompt, smp_online, user_lines  # noqa: E402

SIZES = [64, 128, 256, 448, 640, 896]
ACCESSES = 60000         # random accesses of a run that swaps
RESIDENT_ACCESSES = 1500000  # ... of one that fits in RAM: cheap, so that it lasts several periodic passes
MIN_SCANNED = 10000      # PTEs kppsd must scan in a run for a mean cost per PTE
OK_RE = re.compile(r"^thrash: OK elapsed_ms=(\d+) accesses=(\d+) pages=(\d+)")
VMSTAT_KEYS = ["kppsd_passes", "kppsd_pressure_passes", "kppsd_scanned", "kppsd_freed",
               "kppsd_pass_ns", "kppsd_pass_io_ns", "kppsd_pass_dftlb_ns", "allocstall", "allocstall_us", "pgmajfault",
               "pswpin", "pswpout", "oom_kill", "pps_stage1", "pps_stage2", "pps_stage3", "pps_stage4",
               "pps_stage5", "clock_scanned"]


def read_vmstat(q):
    out = user_lines(sh_run(q, "cat /proc/vmstat", timeout=120))
    return {l.split()[0]: int(l.split()[1]) for l in out
            if len(l.split()) == 2 and l.split()[1].isdigit()}


def read_fault_latency(q):
    """/proc/fault_latency: {class: {"count", "total_ns", "hist": {le_ns: n}}}."""
    out = user_lines(sh_run(q, "cat /proc/fault_latency", timeout=120))
    classes, res = [], {}
    for l in out:
        f = l.split()
        if f[0] == "class":
            classes = f[1:]
            res = {c: {"count": 0, "total_ns": 0, "hist": {}} for c in classes}
        elif f[0] in ("count", "total_ns"):
            for c, v in zip(classes, f[1:]):
                res[c][f[0]] = int(v)
        elif f[0] == "le_ns":
            for c, v in zip(classes, f[2:]):
                res[c]["hist"][int(f[1])] = int(v)
    if not classes:
        sys.exit("bench-scale: /proc/fault_latency has no 'class' line:\n  " + "\n  ".join(out))
    return res


def read_kppsd_cost(q):
    """/proc/kppsd_cost: {kind: {lowest ns per PTE of the bucket: passes}}."""
    out = user_lines(sh_run(q, "cat /proc/kppsd_cost", timeout=120))
    kinds = next((l.split()[1:] for l in out if l.startswith("kind ")), None)
    if not kinds:
        sys.exit("bench-scale: /proc/kppsd_cost has no 'kind' line:\n  " + "\n  ".join(out))
    res = {k: {} for k in kinds}
    for l in out:
        if l.startswith("ge_ns "):
            for k, n in zip(kinds, l.split()[2:]):
                res[k][float(l.split()[1])] = int(n)
    return res


def median_bucket(before, after):
    """The lowest edge (ns per PTE) of the bucket holding the median pass
    of those counted between the two readings, or None."""
    hist = {k: v - before.get(k, 0) for k, v in after.items()}
    total = sum(hist.values())
    seen = 0
    for edge in sorted(hist):
        seen += hist[edge]
        if total and seen >= total / 2:
            return edge
    return None


def lat_delta(before, after, cls):
    a, b = after[cls], before.get(cls, {"count": 0, "total_ns": 0, "hist": {}})
    hist = {k: v - b["hist"].get(k, 0) for k, v in a["hist"].items()}
    return a["count"] - b["count"], a["total_ns"] - b["total_ns"], hist


def max_edge(hist):
    """The upper edge (ns) of the highest bucket used: the slowest fault,
    within a factor of two."""
    used = [e for e, n in hist.items() if n]
    return max(used) if used else None


def percentile(hist, p):
    """The upper edge (ns) of the bucket holding the p-th fraction of faults."""
    total = sum(hist.values())
    if not total:
        return None
    seen = 0
    for edge in sorted(hist):
        seen += hist[edge]
        if seen >= p * total:
            return edge
    return max(hist)


def check_machine(q, smp, mem, swap_mb):
    n = smp_online(q)
    if n != smp:
        sys.exit(f"bench-scale: {n} CPUs online, {smp} asked for (the boot log's 'smp:' lines):\n"
                 + "\n".join(l for l in q.log.split("\n") if "smp:" in l))
    procs = [l for l in user_lines(sh_run(q, "cat /proc/cpuinfo", timeout=60)) if l.startswith("processor")]
    if len(procs) != smp:
        sys.exit(f"bench-scale: /proc/cpuinfo lists {len(procs)} CPUs, {smp} asked for")
    meminfo = {l.split(":")[0]: int(l.split()[1]) for l in
               user_lines(sh_run(q, "cat /proc/meminfo", timeout=60)) if ":" in l and len(l.split()) >= 2
               and l.split()[1].isdigit()}
    total_kb, swap_kb = meminfo.get("MemTotal", 0), meminfo.get("SwapTotal", 0)
    # The boot log's "mm: N KiB RAM" is the RAM the kernel maps and
    # manages (mm/memmap.c; it stops at the direct map's end, 768 MiB);
    # the BIOS keeps the holes below 1 MiB and some ACPI tables at the top:
    # a few hundred KiB. MemTotal is less again: the kernel image and the
    # struct page array are not user memory.
    m = re.search(r"mm: (\d+) KiB RAM", q.log)
    ram_kb = int(m.group(1)) if m else 0
    if ram_kb < (mem - 1) * 1024:
        sys.exit(f"bench-scale: the kernel manages {ram_kb} KiB of RAM of -m {mem}: not all of it")
    if swap_kb < 1024 * 1024 * 0.99 * (swap_mb / 1024):
        sys.exit(f"bench-scale: SwapTotal {swap_kb} kB of a {swap_mb} MiB disk")
    print(f"bench-scale: {n} CPUs online, {ram_kb} KiB of RAM managed (MemTotal {total_kb} kB), "
          f"SwapTotal {swap_kb} kB", flush=True)
    return ram_kb


def run_size(q, mib, accesses):
    before, lat_before, cost_before = read_vmstat(q), read_fault_latency(q), read_kppsd_cost(q)
    out = user_lines(sh_run(q, f"thrash {mib} {accesses}", timeout=1800))
    after, lat_after, cost_after = read_vmstat(q), read_fault_latency(q), read_kppsd_cost(q)
    ok = [m for m in map(OK_RE.match, out) if m]
    if not ok:
        sys.exit(f"bench-scale: `thrash {mib} {accesses}` did not finish OK:\n  " + "\n  ".join(out))
    d = {k: after.get(k, 0) - before.get(k, 0) for k in VMSTAT_KEYS}
    if d["oom_kill"]:
        sys.exit(f"bench-scale: an out-of-memory kill during `thrash {mib}`")
    row = {"mib": mib, "pages": int(ok[0].group(3)), "elapsed_ms": int(ok[0].group(1)),
           "accesses": int(ok[0].group(2)), **{k: d[k] for k in VMSTAT_KEYS if k != "oom_kill"}}
    scanned = d["kppsd_scanned"]
    cpu_ns = d["kppsd_pass_ns"] - d["kppsd_pass_io_ns"] - d["kppsd_pass_dftlb_ns"]
    row["ptes_per_pass"] = round(scanned / d["kppsd_passes"]) if d["kppsd_passes"] else 0
    # A pass over a few dozen PTEs (the shell's, the process not yet
    # there) is its fixed cost, not a cost per PTE: means need MIN_SCANNED.
    enough = scanned >= MIN_SCANNED
    row["pass_ns_per_pte"] = round(cpu_ns / scanned, 2) if enough else None
    # The stages' work per PTE walked: what the cost per PTE follows.
    moves = sum(d[f"pps_stage{i}"] for i in range(1, 6))
    row["moves_per_pte"] = round(moves / scanned, 3) if enough else None
    for kind in ("periodic", "pressure"):
        row[f"{kind}_ns_per_pte_p50"] = median_bucket(cost_before[kind], cost_after[kind])
    row["pass_ns_per_pte_io"] = round(d["kppsd_pass_ns"] / scanned, 2) if enough else None
    row["scanned_per_freed"] = round(scanned / d["kppsd_freed"], 2) if d["kppsd_freed"] else None
    for cls in ("zero", "rescue", "swapin"):
        n, ns, hist = lat_delta(lat_before, lat_after, cls)
        row[f"{cls}_faults"] = n
        row[f"{cls}_mean_ns"] = round(ns / n) if n else None
        row[f"{cls}_p50_ns"] = percentile(hist, 0.50)
        row[f"{cls}_p99_ns"] = percentile(hist, 0.99)
        row[f"{cls}_max_ns"] = max_edge(hist)
    print(f"bench-scale: thrash {mib} MiB: {row['elapsed_ms']} ms, "
          + " ".join(f"{k}={v}" for k, v in row.items() if k not in ("mib", "elapsed_ms")), flush=True)
    return row


def fmt(v, unit=""):
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.2f}{unit}"
    return f"{v}{unit}"


def us(ns):
    return "-" if ns is None else f"{ns / 1000:.1f}"


def lat(r, cls):
    """count: mean, p50/p99/max in µs."""
    if not r[f"{cls}_faults"]:
        return "0"
    return (f"{r[f'{cls}_faults']}: {us(r[f'{cls}_mean_ns'])}, "
            f"{us(r[f'{cls}_p50_ns'])}/{us(r[f'{cls}_p99_ns'])}/{us(r[f'{cls}_max_ns'])}")


def print_table(rows):
    print("\nns/PTE: kppsd's pass time per scanned PTE without its waits (all passes); "
          "p50 periodic/pressure: the median pass of each kind (its bucket's lower edge); "
          "+waits: all of the time.\n"
          "Faults: count: mean µs, p50/p99/max µs (upper edges of log2 buckets).")
    print("\n| MiB | pages | elapsed ms | passes (pressure) | PTEs/pass | ns/PTE | ns/PTE p50 periodic/pressure "
          "| ns/PTE +waits "
          "| moves/PTE | scanned/freed | zero-fill faults | rescues | swap-ins | allocstalls: ms | pswpin | pswpout |")
    print("|" + " ---: |" * 16)
    for r in rows:
        print(f"| {r['mib']} | {r['pages']} | {r['elapsed_ms']} "
              f"| {r['kppsd_passes']} ({r['kppsd_pressure_passes']}) | {r['ptes_per_pass']} "
              f"| {fmt(r['pass_ns_per_pte'])} | {fmt(r['periodic_ns_per_pte_p50'])}/{fmt(r['pressure_ns_per_pte_p50'])} "
              f"| {fmt(r['pass_ns_per_pte_io'])} | {fmt(r['moves_per_pte'])} "
              f"| {fmt(r['scanned_per_freed'])} | {lat(r, 'zero')} | {lat(r, 'rescue')} | {lat(r, 'swapin')} "
              f"| {r['allocstall']}: {r['allocstall_us'] // 1000} | {r['pswpin']} | {r['pswpout']} |")


MIXED = " [all passes: periodic at small sizes, mostly pressure at large ones; compare the medians per kind]"
RATIOS = [("pass_ns_per_pte", "kppsd ns per scanned PTE" + MIXED),
          ("periodic_ns_per_pte_p50", "kppsd ns per scanned PTE, median periodic pass"),
          ("pressure_ns_per_pte_p50", "kppsd ns per scanned PTE, median pressure pass"),
          ("pass_ns_per_pte_io", "kppsd ns per scanned PTE, waits included" + MIXED),
          ("scanned_per_freed", "PTEs scanned per frame freed"),
          ("zero_mean_ns", "zero-fill fault mean latency"),
          ("zero_p50_ns", "zero-fill fault p50 latency"),
          ("rescue_mean_ns", "rescue fault mean latency"),
          ("rescue_p50_ns", "rescue fault p50 latency"),
          ("swapin_mean_ns", "swap-in fault mean latency"),
          ("swapin_p50_ns", "swap-in fault p50 latency"),
          ("swapin_p99_ns", "swap-in fault p99 latency"),
          ("swapin_max_ns", "swap-in fault max latency"),
          ("zero_max_ns", "zero-fill fault max latency")]


def print_ratios(rows, flat):
    """Each figure at the largest size over the smallest size that has it."""
    print(f"\nLargest size over smallest (flat: at most {flat}):")
    for key, what in RATIOS:
        have = [r for r in rows if r.get(key)]
        if len(have) < 2:
            print(f"  {what}: fewer than two sizes have it")
            continue
        lo, hi = have[0], have[-1]
        ratio = hi[key] / lo[key]
        verdict = "flat" if ratio <= flat else "NOT flat"
        print(f"  {what}: {hi[key]} at {hi['mib']} MiB / {lo[key]} at {lo['mib']} MiB "
              f"= {ratio:.2f} ({verdict})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mem", type=int, default=512, help="MiB of guest RAM (default 512)")
    ap.add_argument("--smp", type=int, default=8, help="CPUs (default 8)")
    ap.add_argument("--swap-mb", type=int, default=1024, help="MiB of swap, a fresh image (default 1024)")
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)), help="thrash sizes in MiB, comma list")
    ap.add_argument("--accesses", type=int, default=ACCESSES,
                    help=f"random accesses of a run larger than 90%% of RAM ({ACCESSES})")
    ap.add_argument("--resident-accesses", type=int, default=RESIDENT_ACCESSES,
                    help=f"random accesses of a run that fits ({RESIDENT_ACCESSES})")
    ap.add_argument("--csv", default=str(BUILD / "bench-scale.csv"), help="CSV output file")
    ap.add_argument("--flat", type=float, default=2.0, help="the largest/smallest ratio called flat")
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.replace(" ", ",").split(",") if s]
    print(f"bench-scale: -m {a.mem} -smp {a.smp}, {a.swap_mb} MiB of swap; thrash MIB ACCESSES at "
          f"MIB = {', '.join(map(str, sizes))}; ACCESSES {a.resident_accesses} if it fits in RAM, "
          f"else {a.accesses}", flush=True)
    rows = []
    with Qemu(smp=a.smp, mem=a.mem, swap_mb=a.swap_mb, name=f"bench-scale-smp{a.smp}-m{a.mem}") as q:
        sh_wait_prompt(q, timeout=300)
        ram_kb = check_machine(q, a.smp, a.mem, a.swap_mb)
        for mib in sizes:
            fits = mib * 1024 < 0.9 * ram_kb
            rows.append(run_size(q, mib, a.resident_accesses if fits else a.accesses))
        if "PANIC" in q.log:
            sys.exit("bench-scale: kernel panic")
    print_table(rows)
    print_ratios(rows, a.flat)
    Path(a.csv).parent.mkdir(parents=True, exist_ok=True)
    with open(a.csv, "w", newline="") as f:
        wr = csv.DictWriter(f, fieldnames=list(rows[0]))
        wr.writeheader()
        wr.writerows(rows)
    print(f"\nbench-scale: CSV in {a.csv}")


if __name__ == "__main__":
    main()
