#!/usr/bin/python3
"""make bench, second part: PPS against the clock on the same workloads.

    scripts/bench_reclaim.py [--configs pps,clock,clock/chain,pps/chain]
                             [--workloads NAME,...] [--mem MIB] [--smp N]
                             [--repeat N] [--timeout S] [--csv FILE]

Each configuration is a boot with reclaim= and rmap= on the kernel command
line, written RECLAIM[/RMAP] (rmap=anon when left out): `pps` is the
default kernel (PPS reclaims private VMAs, the clock only legacy pages);
`clock` puts every page on the clock, which unmaps through the reverse map
and shoots down TLBs with IPIs; `/chain` finds a legacy page's PTEs through
PTE chains instead of the anon objects. Every configuration runs the same
workloads (WORKLOADS, sized for -m 64 as in bench_pps.py) at -smp 4, one
after the other in one boot.

Each workload runs in the background (`W &`) while the harness reads
/proc/meminfo from the shell, from the start and then back to back (a
reading takes 0.7 s when memory is free, the typing of the command most
of it, and 2 to 3 s under the clock's pressure), so that the rmap memory (meminfo's AnonObjects + PteChain: the
anon objects, and the PTE chains' pages of next-pointers), which is given
back when the processes exit, is seen at its peak. The readings are
`cat` processes forked by the shell, so they add a little to every
configuration alike (a fork of the shell shares its pages: a few COW
copies in every row). Per workload and configuration it reports the
workload's own time and how much /proc/vmstat grew over the run:

  elapsed ms     the workload's own time (guest clock, its elapsed_ms=)
  pgmajfault     faults that waited for the disk
  pswpin/pswpout pages read from / written to swap
  tlb_ipi        TLB-flush IPIs sent (PPS: none, its flushes wait for the
                 ticks; the clock: one per other CPU that has the mm
                 loaded, for each PTE it unmaps)
  cow_copy       COW faults that copied a page
  rmap kB        the peak of AnonObjects + PteChain during the run, for
                 the whole system (the shell and the reading `cat` too: the
                 CSV's rmap_kb_before is the same sum just before the run).
                 meminfo rounds AnonObjects up to whole kB: the anon
                 objects themselves (some 36 bytes each, one a VMA family)
                 fit in 1 kB; a shared mapping's object adds its table of
                 pages (4 bytes a page: 80 kB for shmtest). PteChain is a
                 page of next-pointers for each page table made under
                 rmap=chain, whoever reclaims. "-": the run was over
                 before a reading was made (one of a second or so)
  pps freed      pps_stage5: frames PPS freed (SwappedPTE)
  clock scanned/unmapped/freed   clock_scanned, clock_unmapped, clock_freed

The CSV, build/bench-reclaim.csv, has every counter of COUNTERS and the
peaks of Legacy, LegacySwapCache, AnonObjects and PteChain too. Under
each workload's table, rows "clock/pps" give a clock configuration's
figures over the PPS configuration's with the same rmap (or rmap=anon's
if that one did not run); a last table has those rows of every workload.

What to look for: under the clock every major fault reads one page
(pswpin = pgmajfault: a legacy swap-in reads no neighbours), where PPS
reads ahead, takes fewer major faults and more pages; seqscan shows it
most (five to ten times the faults and the time). tlb_ipi is 0 under PPS
for the private workloads, hundreds to thousands under the clock.
cowtest and shmtest share pages after fork, which are legacy pages and go
through the clock under reclaim=pps too, so there the configurations are
close; their tlb_ipi moves by a factor of ten from run to run (an IPI
only where a sharing process runs at that moment). rmap=chain costs a
page for each page table (4 kB per 4 MiB mapped in each process) whoever
reclaims; the anon objects stay under 1 kB.

A run that does not end OK never stops the bench; its row's status says
what happened: `killed (OOM)` (a kernel out-of-memory kill), `FAIL` or
`CORRUPT` (the workload's own verdict), `exit N`, `missing` (no such
program in this build's /bin); and, after which the guest is rebooted for
the next workload: `hung` (a reading got no shell prompt within
--poll-timeout s: the shell could not even fork), `timeout` (the run took
over --timeout s), `panic` (its PANIC line is printed), `QEMU exited`.
With --repeat N each cell is the median of the runs that ended OK (of all
of them if none did), and the status says how many did not.

Run it on an idle host: QEMU is TCG here, elapsed times move by 10-30%
from boot to boot; the counts much less.
"""
import argparse
import csv
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from qemu import BUILD, Qemu, QemuError, sh_run, sh_wait_prompt  # noqa: E402

