"""Threads on the Linux i386 ABI: clone, gettid, set_tid_address, tkill,
tgkill, exit, exit_group, exec from a thread, fork from a thread, the join
by CLONE_CHILD_CLEARTID and FUTEX_WAIT, the limits, and nothing leaked.

/bin/threads (tests/fixtures/progs/threads.c) runs each test in a child
process, twice, and checks that the second round gives back every frame
(MemFree and nr_anon_pages exactly as before). Run as pid 1 at 1 and 4
CPUs. Then, from the shell: ps's thread count, /proc/PID/task/TID/ and a
kill from outside ending every thread of a process. And at -m 32: threads
that sleep in swap-ins while kppsd steps their mm, some exiting on their
own, all ended by exit_group, with nothing left behind (swap included)."""
import re

import pytest

from qemu import sh_run, sh_wait_prompt, timeout_for, user_lines

TESTS = ["basic", "exit_group", "tgkill", "main_exits_first", "exec", "fork_in_thread",
         "clone_fork", "tls", "einval", "limit", "churn"]


@pytest.mark.parametrize("smp", [1, 4])
def test_threads_program(qemu_run, test_initrd, smp):
    q = qemu_run(smp=smp, initrd=test_initrd, cmdline="init=/bin/threads",
                 timeout=timeout_for(smp, base=120))
    q.check("PANIC" not in q.log and "assertion" not in q.log, "kernel panic or assertion")
    lines = q.log.splitlines()
    fails = [l for l in lines if "FAIL" in l]
    q.check(not fails, "threads reported failures:\n  " + "\n  ".join(fails))
    for t in TESTS:
        n = lines.count(f"threads: {t} ok")
        q.check(n == 2, f"'threads: {t} ok' printed {n} times, expected 2 (two rounds)")
    m = re.search(r"^threads: MemFree-SwapUsed (\d+) -> (\d+) kB, nr_anon_pages (\d+) -> (\d+)",
                  q.log, re.M)
    q.check(m is not None, "no MemFree line")
    q.check(m.group(1) == m.group(2) and m.group(3) == m.group(4), f"leak: {m.group(0)}")
    q.check("threads: OK" in lines, "no 'threads: OK'")
    q.check("init: pid 1 exited with status 0, powering off" in q.log, "pid 1 did not exit 0")


def test_threads_in_ps_and_proc(qemu, test_initrd):
    q = qemu(smp=2, initrd=test_initrd)
    sh_wait_prompt(q)
    hold_re = r"threads: holding pid (\d+) tids (\d+) (\d+) (\d+)"
    # The program runs in the background, so its line may come before the
    # shell's prompt (and sh_run returns it) or after it.
    m = re.search(hold_re, "\n".join(sh_run(q, "threads hold 3 &")))
    if m is None:
        m = q.expect(hold_re, what="threads hold's line")
        sh_run(q, "echo in step")  # the holding line came after the prompt: line up again
    pid, tids = int(m.group(1)), [int(m.group(i)) for i in (2, 3, 4)]
    q.check(len(set(tids + [pid])) == 4 and all(t > pid for t in tids),
            f"TIDs {tids} of pid {pid} are not new ids from the pid space")

    rows = [l.split() for l in user_lines(sh_run(q, "ps"))]
    q.check(rows and rows[0][:4] == ["PID", "PPID", "STATE", "THR"], f"ps header {rows[:1]}")
    mine = [r for r in rows[1:] if r[0] == str(pid)]
    q.check(len(mine) == 1 and mine[0][3] == "4" and mine[0][-1] == "threads",
            f"ps does not show pid {pid} with 4 threads: {rows}")
    others = [r for r in rows[1:] if r[0] != str(pid)]
    q.check(all(r[3] == "1" for r in others), f"single-threaded processes with THR != 1: {others}")

    status = user_lines(sh_run(q, f"cat /proc/{pid}/status"))
    q.check("Threads:\t4" in status, f"/proc/{pid}/status has no 'Threads:\\t4': {status}")
    t = tids[1]
    status = user_lines(sh_run(q, f"cat /proc/{pid}/task/{t}/status"))
    q.check(f"Pid:\t{t}" in status and f"Tgid:\t{pid}" in status and "State:\tS (sleeping)" in status,
            f"/proc/{pid}/task/{t}/status: {status}")
    stat = user_lines(sh_run(q, f"cat /proc/{pid}/task/{t}/stat"))
    f = stat[0].split() if stat else []
    q.check(len(f) == 39 and f[0] == str(t) and f[1] == "(threads)" and f[4] == str(pid)
            and f[19] == "4", f"/proc/{pid}/task/{t}/stat: {stat}")
    out = user_lines(sh_run(q, f"cat /proc/{pid}/task/{pid}/comm"))
    q.check(out == ["threads"], f"/proc/{pid}/task/{pid}/comm: {out}")
    out = " ".join(sh_run(q, f"cat /proc/{pid}/task/{pid + 100000}/status"))
    q.check("threads" not in out and "Pid" not in out, f"a task dir for a TID that does not exist: {out}")
    out = " ".join(sh_run(q, f"cat /proc/{tids[0]}/status"))
    q.check("Pid" not in out, f"/proc/TID of a thread that is not the main one exists: {out}")

    # kill from outside: every thread goes, the shell reaps the process
    # the shell may report the job done before `wait`'s prompt or after it
    out = user_lines(sh_run(q, f"kill {pid}")) + user_lines(sh_run(q, "wait", timeout=60))
    q.check(f"[{pid}] done status 143" in out, f"threads was not ended by SIGTERM (128 + 15): {out}")
    rows = [l.split() for l in user_lines(sh_run(q, "ps"))]
    q.check(not any(r[-1] == "threads" for r in rows[1:]), f"threads is still there: {rows}")
    q.check("PANIC" not in q.log, "kernel panic")


@pytest.mark.parametrize("smp", [1, 4])
def test_threads_exit_under_swap(qemu_run, test_initrd, smp):
    q = qemu_run(smp=smp, mem=32, initrd=test_initrd, cmdline="init=/bin/threads swap_exit",
                 timeout=timeout_for(smp, base=240))
    q.check("PANIC" not in q.log and "assertion" not in q.log, "kernel panic or assertion")
    lines = q.log.splitlines()
    fails = [l for l in lines if "FAIL" in l]
    q.check(not fails, "threads reported failures:\n  " + "\n  ".join(fails))
    q.check(lines.count("threads: swap_exit ok") == 2, "swap_exit did not pass twice")
    rounds = [tuple(map(int, m)) for m in
              re.findall(r"^threads: swap_exit pswpout \+(\d+) pswpin \+(\d+)", q.log, re.M)]
    q.check(len(rounds) == 2 and all(o > 0 and i > 0 for o, i in rounds),
            f"the threads did not swap out and in: {rounds}")
    m = re.search(r"^threads: MemFree-SwapUsed (\d+) -> (\d+) kB, nr_anon_pages (\d+) -> (\d+)",
                  q.log, re.M)
    q.check(m is not None and m.group(1) == m.group(2) and m.group(3) == m.group(4),
            f"leak: {m.group(0) if m else 'no MemFree line'}")
    q.check("init: pid 1 exited with status 0, powering off" in q.log, "pid 1 did not exit 0")
