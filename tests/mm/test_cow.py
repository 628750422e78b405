"""The legacy page system (issue 12): copy-on-write fork, MAP_SHARED
memory, the clock and both reverse maps, under memory pressure at -smp 4.

Each workload checks its own data and prints one summary line
("PROG: N processes, M pages checked, K mismatches") and the growth of
the vmstat counters it cares about (user/cowtest.c, shmtest.c, cowbomb.c,
cowthreads.c); they run under /bin/memwatch as pid 1
(tests/fixtures/progs/memwatch.c), one after another, which then checks
that every frame, swap slot and reverse-map object is back: MemFree, the
slots of swapped-out pages, Legacy, AnonObjects, PteChain and the
nr_legacy_pages, nr_anon_objects, nr_pte_chain_pages gauges exactly as
before.

* cowtest + shmtest, for each reclaimer (reclaim=pps: PPS for private
  VMAs and the clock for legacy pages; reclaim=clock: everything through
  the clock) and each reverse map (rmap=anon, rmap=chain): no process
  ever sees another's private write; every process sees every shared
  write; pages copied on write (cow_copy), evicted by the clock while
  shared (clock_freed, pswpout: they are legacy pages, whichever
  reclaimer), read back by one process and found in the swap cache by
  the others (swapcache_hit), MAP_SHARED pages read back through their
  object (shm_swapin);
* cowbomb + cowthreads, per reclaimer: a fork bomb over a COW buffer
  until fork fails, and forks of a process whose threads keep writing;
* fork + exec from the shell: init and the shell end with no legacy VMA
  (they come back to PPS: pps_reenter), whatever kppsd's timing;
* glibc_shm: a static glibc program sharing MAP_SHARED memory with its
  children prints what it prints on Linux (with a process-shared mutex
  and semaphore too, whose futex wakes must cross processes: an expected
  failure for now, see PSHARED_XFAIL);
* the usertests COW and MAP_SHARED cases, none skipped, and a page
  swapped out before fork read by both processes: once from the disk,
  once from the swap cache.

How /proc/PID/pps_maps marks a VMA (a last column: "pps", "own" for a
file image, "legacy anon:ID vmas:N") is read by maps_state() alone (and,
for usertests, by vma_state() in user/usertests/cow.c); /proc/meminfo's
and /proc/vmstat's fields by memwatch. About two and a half minutes at
-smp 4 on a 2-core host.
"""
import os
import re
import subprocess

import pytest

import qemu as qemu_mod
from qemu import sh_run, sh_wait_prompt, timeout_for, user_lines

SMP = 4
MEM = 64                    # about 61 MiB free: every workload below needs more
SWAP_MB = 128
COW_INITRD = qemu_mod.BUILD / "cow-initrd.cpio"
GLIBC_SHM = qemu_mod.BUILD / "glibc_shm"
PROGS = qemu_mod.ROOT / "tests" / "fixtures" / "progs"
RECLAIMS = ["pps", "clock"]
RMAPS = ["anon", "chain"]

SUMMARY_RE = r"^{prog}: (\d+) processes, (\d+) pages checked(?: here)?, (\d+) mismatches"


# ---- building the initrd ----------------------------------------------------------

