"""PPS under real memory pressure: kppsd moving private anonymous pages
through the six stages to the swap disk, and back by rescue or swap-in.

With -m 32 (about 29 MiB free) and 40 MiB workloads the machine swaps for
real. Every workload checks every page it touches (user/lib/workload.h) and
prints one summary line `NAME: OK ...` or `NAME: CORRUPT ...`. Most runs go
through /bin/pressure (tests/fixtures/progs/pressure.c) as pid 1: it mlocks
itself, runs the workloads side by side, checks their exit statuses, checks
that MemFree and swap in use come back exactly (no frame, no slot lost)
and prints how much the /proc/vmstat counters grew, which is the evidence
that the pages really went to the disk and back.

Also: a fork/munmap/mprotect/madvise race test with kppsd passing every
20 ms (ppsstress.c), madvise checked against the Pps* and vmstat counts
(madvtest.c), the out-of-memory kill with swap off and with swap full, and
kppsd=off. pid 1 exiting with status c gives QEMU's status (c << 1) | 1.
"""
import re

import pytest

from qemu import make_swap_image, sh_run, sh_wait_prompt, timeout_for, user_lines

MEM = 32                        # MiB of guest RAM: 40 MiB workloads must swap
OOM_SWAP_MB = 64                # the OOM tests' swap disk: their sizes are chosen for it

PRESSURE_VMSTAT_RE = re.compile(r"^pressure: vmstat (.*)$", re.M)
OOM_RE = re.compile(r"kppsd: out of memory and swap: killed pid (\d+) \((\S+)\), (\d+) kB resident")


def qemu_status(code):
    """QEMU's exit status when pid 1 exits with `code`."""
    return ((code << 1) | 1) & 0xFF


def boot(qemu_run, smp, cmdline, initrd=None, base=240, **kw):
    """Boot with pid 1 from `cmdline` (init= last) and wait for QEMU to exit.
    No kernel panic, no assertion, whatever the outcome. The timeout is
    generous: under TCG the same run can take several times longer when
    only the guest's physical layout changes (README, Figures). kw goes to
    Qemu (swap_mb=...)."""
    if initrd is not None:
        kw["initrd"] = initrd
    q = qemu_run(smp=smp, mem=MEM, cmdline=cmdline, timeout=timeout_for(smp, base=base), **kw)
    q.check("PANIC" not in q.log, "kernel panic")
    return q


def check_exit(q, code):
    q.check(f"init: pid 1 exited with status {code}, powering off" in q.log,
            f"pid 1 did not exit with status {code}")
    q.check(q.status == qemu_status(code),
            f"QEMU exit status {q.status}, expected {qemu_status(code)} (pid 1 exit {code})")


def check_ok_line(q, name):
    """The workload's summary line says OK (and nothing says CORRUPT)."""
    bad = [l for l in q.log.splitlines() if "CORRUPT" in l]
    q.check(not bad, f"corruption reported:\n  " + "\n  ".join(bad[:20]))
    q.check(re.search(rf"^{name}: OK\b", q.log, re.M), f"no '{name}: OK' summary line")


def pressure_vmstat(q):
    """{counter: growth} from pressure's `pressure: vmstat k=v ...` line."""
    m = PRESSURE_VMSTAT_RE.search(q.log)
    q.check(m is not None, "pressure printed no vmstat line")
    return {k: int(v) for k, v in (kv.split("=") for kv in m.group(1).split())}


def check_pressure(q, names):
    """pressure ran every workload to OK, its leak check passed, pid 1
    exited 0; returns the vmstat growth."""
    for n in names:
        check_ok_line(q, n)
    for l in q.log.splitlines():
        if l.startswith("pressure: FAIL"):
            q.fail(f"pressure failed: {l}")
    m = re.search(r"^pressure: MemFree (\d+) -> (\d+) kB, SwapUsed (\d+) -> (\d+) kB", q.log, re.M)
    q.check(m is not None, "pressure printed no MemFree/SwapUsed line")
    q.check(m.group(1) == m.group(2), f"MemFree not back: {m.group(0)}")
    # pressure itself fails a leak, and allows swap in use to come back
    # lower only by its own clean copies (copied on write after its forks)
    q.check(int(m.group(4)) <= int(m.group(3)), f"swap in use not back: {m.group(0)}")
    q.check(re.search(r"^pressure: OK$", q.log, re.M), "no 'pressure: OK'")
    check_exit(q, 0)
    return pressure_vmstat(q)


