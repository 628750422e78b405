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


def test_mp_table_fallback(qemu):
    """acpi=off makes the kernel use the MP table. QEMU lists every CPU
    there only with one core per socket; with a plain -smp 4 it lists just
    the first, which is why the MADT is the primary source."""
    q = qemu(smp=4, cmdline="acpi=off", extra=("-smp", "4,sockets=4,cores=1"))
    q.expect(r"smp: MP table lists 4 CPUs", what="the MP table listing 4 CPUs")
    check_booted(q, 4)


def test_mp_table_plain_smp_lists_one(qemu):
    q = qemu(smp=4, cmdline="acpi=off")
    q.expect(r"smp: MP table lists 1 CPUs", what="QEMU's MP table listing only the first CPU")
    check_booted(q, 1)