def _build(argv, what):
    try:
        r = subprocess.run(argv, cwd=qemu_mod.ROOT, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as e:
        pytest.fail(f"{what}: {e}", pytrace=False)
    if r.returncode != 0:
        pytest.fail(f"{what} failed (status {r.returncode}):\n$ {' '.join(argv)}\n{r.stdout}",
                    pytrace=False)


@pytest.fixture(scope="module")
def glibc_shm(ppsos_build):
    """build/glibc_shm: tests/fixtures/progs/glibc_shm.c linked statically
    against the i386 glibc of libc6-dev-i386-cross."""
    cross = os.environ.get("PPSOS_CROSS", "i686-linux-gnu-")
    _build([cross + "gcc", "-static", "-pthread", "-O2", "-Wall", "-o", str(GLIBC_SHM),
            str(PROGS / "glibc_shm.c")], "building build/glibc_shm")
    return GLIBC_SHM


@pytest.fixture(scope="module")
def cow_initrd(ppsos_build, glibc_shm):
    """build/cow-initrd.cpio: the normal initrd (cowtest, shmtest, cowbomb,
    cowthreads, usertests, sh are in it) plus /bin/memwatch, /bin/mapswait
    and /bin/glibc_shm."""
    extra = ["tests/fixtures/progs/memwatch.c", "tests/fixtures/progs/mapswait.c",
             str(glibc_shm.relative_to(qemu_mod.ROOT))]
    rel = str(COW_INITRD.relative_to(qemu_mod.ROOT))
    _build(["make", "-s", rel, f"INITRD={rel}", f"EXTRA_PROGS={' '.join(extra)}"],
           "building the COW test initrd")
    return COW_INITRD


# ---- reading what the kernel and the programs print ------------------------------------

def maps_state(line):
    """'legacy', 'pps' or None: how a /proc/PID/pps_maps line marks its VMA."""
    if re.search(r"(?<![\w/.-])legacy(?![\w/.-])", line):
        return "legacy"
    if re.search(r"(?<![\w/.-])pps(?![\w/.-])", line):
        return "pps"
    return None


def kv(text):
    return {k: int(v) for k, v in (f.split("=", 1) for f in text.split() if "=" in f)
            if v.lstrip("-").isdigit()}


def vmstat_of(q, prog):
    """The counters' growth PROG printed ("PROG: vmstat a=1 b=2")."""
    m = re.search(rf"^{prog}: vmstat(.*)$", q.log, re.M)
    q.check(m is not None, f"{prog} printed no vmstat line")
    return kv(m.group(1))


def check_summary(q, prog, processes=None):
    """PROG's summary says 0 mismatches and OK; returns (processes, checked)."""
    bad = [l for l in q.log.splitlines() if l.startswith(f"{prog}[") and "MISMATCH" in l]
    q.check(not bad, f"{prog} mismatches:\n  " + "\n  ".join(bad[:20]))
    m = re.search(SUMMARY_RE.format(prog=prog), q.log, re.M)
    q.check(m is not None, f"no '{prog}: N processes, M pages checked, K mismatches' line")
    n, checked, mism = (int(x) for x in m.groups())
    q.check(mism == 0, f"{prog}: {m.group(0)}")
    q.check(checked > 0, f"{prog} checked no page: {m.group(0)}")
    if processes is not None:
        q.check(n == processes, f"{prog}: {n} processes, expected {processes}")
    q.check(re.search(rf"^{prog}: OK$", q.log, re.M),
            f"no '{prog}: OK' (its FAIL line: "
            f"{re.findall(rf'^{prog}: FAIL.*$', q.log, re.M)})")
    return n, checked


def check_memwatch(q):
    """memwatch ran every command to exit 0 and found every frame, slot and
    rmap object back, exactly (it waits up to 5 s for stragglers). Swap is
    compared as SwapOut, the slots of pages not in memory: see memwatch.c
    for why swap in use itself may differ by memwatch's own pages."""
    q.check("PANIC" not in q.log, "kernel panic")
    m = re.search(r"^memwatch: MemFree (\d+) -> (\d+) kB, SwapOut (-?\d+) -> (-?\d+) kB", q.log,
                  re.M)
    q.check(m is not None, "memwatch printed no MemFree/SwapOut line")
    q.check(m.group(1) == m.group(2), f"MemFree not back: {m.group(0)}")
    q.check(m.group(3) == m.group(4), f"swapped-out pages' slots not back: {m.group(0)}")
    mi = re.search(r"^memwatch: meminfo(.*)$", q.log, re.M)
    q.check(mi is not None, "memwatch printed no meminfo line")
    fields = dict(re.findall(r"(\w+)=(-?\d+->-?\d+)", mi.group(1)))
    # The legacy page system's counts must exist (the core is there) and
    # be back where they started.
    for f in ("Legacy", "AnonObjects", "PteChain", "nr_legacy_pages", "nr_anon_objects",
              "nr_anon_object_bytes", "nr_pte_chain_pages"):
        q.check(f in fields, f"memwatch found no {f}: {mi.group(0)}")
        a, b = fields[f].split("->")
        q.check(a == b and int(a) >= 0, f"{f} not back: {fields[f]}")
    q.check(re.search(r"^memwatch: OK$", q.log, re.M),
            f"memwatch failed: {re.findall(r'^memwatch: FAIL.*$', q.log, re.M)}")
    q.check("init: pid 1 exited with status 0, powering off" in q.log, "pid 1 did not exit 0")
    return vmstat_of(q, "memwatch")


def boot(qemu_run, cmdline, cmds, initrd, base=150, mem=MEM):
    quoted = " ".join(f'"{c}"' for c in cmds)
    return qemu_run(smp=SMP, mem=mem, cmdline=f"{cmdline} init=/bin/memwatch {quoted}",
                    initrd=initrd, swap_mb=SWAP_MB, timeout=timeout_for(SMP, base=base))


# ---- cowtest and shmtest, every reclaimer with every reverse map --------------------------

COWTEST = "cowtest -c 4 -m 40 -r 1"     # 5 processes: 40 MiB shared + 40 MiB of copies
SHMTEST = "shmtest -c 3 -m 68 -r 1"     # one 68 MiB shared region, 4 processes


# Each reverse map under PPS, and the clock with anon objects; the clock
# over PTE chains runs in test_pte_chain.py and test_clock.py (make test's
# time budget).
@pytest.mark.parametrize("reclaim,rmap", [("pps", "anon"), ("pps", "chain"), ("clock", "anon")])
def test_cowtest_shmtest(qemu_run, cow_initrd, reclaim, rmap):
    """No process sees another's private writes (cowtest) and every process
    sees the others' shared writes (shmtest) while more than memory holds
    goes to swap and back; then everything is back."""
    q = boot(qemu_run, f"reclaim={reclaim} rmap={rmap}", [COWTEST, SHMTEST], cow_initrd)
    check_summary(q, "cowtest", processes=5)
    check_summary(q, "shmtest", processes=4)
    q.check(re.search(r"^shmtest: .*pings=200 ", q.log, re.M), "shmtest's ping-pong fell short")
    vm = check_memwatch(q)
    cow, shm = vmstat_of(q, "cowtest"), vmstat_of(q, "shmtest")
    # cowtest's pages stay shared by all five processes until they exit
    # (each reads the others' stripes), so they are legacy pages and only
    # the clock can evict them, whichever reclaimer: a page swapped out
    # while shared has one slot; the first process to read it back leaves
    # it in the swap cache, where the others find it (swapcache_hit).
    for k in ("cow_copy", "fork_shared", "pswpout", "clock_freed", "swapcache_hit"):
        q.check(cow.get(k, 0) > 0, f"cowtest: no {k}: {cow}")
    q.check(cow.get("oom_kill", 0) == 0, f"cowtest: an out-of-memory kill: {cow}")
    # A MAP_SHARED page comes back through its object's table, not the
    # swap cache (mm/shmem.c): shm_swapin, not swapcache_hit.
    for k in ("pswpout", "shm_swapin", "clock_freed"):
        q.check(shm.get(k, 0) > 0, f"shmtest: no {k}: {shm}")
    q.check(shm.get("oom_kill", 0) == 0, f"shmtest: an out-of-memory kill: {shm}")
    if reclaim == "clock":
        q.check(vm.get("pps_stage5", 0) == 0,
                f"reclaim=clock, yet PPS swapped pages out: {vm}")
    if rmap == "chain":
        q.check(vm.get("pte_chain_link", 0) > 0, f"rmap=chain and no pte_chain_link: {vm}")
    else:
        q.check(vm.get("pte_chain_link", 0) == 0, f"rmap=anon used PTE chains: {vm}")
    q.check(vm.get("rmap_walks", 0) > 0 and vm.get("rmap_walk_steps", 0) > 0,
            f"the clock unmapped shared pages without reverse-map walks: {vm}")


# ---- cowbomb and cowthreads ---------------------------------------------------------------

COWBOMB = "cowbomb -d 4 -b 3 -m 56 -p 16"   # 121 processes wanted, 64 in the table
COWTHREADS = "cowthreads -t 3 -m 30 -f 3"  # with each child's copy, 60 MiB: it swaps


@pytest.mark.parametrize("reclaim", RECLAIMS)
def test_cowbomb_cowthreads(qemu_run, cow_initrd, reclaim):
    """A fork bomb over a 56 MiB COW buffer fills the process table (fork
    fails with EAGAIN) with every process's view right; forks of a process
    whose threads keep writing 30 MiB never let a write cross; both swap;
    the system survives and everything comes back."""
    q = boot(qemu_run, f"reclaim={reclaim}", [COWBOMB, COWTHREADS], cow_initrd, base=200)
    n, _ = check_summary(q, "cowbomb")
    q.check(re.search(r"^cowbomb: .*forks failed: yes", q.log, re.M),
            "cowbomb never made fork fail: the bomb did not fill the process table")
    # The table holds 64 (memwatch is one); a leaf's slot is taken again
    # once it exits, so the tree can count more, but never the 121 of a
    # bomb that no fork refused.
    q.check(63 <= n < 121, f"cowbomb: {n} processes")
    check_summary(q, "cowthreads", processes=4)
    q.check(re.search(r"^cowthreads: threads=3 pinned=3 forks=3 ", q.log, re.M),
            "cowthreads: not 3 pinned writer threads and 3 forks")
    vm = check_memwatch(q)
    bomb, thr = vmstat_of(q, "cowbomb"), vmstat_of(q, "cowthreads")
    q.check(bomb.get("cow_copy", 0) > 0 and bomb.get("pswpout", 0) > 0,
            f"cowbomb: no COW copies or no swapping: {bomb}")
    q.check(thr.get("cow_copy", 0) > 0 and thr.get("pswpout", 0) > 0,
            f"cowthreads: no COW copies or no swapping: {thr}")
    q.check(vm.get("oom_kill", 0) == 0, f"an out-of-memory kill: {vm}")


# ---- fork + exec from the shell: back to PPS ------------------------------------------------

def test_shell_fork_exec_back_to_pps(qemu, cow_initrd):
    """The shell forks and execs each command; its VMAs (and init's, which
    forked the shell) leave PPS at each fork and come back once the child
    has exec'd: with no child sharing anything, no VMA stays legacy."""
    q = qemu(smp=SMP, mem=MEM, initrd=cow_initrd, swap_mb=SWAP_MB)
    sh_wait_prompt(q, timeout=timeout_for(SMP))
    stat = user_lines(sh_run(q, "cat /proc/self/stat"))
    q.check(stat and len(stat[0].split()) > 4, f"cat /proc/self/stat: {stat}")
    sh_pid = int(stat[0].rsplit(")", 1)[1].split()[1])    # field 4: the parent, sh
    vm0 = {l.split()[0]: int(l.split()[1]) for l in user_lines(sh_run(q, "cat /proc/vmstat"))
           if len(l.split()) == 2 and l.split()[1].isdigit()}
    for cmd in ("echo one", "echo two", "free"):
        sh_run(q, cmd)
    out = user_lines(sh_run(q, f"mapswait 4 legacy pps_maps 1 {sh_pid}", timeout=30))
    q.check(out and out[-1] == "mapswait: done", f"mapswait did not finish: {out[-5:]}")
    for pid in (1, sh_pid):
        lines = [l.split(": ", 2)[2] for l in out if l.startswith(f"mapswait: pid {pid}: ")]
        q.check(lines, f"no maps lines of pid {pid}")
        states = [maps_state(l) for l in lines]
        legacy = [l for l, s in zip(lines, states) if s == "legacy"]
        q.check(not legacy, f"pid {pid} still has legacy VMAs:\n  " + "\n  ".join(legacy))
        anon = [l for l in lines if re.search(r"\[(heap|stack)\]", l)]
        q.check(anon and all(maps_state(l) == "pps" for l in anon),
                f"pid {pid}: its heap and stack are not marked pps:\n  " + "\n  ".join(lines))
    vm1 = {l.split()[0]: int(l.split()[1]) for l in user_lines(sh_run(q, "cat /proc/vmstat"))
           if len(l.split()) == 2 and l.split()[1].isdigit()}
    q.check("pps_reenter" in vm1, "/proc/vmstat has no pps_reenter")
    q.check(vm1["pps_reenter"] > vm0.get("pps_reenter", 0),
            f"pps_reenter {vm0.get('pps_reenter')} -> {vm1['pps_reenter']}: the shell's VMAs "
            "never left PPS and came back")


# ---- a glibc program on MAP_SHARED memory ---------------------------------------------------

def glibc_shm_expected(pshared):
    out = []
    if pshared:
        out.append("glibc_shm: semaphore posted by all 4 children")
    out += [f"glibc_shm: child {k} exit=0 saw_parent=yes" for k in range(4)]
    out += [f"glibc_shm: child {k} pages=seen slot=seen" for k in range(4)]
    out.append("glibc_shm: counter=80000 expected=80000")
    if pshared:
        out.append("glibc_shm: locked_counter=8000 expected=8000")
    out.append("glibc_shm: OK")
    return out


@pytest.mark.parametrize("mode", ["plain", "pshared"])
def test_glibc_shm_output_is_linux_output(glibc_shm, mode):
    """The expected lines are what Linux prints (skipped on a host that
    cannot run i386 binaries)."""
    try:
        r = subprocess.run([str(glibc_shm)] + (["pshared"] if mode == "pshared" else []),
                           stdout=subprocess.PIPE, text=True, timeout=60)
    except OSError as e:
        pytest.skip(f"the host cannot run an i386 binary: {e}")
    assert r.returncode == 0, r.stdout
    assert r.stdout.splitlines() == glibc_shm_expected(mode == "pshared")


@pytest.mark.parametrize("mode", ["plain", "pshared"])
def test_glibc_shm(qemu_run, cow_initrd, mode):
    """A static glibc program and its forked children share MAP_SHARED
    memory (atomic adds on every CPU; with pshared, a process-shared mutex
    and semaphore, whose futex waits and wakes cross processes): its
    output is Linux's, and everything comes back."""
    cmd = "glibc_shm pshared" if mode == "pshared" else "glibc_shm"
    q = boot(qemu_run, "", [cmd], cow_initrd, base=40)
    out = [l for l in q.log.splitlines() if l.startswith("glibc_shm:")]
    expected = glibc_shm_expected(mode == "pshared")
    q.check(out == expected, "glibc_shm printed\n  " + "\n  ".join(out) + "\nexpected\n  "
            + "\n  ".join(expected))
    check_memwatch(q)


# ---- the usertests cases ---------------------------------------------------------------------

COW_CASES = ["cow_fork_write", "cow_munmap", "cow_mprotect", "cow_swapped", "shm_fork",
             "shm_mprotect", "fork_exec_pps"]


def test_usertests_cow(qemu_run, cow_initrd):
    """usertests' COW and MAP_SHARED cases at -smp 4, under memwatch: every
    one passes, none is skipped (they skip only when the kernel lacks
    MAP_SHARED or /proc/PID/pps_maps, which it now has), and everything
    comes back. cow_swapped pages a buffer out before fork, so both
    processes read the same slots back: one of them from the swap cache."""
    q = boot(qemu_run, "", ["usertests " + " ".join(COW_CASES) + " leak_check"], cow_initrd,
             base=90)
    cases = dict(re.findall(r"^usertests: (\S+) \.\.\. (ok|FAILED.*|skipped.*)$", q.log, re.M))
    for c in COW_CASES + ["leak_check"]:
        q.check(cases.get(c) == "ok", f"usertests {c}: {cases.get(c, 'not run')}")
    vm = check_memwatch(q)
    q.check(vm.get("swapcache_hit", 0) > 0 and vm.get("pswpin", 0) > 0,
            f"pages swapped out before fork and read by both processes: no swap-in or no "
            f"swap cache hit: {vm}")
    q.check(vm.get("pps_reenter", 0) > 0, f"no VMA went back to PPS: {vm}")
