#!/usr/bin/python3
"""make bench, the main table: ppsos against Linux and against OPT/LRU.

    scripts/bench_compare.py [--workloads NAME,...] [--configs pps,clock]
                             [--repeat N] [--timeout S] [--no-run]
                             [--csv DIR ...] [--no-plots]

1. ppsos runs (skipped with --no-run): every workload of
   scripts/bench_workloads.py, each in a boot of its own (-m PPSOS_MEM,
   -smp SMP, a fresh swap disk of SWAP_MB), under each configuration:
   `pps` (the default kernel: PPS reclaims private memory) and `clock`
   (reclaim=clock: every page on the legacy clock). A boot per run, so
   every run starts from the same state, as a Linux run does.
   In each boot the harness reads /proc/vmstat and /proc/meminfo at the
   shell (usable_frames = MemFree / 4 there), starts `vmstat -t 1 &` (the
   sampler: one line a second of guest time, stamped with the guest clock,
   free memory and PPS pages by stage; one small process that sleeps
   between lines disturbs the run less than a harness typing `cat`
   commands into the shell, which costs a fork and 0.7 s of typing per
   reading), runs the workload in the foreground, stops the sampler and
   reads /proc/vmstat again. The growth of the counters is the run's:
     pages_read  pswpin          major_faults  pgmajfault
     pages_written pswpout       write_cmds/read_cmds  swap_write_cmds/_read_cmds
     tlb_ipi     TLB-flush IPIs  elapsed_ms    the workload's own (its OK line)
   With --repeat N each figure is the median of the runs that ended OK.
   A run that fails, hangs or panics never stops the bench: its status
   says what happened (as in bench_reclaim.py) and its QEMU is killed.
   Output: build/bench-ppsos.csv (the common columns, system ppsos-pps or
   ppsos-clock) and build/bench-samples.csv (one row per sampler line:
   t_ms since the sampler's first line, free pages, pages per PPS stage,
   legacy pages, and the interval's swap-ins/-outs and major faults).
   A run of some workloads or configurations replaces their rows in both
   files and keeps the others'; both are written after every run, so a
   bench stopped half way keeps what it measured.

2. The combination (always): build/bench-linux.csv (`make bench-linux`)
   and build/bench-opt.csv (scripts/bench_opt.py --from-csv, run here
   after the ppsos runs on their CSV and Linux's, when the script exists,
   so OPT and LRU replay each workload at ppsos's usable frames; the table
   takes the replay's row nearest ppsos-pps's frames) are read if present,
   from the --csv directories in order (--no-run: no replay either). Two tables, printed and written to
   build/bench-compare.md (the README quotes them), with the figures in
   build/bench-compare.csv:
   - per workload and system (ppsos-pps, ppsos-clock, linux-classic,
     linux-mglru, lru, opt): usable frames, pages read, major faults, TLB
     IPIs, elapsed ms, and major faults and pages read over OPT's (OPT:
     the fewest possible; it reads a page per fault, so a kernel that
     reads ahead can take fewer faults than OPT, never fewer pages);
   - the goals, per workload, for ppsos-pps against the better Linux mode
     (for each figure the lower of classic and MGLRU): pages read and
     major faults at most 1.0x (0.9x for the structured workloads), at
     least 8 pages per swap write command, elapsed at most 0.5x.
   "-" where a system did not run, PASS/MISS per goal cell.

3. Plots (scripts/bench_plot.py, matplotlib) in build/plots/.

Counts are stable from run to run; elapsed times are not (QEMU runs TCG
here, and a loaded host slows a guest by tens of percent).
"""
import argparse
import csv
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "scripts"))
import bench_workloads as bw  # noqa: E402

BUILD = ROOT / "build"
FIELDS = ["system", "workload", "command", "mem_mib", "smp", "usable_frames", "pages_read",
          "major_faults", "pages_written", "write_cmds", "read_cmds", "tlb_ipi", "elapsed_ms",
          "status", "runs"]
COUNTERS = {"pages_read": "pswpin", "major_faults": "pgmajfault", "pages_written": "pswpout",
            "write_cmds": "swap_write_cmds", "read_cmds": "swap_read_cmds", "tlb_ipi": "tlb_ipi"}
NUMERIC = ["usable_frames", "pages_read", "major_faults", "pages_written", "write_cmds",
           "read_cmds", "tlb_ipi", "elapsed_ms"]
