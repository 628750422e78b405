"""Lab 7: comparing reclaimers (docs/labs/07-comparing-reclaimers.md).

The replay tests check tools/replay/replay.c against a reference written
here to be obviously right, not fast: LRU keeps every resident page's last
use and evicts the smallest; OPT looks ahead from the miss for each
resident page's next use, one page at a time, and evicts the farthest
(never used again: farthest of all). Both are O(N x F) per access; the
traces are small. The comparison test runs one small workload under ppsos
with reclaim=pps and reclaim=clock and puts both beside the replay at each
run's usable frames, in make bench's own table (scripts/bench_compare.py).
"""
import random
import re
import struct
import subprocess
import sys

from gradelib import ROOT, test

LAB, TITLE = 7, "comparing reclaimers"

sys.path.insert(0, str(ROOT / "scripts"))
TRACES = ROOT / "build" / "grade-traces"
REPLAY = ROOT / "build" / "host" / "replay"
TABLE = ROOT / "build" / "grade-lab7-table.md"


# ---- the reference ----------------------------------------------------------

def merge(traces):
    """The accesses of several processes, round robin, one access of each in
    turn (replay.c's merge): [(process, page)]."""
    out, pos = [], [0] * len(traces)
    while any(p < len(t) for p, t in zip(pos, traces)):
        for i, t in enumerate(traces):
            if pos[i] < len(t):
                out.append((i, t[pos[i]]))
                pos[i] += 1
    return out


def reference(traces, frames, policy):
    """(misses, major) of LRU or OPT over the merged traces with `frames`."""
    seq = merge(traces)
    resident, seen, last = set(), set(), {}
    misses = major = 0
    for k, page in enumerate(seq):
        if page not in resident:
            misses += 1
            major += page in seen
            if len(resident) == frames:
                if policy == "lru":
                    victim = min(resident, key=lambda p: last[p])
                else:
                    def next_use(p):
                        for j in range(k + 1, len(seq)):
                            if seq[j] == p:
                                return j
                        return len(seq)         # never again: the farthest
                    victim = max(resident, key=next_use)
                resident.remove(victim)
            resident.add(page)
            seen.add(page)
        last[page] = k
    return misses, major


def small_traces():
    """(name, [trace per process], [frame counts]): textbook cases, ties,
    frames at and above the distinct pages, one frame, random ones, and
    several processes of different lengths."""
    rnd = random.Random(7)
    belady = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5]
    loop = list(range(10)) * 5
    ties = [0, 1, 2, 3, 4, 5, 6, 7, 0, 8, 0, 9, 0]      # many pages never used again
    hot = [rnd.choice([0, 1, 2]) if rnd.random() < 0.8 else rnd.randrange(3, 40) for _ in range(600)]
    uniform = [rnd.randrange(64) for _ in range(1500)]
    return [
        ("belady", [belady], [1, 3, 4, 5, 6]),
        ("loop", [loop], [1, 5, 9, 10, 11]),
        ("ties", [ties], [1, 2, 3, 4, 10]),
        ("hotcold", [hot], [2, 4, 8, 16, 40, 41]),
        ("uniform", [uniform], [1, 8, 32, 63, 64, 100]),
        ("one-page", [[5] * 20], [1, 2]),
        ("two-procs", [[0, 1, 2, 3] * 6, [7, 7, 0, 9, 3, 0, 1, 7, 9]], [1, 3, 6, 7, 8]),
        ("three-procs", [[rnd.randrange(12) for _ in range(n)] for n in (90, 40, 150)], [2, 7, 20, 36, 40]),
    ]


# ---- the tool ---------------------------------------------------------------