# Sizes for -m 64 (about 61 MiB free; 64 MiB of swap): bench_pps.py's
# sizes for the thrash programs, each more than memory holds. The fork
# workloads with one round instead of their three: cowtest's parent fills
# 40 MiB and its 4 children copy their stripes (about 80 MiB in all), and
# shmtest's 3 children share 80 MiB, all of which each process reads in a
# round; one round is 15 to 30 s a configuration here, three would make
# them half of the bench.
WORKLOADS = [
    "thrash 80 40000",
    "seqscan 80 2",
    "hotcold 80 40000",
    "multithrash 4 20 20000",
    "mtthrash 4 80 20000",
    "cowtest -c 4 -m 40 -r 1",
    "shmtest -c 3 -m 80 -r 1 -p 50",
]
DEFAULT_CONFIGS = "pps,clock,clock/chain,pps/chain"
COUNTERS = ["pgmajfault", "pps_rescue", "pswpin", "pswpout", "tlb_ipi", "cow_fault", "cow_copy",
            "cow_reuse", "fork_shared", "swapcache_hit", "swapcache_add", "rmap_walks",
            "rmap_walk_steps", "pte_chain_link", "pte_chain_unlink", "pps_stage5",
            "clock_scanned", "clock_referenced", "clock_unmapped", "clock_freed", "clock_written",
            "pps_reenter", "shm_swapin", "oom_kill"]
# /proc/meminfo fields (kB) whose peak over a run goes to the CSV.
PEAKS = ["Legacy", "LegacySwapCache", "AnonObjects", "PteChain"]
# The table: (heading, row key). Ratio rows divide these.
COLUMNS = [("elapsed ms", "elapsed_ms"), ("pgmajfault", "pgmajfault"), ("pswpin", "pswpin"),
           ("pswpout", "pswpout"), ("tlb_ipi", "tlb_ipi"), ("cow_copy", "cow_copy"),
           ("rmap kB", "rmap_kb"), ("pps freed", "pps_stage5"),
           ("clock scanned", "clock_scanned"), ("clock unmapped", "clock_unmapped"),
           ("clock freed", "clock_freed")]
RATIO_KEYS = {"elapsed_ms", "pgmajfault", "pswpin", "pswpout", "tlb_ipi", "cow_copy", "rmap_kb"}

MEMINFO_RE = re.compile(r"^(\w+):\s+(\d+)(?: kB)?$")
VMSTAT_RE = re.compile(r"^([a-z_0-9]+) (\d+)$")
JOB_RE = re.compile(r"^\[(\d+)\]$")
# Unanchored: a job's line can land inside the echo of a command typed
# while it runs ("cat /prthrash: OK ...").
DONE_RE = re.compile(r"\[(\d+)\] done status (\d+)")
PROC_FILES = "/proc/vmstat /proc/meminfo"
LEGACY_RE = re.compile(r"legacy pages: rmap=(\w+) reclaim=(\w+)")


def parse_configs(text):
    """"pps,clock/chain" -> [("pps", "anon"), ("clock", "chain")]."""
    out = []
    for item in filter(None, (s.strip() for s in text.replace(" ", ",").split(","))):
        reclaim, _, rmap = item.partition("/")
        rmap = rmap or "anon"
        if reclaim not in ("pps", "clock") or rmap not in ("anon", "chain"):
            sys.exit(f"bench_reclaim: bad configuration {item!r}: RECLAIM[/RMAP], "
                     "RECLAIM pps or clock, RMAP anon or chain")
        out.append((reclaim, rmap))
    return out


def config_name(c):
    return f"reclaim={c[0]} rmap={c[1]}"


def read_proc(q, timeout, files=PROC_FILES):
    """/proc/vmstat and /proc/meminfo in one reading: ({counter: n},
    {field: n}), and the other lines (a background job's output)."""
    vm, mi, rest = {}, {}, []
    for line in sh_run(q, "cat " + files, timeout=timeout):
        m = VMSTAT_RE.match(line)
        if m:
            vm[m.group(1)] = int(m.group(2))
            continue
        m = MEMINFO_RE.match(line)
        if m:
            mi[m.group(1)] = int(m.group(2))
            continue
        rest.append(line)
    return vm, mi, rest