SYSTEMS = ["ppsos-pps", "ppsos-clock", "linux-classic", "linux-mglru", "lru", "opt"]
LINUX = ["linux-classic", "linux-mglru"]
# vmstat -t's columns (user/vmstat.c), in order, and the sample CSV's.
VMSTAT_COLS = ["running", "free_kb", "swpd_kb", "si", "so", "flt", "majflt", "young", "old",
               "unmapped", "slot", "written", "swapped", "legacy", "tlbipi", "ms"]
SAMPLE_FIELDS = ["system", "workload", "run", "t_ms", "free_pages", "swap_used_pages", "young",
                 "old", "unmapped", "slot", "written", "swapped", "legacy", "si", "so", "majflt",
                 "tlbipi", "running"]
# Goals (the project's targets against the better Linux mode).
GOAL_READ, GOAL_READ_STRUCTURED = 1.0, 0.9
GOAL_PAGES_PER_CMD = 8
GOAL_ELAPSED = 0.5


def log(msg):
    print(f"bench_compare: {msg}", flush=True)


# ---- ppsos runs -------------------------------------------------------------

VMSTAT_LINE_RE = re.compile(r"(\d+(?:[ \t]+\d+){%d})[ \t]*$" % (len(VMSTAT_COLS) - 1))
COUNTER_RE = re.compile(r"^([a-z_0-9]+) (\d+)$")
MEMINFO_RE = re.compile(r"^(\w+):\s+(\d+) kB$")
PID_RE = re.compile(r"^\[(\d+)\]$")
LEGACY_RE = re.compile(r"legacy pages: rmap=(\w+) reclaim=(\w+)")


def read_proc(q, sh_run, timeout):
    """/proc/vmstat and /proc/meminfo: ({counter: n}, {field: kB})."""
    vm, mi = {}, {}
    for line in sh_run(q, "cat /proc/vmstat /proc/meminfo", timeout=timeout):
        m = COUNTER_RE.match(line)
        if m:
            vm[m.group(1)] = int(m.group(2))
        m = MEMINFO_RE.match(line)
        if m:
            mi[m.group(1)] = int(m.group(2))
    return vm, mi


def parse_samples(lines):
    """The sampler's lines among a run's output: [{column: n}]. A line of
    the workload's may share a console line with one; the 16 numbers at
    the end of a line are taken."""
    out = []
    for line in lines:
        m = VMSTAT_LINE_RE.search(line)
        if m:
            out.append(dict(zip(VMSTAT_COLS, map(int, m.group(1).split()))))
    return out


def sample_rows(system, workload, rnd, samples):
    """Sample CSV rows: t_ms from the sampler's first line (it starts just
    before the workload), gauges in pages."""
    if not samples:
        return []
    t0 = samples[0]["ms"]
    return [{"system": system, "workload": workload, "run": rnd, "t_ms": s["ms"] - t0,
             "free_pages": s["free_kb"] // 4, "swap_used_pages": s["swpd_kb"] // 4,
             **{k: s[k] for k in SAMPLE_FIELDS[6:]}}
            for s in samples]


