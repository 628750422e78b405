"""user/usertests/ as pid 1 (init=/bin/usertests): the system-call, memory,
fork/exec/wait, fault and /proc tests from user space, on 1 and 4 CPUs.
It prints `usertests: NAME ... ok|FAILED (why)` per case, then
`usertests: N passed, M failed[, K skipped]` and `ALL TESTS PASSED`, and
exits 0 iff none failed, so QEMU exits with status 1. Skipped cases (a
feature not there yet) show up as pytest warnings."""
import re
import warnings

import pytest

from qemu import timeout_for

CASE_RE = re.compile(r"usertests: (\S+) \.\.\. (ok|FAILED|skipped)(.*)$", re.M)
SUMMARY_RE = re.compile(r"usertests: (\d+) passed, (\d+) failed")


@pytest.mark.parametrize("smp", [1, 4])
def test_usertests(qemu_run, smp):
    # generous: it forks until fork fails, and 4 vCPUs share 2 host cores
    q = qemu_run(smp=smp, mem=64, cmdline="init=/bin/usertests",
                 timeout=timeout_for(smp, base=240))
    log = q.log
    cases = CASE_RE.findall(log)
    failed = [f"{name}{why}" for name, res, why in cases if res == "FAILED"]
    skipped = [f"{name}{why}" for name, res, why in cases if res == "skipped"]
    ok = [name for name, res, _ in cases if res == "ok"]
    q.check(cases, "usertests reported no test cases")
    q.check(not failed, f"{len(failed)} usertests failed:\n  " + "\n  ".join(failed))
    summ = SUMMARY_RE.search(log)
    q.check(summ is not None, "no 'usertests: N passed, M failed' summary (did it finish?)")
    passed, nfailed = int(summ.group(1)), int(summ.group(2))
    q.check(nfailed == 0 and passed == len(ok),
            f"summary {summ.group(0)!r}, but {len(ok)} cases reported ok")
    q.check("ALL TESTS PASSED" in log, "no 'ALL TESTS PASSED'")
    q.check("init: pid 1 exited with status 0, powering off" in log,
            "usertests (pid 1) did not exit with status 0")
    q.check(q.status == 1, f"QEMU exit status {q.status}, expected 1 (usertests exit 0)")
    for s in skipped:
        warnings.warn(f"usertests on {smp} CPUs skipped {s}")
