"""The in-kernel tests (ktest=all) pass on 1, 2, 4 and 8 CPUs, and the SMP
tests really reached every CPU."""
import re

import pytest

from qemu import EXIT_KTEST_PASS, SMP_RE, check_ktap_all_pass, timeout_for

SMP_KTESTS = ["timer_all_cpus", "on_each_cpu_all", "kthread_spread"]


def check_smp_ktests(q, smp):
    log = q.log
    m = SMP_RE.search(log)
    q.check(m is not None, "no 'smp: N CPUs online' line")
    q.check(int(m.group(1)) == smp, f"{m.group(0)}, expected {smp}")

    res = check_ktap_all_pass(q)
    for name in SMP_KTESTS:
        q.check(name in res, f"ktest {name} did not report a result")

    # timer_all_cpus: "# timer_all_cpus: ... cpu0 +N ..." for every CPU
    # ("cpu0 +N ticks" or "ticks in T ms: cpu0 +N cpu1 +M": both match)
    ticks = {}
    for line in log.splitlines():
        if "timer_all_cpus:" in line:
            for cpu, n in re.findall(r"cpu(\d+) \+(\d+)", line):
                ticks[int(cpu)] = int(n)
    q.check(sorted(ticks) == list(range(smp)),
            f"timer_all_cpus diagnostics cover CPUs {sorted(ticks)}, expected 0..{smp - 1}")
    idle = [c for c, n in ticks.items() if n <= 0]
    q.check(not idle, f"timer_all_cpus: no ticks on CPUs {idle}")

    for what, rx in [
        ("on_each_cpu_all", r"on_each_cpu_all: reached (\d+) of (\d+) cpus"),
        ("kthread_spread", r"kthread_spread: threads ran on (\d+) of (\d+) cpus"),
    ]:
        m = re.search(rx, log)
        q.check(m is not None, f"no {what} diagnostic matching {rx!r}")
        got, of = int(m.group(1)), int(m.group(2))
        q.check(got == smp and of == smp, f"{m.group(0)}, expected {smp} of {smp}")


# -smp 4 is not here: test_ktest_grub_menu_entry below runs every ktest at
# -smp 4 (from the GRUB menu), and so does `make ktest`, make test's first half.
@pytest.mark.parametrize("smp", [1, 2, 8])
def test_ktest_all(qemu_run, smp):
    q = qemu_run(smp=smp, cmdline="ktest=all panic=exit")
    q.check(q.status == EXIT_KTEST_PASS,
            f"QEMU exit status {q.status}, expected {EXIT_KTEST_PASS} (all ktests pass)")
    check_smp_ktests(q, smp)


def test_ktest_selected(qemu_run):
    """ktest=name1,name2 runs just those tests."""
    q = qemu_run(smp=2, cmdline="ktest=on_each_cpu_all,kthread_spread panic=exit")
    q.check(q.status == EXIT_KTEST_PASS, f"QEMU exit status {q.status}, expected 1")
    res = check_ktap_all_pass(q)
    q.check(sorted(res) == ["kthread_spread", "on_each_cpu_all"],
            f"ran {sorted(res)}, expected just on_each_cpu_all and kthread_spread")


def test_ktest_grub_menu_entry(qemu):
    """The ISO's 'ppsos: run in-kernel tests' entry, picked with hotkey t."""
    smp = 4
    q = qemu(smp=smp, iso=True)
    q.expect(r"run in-kernel tests", timeout=timeout_for(smp),
             what="GRUB's menu entry 'ppsos: run in-kernel tests'")
    q.send("t")
    q.expect(r"KTAP version 1", what="KTAP header after choosing the test entry")
    status = q.wait_exit()
    q.check(status == EXIT_KTEST_PASS, f"QEMU exit status {status}, expected 1")
    check_smp_ktests(q, smp)