def run_one(config, wl, rnd, a):
    """One boot, one run of workload wl = (name, command, ...): (row, samples)."""
    # Here, not at the top: combining CSVs (--no-run, the tests) needs no pexpect.
    from qemu import Qemu, QemuError, sh_run, sh_wait_prompt
    name, cmd = wl[0], wl[1]
    prog = cmd.split()[0]
    system = f"ppsos-{config}"
    row = {"system": system, "workload": name, "command": cmd, "mem_mib": bw.PPSOS_MEM,
           "smp": bw.SMP, "status": "ok", "runs": 1}
    lines = []
    start = time.monotonic()
    q = Qemu(smp=bw.SMP, mem=bw.PPSOS_MEM, swap=True, swap_mb=bw.SWAP_MB,
             cmdline=f"reclaim={config}", name=f"bench-compare-{config}-{name}-run{rnd}")
    try:
        q.start()
        sh_wait_prompt(q, timeout=180)
        seen = LEGACY_RE.search(q.log)
        if not seen or seen.group(2) != config:
            log(f"warning: reclaim={config} asked for, the kernel says "
                f"{seen.group(0) if seen else 'nothing about legacy pages'}")
        if prog not in " ".join(sh_run(q, "help")).split("programs in /bin:", 1)[-1].split():
            row["status"] = "missing"
            return row, []
        vm0, mi0 = read_proc(q, sh_run, a.poll_timeout)
        row["usable_frames"] = mi0.get("MemFree", 0) // 4
        pid = None
        if not a.no_sampler:
            pid = next((PID_RE.match(l).group(1) for l in sh_run(q, "vmstat -t 1 &")
                        if PID_RE.match(l)), None)
        lines = sh_run(q, cmd, timeout=a.timeout)
        lines += sh_run(q, "echo status=$?", timeout=a.poll_timeout)
        if pid:
            lines += sh_run(q, f"kill {pid}", timeout=a.poll_timeout)
        vm1, _ = read_proc(q, sh_run, a.poll_timeout)
    except QemuError as e:
        what = str(e).split("\n", 1)[0]
        panic = re.search(r"PANIC: .*", q.log)
        kind = ("panic" if panic else "QEMU exited" if "QEMU exited" in what
                else "timeout" if "timed out" in what else "error")
        row["status"] = f"{kind} after {time.monotonic() - start:.0f} s"
        log(f"{system} {name}: {(panic.group(0) if panic else what)[:200]}")
        # The samples until then are in the serial log.
        return row, sample_rows(system, name, rnd, parse_samples(q.log.split("\n")))
    finally:
        q.close()
    for k, c in COUNTERS.items():
        row[k] = vm1.get(c, 0) - vm0.get(c, 0) if c in vm1 else None
    row["elapsed_ms"], row["status"] = verdict(prog, lines)
    row["host_s"] = round(time.monotonic() - start, 1)
    return row, sample_rows(system, name, rnd, parse_samples(lines))


def verdict(prog, lines):
    """(elapsed_ms, status) from the workload's own line and `echo status=$?`."""
    elapsed, word = None, None
    for l in lines:
        i = l.find(prog + ": ")
        if i < 0:
            continue
        w = l[i + len(prog) + 2:].split()
        if w and w[0] in ("OK", "FAIL", "CORRUPT") and word is None:
            word = w[0]
            m = re.search(r"elapsed_ms=(\d+)", l)
            elapsed = int(m.group(1)) if m else None
    code = next((int(m.group(1)) for l in lines for m in [re.search(r"status=(\d+)$", l)] if m),
                None)
    if code is not None and code > 128:
        return elapsed, "killed (OOM)" if code == 137 else f"killed by signal {code - 128}"
    if word in ("FAIL", "CORRUPT"):
        return elapsed, word
    if code:
        return elapsed, f"exit {code}"
    if word != "OK":
        return elapsed, "no OK line"
    return elapsed, "ok"


def medians(runs):
    """One row per (system, workload): each figure the median (the lower
    middle one) of the runs that ended OK, or of all of them if none did;
    the status says how many did not."""
    groups = {}
    for r in runs:
        groups.setdefault((r["system"], r["workload"]), []).append(r)
    out = []
    for rs in groups.values():
        ok = [r for r in rs if r.get("status") == "ok"]
        use = ok or rs
        row = dict(use[0])
        for k in NUMERIC:
            vals = sorted(num(r.get(k)) for r in use if num(r.get(k)) is not None)
            row[k] = vals[(len(vals) - 1) // 2] if vals else None
        row["runs"] = sum(int(num(r.get("runs")) or 1) for r in rs)
        if len(ok) != len(rs):
            bad = sorted({str(r.get("status")) for r in rs if r.get("status") != "ok"})
            row["status"] = f"{len(ok)}/{len(rs)} ok; " + ", ".join(bad)
        out.append(row)
    return out


# ---- combining ---------------------------------------------------------------

def num(v):
    """A CSV cell as a number (int where it is one), None for "", "-" or junk."""
    if v is None or isinstance(v, (int, float)):
        return v
    try:
        f = float(v)
    except ValueError:
        return None
    return int(f) if f.is_integer() else f


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def find_csv(dirs, name):
    for d in dirs:
        p = Path(d) / name
        if p.exists():
            return p
    return None


def by_key(rows):
    """{(workload, system): row}, rows of one key merged by medians()."""
    return {(r["workload"], r["system"]): r for r in medians(rows)}


def ratio(a, b):
    a, b = num(a), num(b)
    if a is None or b is None:
        return None
    if b == 0:
        return 0.0 if a == 0 else float("inf")
    return a / b


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, float):
        return "inf" if v == float("inf") else f"{v:.2f}"
    return str(v)


