"""set_thread_area / get_thread_area and futex from user space: tlstest
(tests/fixtures/progs/tlstest.c) runs as pid 1 and checks every call's
result and errno, the segments the CPU then enforces, fork and exec, a
stale selector and a stale %ss, and several processes keeping their own
TLS base across context switches; at -smp 1 (every process on one CPU:
each switch reloads the GDT slots) and -smp 4 (processes migrate).
futexmt (tests/fixtures/progs/futexmt.c) does the same for futexes between
threads: wake counts, requeue, a futex mutex, exit_group, per-thread TLS.
The futex hash, requeue and the lost-wakeup race also have ktests
(tests/kernel/ktest_futex.c)."""
import re

import pytest

from qemu import timeout_for


def boot(qemu_run, smp, cmdline, initrd):
    q = qemu_run(smp=smp, cmdline=cmdline, initrd=initrd, timeout=timeout_for(smp, base=120))
    q.check("PANIC" not in q.log, "kernel panic")
    return q


def check_exit(q, code):
    q.check(f"init: pid 1 exited with status {code}, powering off" in q.log,
            f"pid 1 did not exit with status {code}")
    q.check(q.status == ((code << 1) | 1) & 0xFF, f"QEMU exit status {q.status}")


@pytest.mark.parametrize("smp", [1, 4])
def test_tlstest(qemu_run, test_initrd, smp):
    """Every tlstest check passes (one 'ok' line each, no FAIL)."""
    q = boot(qemu_run, smp, "init=/bin/tlstest", test_initrd)
    fails = [l for l in q.log.splitlines() if l.startswith("tlstest: FAIL")]
    q.check(not fails, "tlstest:\n  " + "\n  ".join(fails))
    oks = set(re.findall(r"^tlstest: ok (\w+)$", q.log, re.M))
    for name in ["set_thread_area_picks_slot", "gs_reads_base", "get_thread_area_round_trip",
                 "gs_survives_traps", "stale_selector_zeroed", "tls_ss_emptied_sigill",
                 "tls_cleared_by_exec", "tls_per_process_across_switches", "futex_wait_eagain",
                 "futex_wait_timeout", "futex_wake_nobody", "futex_wait_killed",
                 "futex_key_is_per_mm"]:
        q.check(name in oks, f"no 'tlstest: ok {name}'")
    q.check(re.search(r"^tlstest: OK$", q.log, re.M), "no 'tlstest: OK'")
    # the stale %ss is the only process the kernel kills itself
    q.check("stack segment emptied under it" in q.log, "no kernel message for the stale %ss")
    check_exit(q, 0)


def test_tls_switch_one_cpu(qemu_run, test_initrd):
    """Four processes with different %gs/%fs bases on one CPU, yielding to
    each other thousands of times: each reads only its own base."""
    q = boot(qemu_run, 1, "init=/bin/tlstest switch 50000", test_initrd)
    q.check(re.search(r"^tlstest: ok tls_per_process_across_switches$", q.log, re.M),
            "a process read another's TLS base")
    check_exit(q, 0)


@pytest.mark.parametrize("smp", [1, 4])
def test_futex_threads(qemu_run, test_initrd, smp):
    """Every futexmt check passes: FUTEX_WAKE's count is the number that
    leave FUTEX_WAIT, CMP_REQUEUE moves waiters, a futex mutex counts
    exactly with no lost wakeup, exit_group ends futex waits, and each
    thread keeps its own TLS slots."""
    q = boot(qemu_run, smp, "init=/bin/futexmt", test_initrd)
    fails = [l for l in q.log.splitlines() if l.startswith("futexmt: FAIL")]
    q.check(not fails, "futexmt:\n  " + "\n  ".join(fails))
    oks = set(re.findall(r"^futexmt: ok (\w+)$", q.log, re.M))
    for name in ["wake_one", "wake_count", "cmp_requeue_mismatch", "requeue_moved_all",
                 "requeue_wake_second_word", "mutex", "exit_group_ends_futex_waits",
                 "tls_per_thread", "settls_empty_slot_of_gs"]:
        q.check(name in oks, f"no 'futexmt: ok {name}'")
    q.check(re.search(r"^futexmt: OK$", q.log, re.M), "no 'futexmt: OK'")
    check_exit(q, 0)