def build_replay(g):
    r = subprocess.run(["make", "-s", str(REPLAY.relative_to(ROOT))], cwd=ROOT, text=True,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    g.check(r.returncode == 0, f"`make {REPLAY.relative_to(ROOT)}` failed:\n{r.stdout}")
    g.check(not re.search(r"warning", r.stdout), f"replay.c builds with warnings:\n{r.stdout}")


def write_traces(name, traces):
    TRACES.mkdir(parents=True, exist_ok=True)
    files = []
    for i, t in enumerate(traces):
        f = TRACES / f"{name}.{i}"
        f.write_bytes(struct.pack(f"<{len(t)}I", *t))
        files.append(str(f))
    return files


def run_replay(g, policy, files, frames):
    """{frames: (misses, major)} from `replay -p policy`; the other fields checked."""
    cmd = [str(REPLAY), "-p", policy, "-f", ",".join(map(str, frames))] + files
    r = subprocess.run(cmd, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    shown = " ".join(c.replace(str(ROOT) + "/", "") for c in cmd)
    g.check(r.returncode == 0, f"`{shown}` failed (status {r.returncode}): {r.stderr.strip()}")
    out = {}
    for line in r.stdout.splitlines():
        m = re.match(rf"^policy={policy} frames=(\d+) accesses=(\d+) distinct=(\d+) "
                     r"misses=(\d+) major=(\d+)$", line)
        g.check(m, f"`{shown}`: unexpected line {line!r}")
        f, acc, dist, miss, maj = map(int, m.groups())
        out[f] = (miss, maj, acc, dist)
    g.check(sorted(out) == sorted(frames), f"`{shown}`: lines for frames {sorted(out)}, not {frames}")
    return out, shown


def check_policy(g, policy):
    build_replay(g)
    for name, traces, frames in small_traces():
        files = write_traces(name, traces)
        got, shown = run_replay(g, policy, files, frames)
        n, distinct = sum(map(len, traces)), len(set(merge(traces)))
        for f in frames:
            want = reference(traces, f, policy)
            miss, maj, acc, dist = got[f]
            g.check((acc, dist) == (n, distinct),
                    f"{name}, {f} frames: accesses={acc} distinct={dist}, expected {n} and {distinct}")
            g.check((miss, maj) == want,
                    f"{name} ({'+'.join(str(len(t)) for t in traces)} accesses), {f} frames, "
                    f"{policy}: misses={miss} major={maj}, the reference says misses={want[0]} "
                    f"major={want[1]}\n    (try it: {shown})")


@test(points=25, timeout=60)
def replay_lru(g):
    """replay -p lru: misses and major faults equal a brute-force LRU's on small traces."""
    check_policy(g, "lru")


@test(points=30, timeout=60)
def replay_opt(g):
    """replay -p opt: misses and major faults equal a brute-force Belady's on small traces."""
    check_policy(g, "opt")


# ---- ppsos beside the replay ------------------------------------------------

WORKLOAD = "thrash 32 4000 1"       # 32 MiB of random touches at -m 32: it swaps
MEM = 32


def host_trace(g):
    """The workload's page trace, from its host build (make bench-opt's way)."""
    import bench_opt
    r = subprocess.run(["make", "-s", "build/host/thrash"], cwd=ROOT, text=True,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    g.check(r.returncode == 0, f"`make build/host/thrash` failed:\n{r.stdout}")
    TRACES.mkdir(parents=True, exist_ok=True)
    prog, *args = WORKLOAD.split()
    try:
        return bench_opt.run_traced(ROOT / "build" / "host" / prog, args, TRACES / "thrash.trace")
    except SystemExit as e:         # bench_opt.die
        raise AssertionError(str(e))


def kernel_run(g, config):
    """One boot with reclaim=config: the row of the comparison table."""
    import bench_compare as bc
    sh = g.shell(smp=1, mem=MEM, cmdline=f"reclaim={config}")
    g.check(re.search(rf"legacy pages: rmap=\w+ reclaim={config}", sh.q.log),
            f"the kernel did not say 'reclaim={config}' at boot")
    usable = sh.numbers("/proc/meminfo")["MemFree"] // 4
    v0 = sh.vmstat()
    out = sh.run(WORKLOAD, timeout=180)
    g.expect_lines(out, [r"^thrash: OK elapsed_ms=\d+ accesses=\d+ pages=8192"],
                   what=f"reclaim={config}: thrash's output")
    v1 = sh.vmstat()
    row = {"system": f"ppsos-{config}", "workload": "thrash", "usable_frames": usable, "status": "ok"}
    for k, c in bc.COUNTERS.items():
        row[k] = v1.get(c, 0) - v0.get(c, 0)
    row["elapsed_ms"] = int(re.search(r"elapsed_ms=(\d+)", next(l for l in out if "thrash: OK" in l)).group(1))
    g.check(row["pages_read"] > 0, f"reclaim={config}: thrash read no page from swap: not a comparison")
    return row


@test(points=45, deps=["lab2.demand_zero", "lab3.stages_under_pressure", "lab5.swap_in"], timeout=300)
def compare_table(g):
    """thrash under reclaim=pps and reclaim=clock beside LRU and OPT: make bench's table, sane."""
    import bench_compare as bc
    import bench_opt
    build_replay(g)
    info, files = host_trace(g)
    over = bench_opt.overhead_frames(info["pages"], 1)
    # The replay first: a replay that does not work fails here, in seconds.
    try:
        bench_opt.replay(files, [1000])
    except SystemExit as e:
        raise AssertionError(str(e))
    rows = [kernel_run(g, c) for c in ("pps", "clock")]
    want = sorted({r["usable_frames"] - over for r in rows})
    try:
        res = bench_opt.replay(files, want)
    except SystemExit as e:
        raise AssertionError(str(e))
    table = {("thrash", r["system"]): r for r in rows}
    pps_frames = rows[0]["usable_frames"] - over
    for policy in ("opt", "lru"):
        r = res[(policy, pps_frames)]
        g.check(r["accesses"] == info["accesses"] and r["distinct"] == info["pages"],
                f"replay -p {policy}: accesses={r['accesses']} distinct={r['distinct']}, the trace has "
                f"{info['accesses']} accesses over {info['pages']} pages")
        g.check(r["misses"] == r["distinct"] + r["major"],
                f"replay -p {policy}: misses={r['misses']} is not distinct + major")
        table[("thrash", policy)] = {"system": policy, "usable_frames": rows[0]["usable_frames"],
                                     "pages_read": r["major"], "major_faults": r["major"],
                                     "tlb_ipi": 0, "status": "ok"}
    for f in want:
        g.check(res[("opt", f)]["major"] <= res[("lru", f)]["major"],
                f"at {f} frames OPT takes {res[('opt', f)]['major']} major faults, more than "
                f"LRU's {res[('lru', f)]['major']}: OPT is the fewest possible")
    for r in rows:
        opt = res[("opt", r["usable_frames"] - over)]["major"]
        g.check(opt <= r["pages_read"],
                f"{r['system']} read {r['pages_read']} pages, fewer than OPT's {opt} at its "
                f"{r['usable_frames']} usable frames less {over}: OPT is a lower bound")
    lines = bc.main_table(table, [("thrash", WORKLOAD)])
    TABLE.parent.mkdir(exist_ok=True)
    TABLE.write_text(f"{WORKLOAD}, -m {MEM}, -smp 1 (grade/lab7_compare.py)\n\n" + "\n".join(lines) + "\n")
    head = [c.strip() for c in lines[0].strip("|").split("|")]
    g.check(head == ["workload", "figure"] + bc.SYSTEMS, f"the table's header is {lines[0]}")
    cells = {}
    for l in lines[2:]:
        c = [x.strip() for x in l.strip("|").split("|")]
        if len(c) == len(head):
            cells[c[1]] = dict(zip(head[2:], c[2:]))
    for label, _ in bc.ROWS:
        g.check(label in cells, f"the table has no row {label!r}:\n" + "\n".join(lines))
    for s in ("ppsos-pps", "ppsos-clock", "lru", "opt"):
        v = cells["pages read / OPT"][s]
        g.check(v != "-" and float(v) >= 1.0, f"{s}: pages read / OPT is {v}, not >= 1:\n" + "\n".join(lines))
    g.check(cells["pages read / OPT"]["opt"] == "1.00", "OPT over OPT is not 1.00")