METRICS = [("pages read", "pages_read"), ("major faults", "major_faults"),
           ("TLB IPIs", "tlb_ipi"), ("elapsed ms", "elapsed_ms")]
# The main table's rows per workload. The replay reads one page per fault;
# a kernel that reads ahead takes fewer faults than OPT for more pages, so
# pages read over OPT's is shown beside faults over OPT's.
ROWS = ([("usable frames", "usable_frames")] + METRICS
        + [("faults / OPT", "major_faults/opt"), ("pages read / OPT", "pages_read/opt")])


def compare_rows(table, workloads):
    """The comparison as flat rows: one per workload and system present."""
    out = []
    for wl in workloads:
        opt = table.get((wl[0], "opt"))
        for s in SYSTEMS:
            r = table.get((wl[0], s))
            if r is None:
                continue
            out.append({"workload": wl[0], "system": s, "usable_frames": num(r.get("usable_frames")),
                        **{k: num(r.get(k)) for _, k in METRICS},
                        "faults_over_opt": ratio(r.get("major_faults"), opt and opt.get("major_faults")),
                        "read_over_opt": ratio(r.get("pages_read"), opt and opt.get("pages_read")),
                        "status": r.get("status", "")})
    return out


def main_table(table, workloads):
    """Markdown: per workload a row per figure, a column per system."""
    lines = ["| workload | figure | " + " | ".join(SYSTEMS) + " |",
             "| --- | --- |" + " ---: |" * len(SYSTEMS)]
    for wl in workloads:
        opt = table.get((wl[0], "opt"))
        cells = {s: table.get((wl[0], s)) for s in SYSTEMS}
        for label, k in ROWS:
            vals = []
            for s in SYSTEMS:
                r = cells[s]
                if r is None:
                    vals.append("-")
                elif k.endswith("/opt"):
                    k0 = k[:-4]
                    vals.append(fmt(ratio(r.get(k0), opt and opt.get(k0))))
                else:
                    vals.append(fmt(num(r.get(k))))
            lines.append(f"| {wl[0] if k == ROWS[0][1] else ''} | {label} | "
                         + " | ".join(vals) + " |")
    bad = [f"{s} {w}: {r.get('status')}" for (w, s), r in sorted(table.items())
           if r.get("status") not in (None, "", "ok")]
    if bad:
        lines += ["", "Runs that did not end OK (their figures are shown all the same): "
                  + "; ".join(bad) + "."]
    return lines


def goal_rows(table, workloads):
    """Per workload: ppsos-pps against the better Linux mode, with goals."""
    out = []
    for wl in workloads:
        name, structured = wl[0], wl[2]
        p = table.get((name, "ppsos-pps"))
        lin = [table[(name, s)] for s in LINUX if (name, s) in table]
        row = {"workload": name, "structured": structured}
        goal = GOAL_READ_STRUCTURED if structured else GOAL_READ
        for k in ("pages_read", "major_faults", "elapsed_ms"):
            best = min((num(r.get(k)) for r in lin if num(r.get(k)) is not None), default=None)
            row[k + "_ratio"] = ratio(p.get(k), best) if p else None
        row["pages_per_cmd"] = ratio(p.get("pages_written"), p.get("write_cmds")) if p else None
        row["goal_ratio"] = goal
        row["read_ok"] = passes(row["pages_read_ratio"], goal, le=True)
        row["faults_ok"] = passes(row["major_faults_ratio"], goal, le=True)
        row["cmd_ok"] = passes(row["pages_per_cmd"], GOAL_PAGES_PER_CMD, le=False)
        row["elapsed_ok"] = passes(row["elapsed_ms_ratio"], GOAL_ELAPSED, le=True)
        out.append(row)
    return out


def passes(v, goal, le):
    if v is None:
        return None
    return v <= goal if le else v >= goal


def verdict_cell(v, ok):
    if v is None:
        return "-"
    return f"{fmt(v)} {'PASS' if ok else 'MISS'}"


