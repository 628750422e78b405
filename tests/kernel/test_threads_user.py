"""Threads from user space: user/lib's thread library (threadlib.c) and
glibc's own pthreads (glibc_pthread.c, a static glibc program), each as
pid 1 at -smp 1, 2, 4 and 8.

Both programs are ordinary static i386 ELF files that run unchanged on
Linux; the glibc one is also run on the host here (when the host can run
i386 binaries) to show that its expected output is Linux's own. glibc
needs from the kernel: AT_RANDOM in the auxiliary vector (static glibc
reads its stack-protector canary through it, unchecked: a segfault at 0
without it), set_thread_area (its TLS, before main), set_tid_address, brk,
mmap2 (MAP_STACK), mprotect, madvise(MADV_DONTNEED), clone with glibc's
flags (after clone3 fails with ENOSYS), futex FUTEX_WAIT/FUTEX_WAKE
(private) and FUTEX_WAIT_BITSET with FUTEX_CLOCK_REALTIME and bitset ~0
(pthread_join, pthread_cond_wait: any error but EAGAIN/EINTR/ETIMEDOUT
makes glibc abort), exit and exit_group. It copes with ENOSYS from clone3,
set_robust_list, rseq, rt_sigaction, rt_sigprocmask, ugetrlimit, readlink,
getrandom, statx, fstatat64, ioctl and clock_gettime64 (checked on Linux
by making all of those fail with strace's fault injection).

glibc picks SSE2 string functions when CPUID offers SSE2, which needs a
kernel that enables SSE (CR4.OSFXSR) and keeps each thread's FPU/SSE
registers across switches (arch/x86/fpu.c). The glibc program runs twice:
on a CPU model without SSE (NOSSE_CPU: integer-only glibc, as on an old
i686), and on QEMU's default CPU, where glibc's threads use XMM registers
in memcpy/strlen/... on every CPU.
"""
import re
import subprocess

import pytest

from qemu import timeout_for

SMPS = [1, 2, 4, 8]
# QEMU's default CPU minus SSE/SSE2: see the top comment.
NOSSE_CPU = ("-cpu", "qemu32,-sse,-sse2")

GLIBC_PTHREAD_OUT = [
    "glibc_pthread: main tls_init=42 tls_zero=0",
    "glibc_pthread: thread 0 joined=ok ret=1000 tls_init=42 tls_zero=0 name=worker-0",
    "glibc_pthread: thread 1 joined=ok ret=1001 tls_init=42 tls_zero=0 name=worker-1",
    "glibc_pthread: thread 2 joined=ok ret=1002 tls_init=42 tls_zero=0 name=worker-2",
    "glibc_pthread: thread 3 joined=ok ret=1003 tls_init=42 tls_zero=0 name=worker-3",
    "glibc_pthread: counter=80000 expected=80000",
    "glibc_pthread: order=01230123012301230123012301230123",
    "glibc_pthread: OK",
]


def qemu_status(code):
    return ((code << 1) | 1) & 0xFF


def run_pid1(qemu_run, smp, cmdline, initrd, base=60, mem=64, extra=()):
    q = qemu_run(smp=smp, mem=mem, cmdline=cmdline, initrd=initrd, extra=extra,
                 timeout=timeout_for(smp, base=base))
    q.check("PANIC" not in q.log, "kernel panic")
    return q


def check_exit(q, code):
    q.check(f"init: pid 1 exited with status {code}, powering off" in q.log,
            f"pid 1 did not exit with status {code}")
    q.check(q.status == qemu_status(code),
            f"QEMU exit status {q.status}, expected {qemu_status(code)}")


@pytest.mark.parametrize("smp", SMPS)
def test_threadlib(qemu_run, test_initrd, smp):
    """thread_create/join, thread_self through %gs (CLONE_SETTLS), TIDs from
    CLONE_PARENT_SETTID, join by CLONE_CHILD_CLEARTID + futex, the futex
    mutex (no lost update across a yield inside the lock) and barrier (no
    thread passes early), sched_setaffinity to every CPU and EINVAL past
    the last one."""
    q = run_pid1(qemu_run, smp, "init=/bin/threadlib 4 50", test_initrd)
    fails = [l for l in q.log.splitlines() if l.startswith("threadlib: FAIL")]
    q.check(not fails, "threadlib:\n  " + "\n  ".join(fails[:20]))
    q.check(re.search(rf"^threadlib: OK threads=4 rounds=50 cpus={smp}$", q.log, re.M),
            f"no 'threadlib: OK threads=4 rounds=50 cpus={smp}' (sched_getaffinity must "
            f"show all {smp} CPUs)")
    check_exit(q, 0)


def test_glibc_pthread_output_is_linux_output(glibc_pthread):
    """The expected lines are what Linux prints (skipped on a host that
    cannot run i386 binaries)."""
    try:
        r = subprocess.run([str(glibc_pthread)], stdout=subprocess.PIPE, text=True, timeout=60)
    except OSError as e:
        pytest.skip(f"the host cannot run an i386 binary: {e}")
    assert r.returncode == 0, r.stdout
    assert r.stdout.splitlines() == GLIBC_PTHREAD_OUT


@pytest.mark.parametrize("cpu", ["nosse", "sse"])
@pytest.mark.parametrize("smp", SMPS)
def test_glibc_pthread(qemu_run, test_initrd, smp, cpu):
    """A static glibc program with pthread_create/join, a mutex, a
    condition variable and __thread variables prints exactly what it
    prints on Linux."""
    q = run_pid1(qemu_run, smp, "init=/bin/glibc_pthread", test_initrd,
                 extra=NOSSE_CPU if cpu == "nosse" else ())
    out = [l for l in q.log.splitlines() if l.startswith("glibc_pthread:")]
    q.check(out == GLIBC_PTHREAD_OUT,
            "glibc_pthread printed\n  " + "\n  ".join(out) + "\nexpected\n  "
            + "\n  ".join(GLIBC_PTHREAD_OUT))
    check_exit(q, 0)
