#!/usr/bin/python3
"""make bench-opt: OPT (Belady) and LRU on each workload's page trace, the
yardstick for the reclaim comparison (ppsos and Linux over OPT).

    scripts/bench_opt.py [--workloads NAME,...] [--frames N[,N...]]
                         [--from-csv FILE[,FILE...]] [--csv FILE]

The workloads are scripts/bench_workloads.py's. The same generator, built
for the host (make host-tools: build/host/PROG, the very sources of user/
with tools/replay/host_ulib.h and the page trace of tools/replay/
wl_trace.c), writes each workload's page sequence once to
build/traces/NAME.trace (multithrash: NAME.trace.I per child I); it is
reused while the host binary and the command are the same
(build/traces/NAME.json). The host run checks its pages like the real one
and must print its OK line; its accesses= must equal the trace's records.
tools/replay/replay.c then replays the trace at each frame count.

Frames: a run's usable frames (ppsos's free frames at the shell, Linux's
MemAvailable), from --frames, or from the usable_frames of each (workload,
system) row of other benchmarks' CSVs (--from-csv), or by default
DEFAULT_FRAMES. The workload's region shares them with its own other pages;
overhead_frames() says which. The replay gets usable - overhead.

Output: a markdown table per frame count and build/bench-opt.csv in the
combined table's common format (COLUMNS): system is lru or opt,
usable_frames the run's figure before the overhead is taken off,
pages_read = major_faults = the replay's major faults (misses on pages seen
before: a first touch is a zero fill; one page read per fault), tlb_ipi 0,
mem_mib and smp those of the --from-csv row (empty for --frames), the
columns a replay has no figure for empty.
"""
import argparse
import csv
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import bench_workloads  # noqa: E402

BUILD = ROOT / "build"
HOST = BUILD / "host"
TRACES = BUILD / "traces"
REPLAY = HOST / "replay"

# ppsos's free frames at the shell when booted with bench_workloads.PPSOS_MEM
# MiB: what the replay uses when no other figure is given.
DEFAULT_FRAMES = 8768

COLUMNS = ["system", "workload", "command", "mem_mib", "smp", "usable_frames",
           "pages_read", "major_faults", "pages_written", "write_cmds",
           "read_cmds", "tlb_ipi", "elapsed_ms", "status", "runs"]

PAGE_SIZE = 4096
PTES_PER_TABLE = 1024           # i386 page table: 1024 PTEs, 4 MiB
PROC_PAGES = 16                 # text, data, stack, page directory, ...
TRACE_TIMEOUT = 900             # seconds for one host run


