"""The OPT/LRU replay (tools/replay/, scripts/bench_opt.py), host only, in
seconds: replay on hand-made traces with known answers and against a
plain Python model, and the host-built workloads' traces (one record per
access they count, the page sequence their PRNG gives).
"""
import random
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HOST = ROOT / "build" / "host"
REPLAY = HOST / "replay"
sys.path.insert(0, str(ROOT / "scripts"))

M32 = 0xFFFFFFFF


@pytest.fixture(scope="module", autouse=True)
def host_tools():
    r = subprocess.run(["make", "-s", "host-tools"], cwd=ROOT, text=True,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    assert r.returncode == 0, r.stdout


def write_trace(path, pages):
    path.write_bytes(struct.pack(f"<{len(pages)}I", *pages))
    return path


def read_trace(path):
    b = path.read_bytes()
    return list(struct.unpack(f"<{len(b) // 4}I", b))


def replay(*args):
    r = subprocess.run([str(REPLAY)] + [str(a) for a in args], text=True,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    assert r.returncode == 0, r.stderr
    out = {}
    for line in r.stdout.splitlines():
        kv = dict(f.split("=", 1) for f in line.split())
        out[(kv["policy"], int(kv["frames"]))] = {k: int(v) for k, v in kv.items()
                                                  if k not in ("policy", "frames")}
    return out


# ---- a plain model of the replay ----

def interleave(traces):
    """Round robin, one access each; (process, page) keeps pages apart."""
    seq, pos = [], [0] * len(traces)
    while any(p < len(t) for p, t in zip(pos, traces)):
        for i, t in enumerate(traces):
            if pos[i] < len(t):
                seq.append((i, t[pos[i]]))
                pos[i] += 1
    return seq


def model(seq, frames, policy):
    """(misses, major) by brute force: OPT scans forward for next uses."""
    resident, seen, misses, major = [], set(), 0, 0
    for k, p in enumerate(seq):
        if p in resident:
            if policy == "lru":
                resident.remove(p)
                resident.append(p)
            continue
        misses += 1
        major += p in seen
        seen.add(p)
        if len(resident) == frames:
            if policy == "lru":
                resident.pop(0)
            else:
                def next_use(q):
                    try:
                        return seq.index(q, k + 1)
                    except ValueError:
                        return len(seq)
                resident.remove(max(resident, key=next_use))
        resident.append(p)
    return misses, major


# ---- replay.c ----

def test_belady_sequence(tmp_path):
    t = write_trace(tmp_path / "b", [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5])
    r = replay("-f", "3,4", t)
    assert r[("opt", 3)] == dict(accesses=12, distinct=5, misses=7, major=2)
    assert r[("lru", 3)] == dict(accesses=12, distinct=5, misses=10, major=5)
    assert r[("opt", 4)]["misses"] == 6
    assert r[("lru", 4)]["misses"] == 8


def test_cyclic_sweep_lru_misses_every_time(tmp_path):
    frames = 50
    seq = [k % (frames + 1) for k in range(20 * (frames + 1))]
    r = replay("-f", frames, write_trace(tmp_path / "c", seq))
    assert r[("lru", frames)]["misses"] == len(seq)
    assert r[("lru", frames)]["major"] == len(seq) - (frames + 1)
    # OPT: after the first sweep, one miss every `frames` accesses
    assert r[("opt", frames)]["misses"] == model(seq, frames, "opt")[0]
    assert r[("opt", frames)]["misses"] < len(seq) // 10
    # enough frames: only the first touches miss
    r = replay("-f", frames + 1, tmp_path / "c")
    assert r[("opt", frames + 1)]["major"] == r[("lru", frames + 1)]["major"] == 0


def test_random_traces_match_the_model(tmp_path):
    rnd = random.Random(7)
    for case in range(12):
        npages = rnd.randint(2, 30)
        traces = [[rnd.randrange(npages) for _ in range(rnd.randint(1, 300))]
                  for _ in range(rnd.randint(1, 3))]
        files = [write_trace(tmp_path / f"r{case}.{i}", t) for i, t in enumerate(traces)]
        frames = sorted({rnd.randint(1, npages + 2) for _ in range(3)})
        r = replay("-f", ",".join(map(str, frames)), *files)
        seq = interleave(traces)
        for f in frames:
            for policy in ("opt", "lru"):
                got = r[(policy, f)]
                assert got["accesses"] == len(seq)
                assert got["distinct"] == len(set(seq))
                assert (got["misses"], got["major"]) == model(seq, f, policy), (case, policy, f)


@pytest.mark.parametrize("args,msg", [
    (["-f", "0"], "positive frame counts"),
    (["-f", "3x"], "positive frame counts"),
    (["-f", "3", "-p", "fifo"], "opt, lru or both"),
    (["-f", "3", "/nonexistent/trace"], "cannot open trace /nonexistent/trace"),
    (["-f", "3", "BAD"], "not a page trace: 5 bytes"),
    (["-f", "3", "HUGE"], "beyond a 4 GiB region"),
    (["-f", "3"], "no trace file"),
    (["GOOD"], "no frame count"),
])
def test_bad_arguments(tmp_path, args, msg):
    (tmp_path / "BAD").write_bytes(b"12345")
    write_trace(tmp_path / "HUGE", [1, 1 << 30])
    write_trace(tmp_path / "GOOD", [1])
    r = subprocess.run([str(REPLAY)] + args, cwd=tmp_path, text=True,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=10)
    assert r.returncode == 2
    assert msg in r.stderr
    assert r.stdout == ""


# ---- the host-built workloads ----

def fmix(h):
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & M32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & M32
    return h ^ (h >> 16)


def thrash_sequence(mib, n, seed):
    """workload.c's wl_thrash in uint32 arithmetic: fill, n random pages
    (wl_below, then one more number for read or write), verify."""
    npages = mib * 256
    s = fmix((seed ^ 0x2545F491) & M32) or 0x9E3779B9

    def rand():
        nonlocal s
        s ^= (s << 13) & M32
        s ^= s >> 17
        s ^= (s << 5) & M32
        return s

    middle = []
    for _ in range(n):
        middle.append((rand() * npages) >> 32)
        rand()
    return list(range(npages)) + middle + list(range(npages))


def run_host(tmp_path, *cmd):
    r = subprocess.run([str(HOST / cmd[0])] + [str(c) for c in cmd[1:]], text=True,
                       env={"WL_TRACE": str(tmp_path / "t")}, timeout=60,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"{cmd[0]}: OK " in r.stdout
    fields = dict(f.split("=", 1) for f in r.stdout.split() if "=" in f)
    return int(fields["accesses"])


def test_thrash_trace_is_its_accesses(tmp_path):
    accesses = run_host(tmp_path, "thrash", 1, 1000, 1)
    trace = read_trace(tmp_path / "t")
    assert len(trace) == accesses == 2 * 256 + 1000
    assert trace == thrash_sequence(1, 1000, 1)


@pytest.mark.parametrize("cmd", [("seqscan", 1, 3), ("hotcold", 1, 500, 20, 2),
                                 ("phase", 1, 3, 200, 3)])
def test_other_traces_count_their_accesses(tmp_path, cmd):
    accesses = run_host(tmp_path, *cmd)
    trace = read_trace(tmp_path / "t")
    assert len(trace) == accesses
    assert trace[:256] == list(range(256))          # fill / first pass
    assert trace[-256:] == list(range(256))         # final check
    assert max(trace) == 255


def test_multithrash_traces_per_child(tmp_path):
    accesses = run_host(tmp_path, "multithrash", 3, 1, 400, 5)
    assert not (tmp_path / "t").exists()
    total = 0
    for i in range(3):
        trace = read_trace(tmp_path / f"t.{i}")
        assert trace == thrash_sequence(1, 400, 5 + i)
        total += len(trace)
    assert total == accesses


def test_bench_opt_overhead():
    import bench_opt
    # thrash 96: 24576 pages -> 24 generation pages, 24 page tables, 16
    assert bench_opt.overhead_frames(24576, 1) == 24 + 24 + bench_opt.PROC_PAGES
    # multithrash 4 x 24 MiB: four children and the parent
    assert bench_opt.overhead_frames(6144, 4) == 4 * (6 + 6 + 16) + 16
