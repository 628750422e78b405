"""Debugging ppsos with GDB through QEMU's gdbstub: scripts/gdb/ppsos.gdb
and scripts/debug.sh (`make debug`)."""
import os
import re
import socket
import subprocess
import time

from qemu import KERNEL, ROOT, timeout_for

GDB_SCRIPT = ROOT / "scripts" / "gdb" / "ppsos.gdb"
DEBUG_SH = ROOT / "scripts" / "debug.sh"

KMAIN_FRAME_RE = re.compile(r"#0\s+(?:0x[0-9a-f]+ in )?kmain \(.*\) at kernel/main\.c:\d+")
THREAD_RE = re.compile(r"^\*?\s+\d+\s+Thread \d+\.\d+", re.M)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port):
    """Is something listening on TCP port `port`? (/proc, no connection:
    QEMU's gdbstub takes a single client.)"""
    for f in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(f) as fh:
                next(fh)
                for line in fh:
                    local, state = line.split()[1], line.split()[3]
                    if state == "0A" and local.endswith(f":{port:04X}"):
                        return True
        except OSError:
            pass
    return False


def gdb_run(args, timeout, env=None):
    r = subprocess.run(args, cwd=ROOT, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=timeout, env=env)
    return r.returncode, r.stdout


def qemu_pids_on_port(port):
    """QEMU processes started with `-gdb tcp::PORT` (to check cleanup)."""
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/cmdline", "rb") as fh:
                argv = fh.read().split(b"\0")
        except OSError:
            continue
        if argv and b"qemu-system-i386" in argv[0] and f"tcp::{port}".encode() in argv:
            pids.append(int(d))
    return pids


def test_gdb_script_is_self_contained():
    """The caller chooses kernel and port: no `file`/`target`, no absolute paths."""
    text = GDB_SCRIPT.read_text()
    cmds = [l.strip() for l in text.splitlines() if l.strip() and not l.lstrip().startswith("#")]
    bad = [l for l in cmds if re.match(r"(target|file|symbol-file|add-symbol-file)\b", l)]
    assert not bad, f"ppsos.gdb must not contain {bad}"
    assert not [l for l in cmds if re.search(r"(^|\s)/[a-z]", l)], "absolute path in ppsos.gdb"


def test_gdb_script_help(ppsos_build):
    """The script loads cleanly and its commands are documented."""
    status, out = gdb_run(["gdb", "-batch", "-nx", "-x", str(GDB_SCRIPT.relative_to(ROOT)),
                           "-ex", "help ppsos-boot", "-ex", "help user-defined",
                           str(KERNEL.relative_to(ROOT))], timeout=60)
    assert status == 0, out
    assert "hardware breakpoint" in out, out
    for cmd in ["ppsos-boot", "ppsos-ap", "ppsos-panic", "ppsos-cpus", "ppsos-bt-all"]:
        assert cmd in out, f"{cmd} missing from `help user-defined`:\n{out}"
    assert "Error" not in out and "error" not in out, out


def test_gdb_stops_in_kmain(qemu):
    smp = 4
    port = free_port()
    q = qemu(smp=smp, gdb_port=port, halted=True)
    deadline = time.monotonic() + 30
    while not listening(port):
        q.check(q.child.isalive(), f"QEMU exited before its gdbstub listened on {port}")
        q.check(time.monotonic() < deadline, f"gdbstub not listening on {port} after 30 s")
        time.sleep(0.1)

    args = ["gdb", "-batch", "-nx", "-x", "scripts/gdb/ppsos.gdb",
            "-ex", f"target remote :{port}", "-ex", "hbreak kmain", "-ex", "continue",
            "-ex", "bt", "-ex", "info threads", "build/kernel.elf"]
    try:
        status, out = gdb_run(args, timeout=timeout_for(smp))
    except subprocess.TimeoutExpired as e:
        q.fail(f"gdb timed out; its output:\n{e.output}")
    msg = f"gdb {' '.join(args)}\n--- gdb output ---\n{out}"
    q.check(re.search(r"Breakpoint 1, .*kmain", out), f"did not stop at kmain\n{msg}")
    q.check(KMAIN_FRAME_RE.search(out), f"`bt` does not show kmain at kernel/main.c\n{msg}")
    threads = THREAD_RE.findall(out)
    q.check(len(threads) == smp, f"`info threads` lists {len(threads)} threads, expected {smp}\n{msg}")


def test_debug_sh_batch(ppsos_build, tmp_path):
    """`make debug`'s script, non-interactive: extra args go to gdb."""
    smp = 2
    port = free_port()
    env = dict(os.environ, SMP=str(smp), MEM="64", CMDLINE="hz=100", GDBPORT=str(port),
               KERNEL="build/kernel.elf", SERIAL_LOG=str(tmp_path / "serial.log"))
    args = [str(DEBUG_SH), "-batch", "-ex", "ppsos-boot", "-ex", "bt",
            "-ex", "ppsos-cpus", "-ex", "ppsos-cr"]
    try:
        status, out = gdb_run(args, timeout=timeout_for(smp), env=env)
    finally:
        deadline = time.monotonic() + 10   # the script's SIGTERM takes a moment
        while qemu_pids_on_port(port) and time.monotonic() < deadline:
            time.sleep(0.1)
        leftover = qemu_pids_on_port(port)
        for pid in leftover:
            os.kill(pid, 9)
    msg = f"{' '.join(args)}\n--- output ---\n{out}"
    assert "ppsos debug:" in out, msg
    assert KMAIN_FRAME_RE.search(out), f"did not stop in kmain\n{msg}"
    assert len(THREAD_RE.findall(out)) == smp, f"expected {smp} threads\n{msg}"
    assert re.search(r"^cr0\s+0x[0-9a-f]+", out, re.M), f"ppsos-cr shows no cr0\n{msg}"
    assert not leftover, f"QEMU still running after debug.sh exited: pids {leftover}\n{msg}"