def check_swapped(q, vm):
    """The counters prove pages went to the disk and came back from it."""
    for k in ("pswpout", "pswpin", "pgmajfault", "pps_stage1", "pps_stage2", "pps_stage3",
              "pps_stage4", "pps_stage5", "pps_rescue", "dftlb_tasks"):
        q.check(vm.get(k, 0) > 0, f"vmstat {k} did not grow: {vm}")
    q.check(vm.get("oom_kill") == 0, f"an out-of-memory kill happened: {vm}")
    check_no_tlb_ipi(q, vm)


def check_no_tlb_ipi(q, vm):
    """PPS's reclaim sends no TLB-flush IPI: the delayed flushes are drained
    in the timer interrupt. The only ones allowed are the forced drains of a
    full dftlb table, one IPI to each other CPU, and the clock's shootdowns
    of pages shared after fork (legacy pages, mm/clock.c: at most one IPI
    to each other CPU per PTE it unmaps); the workloads' own munmap and exit
    flush only the CPU they run on (mm->cpu_mask holds the CPUs that have
    the mm loaded now)."""
    allowed = (vm["dftlb_forced"] + vm.get("clock_unmapped", 0)) * (q.smp - 1)
    q.check(vm["tlb_ipi"] <= allowed,
            f"tlb_ipi grew by {vm['tlb_ipi']}, but dftlb_forced only by {vm['dftlb_forced']} "
            f"and clock_unmapped by {vm.get('clock_unmapped', 0)} "
            f"(at most {allowed} IPIs with {q.smp} CPUs): {vm}")


# ---- each workload, larger than RAM ------------------------------------------

WORKLOADS = {
    "thrash": "thrash 40 20000",
    "seqscan": "seqscan 40 2",
    "hotcold": "hotcold 40 20000",
    "phase": "phase 40 4 5000",
}


@pytest.mark.parametrize("smp", [1, 4])
@pytest.mark.parametrize("name", list(WORKLOADS))
def test_workload_swaps(qemu_run, test_initrd, smp, name):
    """40 MiB in 29: OK, nothing leaked, and the counters show real swapping.
    (For thrash this is also the leak check alone at 1 and 4 CPUs.)"""
    q = boot(qemu_run, smp, f'init=/bin/pressure "{WORKLOADS[name]}"', test_initrd)
    vm = check_pressure(q, [name])
    check_swapped(q, vm)


@pytest.mark.parametrize("name", list(WORKLOADS))
def test_workload_as_pid1(qemu_run, name):
    """The workload itself as pid 1 (nothing mlocked, the normal initrd)."""
    q = boot(qemu_run, 4, f"init=/bin/{WORKLOADS[name]}")
    check_ok_line(q, name)
    check_exit(q, 0)


@pytest.mark.parametrize("ra", [1, 32])
def test_thrash_readahead_window(qemu_run, test_initrd, ra):
    """swap_ra=1 (no read-ahead) and the largest window, kppsd every 10 ms."""
    q = boot(qemu_run, 4, f'swap_ra={ra} pps_interval=10 init=/bin/pressure "thrash 40 20000"',
             test_initrd)
    q.check(f"swap_ra={ra}" in q.log and "warning" not in q.log.split("init: starting")[0],
            "the command line was not taken as is")
    vm = check_pressure(q, ["thrash"])
    q.check(vm["pswpout"] > 0 and vm["pswpin"] > 0, f"no swapping: {vm}")
    if ra == 1:
        q.check(vm["swap_ra"] == 0 and vm["swap_ra_hit"] == 0,
                f"swap_ra=1 still read ahead: {vm}")
        q.check(vm["pgmajfault"] == vm["pswpin"],
                f"without read-ahead every page read is a major fault: {vm}")
    else:
        q.check(vm["swap_ra"] > 0 and vm["swap_ra_hit"] > 0, f"no read-ahead: {vm}")


# ---- several processes at once -------------------------------------------------

def test_multithrash(qemu_run):
    q = boot(qemu_run, 4, "init=/bin/multithrash 4 10 20000")
    check_ok_line(q, "multithrash")
    check_exit(q, 0)