def own_lines(prog, lines):
    """The program's own lines ("thrash: ..."), from where its name starts.
    Its output can land anywhere in the echo of a command typed while it
    ran ("cat /proc/memithrash: OK ..."), so the name is looked for
    anywhere in a line. Nothing else that runs meanwhile prints it: its
    children name themselves "cowtest[2]", and the programs whose names
    end in another's (multithrash and mtthrash, in thrash) never run
    beside it."""
    out = []
    for l in lines:
        i = l.find(prog + ": ")
        if i >= 0:
            out.append(l[i:])
    return out


def rmap_kb(mi):
    return mi.get("AnonObjects", 0) + mi.get("PteChain", 0)


class Guest:
    """One configuration's boot, rebooted when a run leaves it unusable
    (a timeout or a panic); every boot's log is kept in build/test-logs."""

    def __init__(self, config, smp, mem, rnd):
        self.config, self.smp, self.mem, self.rnd = config, smp, mem, rnd
        self.q = None
        self.boots = 0
        self.programs = None

    def get(self):
        if self.q is None:
            self.boots += 1
            r, m = self.config
            self.q = Qemu(smp=self.smp, mem=self.mem, swap=BUILD / "swap.img",
                          cmdline=f"reclaim={r} rmap={m}",
                          name=f"bench-reclaim-{r}-{m}-smp{self.smp}-run{self.rnd}-boot{self.boots}")
            self.q.start()
            sh_wait_prompt(self.q, timeout=180)
            seen = LEGACY_RE.search(self.q.log)
            if not seen or (seen.group(2), seen.group(1)) != self.config:
                print(f"bench_reclaim: warning: {config_name(self.config)} asked for, the kernel "
                      f"says {seen.group(0) if seen else 'nothing about legacy pages'}", flush=True)
            if self.programs is None:
                # sh's help lists /bin: the programs of this build.
                out = " ".join(sh_run(self.q, "help"))
                self.programs = set(out.split("programs in /bin:", 1)[-1].split())
        return self.q

    def drop(self):
        if self.q is not None:
            self.q.close()
            self.q = None


def run_workload(g, w, timeout, poll_timeout, poll_every):
    """One run of workload w in guest g: a row (counters, peaks, status)."""
    prog = w.split()[0]
    row = {"workload": w, "config": config_name(g.config), "status": "ok", "elapsed_ms": None}
    try:
        q = g.get()
    except QemuError as e:
        g.drop()
        row["status"] = "no boot: " + str(e).split("\n", 1)[0][:80]
        return row
    if prog not in g.programs:
        row["status"] = "missing"
        return row
    output = []         # the workload's lines, wherever they showed up
    status = None
    start = time.monotonic()
    try:
        vm0, mi0, _ = read_proc(q, poll_timeout)
        peak = dict(mi0)
        job = None
        for line in sh_run(q, w + " &", timeout=poll_timeout):
            m = JOB_RE.match(line)
            if m:
                job = m.group(1)
            else:
                output.append(line)
        if job is None:
            raise QemuError(f"no job number for `{w} &`")
        # Read /proc/meminfo until the shell reports the job done; it does
        # so just before a prompt, so after one of these readings. A
        # reading without it was made while the job ran ("live").
        live = 0
        while status is None:
            if time.monotonic() - start > timeout:
                raise QemuError(f"still running after {timeout} s")
            _, mi, rest = read_proc(q, poll_timeout, "/proc/meminfo")
            for k, v in mi.items():
                peak[k] = max(peak.get(k, 0), v)
            peak["rmap_kb"] = max(peak.get("rmap_kb", 0), rmap_kb(mi))
            for line in rest:
                m = DONE_RE.search(line)
                if m and m.group(1) == job:
                    status = int(m.group(2))
                else:
                    output.append(line)
            if status is None:
                live += 1
                time.sleep(poll_every)
        vm1, _, rest = read_proc(q, poll_timeout)
        output += rest
    except QemuError as e:
        what = str(e).split("\n", 1)[0]
        panic = re.search(r"PANIC: .*", q.log)
        if panic:
            kind = "panic"
            what = panic.group(0)
        elif "QEMU exited" in what:
            kind = "QEMU exited"
        elif "timed out" in what:
            kind = "hung"           # no prompt: the shell could not even fork
        else:
            kind = "timeout"        # still running after --timeout s
        row["status"] = f"{kind} after {time.monotonic() - start:.0f} s"
        print(f"bench_reclaim: {row['config']}: `{w}`: {what[:200]}; rebooting", flush=True)
        g.drop()
        return row
    row.update({k: vm1.get(k, 0) - vm0.get(k, 0) for k in COUNTERS})
    for k in PEAKS:
        row["peak_" + k] = peak.get(k, 0)
    # A run over before the first live reading has no peak to show.
    row["rmap_kb"] = max(peak.get("rmap_kb", 0), rmap_kb(mi0)) if live else None
    row["rmap_kb_before"] = rmap_kb(mi0)
    row["live_readings"] = live
    row["host_s"] = round(time.monotonic() - start, 1)
    mine = own_lines(prog, output)
    for l in mine:
        m = re.search(r"elapsed_ms=(\d+)", l)
        if m:
            row["elapsed_ms"] = int(m.group(1))
            break
    verdict = next((l.split()[1] for l in mine if l.split()[1:2] and l.split()[1] in
                    ("OK", "FAIL", "CORRUPT")), None)
    if status in (128 + 9,) and row["oom_kill"]:
        row["status"] = "killed (OOM)"
    elif status and status > 128:
        row["status"] = f"killed by signal {status - 128}"
    elif verdict in ("FAIL", "CORRUPT"):
        row["status"] = verdict
    elif status:
        row["status"] = f"exit {status}"
    elif verdict != "OK":
        row["status"] = "no OK line"
    if row["status"] == "ok" and row["oom_kill"]:
        row["status"] = f"ok, {row['oom_kill']} OOM kills"     # a child, say
    if row["status"] != "ok":
        print(f"bench_reclaim: {row['config']}: `{w}`: {row['status']}:\n  "
              + "\n  ".join(output[-12:]), flush=True)
    return row


