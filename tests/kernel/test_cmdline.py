"""Bad command-line options are reported and ignored; the kernel still boots
and its in-kernel tests still pass. Good options give no warning.

The options the test relies on (ktest=all panic=exit) come first, so a
kernel that cuts an over-long command line short still runs the tests."""
import re

import pytest

from qemu import EXIT_KTEST_PASS, SMP_RE, check_ktap_all_pass

WARN = "cmdline: warning: "
LONG = "x" * 1000

BAD_OPTIONS = [
    # (option, regex the warning must match)
    ("foo=bar", r"unknown option 'foo=bar'"),
    ("xyz", r"ill-formed option 'xyz'"),
    ("hz=abc", r"bad value 'abc' for hz"),
    ("hz=", r".*\bhz\b"),
    ("=5", r".*'=5"),
    (LONG, r".*x{16}"),
]


def boot_and_pass(qemu_run, cmdline, smp=1):
    q = qemu_run(smp=smp, cmdline=cmdline)
    q.check(q.status == EXIT_KTEST_PASS,
            f"QEMU exit status {q.status}, expected {EXIT_KTEST_PASS} (boot + ktests pass)")
    m = SMP_RE.search(q.log)
    q.check(m is not None and int(m.group(1)) == smp, "kernel did not bring all CPUs online")
    check_ktap_all_pass(q)
    return q


def warnings(q):
    """The warnings from parsing the boot command line. Only those before the
    KTAP report: the in-kernel cmdline tests print warnings of their own."""
    boot = q.log.split("KTAP version 1")[0]
    return [line[line.index(WARN):] for line in boot.splitlines() if WARN in line]


@pytest.mark.parametrize("opt,rx", BAD_OPTIONS,
                         ids=["unknown", "no-equals", "bad-hz", "empty-hz",
                              "empty-name", "1000-chars"])
def test_bad_option(qemu_run, opt, rx):
    q = boot_and_pass(qemu_run, f"ktest=all panic=exit {opt}")
    w = warnings(q)
    q.check(any(re.match(re.escape(WARN) + rx, x) for x in w),
            f"no '{WARN}' line matching {rx!r}; warnings: {w}")


def test_many_bad_options_at_once(qemu_run):
    """All of them on one line, on 2 CPUs: one warning each, still boots."""
    opts = [o for o, _ in BAD_OPTIONS if o is not LONG]
    q = boot_and_pass(qemu_run, "ktest=all panic=exit " + " ".join(opts), smp=2)
    w = warnings(q)
    q.check(len(w) >= len(opts), f"{len(w)} warnings for {len(opts)} bad options: {w}")


def test_good_hz(qemu_run):
    q = boot_and_pass(qemu_run, "ktest=all panic=exit hz=250")
    q.check(not warnings(q), f"unexpected warnings: {warnings(q)}")