def overhead_frames(pages_each, nproc):
    """Frames a workload holds besides its regions' pages, taken off a
    run's usable frames to give the replay's. Per process: its generation
    array (4 bytes a page, wl_map: hot, touched on every access), the page
    tables that map its region (one per 1024 pages) and PROC_PAGES for its
    text, data, stack, page directory and the tables that map those. With
    several processes (multithrash) the waiting parent counts too."""
    gen = -(-pages_each * 4 // PAGE_SIZE)
    tables = -(-pages_each // PTES_PER_TABLE)
    parent = PROC_PAGES if nproc > 1 else 0
    return nproc * (gen + tables + PROC_PAGES) + parent


def die(msg):
    raise SystemExit(f"bench_opt: {msg}")


def build_tools():
    """make host-tools: the host workloads and replay, if out of date."""
    r = subprocess.run(["make", "-s", "host-tools"], cwd=ROOT, text=True,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        die(f"`make host-tools` failed (status {r.returncode}):\n{r.stdout}")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def run_traced(binary, args, trace_base, timeout=TRACE_TIMEOUT):
    """Runs a host-built workload with WL_TRACE=trace_base; returns its
    summary line's figures {accesses, pages, nproc, line} and its trace
    files, after checking that it said OK and that the files hold exactly
    accesses= records."""
    prog = Path(binary).name
    for old in Path(trace_base).parent.glob(Path(trace_base).name + "*"):
        old.unlink()
    env = dict(os.environ, WL_TRACE=str(trace_base))
    try:
        r = subprocess.run([str(binary)] + list(args), env=env, text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        die(f"{prog} {' '.join(args)} on the host took over {timeout} s")
    # The summary line; never a progress line (user/lib/progress.h), which
    # the host build does not print anyway: stdout is a pipe here.
    line = next((l for l in r.stdout.splitlines()
                 if l.startswith(prog + ":") and not l.startswith(prog + ": progress ")), "")
    m = re.match(rf"{re.escape(prog)}: OK .*\baccesses=(\d+) pages=(\d+)\b", line)
    if r.returncode != 0 or not m:
        die(f"{prog} {' '.join(args)} on the host failed (status {r.returncode}):\n"
            f"{r.stdout}{r.stderr}")
    n = re.search(r"\bnproc=(\d+)", line)
    nproc = int(n.group(1)) if n else 1
    base = Path(trace_base)
    files = ([base.with_name(f"{base.name}.{i}") for i in range(nproc)]
             if n else [base])
    missing = [str(f) for f in files if not f.exists()]
    if missing:
        die(f"{prog} wrote no trace {', '.join(missing)}")
    records = sum(f.stat().st_size // 4 for f in files)
    accesses = int(m.group(1))
    if records != accesses:
        die(f"{prog}: the trace holds {records} accesses, the program counted "
            f"{accesses}")
    return {"accesses": accesses, "pages": int(m.group(2)), "nproc": nproc,
            "line": line}, [str(f) for f in files]


def trace(name, command):
    """The trace of one workload, written once and reused while the host
    binary and the command are unchanged. Returns (info, files)."""
    prog, *args = command.split()
    binary = HOST / prog
    if not binary.exists():
        die(f"no host build of {prog} ({binary}): run make host-tools")
    TRACES.mkdir(parents=True, exist_ok=True)
    meta = TRACES / f"{name}.json"
    key = {"command": command, "binary_sha256": sha256(binary)}
    try:
        old = json.loads(meta.read_text())
        if ({k: old.get(k) for k in key} == key and
                sum(Path(f).stat().st_size // 4 for f in old["files"]) == old["accesses"]):
            return old, old["files"]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    print(f"bench_opt: tracing {name}: {command}", flush=True)
    info, files = run_traced(binary, args, TRACES / f"{name}.trace")
    meta.write_text(json.dumps(dict(key, files=files, **info), indent=1) + "\n")
    return dict(info, files=files), files


def replay(files, frames):
    """{(policy, frames): {accesses, distinct, misses, major}} from replay."""
    r = subprocess.run([str(REPLAY), "-f", ",".join(map(str, frames))] + list(files),
                       text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        die(f"replay failed (status {r.returncode}): {r.stderr.strip()}")
    out = {}
    for line in r.stdout.splitlines():
        kv = dict(f.split("=", 1) for f in line.split())
        out[(kv["policy"], int(kv["frames"]))] = {
            k: int(kv[k]) for k in ("accesses", "distinct", "misses", "major")}
    return out


def targets_from_csv(paths, names):
    """(mem_mib, smp, usable_frames, source system) of every (workload,
    system) row of the CSVs with usable_frames, per workload name."""
    out = {n: [] for n in names}
    for p in paths:
        try:
            with open(p, newline="") as f:
                rows = list(csv.DictReader(f))
        except OSError as e:
            die(f"cannot read {p}: {e.strerror}")
        if rows and not {"workload", "usable_frames"} <= set(rows[0]):
            die(f"{p} has no workload and usable_frames columns")
        for row in rows:
            w, uf = row.get("workload"), (row.get("usable_frames") or "").strip()
            if w not in out or row.get("system") in ("opt", "lru") or not uf:
                continue
            if not uf.isdigit():
                die(f"{p}: usable_frames '{uf}' of {w} is not a number")
            t = (row.get("mem_mib", ""), row.get("smp", ""), int(uf), row.get("system", ""))
            if t not in out[w]:
                out[w].append(t)
    return out


def parse_frames(text):
    try:
        v = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        v = []
    if not v or min(v) <= 0:
        die(f"--frames takes positive numbers separated by commas, not '{text}'")
    return v


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workloads", default="", help="names from bench_workloads.py, comma-separated")
    ap.add_argument("--frames", default="", help=f"usable frame counts (default {DEFAULT_FRAMES})")
    ap.add_argument("--from-csv", default="", help="take usable_frames from these CSVs' rows")
    ap.add_argument("--csv", default=str(BUILD / "bench-opt.csv"), help="CSV output file")
    ap.add_argument("--no-build", action="store_true", help="do not run make host-tools")
    a = ap.parse_args()

    workloads = bench_workloads.by_name(a.workloads)
    if not a.no_build:
        build_tools()
    names = [w[0] for w in workloads]
    if a.from_csv:
        targets = targets_from_csv([p for p in a.from_csv.split(",") if p], names)
    else:
        frames = parse_frames(a.frames) if a.frames else [DEFAULT_FRAMES]
        targets = {n: [("", "", f, "") for f in frames] for n in names}
    if a.frames and a.from_csv:
        for n in names:
            targets[n] += [("", "", f, "") for f in parse_frames(a.frames)]

    rows, table = [], []
    for name, command, _structured, _desc in workloads:
        if not targets[name]:
            print(f"bench_opt: {name}: no usable_frames in {a.from_csv}, skipped")
            continue
        info, files = trace(name, command)
        nproc = info["nproc"]
        over = overhead_frames(info["pages"] // nproc, nproc)
        want = sorted({uf - over for _m, _s, uf, _sys in targets[name] if uf > over})
        res = replay(files, want) if want else {}
        for mem, smp, uf, src in targets[name]:
            for policy in ("opt", "lru"):
                r = res.get((policy, uf - over))
                rows.append({
                    "system": policy, "workload": name, "command": command,
                    "mem_mib": mem, "smp": smp, "usable_frames": uf,
                    "pages_read": r["major"] if r else "",
                    "major_faults": r["major"] if r else "",
                    "pages_written": "", "write_cmds": "", "read_cmds": "",
                    "tlb_ipi": 0, "elapsed_ms": "",
                    "status": "ok" if r else "too-few-frames", "runs": 1})
            o, l = res.get(("opt", uf - over)), res.get(("lru", uf - over))
            table.append((name, src, uf, over, o, l, info))

    BUILD.mkdir(exist_ok=True)
    with open(a.csv, "w", newline="") as f:
        wr = csv.DictWriter(f, fieldnames=COLUMNS)
        wr.writeheader()
        wr.writerows(rows)

    print("\n| workload | from | usable frames | overhead | replay frames | accesses | "
          "distinct | OPT misses | OPT major | LRU misses | LRU major | LRU/OPT major |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, src, uf, over, o, l, info in table:
        if not o:
            print(f"| {name} | {src or '-'} | {uf} | {over} | - | {info['accesses']} | "
                  f"- | - | - | - | - | too few frames |")
            continue
        ratio = f"{l['major'] / o['major']:.2f}" if o["major"] else "-"
        print(f"| {name} | {src or '-'} | {uf} | {over} | {uf - over} | {o['accesses']} | "
              f"{o['distinct']} | {o['misses']} | {o['major']} | {l['misses']} | "
              f"{l['major']} | {ratio} |")
    print(f"\nbench_opt: CSV in {a.csv}")


if __name__ == "__main__":
    main()
