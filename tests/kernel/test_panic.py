"""A deliberate fault (crash=null/ud/div0) gives a full panic report:
exception, EIP with symbol, registers, backtrace, other CPUs stopped; with
panic=exit QEMU then exits with status 255."""
import re
import shutil
import subprocess

import pytest

from qemu import EXIT_PANIC, KERNEL

CRASHES = {
    # crash=  : (exception name, symbol of the faulting function)
    "null": ("Page Fault (#PF)", "crash_null"),
    "ud": ("Invalid Opcode (#UD)", "crash_ud"),
    "div0": ("Divide Error (#DE)", "crash_div0"),
}

HEX = r"0x[0-9a-fA-F]{8}"


def elf_symbols():
    """{name: address} of the kernel's function symbols, from nm."""
    nm = shutil.which("i686-linux-gnu-nm") or shutil.which("nm")
    if nm is None:
        return {}
    out = subprocess.run([nm, str(KERNEL)], stdout=subprocess.PIPE, text=True).stdout
    syms = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tT":
            syms[parts[2]] = int(parts[0], 16)
    return syms


def check_panic_report(q, smp, crash):
    exc, sym = CRASHES[crash]
    log = q.log
    q.check(q.status == EXIT_PANIC, f"QEMU exit status {q.status}, expected {EXIT_PANIC}")

    m = re.search(rf"PANIC: {re.escape(exc)} on cpu (\d+), error code {HEX}", log)
    q.check(m is not None, f"no 'PANIC: {exc} on cpu N, error code 0x...' line")
    cpu = int(m.group(1))
    q.check(0 <= cpu < smp, f"panic on cpu {cpu}, but only {smp} CPUs")
    report = log[m.start():]

    m = re.search(rf"EIP: ({HEX}) <{sym}(?:\+(0x[0-9a-fA-F]+))?>", report)
    q.check(m is not None, f"no 'EIP: 0x... <{sym}+0x..>' line")
    eip = int(m.group(1), 16)
    syms = elf_symbols()
    if sym in syms:
        off = int(m.group(2), 16) if m.group(2) else 0
        q.check(syms[sym] + off == eip,
                f"EIP {eip:#x} is not {sym} ({syms[sym]:#x}) + {off:#x}")

    for reg in ["EAX", "EBX", "ECX", "EDX", "ESI", "EDI", "EBP", "ESP"]:
        q.check(re.search(rf"\b{reg}=(0x)?[0-9a-fA-F]{{8}}\b", report),
                f"register dump lacks {reg}=")

    q.check("Backtrace:" in report, "no 'Backtrace:' line")
    bt = report[report.index("Backtrace:"):]
    frames = re.findall(rf"#(\d+) ({HEX}) (\S+)", bt)
    q.check(len(frames) >= 2, f"backtrace has {len(frames)} frames, expected >= 2")
    q.check(frames[0][0] == "0" and frames[0][2].startswith(sym),
            f"backtrace frame #0 is {frames[0][2]}, expected {sym}")
    return report


def test_panic_null_smp4(qemu_run):
    smp = 4
    q = qemu_run(smp=smp, cmdline="crash=null panic=exit")
    report = check_panic_report(q, smp, "null")
    q.check(re.search(r"CR2: 0x00000000\b", report), "no 'CR2: 0x00000000' line")
    q.check(f"panic: stopped {smp - 1} other CPUs" in report,
            f"no 'panic: stopped {smp - 1} other CPUs' line")


@pytest.mark.parametrize("crash", ["ud", "div0"])
def test_panic_smp1(qemu_run, crash):
    q = qemu_run(smp=1, cmdline=f"crash={crash} panic=exit")
    report = check_panic_report(q, 1, crash)
    q.check("panic: stopped" not in report,
            "'panic: stopped N other CPUs' printed with a single CPU")


def test_spinlock_recursion_is_reported(qemu_run):
    """Taking a spinlock the CPU already holds panics with the lock's name
    and where it was first taken, instead of spinning forever."""
    q = qemu_run(smp=2, cmdline="crash=lock panic=exit")
    q.check(q.status == EXIT_PANIC, f"QEMU exit status {q.status}, expected {EXIT_PANIC}")
    q.check(re.search(r"PANIC: spinlock crash_demo_lock: recursive acquire on cpu \d+ "
                      r"\(first taken at crash_lock\+0x[0-9a-f]+\)", q.log),
            "no recursive-acquire report naming the lock and crash_lock")
    q.check(re.search(r"#\d+ 0x[0-9a-f]{8} crash_lock\+", q.log), "crash_lock not in the backtrace")
    q.check("panic: stopped 1 other CPUs" in q.log, "the other CPU was not stopped")
