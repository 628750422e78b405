"""Random arguments to every system call (tests/fixtures/progs/sysfuzz.c as
pid 1): each round a child makes a few hundred calls with NULL, -1, kernel
addresses, pointers running off a mapping, huge lengths, garbage argv,
iovec and timespec contents (now and then paged out to the swap disk
first), and numbers that are no call at all. The
children may die of what they do to themselves (unmapping their own
buffers, a signal sent to themselves, the OOM kill after a huge
MAP_POPULATE); the kernel must not panic or trip an assertion, SIGKILL
must end every child, and the memory and swap of all of them must come
back exactly. A seed is reproducible: rerun a failing one with
`init=/bin/sysfuzz ROUNDS CALLS SEED FIRST trace` to see each call."""
import re

import pytest

from qemu import timeout_for

# kppsd every 250 ms, not 1 s: after each round's fork the parent's own
# pages are legacy until a kppsd pass or two brings them back to PPS, and
# sysfuzz waits for that before it compares memory (their anon objects
# hold a slab page). At the default interval that wait was most of each
# test's time.
KPPSD_FAST = "pps_interval=250"

ROUND_RE = re.compile(r"^sysfuzz: round (\d+) seed \d+: (exit|signal) (\d+)$", re.M)


def check_memory_back(q):
    """Free memory less swap in use, a page with a frame and a slot at once
    (kppsd's stages 3-4, the swap cache) counted once, is back exactly:
    the parent's own pages may have moved to swap or back meanwhile."""
    m = re.search(r"^sysfuzz: MemFree (\d+) -> (\d+) kB, SwapUsed (\d+) -> (\d+) kB, "
                  r"frame\+slot (\d+) -> (\d+) kB$", q.log, re.M)
    q.check(m is not None, "no MemFree/SwapUsed line")
    a, b, c, d, e, f = map(int, m.groups())
    q.check(a - c + e == b - d + f, f"memory not returned: {m.group(0)}")


@pytest.mark.parametrize("smp,seed", [(1, 3), (4, 11), (4, 29)])
def test_sysfuzz(qemu_run, test_initrd, smp, seed):
    rounds = 40
    q = qemu_run(smp=smp, mem=64, initrd=test_initrd,
                 cmdline=f"{KPPSD_FAST} init=/bin/sysfuzz {rounds} 500 {seed}",
                 timeout=timeout_for(smp, base=240))
    q.check("PANIC" not in q.log, "kernel panic (or a failed assertion)")
    q.check("survives SIGKILL" not in q.log, "a child could not be killed")
    done = ROUND_RE.findall(q.log)
    q.check(len(done) == rounds, f"{len(done)} of {rounds} rounds finished")
    check_memory_back(q)
    m = re.search(r"^sysfuzz: pages written to swap (\d+), read back (\d+)$", q.log, re.M)
    q.check(m is not None and int(m.group(1)) > 0,
            "the children's buffers never went to swap (MADV_PAGEOUT)")
    q.check(re.search(r"^sysfuzz: OK ", q.log, re.M), "no 'sysfuzz: OK' line")
    q.check(q.status == 1, f"QEMU exit status {q.status}, expected 1 (sysfuzz exit 0)")


@pytest.mark.parametrize("smp", [4])     # -smp 1 too, by hand: make test's time budget
def test_exec_damaged_elfs(qemu_run, test_initrd, smp):
    """execve of 48 damaged copies of /bin/echo (tests/fixtures/elfmut.py:
    header fields set to -1, 0, kernel addresses..., random bytes, cut
    short): each is refused with an error or runs until it exits or a fault
    kills it; no panic, and no memory lost."""
    from conftest import ELFMUT_COUNT
    q = qemu_run(smp=smp, mem=64, initrd=test_initrd,
                 cmdline=f"{KPPSD_FAST} init=/bin/sysfuzz exec /bin/elfmut {ELFMUT_COUNT}",
                 timeout=timeout_for(smp, base=240))
    q.check("PANIC" not in q.log, "kernel panic (or a failed assertion)")
    done = re.findall(r"^sysfuzz: exec /bin/elfmut\d+: (exit|signal) (\d+)$", q.log, re.M)
    q.check(len(done) == ELFMUT_COUNT, f"{len(done)} of {ELFMUT_COUNT} execs finished")
    refused = re.findall(r"^sysfuzz: /bin/elfmut\d+: execve: errno (\d+)$", q.log, re.M)
    q.check(refused and all(int(e) in (8, 12, 22) for e in refused),
            f"execve errors other than ENOEXEC/ENOMEM/EINVAL: {sorted(set(refused))}")
    q.check(re.search(r"^sysfuzz: OK ", q.log, re.M), "no 'sysfuzz: OK' line")
    q.check(q.status == 1, f"QEMU exit status {q.status}, expected 1 (sysfuzz exit 0)")
