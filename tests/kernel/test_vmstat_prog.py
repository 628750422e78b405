"""user/vmstat and /proc/meminfo's per-stage PPS lines, under real pressure.

One boot at -m 32 (about 28 MiB free): `thrash 48 20000 &` runs in the
background, more than memory holds, while `vmstat 1 3` prints its three
lines. Checked: the header and three lines of numbers, free memory within
what the machine has, swap in use, and that pages went out to swap and
faults waited for the disk in some line (the first line counts since boot,
so it holds thrash's fill at least). /proc/meminfo's stage lines split
PpsPte (young + old) and PpsUnmapped (no slot + dirty + clean) exactly.
Bad arguments print the usage and exit with status 2.
"""
import re

import pytest

import qemu as qemu_mod
from qemu import sh_run, user_lines

MEM = 32
COLUMNS = ["r", "free", "swpd", "si", "so", "flt", "maj", "young", "old", "unmap", "slot",
           "written", "swapped", "legacy", "tlbipi"]
KB_RE = re.compile(r"^(\w+):\s+(\d+) kB$")


@pytest.fixture(scope="module")
def sh(ppsos_build):
    with qemu_mod.shell_session(smp=4, mem=MEM, name="test_vmstat_prog") as q:
        yield q


def rows(q, lines):
    """vmstat's lines as {column: n}; a thrash line can land anywhere."""
    head = [l for l in lines if l.split()[:3] == ["r", "free", "swpd"]]
    q.check(len(head) == 1 and head[0].split() == COLUMNS, f"vmstat header: {lines!r}")
    out = []
    for l in lines:
        w = l.split()
        if len(w) == len(COLUMNS) and all(x.isdigit() for x in w):
            out.append(dict(zip(COLUMNS, map(int, w))))
    return out


def test_vmstat_under_pressure(sh):
    first = user_lines(sh_run(sh, "vmstat"))
    sh.check(len(rows(sh, first)) == 1, f"`vmstat` with no argument: {first!r}")
    sh_run(sh, "thrash 48 20000 &")
    lines = user_lines(sh_run(sh, "vmstat 1 3", timeout=120))
    got = rows(sh, lines)
    sh.check(len(got) == 3, f"`vmstat 1 3` printed {len(got)} lines of numbers: {lines!r}")
    for r in got:
        sh.check(0 <= r["free"] <= MEM * 1024, f"free {r['free']} kB at -m {MEM}: {r}")
        sh.check(0 < r["r"] < 64, f"running processes: {r}")
        sh.check(r["maj"] <= r["flt"], f"more major faults than faults: {r}")
    sh.check(any(r["so"] > 0 for r in got), f"no pswpout in any line: {lines!r}")
    sh.check(any(r["maj"] > 0 for r in got), f"no pgmajfault in any line: {lines!r}")
    sh.check(any(r["swpd"] > 0 for r in got), f"no swap in use: {lines!r}")
    mem = {}
    for l in user_lines(sh_run(sh, "cat /proc/meminfo")):
        m = KB_RE.match(l)
        if m:
            mem[m.group(1)] = int(m.group(2))
    sh.check(mem["PpsYoung"] + mem["PpsOld"] == mem["PpsPte"], f"young + old != PpsPte: {mem}")
    sh.check(mem["PpsUnmappedNoSlot"] + mem["PpsUnmappedDirty"] + mem["PpsUnmappedClean"]
             == mem["PpsUnmapped"], f"stages 3..5 != PpsUnmapped: {mem}")
    # Let thrash finish (its OK line and the shell's done line).
    for _ in range(60):
        if "thrash: OK" in sh.log and re.search(r"\[\d+\] done status 0", sh.log):
            break
        sh_run(sh, "sleep 1", timeout=60)
    sh.check("thrash: OK" in sh.log, "thrash did not end OK")


@pytest.mark.parametrize("args", ["x", "0", "1 0", "1 2 3", "-1", "1x"])
def test_vmstat_usage(sh, args):
    out = sh_run(sh, f"vmstat {args}")
    sh.check(any(l.startswith("usage: vmstat") for l in out), f"`vmstat {args}`: {out!r}")
    sh.check(sh_run(sh, "echo $?") == ["2"], f"`vmstat {args}` did not exit 2")