def medians(runs):
    """One row per (workload, config): each number the median (the lower
    middle one for an even count) of the runs that ended OK, or of all of
    them if none did."""
    groups = {}
    for r in runs:
        groups.setdefault((r["workload"], r["config"]), []).append(r)
    out = []
    for rs in groups.values():
        ok = [r for r in rs if r["status"] == "ok"]
        use = ok or rs
        row = dict(use[0])
        for k in {k for r in use for k, v in r.items() if isinstance(v, (int, float))}:
            vals = sorted(r[k] for r in use if r.get(k) is not None)    # "-" left out
            row[k] = vals[(len(vals) - 1) // 2]
        row["runs"], row["ok_runs"] = len(rs), len(ok)
        if len(ok) != len(rs):
            bad = sorted({r["status"] for r in rs if r["status"] != "ok"})
            row["status"] = (f"{len(ok)}/{len(rs)} ok; " if len(rs) > 1 else "") + ", ".join(bad)
        out.append(row)
    return out


def cell(v):
    return "-" if v is None or v == "" else str(v)


def ratio(a, b):
    if a is None or b is None:
        return "-"
    if b == 0:
        return "=" if a == 0 else "0 -> " + str(a)
    return f"{a / b:.2f}"


def pairs(by, configs):
    """(clock row, its PPS row) for each clock configuration of one
    workload ({config name: row}): the PPS run with the same rmap, or
    rmap=anon's if that one did not run. Only medians of runs that ended
    OK: a ratio of a run cut short means nothing."""
    for c in configs:
        r = by.get(config_name(c))
        base = by.get(config_name(("pps", c[1]))) or by.get(config_name(("pps", "anon")))
        if c[0] == "clock" and r and base and r["ok_runs"] and base["ok_runs"]:
            yield r, base


def rmap_of(row):
    return row["config"].split("rmap=")[1]


def print_tables(rows, configs):
    heads = " | ".join(h for h, _ in COLUMNS)
    for w in dict.fromkeys(r["workload"] for r in rows):
        by = {r["config"]: r for r in rows if r["workload"] == w}
        if all(r["status"] == "missing" for r in by.values()):
            print(f"\n`{w}`: not in this build's /bin")
            continue
        print(f"\n`{w}`\n")
        print(f"| configuration | {heads} | status |")
        print("| --- |" + " ---: |" * len(COLUMNS) + " --- |")
        for c in configs:
            r = by.get(config_name(c))
            if r is not None:
                print(f"| {config_name(c)} | "
                      + " | ".join(cell(r.get(k)) for _, k in COLUMNS) + f" | {r['status']} |")
        for r, base in pairs(by, configs):
            print(f"| clock/pps ({rmap_of(r)} / {rmap_of(base)}) | "
                  + " | ".join(ratio(r.get(k), base.get(k)) if k in RATIO_KEYS else ""
                               for _, k in COLUMNS) + " | |")


def print_summary(rows, configs):
    """The ratio rows of every workload in one table; TLB IPIs and rmap
    memory as "PPS -> clock", PPS's being mostly 0."""
    lines = []
    for w in dict.fromkeys(r["workload"] for r in rows):
        by = {r["config"]: r for r in rows if r["workload"] == w}
        for r, base in pairs(by, configs):
            lines.append(f"| `{w}` | {rmap_of(r)} / {rmap_of(base)} | "
                         + " | ".join(ratio(r.get(k), base.get(k))
                                      for k in ("elapsed_ms", "pgmajfault", "pswpin", "pswpout"))
                         + f" | {base['tlb_ipi']} -> {r['tlb_ipi']}"
                         + f" | {cell(base['rmap_kb'])} -> {cell(r['rmap_kb'])} |")
    if lines:
        print("\nclock/pps, all workloads (rmap: clock's / PPS's):\n")
        print("| workload | rmap | elapsed | pgmajfault | pswpin | pswpout | tlb_ipi | rmap kB |")
        print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        print("\n".join(lines))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--configs", default=DEFAULT_CONFIGS,
                    help=f"RECLAIM[/RMAP] list (default {DEFAULT_CONFIGS})")
    ap.add_argument("--workloads", default="",
                    help="only these programs (comma list of names, e.g. thrash,cowtest)")
    ap.add_argument("--mem", type=int, default=64, help="MiB of guest RAM (default 64)")
    ap.add_argument("--smp", type=int, default=4, help="CPUs (default 4)")
    ap.add_argument("--repeat", type=int, default=1, help="boots per configuration; cells are medians")
    ap.add_argument("--timeout", type=int, default=300, help="seconds one run may take (default 300)")
    ap.add_argument("--poll-timeout", type=int, default=120,
                    help="seconds one /proc reading may take before the guest counts as hung")
    ap.add_argument("--poll-every", type=float, default=0.2,
                    help="seconds between readings (default 0.2; typing one takes 0.5 s)")
    ap.add_argument("--csv", default=str(BUILD / "bench-reclaim.csv"), help="CSV output file")
    a = ap.parse_args()
    configs = parse_configs(a.configs)
    only = set(filter(None, a.workloads.replace(" ", ",").split(",")))
    workloads = [w for w in WORKLOADS if not only or w.split()[0] in only]
    if not configs or not workloads:
        sys.exit("bench_reclaim: nothing to run")
    print(f"bench_reclaim: -m {a.mem} -smp {a.smp}; {', '.join(map(config_name, configs))}; "
          f"workloads: {', '.join(workloads)}", flush=True)
    runs = []
    for rnd in range(a.repeat):
        # Configurations take turns, so a busy spell of the host spreads
        # over all of them instead of landing on one.
        for c in configs:
            g = Guest(c, a.smp, a.mem, rnd)
            try:
                for w in workloads:
                    r = run_workload(g, w, a.timeout, a.poll_timeout, a.poll_every)
                    runs.append(r)
                    print(f"bench_reclaim: {r['config']}: {w}: {cell(r['elapsed_ms'])} ms, "
                          + " ".join(f"{k}={r[k]}" for _, k in COLUMNS[1:] if k in r)
                          + f" [{r['status']}]", flush=True)
            finally:
                g.drop()
    rows = medians(runs)
    if a.repeat > 1:
        print(f"\nEach cell: the median of {a.repeat} runs.")
    print_tables(rows, configs)
    print_summary(rows, configs)
    fields = list(dict.fromkeys(k for r in rows for k in r))
    with open(a.csv, "w", newline="") as f:
        wr = csv.DictWriter(f, fieldnames=fields)
        wr.writeheader()
        wr.writerows(rows)
    print(f"\nbench_reclaim: CSV in {a.csv}")


if __name__ == "__main__":
    main()