def goal_table(goals):
    lines = ["| workload | goal (read, faults) | pages read / Linux | major faults / Linux "
             f"| pages per write cmd (>= {GOAL_PAGES_PER_CMD}) | elapsed / Linux (<= {GOAL_ELAPSED}) |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for g in goals:
        lines.append(f"| {g['workload']}{' (structured)' if g['structured'] else ''} "
                     f"| <= {g['goal_ratio']} "
                     f"| {verdict_cell(g['pages_read_ratio'], g['read_ok'])} "
                     f"| {verdict_cell(g['major_faults_ratio'], g['faults_ok'])} "
                     f"| {verdict_cell(g['pages_per_cmd'], g['cmd_ok'])} "
                     f"| {verdict_cell(g['elapsed_ms_ratio'], g['elapsed_ok'])} |")
    return lines


def write_csv(path, rows, fields=None):
    fields = fields or list(dict.fromkeys(k for r in rows for k in r))
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({k: "" if r.get(k) is None else fmt(r[k]) if isinstance(r[k], float)
                        else r[k] for k in fields})


def keep_others(path, done):
    """The rows of an earlier CSV for the (system, workload) pairs not run
    now, so a run of a few workloads or one configuration updates its rows
    and leaves the rest of the table."""
    if not path.exists():
        return []
    return [r for r in read_csv(path) if (r.get("system"), r.get("workload")) not in done]


def run_opt(csvs):
    """OPT/LRU at each run's usable frames (ppsos's, Linux's if there), if
    bench_opt.py exists; it writes build/bench-opt.csv."""
    script = ROOT / "scripts" / "bench_opt.py"
    if not script.exists():
        return
    arg = ",".join(str(c) for c in csvs if c)
    log(f"OPT/LRU replay: {script.name} --from-csv {arg}")
    r = subprocess.run([sys.executable, str(script), "--from-csv", arg], cwd=ROOT)
    if r.returncode != 0:
        log(f"bench_opt.py failed (status {r.returncode}); OPT/LRU from an existing CSV if any")


def combine(dirs, workloads, run_replay=True):
    """All systems' rows: {(workload, system): row}, and notes on what is missing."""
    rows, notes = [], []
    ppsos = find_csv(dirs, "bench-ppsos.csv")
    lin = find_csv(dirs, "bench-linux.csv")
    if ppsos is None:
        notes.append("no bench-ppsos.csv: run without --no-run")
    else:
        rows += read_csv(ppsos)
        if run_replay:
            run_opt([ppsos, lin])
    if lin is None:
        notes.append("no bench-linux.csv: `make bench-linux` makes it; Linux columns are \"-\"")
    else:
        rows += [r for r in read_csv(lin) if r.get("system") in LINUX]
    opt = find_csv(dirs, "bench-opt.csv")
    if opt is None:
        notes.append("no bench-opt.csv: `make bench-opt` makes it (scripts/bench_opt.py); "
                     "OPT/LRU columns are \"-\"")
    else:
        rows += pick_replay(read_csv(opt), rows)
    names = {w[0] for w in workloads}
    return by_key([r for r in rows if r.get("workload") in names]), notes


def pick_replay(opt_rows, rows):
    """The replay may hold rows at several frame counts (one per system it
    was given): keep, per workload and lru/opt, the one at ppsos-pps's
    usable frames (else the nearest), so "/ OPT" compares at equal memory."""
    want = {r["workload"]: num(r.get("usable_frames")) for r in rows
            if r.get("system") == "ppsos-pps" and num(r.get("usable_frames"))}
    best = {}
    for r in opt_rows:
        if r.get("system") not in ("lru", "opt"):
            continue
        key = (r["workload"], r["system"])
        f, w = num(r.get("usable_frames")) or 0, want.get(r["workload"])
        d = abs(f - w) if w else 0
        if key not in best or d < best[key][0]:
            best[key] = (d, r)
    return [r for _, r in best.values()]


def report(table, workloads, notes, out_md, out_csv, goals_csv):
    text = ["## ppsos, Linux, LRU and OPT", "",
            f"ppsos at -m {bw.PPSOS_MEM}, Linux at -m {bw.LINUX_MEM} (about the same usable "
            f"frames), -smp {bw.SMP}, {bw.SWAP_MB} MiB of swap; LRU and OPT replay each "
            "workload's page trace at ppsos's usable frames (the nearest the replay has). "
            "faults / OPT, pages read / OPT: over OPT's figure.", ""]
    text += main_table(table, workloads)
    text += ["", "## Goals: ppsos-pps over the better Linux mode", "",
             "For each figure the lower of linux-classic and linux-mglru.", ""]
    goals = goal_rows(table, workloads)
    text += goal_table(goals)
    if notes:
        text += [""] + [f"Note: {n}." for n in notes]
    out = "\n".join(text) + "\n"
    print("\n" + out)
    out_md.write_text(out)
    write_csv(out_csv, compare_rows(table, workloads))
    write_csv(goals_csv, goals)
    log(f"tables in {out_md}, figures in {out_csv} and {goals_csv}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workloads", default="", help="comma list of bench_workloads names")
    ap.add_argument("--configs", default="pps,clock", help="reclaim= values (default pps,clock)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per workload and config (medians)")
    ap.add_argument("--timeout", type=int, default=1200, help="seconds one workload may take")
    ap.add_argument("--poll-timeout", type=int, default=120, help="seconds a shell command may take")
    ap.add_argument("--no-run", action="store_true", help="only combine the existing CSVs")
    ap.add_argument("--no-sampler", action="store_true", help="no vmstat beside the workload")
    ap.add_argument("--no-plots", action="store_true", help="skip build/plots/")
    ap.add_argument("--csv", nargs="+", default=[str(BUILD)], metavar="DIR",
                    help="directories to take the CSVs from, first match wins (default build/)")
    a = ap.parse_args()
    workloads = bw.by_name(a.workloads)
    configs = [c for c in a.configs.replace(" ", ",").split(",") if c]
    bad = [c for c in configs if c not in ("pps", "clock")]
    if bad:
        sys.exit(f"bench_compare: unknown configuration(s) {', '.join(bad)}: pps or clock")
    BUILD.mkdir(exist_ok=True)
    t0 = time.monotonic()
    if not a.no_run:
        runs, samples = [], []
        log(f"ppsos -m {bw.PPSOS_MEM} -smp {bw.SMP} swap {bw.SWAP_MB} MiB; configs "
            f"{', '.join(configs)}; workloads {', '.join(w[0] for w in workloads)}; "
            f"{a.repeat} run(s) each")
        # The rows of an earlier bench-ppsos.csv for what does not run now.
        earlier = {"bench-ppsos.csv": [], "bench-samples.csv": []}
        done = {(f"ppsos-{c}", w[0]) for c in configs for w in workloads}
        for f in earlier:
            earlier[f] = keep_others(BUILD / f, done)
        if earlier["bench-ppsos.csv"]:
            log("keeping from the earlier build/bench-ppsos.csv (not run now): "
                + ", ".join(f"{r['system']} {r['workload']}" for r in earlier["bench-ppsos.csv"]))
        for rnd in range(a.repeat):
            for wl in workloads:
                # Configurations take turns, so a busy spell of the host
                # spreads over them instead of landing on one.
                for c in configs:
                    row, smp = run_one(c, wl, rnd, a)
                    runs.append(row)
                    samples += smp
                    log(f"{row['system']} {wl[0]}: "
                        + " ".join(f"{k}={fmt(row.get(k))}" for k in NUMERIC)
                        + f" samples={len(smp)} [{row['status']}] ({row.get('host_s', '-')} s)")
                    # Written after every run: a bench stopped half way
                    # keeps what it measured.
                    write_csv(BUILD / "bench-ppsos.csv", medians(runs) + earlier["bench-ppsos.csv"],
                              FIELDS)
                    write_csv(BUILD / "bench-samples.csv", samples + earlier["bench-samples.csv"],
                              SAMPLE_FIELDS)
        log(f"ppsos runs: {time.monotonic() - t0:.0f} s; build/bench-ppsos.csv, "
            "build/bench-samples.csv")
    dirs = [Path(d) for d in a.csv]
    table, notes = combine(dirs, workloads, run_replay=not a.no_run)
    for n in notes:
        log(n)
    report(table, workloads, notes, BUILD / "bench-compare.md", BUILD / "bench-compare.csv",
           BUILD / "bench-goals.csv")
    if not a.no_plots:
        import bench_plot
        samples_csv = find_csv(dirs, "bench-samples.csv")
        bench_plot.plot_all(samples_csv, BUILD / "bench-compare.csv", workloads,
                            BUILD / "plots")


if __name__ == "__main__":
    main()
