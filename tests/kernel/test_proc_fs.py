"""/proc as user programs see it: the formats of meminfo, vmstat, cpuinfo,
uptime, self/status, self/maps, PID/comm, and what ps makes of it.

One 4-CPU boot for the whole module (the tests only read), via the shell:
one `cat` per file."""
import re

import pytest

import qemu as qemu_mod
from qemu import sh_run, user_lines

SMP = 4
MEM = 64

MAPS_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{8} [r-][w-][x-]p [0-9a-f]{8} \d\d:\d\d \d+(\s+\S+)?$")
KB_RE = re.compile(r"^(\w+):\s+(\d+) kB$")


@pytest.fixture(scope="module")
def sh(ppsos_build):
    with qemu_mod.shell_session(smp=SMP, mem=MEM, name="test_proc_fs") as q:
        yield q


def cat(q, path):
    out = user_lines(sh_run(q, f"cat {path}"))
    q.check(out, f"'cat {path}' printed nothing")
    q.check(not any(l.startswith("cat:") for l in out), f"'cat {path}' failed: {out!r}")
    return out


def kb_fields(q, lines, what):
    vals = {}
    for l in lines:
        m = KB_RE.match(l)
        q.check(m is not None, f"{what}: line {l!r} is not 'Name:   N kB'")
        vals[m.group(1)] = int(m.group(2))
    return vals


def test_meminfo(sh):
    v = kb_fields(sh, cat(sh, "/proc/meminfo"), "/proc/meminfo")
    for k in ["MemTotal", "MemFree", "AnonPages", "Slab", "SwapTotal", "SwapFree"]:
        sh.check(k in v, f"/proc/meminfo has no {k}: {v}")
    sh.check(MEM * 1024 // 2 < v["MemTotal"] <= MEM * 1024,
             f"MemTotal {v['MemTotal']} kB does not fit -m {MEM}")
    sh.check(0 < v["MemFree"] <= v["MemTotal"], f"MemFree {v['MemFree']} vs MemTotal {v['MemTotal']}")
    sh.check(v["AnonPages"] > 0, "AnonPages is 0 while init, sh and cat run")
    sh.check(v["AnonPages"] + v["Slab"] < v["MemTotal"], f"odd AnonPages/Slab: {v}")
    sh.check(v["SwapFree"] <= v["SwapTotal"], f"SwapFree > SwapTotal: {v}")


def test_vmstat(sh):
    out = cat(sh, "/proc/vmstat")
    v = {}
    for l in out:
        m = re.fullmatch(r"([a-z][a-z0-9_]*) (\d+)", l)
        sh.check(m is not None, f"/proc/vmstat: line {l!r} is not 'name value'")
        v[m.group(1)] = int(m.group(2))
    for k in ["nr_free_pages", "pgfault", "pgmajfault", "pswpin", "pswpout", "pps_rescue",
              "pps_scanned", "pps_stage1", "pps_stage2", "pps_stage3", "pps_stage4",
              "pps_stage5", "kppsd_wakeups", "dftlb_tasks", "dftlb_forced", "tlb_ipi",
              "swap_ra", "swap_ra_hit", "oom_kill"]:
        sh.check(k in v, f"/proc/vmstat has no {k}: {sorted(v)}")
    sh.check(v["pgfault"] > 0, "pgfault is 0 after starting programs (demand paging)")
    mem = kb_fields(sh, cat(sh, "/proc/meminfo"), "/proc/meminfo")
    # nr_free_pages and MemFree describe the same memory (4 KiB pages);
    # allow for what the two cat runs themselves took in between
    sh.check(abs(v["nr_free_pages"] * 4 - mem["MemFree"]) < 2048,
             f"nr_free_pages {v['nr_free_pages']} (x4 kB) far from MemFree {mem['MemFree']} kB")


def test_cpuinfo(sh):
    out = cat(sh, "/proc/cpuinfo")
    procs = [int(m.group(1)) for l in out for m in [re.fullmatch(r"processor\s*: (\d+)", l)] if m]
    sh.check(procs == list(range(SMP)),
             f"/proc/cpuinfo lists processors {procs}, expected 0..{SMP - 1} (-smp {SMP})")
    for l in out:
        sh.check(re.fullmatch(r"[^:]*\S\s*: ?.*", l), f"/proc/cpuinfo: line {l!r} is not 'key : value'")


def test_uptime(sh):
    def read():
        out = cat(sh, "/proc/uptime")
        sh.check(len(out) == 1, f"/proc/uptime has {len(out)} lines: {out!r}")
        m = re.fullmatch(r"(\d+\.\d\d) (\d+\.\d\d)", out[0])
        sh.check(m is not None, f"/proc/uptime {out[0]!r} is not 'N.NN N.NN'")
        return float(m.group(1)), float(m.group(2))
    up1, idle1 = read()
    sh_run(sh, "sleep 0.3")
    up2, idle2 = read()
    sh.check(up1 > 0 and up2 >= up1 + 0.25, f"uptime went {up1} -> {up2} over a 'sleep 0.3'")
    # idle time is summed over the CPUs
    sh.check(0 <= idle1 <= idle2 <= up2 * SMP + 0.5, f"idle time {idle1} -> {idle2} with uptime {up2}")


def status_fields(q, path):
    out = cat(q, path)
    f = {}
    for l in out:
        m = re.fullmatch(r"(\w+):\s*(.*)", l)
        q.check(m is not None, f"{path}: line {l!r} is not 'Key: value'")
        f[m.group(1)] = m.group(2)
    return f


