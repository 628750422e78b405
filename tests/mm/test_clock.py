"""The clock (mm/clock.c) under real memory pressure: with reclaim=clock no
VMA is pure private, every page is a legacy page, and kppsd's pressure
passes leave all the reclaiming to the one-handed clock. This is the
baseline PPS is measured against, so besides coming back OK it must show
the baseline's costs: pages written one at a time and a TLB shootdown IPI
for every PTE taken from an mm loaded on another CPU.

Runs go through /bin/pressure (tests/fixtures/progs/pressure.c) as pid 1:
it mlocks itself (the clock must leave mlocked pages alone), runs the
workload, checks that MemFree and swap in use come back exactly and prints
how much the /proc/vmstat counters grew. The in-kernel tests of the clock
are tests/mm/ktest_clock.c.
"""
import re

import pytest

from qemu import make_swap_image, timeout_for

MEM = 32                        # MiB of guest RAM: a 40 MiB workload must swap

PRESSURE_VMSTAT_RE = re.compile(r"^pressure: vmstat (.*)$", re.M)


def qemu_status(code):
    return ((code << 1) | 1) & 0xFF


def check_pressure(q, name):
    """The workload said OK, pressure's leak check passed and pid 1 exited
    0; returns the vmstat growth."""
    q.check("PANIC" not in q.log, "kernel panic")
    bad = [l for l in q.log.splitlines() if "CORRUPT" in l or l.startswith("pressure: FAIL")]
    q.check(not bad, "failures:\n  " + "\n  ".join(bad[:20]))
    q.check(re.search(rf"^{name}: OK\b", q.log, re.M), f"no '{name}: OK' summary line")
    m = re.search(r"^pressure: MemFree (\d+) -> (\d+) kB, SwapUsed (\d+) -> (\d+) kB", q.log, re.M)
    q.check(m is not None, "pressure printed no MemFree/SwapUsed line")
    q.check(m.group(1) == m.group(2), f"MemFree not back: {m.group(0)}")
    # (pressure's own check: swap in use back, or lower by its own clean copies)
    q.check(int(m.group(4)) <= int(m.group(3)), f"swap in use not back: {m.group(0)}")
    q.check(re.search(r"^pressure: OK$", q.log, re.M), "no 'pressure: OK'")
    q.check(q.status == qemu_status(0), f"QEMU exit status {q.status}: pid 1 did not exit 0")
    m = PRESSURE_VMSTAT_RE.search(q.log)
    q.check(m is not None, "pressure printed no vmstat line")
    return {k: int(v) for k, v in (kv.split("=") for kv in m.group(1).split())}


@pytest.mark.parametrize("smp,rmap", [(4, "anon"), (2, "chain")])
def test_clock_reclaims_everything(qemu_run, test_initrd, smp, rmap):
    """reclaim=clock: thrash 40 MiB in 29 comes back OK with every frame
    and slot returned; the clock did the work (it unmapped, wrote and
    freed pages; PPS moved nothing to the disk), and on several CPUs the
    shootdowns it needs show in tlb_ipi, which PPS keeps at 0."""
    q = qemu_run(smp=smp, mem=MEM, initrd=test_initrd, timeout=timeout_for(smp, base=400),
                 cmdline=f'reclaim=clock rmap={rmap} init=/bin/pressure "thrash 40 20000"')
    vm = check_pressure(q, "thrash")
    for k in ("clock_scanned", "clock_referenced", "clock_unmapped", "clock_written",
              "clock_freed", "pswpout", "pswpin", "pgmajfault"):
        q.check(vm.get(k, 0) > 0, f"vmstat {k} did not grow: {vm}")
    q.check(vm["pps_stage5"] == 0, f"PPS freed pages under reclaim=clock: {vm}")
    q.check(vm["oom_kill"] == 0, f"an out-of-memory kill happened: {vm}")
    # one write per page: the clock does not cluster
    q.check(vm["swap_write_cmds"] >= vm["clock_written"], f"writes were clustered? {vm}")
    q.check(vm["tlb_ipi"] > 0, f"no TLB shootdown at -smp {smp}: {vm}")


def test_clock_frees_duplicate_slots_when_swap_fills(qemu_run, test_initrd):
    """A page read back keeps its slot while it is clean, so after a while
    every page of thrash 40 (10240) would hold one, more than a 24 MiB swap
    disk has (6143): when the disk fills, the clock gives back the slots
    of pages that are in memory anyway instead of declaring swap full, and
    nobody is killed."""
    q = qemu_run(smp=2, mem=MEM, initrd=test_initrd, swap_mb=24, timeout=timeout_for(2, base=400),
                 cmdline='reclaim=clock init=/bin/pressure "thrash 40 30000"')
    vm = check_pressure(q, "thrash")
    q.check(vm["oom_kill"] == 0, f"an out-of-memory kill happened: {vm}")
    q.check(vm["clock_freed"] > 0 and vm["pswpin"] > 6143, f"not enough swapping to fill the disk: {vm}")


BAD_SLOTS = [5, 6, 40]


def test_clock_write_errors_lose_nothing(qemu_run, test_initrd, tmp_path):
    """QEMU's blkdebug fails every write to three slots while the clock
    swaps thrash out: each failure is reported, the page stays in memory
    (in the swap cache, dirty, where its SwappedPTEs find it without
    reading the bad slot), and thrash comes back OK with everything
    returned."""
    img = make_swap_image(tmp_path / "swap.img", 64)
    conf = tmp_path / "blkdebug.conf"
    conf.write_text("".join(f'[inject-error]\nevent = "write_aio"\nerrno = "5"\nsector = "{s * 8}"\n\n'
                            for s in BAD_SLOTS))
    q = qemu_run(smp=2, mem=MEM, swap=False, initrd=test_initrd, timeout=timeout_for(2, base=400),
                 extra=("-drive", f"file=blkdebug:{conf}:{img},format=raw,if=ide,index=1"),
                 cmdline='reclaim=clock init=/bin/pressure "thrash 40 20000"')
    for s in BAD_SLOTS:
        q.check(re.search(rf"clock: writing pfn 0x[0-9a-f]+ to swap slot {s} failed", q.log),
                f"no report of the failed write to slot {s}")
    vm = check_pressure(q, "thrash")
    q.check(vm["clock_written"] > 0 and vm["pswpin"] > 0, f"no swapping: {vm}")


@pytest.mark.parametrize("reclaim", ["pps", "clock"])
def test_clock_evicts_shared_memory(qemu_run, test_initrd, reclaim):
    """Two processes share a MAP_SHARED|MAP_ANONYMOUS region larger than
    RAM (shmthrash): its pages are legacy pages of one shared object
    whatever reclaim= says, so the clock evicts them (every mapping's PTE
    emptied, the object's table keeps the slot) and a fault in either
    process reads them back for both; every page checked, and at the end
    each process's last writes are what the other sees."""
    q = qemu_run(smp=4, mem=MEM, initrd=test_initrd, timeout=timeout_for(4, base=400),
                 cmdline=f'reclaim={reclaim} init=/bin/pressure "shmthrash 40 2 20000"')
    vm = check_pressure(q, "shmthrash")
    for k in ("clock_unmapped", "clock_written", "clock_freed", "shm_swapin", "pswpout"):
        q.check(vm.get(k, 0) > 0, f"vmstat {k} did not grow: {vm}")
