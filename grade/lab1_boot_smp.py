"""Lab 1: boot and SMP (docs/labs/01-boot-smp.md)."""
from gradelib import test

LAB, TITLE = 1, "boot and SMP"


@test(points=10, timeout=120)
def all_cpus_online(g):
    """-smp 4: the kernel finds 4 CPUs and brings every AP online."""
    sh = g.shell(smp=4)
    g.expect_lines(sh.q.log.splitlines(), [r"smp: ACPI MADT lists 4 CPUs", r"smp: 4 CPUs online"],
                   what="the boot log")
    cpus = [l for l in sh.user("cat /proc/cpuinfo") if l.startswith("processor")]
    g.check(len(cpus) == 4, f"/proc/cpuinfo lists {len(cpus)} processors, not 4")
