"""Memory management with threads: several CPUs running one mm at once.

* mtthrash: one process, threads sharing one region larger than RAM
  (pages interleaved between the threads, each checked on every access)
  while kppsd reclaims it: no page comes back wrong, the swap counters
  show real swapping, and reclaim sends no TLB IPI (dftlb is drained in
  each CPU's tick) but for forced drains, also with the mm live on every
  CPU (mtthrash reads /proc/vmstat itself around its threads' run);
* tlbshoot: TLB coherence. A writer thread replaces a page (mmap
  MAP_FIXED over it, munmap + mmap, MADV_DONTNEED) that reader threads
  pinned to the other CPUs have in their TLBs: after the writer says
  "done", no reader may read the old page; the shootdowns show as tlb_ipi;
* ppsstress THREADS: the fork/munmap/mprotect/madvise races of
  test_pps.py's ppsstress, with toucher threads of the same mm checking
  pages on the other CPUs all the while;
* exitrace: multithreaded processes that end by exit_group from the main
  thread or another one, SIGKILL, tgkill, or the leader exiting first,
  while their threads sleep in futex/nanosleep and fault pages in from
  swap: every status is right and nothing leaks.

All run under /bin/pressure (tests/fixtures/progs/pressure.c), which checks
the exit statuses, that MemFree and swap in use come back exactly, and
prints the vmstat growth. Each at -smp 1, 2, 4 and 8, -m 32 (about 29 MiB
free) unless said otherwise.
"""
import re

import pytest

from qemu import timeout_for

MEM = 32
SMPS = [1, 2, 4, 8]
PRESSURE_VMSTAT_RE = re.compile(r"^pressure: vmstat (.*)$", re.M)


def qemu_status(code):
    return ((code << 1) | 1) & 0xFF


def boot(qemu_run, smp, cmdline, initrd, base=90, mem=MEM, **kw):
    q = qemu_run(smp=smp, mem=mem, cmdline=cmdline, initrd=initrd,
                 timeout=timeout_for(smp, base=base), **kw)
    q.check("PANIC" not in q.log, "kernel panic")
    return q


def kv(text):
    return {k: int(v) for k, v in (f.split("=") for f in text.split())
            if v.lstrip("-").isdigit()}


def check_pressure(q, name):
    """No CORRUPT/FAIL line from the workload or pressure, the workload's
    OK line, memory and swap back exactly, pid 1 exited 0; returns
    (the OK line's key=value fields, the vmstat growth)."""
    bad = [l for l in q.log.splitlines() if "CORRUPT" in l or l.startswith(f"{name}: FAIL")
           or l.startswith("pressure: FAIL")]
    q.check(not bad, "failures:\n  " + "\n  ".join(bad[:20]))
    ok = re.search(rf"^{name}: OK (.*)$", q.log, re.M)
    q.check(ok is not None, f"no '{name}: OK' line")
    m = re.search(r"^pressure: MemFree (\d+) -> (\d+) kB, SwapUsed (\d+) -> (\d+) kB", q.log,
                  re.M)
    q.check(m is not None, "pressure printed no MemFree/SwapUsed line")
    q.check(m.group(1) == m.group(2), f"MemFree not back: {m.group(0)}")
    # pressure itself fails a leak, and allows swap in use to come back
    # lower only by its own clean copies (copied on write after its forks)
    q.check(int(m.group(4)) <= int(m.group(3)), f"swap in use not back: {m.group(0)}")
    q.check(re.search(r"^pressure: OK$", q.log, re.M), "no 'pressure: OK'")
    q.check("init: pid 1 exited with status 0, powering off" in q.log, "pid 1 did not exit 0")
    q.check(q.status == qemu_status(0), f"QEMU exit status {q.status}")
    vm = PRESSURE_VMSTAT_RE.search(q.log)
    q.check(vm is not None, "pressure printed no vmstat line")
    return kv(ok.group(1)), kv(vm.group(1))


# ---- mtthrash ---------------------------------------------------------------------

@pytest.mark.parametrize("smp,mem,args", [
    (1, 32, "4 40 20000"),
    (2, 32, "4 40 20000"),
    (4, 32, "4 40 20000"),
    (8, 32, "8 40 10000"),
    (4, 64, "4 72 20000"),      # about 61 MiB free at -m 64
], ids=["smp1-m32", "smp2-m32", "smp4-m32", "smp8-m32", "smp4-m64"])
def test_mtthrash(qemu_run, test_initrd, smp, mem, args):
    """Threads of one mm on every CPU, a region larger than RAM: every
    page right, real swapping while the threads ran, and no TLB IPI from
    reclaim in that window (mtthrash's own vmstat reading) beyond one per
    other CPU for each forced dftlb drain."""
    q = boot(qemu_run, smp, f'init=/bin/pressure "mtthrash {args}"', test_initrd, base=150,
             mem=mem)
    run, vm = check_pressure(q, "mtthrash")
    threads = int(args.split()[0])
    q.check(run.get("threads") == threads and run.get("cpus") == smp,
            f"mtthrash ran {run.get('threads')} threads on {run.get('cpus')} CPUs, expected "
            f"{threads} on {smp}: {run}")
    if smp > 1:
        q.check(run.get("pinned") == threads, f"not every thread could be pinned: {run}")
    for k in ("tlb_ipi", "dftlb_forced", "pswpout", "pswpin", "pps_stage5"):
        q.check(k in run, f"mtthrash's line has no {k} (is /proc/vmstat readable?): {run}")
    q.check(run["pswpout"] > 0 and run["pswpin"] > 0 and run["pps_stage5"] > 0,
            f"no swapping while the threads ran: {run}")
    allowed = run["dftlb_forced"] * (smp - 1)
    q.check(run["tlb_ipi"] <= allowed,
            f"reclaim sent {run['tlb_ipi']} TLB IPIs while the threads ran, dftlb_forced "
            f"{run['dftlb_forced']} allows {allowed}: {run}")
    q.check(vm["oom_kill"] == 0, f"an out-of-memory kill: {vm}")