def test_four_workloads_at_once(qemu_run, test_initrd):
    q = boot(qemu_run, 4, 'init=/bin/pressure "thrash 16 20000" "seqscan 16 2" '
                          '"hotcold 16 20000" "phase 16 4 5000"', test_initrd)
    vm = check_pressure(q, ["thrash", "seqscan", "hotcold", "phase"])
    check_swapped(q, vm)


def test_fits_in_memory_and_swap_together(qemu_run, test_initrd):
    """80 MiB of hotcold at -m 64 (about 56 MiB free) with a 64 MiB swap
    disk: its pages fit in memory and swap together, but not if every page
    read back keeps its clean copy's slot as well. Once swap is more than
    half full a page read back gives its slot up (mm/pps_fault.c, Linux's
    vm_swap_full), so stage 3 always finds slots and nobody is killed.
    Without that rule kppsd killed hotcold in 3 runs of 7."""
    q = qemu_run(smp=4, mem=64, swap_mb=64, initrd=test_initrd,
                 cmdline='init=/bin/pressure "hotcold 80 40000"', timeout=timeout_for(4, base=240))
    q.check("PANIC" not in q.log and "assertion" not in q.log, "kernel panic or assertion")
    q.check("out of memory" not in q.log, "killed for memory with swap to spare")
    vm = check_pressure(q, ["hotcold"])
    q.check(vm["oom_kill"] == 0 and vm["pswpout"] > 0, f"no swapping or an oom kill: {vm}")
    q.check(vm.get("swapin_slot_freed", 0) > 0,
            f"swap never got half full, so the rule was not tested: {vm}")


# ---- races: fork, exit, munmap, mprotect, madvise against a busy kppsd ---------

@pytest.mark.parametrize("smp,interval,args", [
    (4, 20, "4 4 3 3"),         # 4 workers x 4 rounds, 3 MiB, 3 children each
    (2, 10, "3 4 4 2"),         # 4 MiB regions, kppsd every 10 ms
    (1, 20, "3 2 6 3"),         # one CPU: every race is a preemption
], ids=["smp4", "smp2-big", "smp1"])
def test_ppsstress(qemu_run, test_initrd, smp, interval, args):
    """Workers fork children over regions with pages in every stage, munmap
    and mprotect while the children run, MADV_PAGEOUT/WILLNEED, exit: no
    page may come back wrong, nothing may leak, no panic. Fork waits for
    reclaim when frames run out: with swap to spare it never fails."""
    q = boot(qemu_run, smp, f'pps_interval={interval} init=/bin/pressure "ppsstress {args}"',
             test_initrd, base=180)
    bad = [l for l in q.log.splitlines() if l.startswith("ppsstress: CORRUPT") or
           l.startswith("ppsstress: FAIL") or "fork failed with ENOMEM" in l]
    q.check(not bad, "ppsstress:\n  " + "\n  ".join(bad[:20]))
    m = re.search(r"^ppsstress: OK rounds=(\d+) pages_checked=(\d+)$", q.log, re.M)
    q.check(m is not None, "no 'ppsstress: OK' line")
    rounds, workers = int(args.split()[0]), int(args.split()[1])
    q.check(int(m.group(1)) == rounds * workers,
            f"{m.group(1)} rounds, expected {workers} workers x {rounds}")
    vm = check_pressure(q, ["ppsstress"])
    q.check(vm["pswpout"] > 0 and vm["pswpin"] > 0 and vm["pps_rescue"] > 0,
            f"no swapping during the stress test: {vm}")
    check_no_tlb_ipi(q, vm)


# ---- madvise ----------------------------------------------------------------------

def test_usertests_madvise_pageout(qemu_run):
    q = boot(qemu_run, 2, "init=/bin/usertests madvise_pageout")
    q.check(re.search(r"usertests: madvise_pageout \.\.\. ok", q.log),
            "madvise_pageout did not pass")
    q.check(not re.search(r"^usertests: .*skipped", q.log, re.M), "madvise_pageout was skipped")
    q.check(re.search(r"^usertests: 1 passed, 0 failed$", q.log, re.M),
            "no 'usertests: 1 passed, 0 failed' summary")
    q.check("ALL TESTS PASSED" in q.log, "no 'ALL TESTS PASSED'")
    check_exit(q, 0)


