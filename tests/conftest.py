"""pytest setup for the ppsos host-side tests.

* builds the kernel, ISO and swap image once per session (`make -s all`);
  `--no-build` (or PPSOS_NO_BUILD=1) skips that and uses build/ as it is;
* the `qemu` fixture starts QEMU runs and always kills them at teardown.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import qemu as qemu_mod  # noqa: E402


def pytest_addoption(parser):
    parser.addoption("--no-build", action="store_true",
                     help="do not run `make -s all` before the tests")


@pytest.fixture(scope="session")
def ppsos_build(request):
    """Build everything once; a failing build fails every test with the
    make output (pytest caches a session fixture's error)."""
    if request.config.getoption("--no-build") or os.environ.get("PPSOS_NO_BUILD"):
        missing = [str(p) for p in (qemu_mod.KERNEL, qemu_mod.ISO, qemu_mod.SWAP)
                   if not p.exists()]
        if missing:
            pytest.fail(f"--no-build given but missing: {missing}", pytrace=False)
        return qemu_mod.ROOT
    try:
        r = subprocess.run(["make", "-s", "all"], cwd=qemu_mod.ROOT,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=900)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"`make -s all` timed out:\n{e.output}", pytrace=False)
    if r.returncode != 0:
        pytest.fail(f"`make -s all` failed (status {r.returncode}):\n{r.stdout}",
                    pytrace=False)
    for p in (qemu_mod.KERNEL, qemu_mod.ISO, qemu_mod.SWAP):
        if not p.exists():
            pytest.fail(f"`make -s all` succeeded but {p} is missing", pytrace=False)
    return qemu_mod.ROOT


@pytest.fixture
def qemu(request, ppsos_build):
    """Factory: qemu(smp=.., cmdline=.., iso=.., ...) -> started Qemu.
    Every instance is killed (and its log saved under build/test-logs/)
    when the test ends, pass or fail."""
    started = []

    def start(**kw):
        kw.setdefault("name", request.node.name)
        q = qemu_mod.Qemu(**kw)
        started.append(q)
        q.start()
        return q

    yield start
    for q in started:
        q.close()


@pytest.fixture
def qemu_run(qemu):
    """Factory: boot and wait for QEMU to exit by itself; returns the Qemu
    with .status and .log. Fails (with the log) if it never exits."""
    def run(timeout=None, **kw):
        q = qemu(**kw)
        q.wait_exit(timeout)
        return q
    return run
