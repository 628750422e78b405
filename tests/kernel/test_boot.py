"""ppsos boots with both loaders (QEMU's -kernel multiboot loader and GRUB
from the ISO) and brings every CPU online."""
import pytest

from qemu import SMP_RE


def check_booted(q, smp):
    m = q.expect(SMP_RE, what="the 'smp: N CPUs online' line")
    n = int(m.group(1))
    q.check(n == smp, f"smp: {n} CPUs online, expected {smp}")
    q.check("PANIC" not in q.log, "panic during boot")


@pytest.mark.parametrize("smp", [1, 2, 4, 8])
def test_boot_kernel(qemu, smp):
    q = qemu(smp=smp)
    check_booted(q, smp)


@pytest.mark.parametrize("smp", [1, 4])
def test_boot_iso(qemu, smp):
    """GRUB's default entry, chosen by its timeout (no key pressed)."""
    q = qemu(smp=smp, iso=True)
    check_booted(q, smp)


def test_boot_128m(qemu):
    q = qemu(smp=2, mem=128)
    check_booted(q, 2)


def test_boot_without_swap_disk(qemu):
    """The second IDE disk is optional."""
    q = qemu(smp=1, swap=False)
    check_booted(q, 1)
