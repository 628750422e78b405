"""Host-only tests of make bench-linux's parsing (scripts/bench_linux.py)
and initramfs helpers (scripts/linux_guest.py), on small canned text: no
QEMU, no network, no Debian packages."""
import gzip
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import bench_linux as bl  # noqa: E402
import linux_guest as lg  # noqa: E402

VMSTAT_BEFORE = """nr_free_pages 7000
pswpin 10
pswpout 20
pgmajfault 5
oom_kill 0
"""
VMSTAT_AFTER = """nr_free_pages 300
pswpin 1010
pswpout 2520
pgmajfault 705
oom_kill 0
"""
INTERRUPTS = """           CPU0       CPU1       CPU2       CPU3
  0:        136          0          0          0   IO-APIC   2-edge      timer
CAL:        305        260        196        199   Function call interrupts
TLB:          0          1          2          3   TLB shootdowns
TRM:          0          0          0          0   Thermal event interrupts
ERR:          0
"""
INTERRUPTS_AFTER = INTERRUPTS.replace("TLB:          0          1          2          3",
                                      "TLB:        100        201          2         13")
DISK_BEFORE = "   8       0 sda 5 0 40 18 2 0 8 31 0 0 78 0 0 0 0 1 27"
DISK_AFTER = "   8       0 sda 905 0 8040 18 52 0 20008 31 0 0 78 0 0 0 0 1 27"


def console(output, exit_status=0, done=True, after=True):
    """A guest console as linux_guest.INIT prints it, CRLF line ends and
    a stray kernel line included."""
    parts = ["[    3.8] mce: Unable to init MCE device", "@@BOOTED 6.1.0-57-686",
             "@@MODE mglru lru_gen=0x0003", "@@DISK sda 524288 sectors",
             "@@MEMINFO-BOOT", "MemTotal:          48740 kB", "MemAvailable:      34748 kB",
             "@@END-MEMINFO-BOOT", "@@BEGIN random", "@@MEMAVAILABLE 34616",
             "@@MEMINFO-BEFORE", "MemFree:  1000 kB",
             "@@VMSTAT-BEFORE", VMSTAT_BEFORE, "@@INTERRUPTS-BEFORE", INTERRUPTS,
             "@@DISKSTATS-BEFORE", DISK_BEFORE, "@@END-BEFORE", "@@RUN thrash 96 150000 1", *output]
    if done:
        parts += [f"@@EXIT {exit_status}"]
        if after:
            parts += ["@@VMSTAT-AFTER", VMSTAT_AFTER, "@@INTERRUPTS-AFTER", INTERRUPTS_AFTER,
                      "@@DISKSTATS-AFTER", DISK_AFTER, "@@END-AFTER"]
        parts += ["@@DONE random", "@@ALLDONE"]
    return "\r\n".join("\n".join(parts).split("\n")) + "\r\n"


def test_vmstat_delta():
    d = bl.vmstat_delta(bl.parse_vmstat(VMSTAT_BEFORE), bl.parse_vmstat(VMSTAT_AFTER + "new 3\n"),
                        ["pswpin", "pswpout", "pgmajfault", "new"])
    assert d == {"pswpin": 1000, "pswpout": 2500, "pgmajfault": 700, "new": 3}


def test_tlb_shootdowns_sum_over_cpus():
    assert bl.tlb_shootdowns(INTERRUPTS) == 6
    assert bl.tlb_shootdowns(INTERRUPTS_AFTER) == 316
    assert bl.tlb_shootdowns("ERR: 0\n") == 0


def test_diskstats():
    assert bl.parse_diskstats(DISK_BEFORE) == {"reads": 5, "writes": 2}
    assert bl.parse_diskstats("") is None