@pytest.mark.parametrize("smp", [1, 4])
def test_madvise_counts(qemu_run, test_initrd, smp):
    """MADV_COLD / PAGEOUT / WILLNEED move exactly the pages asked for, as
    /proc/meminfo's Pps* lines and /proc/vmstat count them."""
    q = boot(qemu_run, smp, "kppsd=manual init=/bin/madvtest", test_initrd)
    fails = [l for l in q.log.splitlines() if l.startswith("madvtest: FAIL")]
    q.check(not fails, "madvtest:\n  " + "\n  ".join(fails))
    q.check(re.search(r"^madvtest: OK pages=256$", q.log, re.M), "no 'madvtest: OK'")
    check_exit(q, 0)


def test_dontneed_races_another_process_swapping_in(qemu_run, test_initrd):
    """MADV_DONTNEED while another process's process_madvise(MADV_WILLNEED)
    swaps the same pages in (madvrace.c): dropped pages read back as zeros,
    kept ones with their data, and no slot or frame is lost. The ktests of
    tests/mm/ktest_io_window.c make each interleaving happen every time;
    this is the same race from user space, at -smp 4."""
    q = boot(qemu_run, 4, "init=/bin/madvrace 200 64", test_initrd)
    fails = [l for l in q.log.splitlines() if l.startswith("madvrace: FAIL")]
    q.check(not fails, "madvrace:\n  " + "\n  ".join(fails))
    q.check(re.search(r"^madvrace: OK$", q.log, re.M), "no 'madvrace: OK'")
    check_exit(q, 0)


# ---- a failing swap disk ------------------------------------------------------------

BAD_SLOTS = [5, 6, 40]


def test_write_errors_lose_nothing(qemu_run, test_initrd, tmp_path):
    """QEMU's blkdebug fails every write to three slots of the swap disk
    while thrash swaps: each failure is reported, the page stays in memory
    (dirty) and gets another slot, the bad slot is never used again and
    leaves SwapTotal; thrash finishes OK and everything comes back."""
    img = make_swap_image(tmp_path / "swap.img", 64)
    conf = tmp_path / "blkdebug.conf"
    conf.write_text("".join(f'[inject-error]\nevent = "write_aio"\nerrno = "5"\nsector = "{s * 8}"\n\n'
                            for s in BAD_SLOTS))
    q = qemu_run(smp=2, mem=MEM, swap=False, initrd=test_initrd, timeout=timeout_for(2, base=180),
                 extra=("-drive", f"file=blkdebug:{conf}:{img},format=raw,if=ide,index=1"),
                 cmdline='init=/bin/pressure "thrash 40 20000"')
    q.check("PANIC" not in q.log, "kernel panic")
    for s in BAD_SLOTS:
        q.check(re.search(rf"kppsd: writing slots \d+\.\.\d+ failed at slot {s} ", q.log),
                f"no report of the failed write to slot {s}")
        q.check(re.search(rf"kppsd: swap slot {s} is bad now", q.log), f"slot {s} not retired")
    q.check(len(re.findall(r"kppsd: swap slot \d+ is bad now", q.log)) == len(BAD_SLOTS),
            "a slot was retired twice, or one that did not fail")
    vm = check_pressure(q, ["thrash"])
    q.check(vm["pswpout"] > 0 and vm["pswpin"] > 0, f"no swapping: {vm}")


# ---- /proc/PID/reclaim from the shell (seed 004) ------------------------------------

def kb_fields(lines):
    return {l.split(":")[0]: int(l.split()[1]) for l in lines
            if ":" in l and len(l.split()) >= 2 and l.split()[1].isdigit()}


def wait_log(q, rx, seconds=60):
    """Wait (the shell idle in `sleep 1`s) until a background job printed rx;
    its line may arrive in the middle of another command's output."""
    for _ in range(seconds):
        if re.search(rx, q.log):
            return
        sh_run(q, "sleep 1")
    q.fail(f"no line matching {rx!r} after {seconds} s")