# ---- tlbshoot ------------------------------------------------------------------------

TLBSHOOT_ROUNDS = {1: 150, 2: 300, 4: 300, 8: 150}


@pytest.mark.parametrize("smp", SMPS)
def test_tlbshoot(qemu_run, test_initrd, smp):
    """No reader ever sees the old page once the writer has replaced it
    (remap, munmap, dontneed in turn); with readers on other CPUs that
    takes a shootdown IPI in (nearly) every round."""
    rounds = TLBSHOOT_ROUNDS[smp]
    q = boot(qemu_run, smp, f'init=/bin/pressure "tlbshoot {rounds} mix"', test_initrd)
    run, vm = check_pressure(q, "tlbshoot")
    readers = min(max(smp - 1, 1), 7)
    q.check(run.get("rounds") == rounds and run.get("readers") == readers and
            run.get("cpus") == smp, f"tlbshoot: {run}, expected {rounds} rounds, "
            f"{readers} readers, {smp} CPUs")
    if smp > 1:
        q.check(run.get("pinned") == 1, f"tlbshoot could not pin its threads: {run}")
        # Each round changes a page that another CPU holds in its TLB; a
        # reader may occasionally be off its CPU (then no IPI is needed).
        q.check(vm["tlb_ipi"] >= rounds // 2,
                f"only {vm['tlb_ipi']} TLB IPIs for {rounds} rounds with readers on "
                f"{readers} other CPUs: {vm}")


# ---- protshoot --------------------------------------------------------------------------

@pytest.mark.parametrize("smp", [2, 4])
def test_protshoot(qemu_run, test_initrd, smp):
    """mprotect(PROT_READ) takes write access away from the other CPU
    before it returns: a thread storing into the page without pause on
    CPU 1 must fault at its next store, never land one (protshoot.c)."""
    rounds = 40
    q = boot(qemu_run, smp, f'init=/bin/pressure "protshoot {rounds}"', test_initrd)
    run, vm = check_pressure(q, "protshoot")
    q.check(run.get("rounds") == rounds and run.get("segv", 0) + run.get("clean", 0) == rounds,
            f"protshoot: {run}")
    # Both threads are pinned (protshoot fails a round otherwise), so the
    # writer stores without pause on its own CPU through every watch. A
    # round ends clean when the group exit its fault starts (printing the
    # segfault line on the serial port first) comes after the 5 ms watch;
    # some rounds must show the fault itself.
    q.check(run.get("segv", 0) >= 1, f"no round ended with the writer's fault: {run}")
    # The writer holds the page in its TLB on another CPU in every round.
    q.check(vm["tlb_ipi"] >= rounds // 2, f"only {vm['tlb_ipi']} TLB IPIs for {rounds} rounds: {vm}")


# ---- ppsstress with threads -------------------------------------------------------------

@pytest.mark.parametrize("smp,interval,args", [
    (1, 20, "3 2 3 2 2"),
    (2, 20, "3 2 3 2 2"),
    (4, 20, "4 2 3 2 3"),
    (8, 10, "3 2 3 2 3"),
], ids=["smp1", "smp2", "smp4", "smp8"])
def test_ppsstress_threads(qemu_run, test_initrd, smp, interval, args):
    """ppsstress's races with toucher threads of the same mm on the
    other CPUs: 0 corrupt pages, every toucher checked pages, nothing
    leaked, real swapping."""
    q = boot(qemu_run, smp, f'pps_interval={interval} init=/bin/pressure "ppsstress {args}"',
             test_initrd, base=180)
    run, vm = check_pressure(q, "ppsstress")
    rounds, workers, threads = (int(x) for x in args.split()[0:2] + args.split()[4:5])
    q.check(run.get("rounds") == rounds * workers,
            f"{run.get('rounds')} rounds, expected {workers} workers x {rounds}")
    q.check(not re.search(r"fork failed with ENOMEM", q.log), "fork failed with ENOMEM")
    lines = re.findall(r"^ppsstress: worker (\d+) threads (\d+) checked (\d+) pages", q.log,
                       re.M)
    q.check(sorted(int(w) for w, _, _ in lines) == list(range(workers)),
            f"not one 'worker W threads T checked P pages' line per worker: {lines}")
    for w, t, n in lines:
        q.check(int(t) == threads and int(n) > 0, f"worker {w}: {t} threads checked {n} pages")
    q.check(vm["pswpout"] > 0 and vm["pswpin"] > 0, f"no swapping: {vm}")


# ---- exitrace ---------------------------------------------------------------------------

@pytest.mark.parametrize("smp", SMPS)
def test_exitrace(qemu_run, test_initrd, smp):
    """30 multithreaded children die in the five ways, six of each, with
    threads asleep and page faults in flight: every exit status is right,
    MemFree and swap in use come back exactly."""
    q = boot(qemu_run, smp, 'init=/bin/pressure "exitrace 6 5 1024"', test_initrd, base=150)
    run, vm = check_pressure(q, "exitrace")
    q.check(run.get("children") == 30 and
            all(run.get(k) == 6 for k in ("main", "thread", "sigkill", "leader", "tgkill")),
            f"exitrace: {run}, expected 30 children, 6 of each kind")
    q.check(vm["pswpout"] > 0, f"the children's pages never went to swap: {vm}")