def test_self_status(sh):
    f = status_fields(sh, "/proc/self/status")
    for k in ["Name", "State", "Tgid", "Pid", "PPid", "VmSize", "VmRSS"]:
        sh.check(k in f, f"/proc/self/status has no {k}: {f}")
    sh.check(f["Name"] == "cat", f"/proc/self/status of cat says Name {f['Name']!r}")
    sh.check(re.fullmatch(r"R \(running\)", f["State"]), f"State {f['State']!r}, expected 'R (running)'")
    sh.check(f["Pid"].isdigit() and f["Tgid"] == f["Pid"], f"Pid {f['Pid']!r} Tgid {f['Tgid']!r}")
    for k in ["VmSize", "VmRSS"]:
        sh.check(re.fullmatch(r"\d+ kB", f[k]), f"{k} {f[k]!r} is not 'N kB'")
    sh.check(0 < int(f["VmRSS"].split()[0]) <= int(f["VmSize"].split()[0]),
             f"VmRSS {f['VmRSS']} vs VmSize {f['VmSize']}")
    # cat's parent is the shell, whose parent is init
    sh_status = status_fields(sh, f"/proc/{f['PPid']}/status")
    sh.check(sh_status["Name"] == "sh" and sh_status["PPid"] == "1",
             f"cat's parent {f['PPid']} is {sh_status.get('Name')} (PPid {sh_status.get('PPid')})")
    init = status_fields(sh, "/proc/1/status")
    sh.check(init["Name"] == "init" and init["Pid"] == "1" and init["PPid"] == "0",
             f"/proc/1/status: {init}")
    sh.check(init["State"][0] == "S", f"init's State is {init['State']!r}, expected S (waiting)")
    # each reader sees itself: two cats, two pids
    f2 = status_fields(sh, "/proc/self/status")
    sh.check(f2["Pid"] != f["Pid"], "/proc/self gave the same pid to two different cat runs")


def test_self_maps(sh):
    out = cat(sh, "/proc/self/maps")
    for l in out:
        sh.check(MAPS_RE.match(l), f"/proc/self/maps line {l!r} is not in Linux's format")
    sh.check(any(l.endswith("[stack]") for l in out), f"no [stack] in /proc/self/maps: {out!r}")
    sh.check(any(re.search(r" r-xp .* /bin/cat$", l) for l in out),
             f"no r-xp mapping of /bin/cat in its own maps: {out!r}")
    ranges = [tuple(int(x, 16) for x in l.split()[0].split("-")) for l in out]
    for lo, hi in ranges:
        sh.check(lo < hi and lo % 4096 == 0 and hi % 4096 == 0 and hi <= 0xC0000000,
                 f"bad range {lo:08x}-{hi:08x}")
    sh.check(ranges == sorted(ranges), "/proc/self/maps is not sorted by address")
    sh.check(all(a[1] <= b[0] for a, b in zip(ranges, ranges[1:])), "overlapping mappings")
    for l in cat(sh, "/proc/1/maps"):
        sh.check(MAPS_RE.match(l), f"/proc/1/maps line {l!r} is not in Linux's format")


def test_comm(sh):
    out = cat(sh, "/proc/self/comm")
    sh.check(out == ["cat"], f"/proc/self/comm of cat reads {out!r}")
    out = cat(sh, "/proc/1/comm")
    sh.check(out == ["init"], f"/proc/1/comm reads {out!r}")


def test_ps(sh):
    out = user_lines(sh_run(sh, "ps"))
    sh.check(out and re.fullmatch(r"\s*PID\s+PPID\s+STATE\s+THR\s+VSZ\S*\s+RSS\S*\s+NAME", out[0]),
             f"'ps' header is {out[:1]!r}, expected columns PID PPID STATE THR VSZ RSS NAME")
    rows = {}
    for l in out[1:]:
        m = re.fullmatch(r"\s*(\d+)\s+(\d+)\s+([RSDZT])\s+1\s+(\d+)\s+(\d+)\s+(\S+)", l)
        sh.check(m is not None, f"'ps' line {l!r} does not fit the columns (one thread each)")
        rows[int(m.group(1))] = (int(m.group(2)), m.group(3), int(m.group(4)), int(m.group(5)), m.group(6))
    sh.check(rows.get(1, (None,) * 5)[0::4] == (0, "init"), f"'ps' has no 'init' with pid 1, ppid 0: {rows}")
    shells = [p for p, r in rows.items() if r[4] == "sh" and r[0] == 1]
    sh.check(len(shells) == 1, f"'ps' shows {len(shells)} shells started by init: {rows}")
    me = [p for p, r in rows.items() if r[4] == "ps"]
    sh.check(len(me) == 1 and rows[me[0]][0] == shells[0] and rows[me[0]][1] == "R",
             f"'ps' does not list itself as a running child of the shell: {rows}")
    for p, r in rows.items():
        sh.check(r[2] > 0 and 0 < r[3] <= r[2], f"pid {p}: VSZ {r[2]} RSS {r[3]}")


def test_free(sh):
    """free reads /proc/meminfo: its Mem total is MemTotal."""
    mem = kb_fields(sh, cat(sh, "/proc/meminfo"), "/proc/meminfo")
    out = user_lines(sh_run(sh, "free"))
    m = [re.fullmatch(r"Mem:\s+(\d+)\s+(\d+)\s+(\d+)", l) for l in out]
    m = [x for x in m if x]
    sh.check(len(m) == 1, f"'free' has no 'Mem: total used free' line: {out!r}")
    total, used, free = (int(x) for x in m[0].groups())
    sh.check(total == mem["MemTotal"], f"free's total {total} != MemTotal {mem['MemTotal']}")
    sh.check(used + free == total, f"free: used {used} + free {free} != total {total}")
    sh.check(any(re.fullmatch(r"Swap:\s+\d+\s+\d+\s+\d+", l) for l in out), f"'free' has no Swap line: {out!r}")