def test_proc_reclaim(qemu, ppsos_build):
    """echo anon > /proc/PID/reclaim pages a sleeping process out (VmSwap
    grows, VmRSS shrinks, swap used = PpsSwapped + SwapCached), the pages
    come back right when it wakes, and bad requests are refused with a
    message, not ignored."""
    q = qemu(smp=2, mem=64)
    sh_wait_prompt(q)
    sh_run(q, "napper 64 20 1 &")
    wait_log(q, r"napper: pid (\d+), 64 pages")
    pid = int(re.search(r"napper: pid (\d+), 64 pages", q.log).group(1))
    st = kb_fields(user_lines(sh_run(q, f"cat /proc/{pid}/status")))
    q.check(st["VmRSS"] >= 256 and st["VmSwap"] == 0, f"napper before reclaim: {st}")
    for bad, why in [("bogus", "Invalid argument"), ("0x40000001 4096", "Invalid argument"),
                     ("0x40000000 0", "Invalid argument")]:
        out = sh_run(q, f"echo {bad} > /proc/{pid}/reclaim")
        q.check(any(f"echo: write error: {why}".lower() in l.lower() for l in out),
                f"'{bad}' was not refused with '{why}': {out}")
    out = sh_run(q, "echo anon > /proc/9999/reclaim")
    q.check(any("no such process" in l.lower() or "no such file" in l.lower() for l in out),
            f"reclaim of a missing pid: {out}")
    q.check(user_lines(sh_run(q, f"echo file > /proc/{pid}/reclaim")) == [],
            "'file' (nothing to do in ppsos) failed")
    q.check(user_lines(sh_run(q, f"echo anon > /proc/{pid}/reclaim")) == [], "'anon' failed")
    st = kb_fields(user_lines(sh_run(q, f"cat /proc/{pid}/status")))
    q.check(st["VmSwap"] >= 256, f"VmSwap after reclaim: {st}")
    q.check(st["VmRSS"] < 64, f"VmRSS after reclaim: {st}")
    mem = kb_fields(user_lines(sh_run(q, "cat /proc/meminfo")))
    q.check(mem["SwapTotal"] - mem["SwapFree"] ==
            mem["PpsSwapped"] + mem["SwapCached"] + mem["LegacySwapCache"],
            f"swap used is not PpsSwapped + SwapCached + LegacySwapCache "
            f"(the shell's copies, forked; no other slot is shared here): {mem}")
    q.check(mem["PpsSwapped"] >= 256, f"PpsSwapped: {mem}")
    wait_log(q, r"napper: round 1 ")
    q.check("napper: round 1 ok" in q.log, "napper's pages came back wrong")
    vm = {l.split()[0]: int(l.split()[1]) for l in user_lines(sh_run(q, "cat /proc/vmstat"))
          if len(l.split()) == 2 and l.split()[1].isdigit()}
    q.check(vm["pswpin"] >= 64 and vm["pgmajfault"] >= 1, f"no swap-in: {vm}")
    q.check("PANIC" not in q.log, "kernel panic")


# ---- out of memory and swap ----------------------------------------------------------

def check_oom_killed(q, name="thrash"):
    m = OOM_RE.search(q.log)
    q.check(m is not None, "no 'kppsd: out of memory and swap: killed pid N' message")
    q.check(m.group(2) == name, f"kppsd killed {m.group(2)}, expected {name}")
    q.check(int(m.group(3)) > 16 * 1024, f"the victim had only {m.group(3)} kB resident")
    return int(m.group(1))


@pytest.mark.parametrize("smp", [1, 4])
def test_oom_kill_without_swap(qemu_run, smp):
    """swap=off, 64 MiB in 29: kppsd kills the process; sh -c (pid 1)
    reports SIGKILL (137) and exits normally."""
    q = boot(qemu_run, smp, 'swap=off init=/bin/sh -c "thrash 64 1000"')
    q.check("swap: off (swap=off)" in q.log, "swap was not off")
    check_oom_killed(q)
    q.check("sh: thrash: killed by signal 9" in q.log, "sh did not see SIGKILL")
    q.check(not re.search(r"^thrash: (OK|CORRUPT)", q.log, re.M), "thrash finished?")
    check_exit(q, 137)                  # QEMU: (137 << 1 | 1) & 0xff = 19


