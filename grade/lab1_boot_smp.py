"""Lab 1: boot and SMP (docs/labs/01-boot-smp.md).

Every test here is kernel-only: it boots the kernel and runs in-kernel
tests (ktests), then reads the serial log. No user program runs, so these
tests need no other lab (lab 2's tree, where user programs may not run,
still passes them). Tests of other labs that need several CPUs depend on
all_cpus_online.
"""
import re

from gradelib import test

LAB, TITLE = 1, "boot and SMP"


def run_ktests(g, names, smp, checks):
    """Run the ktests, then checks(log lines)."""
    g.ktest(names, smp=smp, timeout=90)
    checks(g.runs[-1][0].log.splitlines())


@test(points=25, timeout=90)
def madt_cpus(g):
    """-smp 3: madt_parse lists the 3 CPUs of the ACPI MADT, distinct APIC ids, the BSP first."""
    def checks(log):
        g.expect_lines(log, [r"smp: ACPI MADT lists 3 CPUs \(LAPIC at 0xfee00000\)",
                             r"# smp_config_madt: source ACPI MADT, 3 CPUs, apic ids 0 1 2$"],
                       what="the boot log")
    run_ktests(g, ["smp_config_madt"], 3, checks)


@test(points=40, timeout=120)
def all_cpus_online(g):
    """-smp 4: smp_boot_aps brings every AP online; each takes IPIs and its LAPIC timer ticks."""
    def checks(log):
        g.expect_lines(log, [r"smp: ACPI MADT lists 4 CPUs", r"smp: 4 CPUs online in \d+ ms",
                             r"# on_each_cpu_all: reached 4 of 4 cpus"], what="the boot log")
        m = re.search(r"# timer_all_cpus: ticks in \d+ ms:(.*)", "\n".join(log))
        g.check(m is not None, "timer_all_cpus printed no tick counts")
        ticking = sorted(int(c) for c, n in re.findall(r"cpu(\d+) \+(\d+)", m.group(1)) if int(n) > 0)
        g.check(ticking == [0, 1, 2, 3],
                f"the CPUs whose timers ticked:{m.group(1)}; expected cpu0 to cpu3")
    run_ktests(g, ["on_each_cpu_all", "timer_all_cpus"], 4, checks)


@test(points=35, timeout=90)
def timer_calibrated(g):
    """lapic_timer_calibrate: the LAPIC timer ticks hz times per second of TSC time."""
    def checks(log):
        g.expect_lines(log, [r"time: TSC \d+ kHz, LAPIC timer \d+ counts per tick at hz=\d+",
                             r"# timer_rate: \d+ ticks in \d+ us at hz=\d+"], what="the boot log")
    run_ktests(g, ["timer_rate"], 1, checks)