def test_console_markers_and_row():
    # Linux's console is a terminal too: progress lines (user/lib/progress.h) come first
    info, secs = bl.parse_console(console([
        "thrash: progress 41% (61440/150000 accesses), 5 s, 3120 major faults",
        "thrash: OK elapsed_ms=1234 accesses=150000 pages=24576"]))
    assert info["kernel"] == "6.1.0-57-686" and info["lru_gen"] == "0x0003" and info["mode"] == "mglru"
    assert info["disk"] == "sda" and info["alldone"]
    assert info["meminfo"] == {"MemTotal": 48740, "MemAvailable": 34748}
    sec = secs["random"]
    assert sec["command"] == "thrash 96 150000 1" and sec["exit"] == 0 and sec["done"]
    row = bl.workload_row(sec)
    assert row == {"usable_frames": 8654, "pages_read": 1000, "major_faults": 700,
                   "pages_written": 2500, "write_cmds": 50, "read_cmds": 900, "tlb_ipi": 310,
                   "elapsed_ms": 1234, "status": "ok"}


def test_status_corrupt_failed_incomplete():
    corrupt = ["thrash: CORRUPT page 5", "thrash: progress 50% (5/10 accesses), 5 s",
               "thrash: CORRUPT errors=1 elapsed_ms=9"]
    row = bl.workload_row(bl.parse_console(console(corrupt, exit_status=1))[1]["random"])
    assert row["status"].startswith("CORRUPT: thrash: CORRUPT errors=1")
    row = bl.workload_row(bl.parse_console(console(["Killed"], exit_status=137))[1]["random"])
    assert row["status"] == "failed (exit 137): Killed" and row["elapsed_ms"] == ""
    row = bl.workload_row(bl.parse_console(console(["thrash: fill"], done=False))[1]["random"])
    assert row["status"].startswith("incomplete") and row["pages_read"] == ""


def test_status_oom():
    text = console(["Killed"], exit_status=137).replace("oom_kill 0\r\n@@INTERRUPTS-BEFORE", "X")
    text = text.replace(VMSTAT_AFTER.replace("\n", "\r\n"), VMSTAT_AFTER.replace("oom_kill 0", "oom_kill 1")
                        .replace("\n", "\r\n"))
    row = bl.workload_row(bl.parse_console(text)[1]["random"])
    assert row["status"].startswith("oom: 1 out-of-memory kill(s)")


def test_median_row():
    runs = [dict(dict.fromkeys(bl.NUMBERS, v), status="ok") for v in (3, 1, 2)]
    runs.append(dict(dict.fromkeys(bl.NUMBERS, ""), status="timeout after 9 s"))
    row = bl.median_row(runs)
    assert row["elapsed_ms"] == 2 and row["runs"] == 3
    assert row["status"] == "ok in 3 of 4; timeout after 9 s"


def test_select_takes_short_and_program_names():
    assert [w[0] for w in bl.select("thrash,phase")] == ["random", "phase"]
    assert len(bl.select("")) == len(bl.bw.WORKLOADS)
    with pytest.raises(SystemExit):
        bl.select("nosuch")


def test_modinfo_depends():
    blob = b"\x7fELF...\0license=GPL\0depends=libata,scsi_mod\0retpoline=Y\0"
    assert lg.modinfo_depends(blob) == ["libata", "scsi_mod"]
    assert lg.modinfo_depends(b"\0depends=\0") == []


def test_cpio_newc():
    c = lg.Cpio()
    c.file("bench/thrash", b"\x7fELFabc")
    c.chardev("dev/console", 5, 1)
    data = c.bytes()
    assert data.startswith(b"070701") and data.endswith(b"\0") and len(data) % 4 == 0
    assert b"bench\0" in data and b"bench/thrash\0" in data and b"TRAILER!!!\0" in data
    i = data.index(b"dev/console\0")
    hdr = data[data.rindex(b"070701", 0, i):i]
    assert int(hdr[14:22], 16) == 0o020600          # mode: a character device
    assert int(hdr[78:86], 16) == 5 and int(hdr[86:94], 16) == 1    # rdev 5:1
    gzip.compress(data)     # the initramfs is this, gzipped
