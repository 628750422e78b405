"""The kernel monitor (kmon) on the serial console after a normal boot:
interrupt-driven input, echo, commands, errors, poweroff."""
import re

import pytest

from qemu import EXIT_KTEST_PASS, clean

PROMPT = r"kmon> "


def command(q, cmd):
    """Type a command, wait for the next prompt, return what came between
    (the echo of the command and its output)."""
    q.sendline(cmd)
    q.expect(PROMPT, what=f"the prompt after {cmd!r}")
    return clean(q.child.before)


def output_lines(text, cmd):
    """The lines of a command's output, without the echoed command line."""
    lines = [l.strip() for l in text.splitlines()]
    if lines and lines[0].endswith(cmd):
        lines = lines[1:]
    return [l for l in lines if l]


@pytest.fixture
def kmon(qemu):
    # without an initrd there is no /bin/init: the kernel runs kmon
    q = qemu(smp=2, initrd=None)
    q.expect(r"kmon: type 'help' for commands", what="the kmon banner")
    q.expect(PROMPT, what="the first kmon prompt")
    return q


def test_kmon_session(kmon):
    q = kmon
    smp = 2

    out = command(q, "help")
    for c in ["help", "cpus", "ticks", "threads", "mem", "ipi", "poweroff"]:
        q.check(re.search(rf"\b{c}\b", out),
                f"'help' does not mention {c!r}: {out!r}")

    out = command(q, "cpus")
    q.check(out.splitlines()[0].strip().endswith("cpus"), f"'cpus' was not echoed: {out!r}")
    cpus = re.findall(r"cpu(\d+) apic (\d+) online ticks (\d+)", out)
    q.check(len(cpus) == smp, f"'cpus' printed {len(cpus)} CPU lines, expected {smp}: {out!r}")
    q.check(sorted(int(c[0]) for c in cpus) == list(range(smp)),
            f"'cpus' lists CPUs {[c[0] for c in cpus]}")

    out = command(q, "ipi")
    q.check(f"ipi: reached {smp} of {smp} cpus" in out,
            f"'ipi' did not reach every CPU: {out!r}")

    for cmd in ["ticks", "threads", "mem"]:
        out = command(q, cmd)
        q.check(output_lines(out, cmd), f"{cmd!r} printed nothing: {out!r}")

    out = command(q, "frobnicate")
    rest = output_lines(out, "frobnicate")
    q.check(any(re.search(r"(?i)unknown|not found|no such|invalid|frobnicate", l) for l in rest),
            f"unknown command gave no error message: {out!r}")

    # an empty line just gives a new prompt
    command(q, "")

    q.check("PANIC" not in q.log, "panic during the kmon session")

    q.sendline("poweroff")
    status = q.wait_exit(timeout=60)
    q.check(status == EXIT_KTEST_PASS, f"'poweroff': QEMU exit status {status}, expected 1")