@pytest.mark.parametrize("smp", [1, 4])
def test_oom_kill_swap_full_nothing_leaked(qemu_run, test_initrd, smp):
    """Swap on but too small (100 MiB > 29 MiB RAM + 64 MiB swap): killed
    when both run out, and every frame and every swap slot of the victim
    comes back (pressure, mlocked as pid 1, checks exactly)."""
    q = boot(qemu_run, smp, 'init=/bin/pressure "killed thrash 100 1000"', test_initrd,
             swap_mb=OOM_SWAP_MB)
    pid = check_oom_killed(q)
    q.check(re.search(rf"^pressure: cmd 0 'killed thrash 100 1000' pid {pid}: killed by signal 9$",
                      q.log, re.M), "pressure did not see the OOM victim die of SIGKILL")
    vm = check_pressure(q, [])
    q.check(vm["oom_kill"] == 1, f"oom_kill grew by {vm['oom_kill']}, expected 1")
    q.check(vm["pswpout"] >= 16000, f"swap never filled: pswpout grew by {vm['pswpout']}")


def test_oom_with_nobody_to_kill_fails_fast(qemu_run):
    """thrash as pid 1, which the OOM killer never picks, wants more than
    RAM and swap together: kppsd says once that there is no process to
    kill, allocations stop waiting, and the fault that finds no frame kills
    thrash with a readable message (before the fix each allocation below
    the min watermark waited 50 passes: minutes, and that message printed
    thousands of times). "Fast" is the timeout: 100 s at -smp 4 for a run
    that takes about 2 s, where the old wait took about 4 minutes."""
    q = boot(qemu_run, 4, "init=/bin/thrash 200 1000", base=60, swap_mb=OOM_SWAP_MB)
    n = q.log.count("kppsd: out of memory and swap, and no process to kill")
    q.check(1 <= n <= 10, f"'no process to kill' printed {n} times")
    q.check(re.search(r"^.*pid 1 \(thrash\): out of memory at [0-9a-f]+ ip [0-9a-f]{8}, killed$",
                      q.log, re.M), "no 'out of memory at ADDR ip EIP, killed' message")
    check_exit(q, 137)


def test_oom_kill_then_recover(qemu, ppsos_build):
    """The shell survives the OOM kill of its child, sees 137, oom_kill
    counts it, swap is (nearly: the shell's own pages may be on it) all
    free again, and the next workload runs fine."""
    q = qemu(smp=4, mem=MEM, swap_mb=OOM_SWAP_MB)
    sh_wait_prompt(q)
    out = sh_run(q, "thrash 100 1000", timeout=120)
    q.check(any("killed by signal 9" in l for l in out), f"thrash was not SIGKILLed: {out}")
    check_oom_killed(q)
    st = user_lines(sh_run(q, "echo $?"))
    q.check(st == ["137"], f"$? is {st}, expected 137")
    vm = {l.split()[0]: int(l.split()[1]) for l in user_lines(sh_run(q, "cat /proc/vmstat"))
          if len(l.split()) == 2 and l.split()[1].isdigit()}
    q.check(vm.get("oom_kill") == 1, f"oom_kill is {vm.get('oom_kill')}, expected 1")
    mem = {l.split(":")[0]: int(l.split()[1]) for l in user_lines(sh_run(q, "cat /proc/meminfo"))
           if ":" in l and l.split()[-1] == "kB"}
    q.check(mem["SwapTotal"] - mem["SwapFree"] <= 256,
            f"{mem['SwapTotal'] - mem['SwapFree']} kB of swap still used after the kill: {mem}")
    out = user_lines(sh_run(q, "thrash 40 5000", timeout=120))
    q.check(any(l.startswith("thrash: OK") for l in out), f"thrash after the OOM kill: {out}")
    q.check("PANIC" not in q.log, "kernel panic")


# ---- kppsd=off --------------------------------------------------------------------------

def test_kppsd_off_fits_in_ram(qemu_run):
    q = boot(qemu_run, 4, "kppsd=off init=/bin/thrash 20 20000")
    q.check("kppsd: off (kppsd=off)" in q.log, "kppsd was not off")
    check_ok_line(q, "thrash")
    check_exit(q, 0)


def test_kppsd_off_larger_than_ram(qemu_run):
    """No reclaim at all: the fault that finds no frame kills the process."""
    q = boot(qemu_run, 4, 'kppsd=off init=/bin/sh -c "thrash 40 1000"')
    q.check(re.search(r"pid \d+ \(thrash\): out of memory at .* killed", q.log),
            "no 'pid N (thrash): out of memory at ... killed' message")
    q.check(not OOM_RE.search(q.log), "kppsd is off but printed its OOM kill")
    q.check("sh: thrash: killed by signal 9" in q.log, "sh did not see SIGKILL")
    check_exit(q, 137)
