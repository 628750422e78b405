"""Lab 2: page faults and VMAs (docs/labs/02-page-faults.md).

The kernel-side checks are ktests that call handle_mm_fault on an mm of
their own (tests/mm/ktest_fault.c): they fail in seconds and give credit
part by part. The user-space tests boot their own shell, with no
dependency: without the #PF path or demand zero, init dies at its first
fault, pid 1's exit stops QEMU, and the test fails at once.
"""
import re

from gradelib import test

LAB, TITLE = 2, "page faults and VMAs"


def usertests(g, sh, cases, timeout=90):
    """Run usertests cases; each must say `ok`, and the run must pass."""
    out = sh.user("usertests " + " ".join(cases), timeout=timeout)
    g.expect_lines(out, [rf"^usertests: {c} \.\.\. ok$" for c in cases] +
                   [rf"^usertests: {len(cases)} passed, 0 failed"],
                   what="usertests' output")
    return out


@test(points=30, timeout=180)
def demand_zero(g):
    """Demand zero: a zeroed frame on the first touch, then user space runs."""
    g.ktest(["fault_demand_zero"], smp=1)
    sh = g.shell(smp=1)
    usertests(g, sh, ["mmap_many_pages", "brk_grow", "fork_copy"])
    v = sh.vmstat()
    g.check(v.get("pgalloc_user", 0) > 0 and v.get("pgfault", 0) > 0,
            f"/proc/vmstat counts no faults or no page allocations: {v.get('pgfault')}, {v.get('pgalloc_user')}")


@test(points=20, timeout=120)
def stack_growth(g):
    """The stack grows down to the faulting page, to its limit, never onto a guard page."""
    g.ktest(["fault_stack_growth"], smp=1)


@test(points=20, timeout=120)
def bad_address(g):
    """No VMA, a write to a read-only VMA or to text, PROT_NONE, the kernel: -EFAULT, no page left behind."""
    g.ktest(["fault_bad_access", "fault_protnone_and_present", "fault_file_fill"], smp=1)


@test(points=30, timeout=180)
def segfault_kill(g):
    """A bad access kills that process alone (SIGSEGV, the kernel's line); recursion dies at the stack limit."""
    sh = g.shell(smp=1)
    out = sh.run("usertests crash_null crash_text crash_kernel crash_stack", timeout=120)
    user = [l for l in out if l.startswith("usertests")]
    g.expect_lines(user, [rf"^usertests: {c} \.\.\. ok$" for c in
                          ("crash_null", "crash_text", "crash_kernel", "crash_stack")] +
                   [r"^usertests: 4 passed, 0 failed"], what="usertests' output")
    kmsg = [m for l in out for m in [re.search(r"pid \d+ \(usertests\): segfault at ([0-9a-f]+) ip [0-9a-f]{8}$", l)]
            if m]
    addrs = [int(m.group(1), 16) for m in kmsg]
    g.check(0 in addrs, f"no kernel line 'pid N (usertests): segfault at 0 ip ...' for the NULL write: {out!r}")
    g.check(any(a >= 0xC0000000 for a in addrs),
            f"no 'segfault at' line for the kernel addresses (0xc0...): {addrs}")
    # crash_stack recurses for ever: the stack grows to its 8 MiB limit
    # (mm/mm.h) and the push below it is the bad address
    limit = 0xBFFFF000 - (8 << 20)
    g.check(any(limit - 4096 <= a < limit for a in addrs),
            f"crash_stack's recursion was not killed just below the stack's 8 MiB limit "
            f"({limit - 4096:#x}-{limit:#x}): faults at {[hex(a) for a in addrs]}")
    g.check(sh.user("echo still here") == ["still here"], "the shell did not survive the faults")
