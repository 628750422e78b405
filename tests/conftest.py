"""pytest setup for the ppsos host-side tests.

* builds the kernel, initrd and ISO once per session (`make -s all`);
  `--no-build` (or PPSOS_NO_BUILD=1) skips that and uses build/ as it is;
* the `qemu` fixture starts QEMU runs and always kills them at teardown;
  each run has its own fresh swap disk (qemu.py), none uses build/swap.img;
* `rawhello` and `test_initrd` build the test programs (tests/fixtures/progs)
  and an initrd that carries them in /bin beside the normal programs.
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
        missing = [str(p) for p in (qemu_mod.KERNEL, qemu_mod.ISO, qemu_mod.INITRD)
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
    for p in (qemu_mod.KERNEL, qemu_mod.ISO, qemu_mod.INITRD):
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


# ---- test programs ---------------------------------------------------------

# The C fixtures live one level down (tests/fixtures/progs/): the top
# Makefile compiles every tests/*/*.c into the kernel as an in-kernel test.
PROGS = qemu_mod.ROOT / "tests" / "fixtures" / "progs"
RAWHELLO = qemu_mod.BUILD / "rawhello"
TEST_INITRD = qemu_mod.BUILD / "t-initrd.cpio"
# built against user/lib by the Makefile (EXTRA_PROGS)
EXTRA_C = ["forktree.c", "segv.c", "div0.c",
           "pressure.c", "ppsstress.c", "madvtest.c",       # these three: tests/mm/test_pps.py
           "madvrace.c",                                    # tests/mm/test_pps.py
           "sysfuzz.c",                                     # tests/kernel/test_sysfuzz.py
           "threads.c",                                     # tests/kernel/test_threads.py
           "tlstest.c", "futexmt.c",                        # tests/kernel/test_tls_futex.py
           "threadlib.c", "tlbshoot.c", "exitrace.c",       # tests/mm/test_threads_mm.py
           "protshoot.c",                                   # tests/mm/test_threads_mm.py
           "fputest.c",                                     # tests/arch/test_fpu.py
           "shmthrash.c"]                                   # tests/mm/test_clock.py
# programs the test initrd carries in /bin besides the normal ones
TEST_PROGS = ["forktree", "segv", "div0", "rawhello", "pressure", "ppsstress", "madvtest",
              "madvrace", "sysfuzz", "threads", "tlstest", "futexmt", "threadlib", "tlbshoot", "protshoot",
              "exitrace", "glibc_pthread", "fputest", "shmthrash"]


def _run_build(argv, what):
    try:
        r = subprocess.run(argv, cwd=qemu_mod.ROOT, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=300)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"{what} timed out:\n{e.output}", pytrace=False)
    except OSError as e:
        pytest.fail(f"{what}: {e}", pytrace=False)
    if r.returncode != 0:
        pytest.fail(f"{what} failed (status {r.returncode}):\n"
                    f"$ {' '.join(argv)}\n{r.stdout}", pytrace=False)


@pytest.fixture(scope="session")
def rawhello(ppsos_build):
    """build/rawhello: tests/fixtures/progs/rawhello.c, a static i386 ELF
    without libc (raw int $0x80), built by the cross compiler directly."""
    cc = os.environ.get("PPSOS_CROSS", "i686-linux-gnu-") + "gcc"
    _run_build([cc, "-m32", "-static", "-nostdlib", "-ffreestanding", "-fno-pic",
                "-no-pie", "-O2", "-o", str(RAWHELLO), str(PROGS / "rawhello.c")],
               "building build/rawhello")
    return RAWHELLO


GLIBC_PTHREAD = qemu_mod.BUILD / "glibc_pthread"


@pytest.fixture(scope="session")
def glibc_pthread(ppsos_build):
    """build/glibc_pthread: tests/fixtures/progs/glibc_pthread.c, an ordinary
    program on glibc's pthreads, linked statically against the i386 glibc
    of libc6-dev-i386-cross (scripts/install-deps.sh installs it)."""
    cross = os.environ.get("PPSOS_CROSS", "i686-linux-gnu-")
    libc = subprocess.run([cross + "gcc", "-print-file-name=libc.a"], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True).stdout.strip()
    if not os.path.isabs(libc) or not os.path.exists(libc):
        pytest.fail("no static i386 glibc (libc.a) for the cross compiler: run "
                    "scripts/install-deps.sh (package libc6-dev-i386-cross)", pytrace=False)
    _run_build([cross + "gcc", "-static", "-pthread", "-O2", "-Wall", "-o", str(GLIBC_PTHREAD),
                str(PROGS / "glibc_pthread.c")], "building build/glibc_pthread")
    return GLIBC_PTHREAD


ELFMUT_DIR = qemu_mod.BUILD / "elfmut"
ELFMUT_COUNT = 48                   # /bin/elfmut00 .. elfmut47


@pytest.fixture(scope="session")
def elf_mutants(ppsos_build):
    """build/elfmut/elfmut00..47: damaged copies of a stripped /bin/echo
    (tests/fixtures/elfmut.py, always the same ones) for `sysfuzz exec`."""
    ELFMUT_DIR.mkdir(parents=True, exist_ok=True)
    base = ELFMUT_DIR / "echo.stripped"
    strip = os.environ.get("PPSOS_CROSS", "i686-linux-gnu-") + "strip"
    _run_build([strip, "-o", str(base), str(qemu_mod.BUILD / "user" / "bin" / "echo")],
               "stripping build/user/bin/echo")
    _run_build([sys.executable, str(qemu_mod.ROOT / "tests" / "fixtures" / "elfmut.py"),
                str(base), str(ELFMUT_DIR), str(ELFMUT_COUNT), "1"], "making the ELF mutants")
    return [ELFMUT_DIR / f"elfmut{i:02d}" for i in range(ELFMUT_COUNT)]


@pytest.fixture(scope="session")
def test_initrd(ppsos_build, rawhello, glibc_pthread, elf_mutants):
    """build/t-initrd.cpio: the normal initrd plus /bin/forktree, /bin/segv,
    /bin/div0, /bin/pressure, /bin/ppsstress, /bin/madvtest, /bin/madvrace, /bin/sysfuzz,
    /bin/threads, /bin/tlstest, /bin/futexmt, /bin/threadlib, /bin/tlbshoot, /bin/protshoot, /bin/exitrace,
    /bin/fputest, /bin/shmthrash (built against user/lib), /bin/rawhello and /bin/glibc_pthread (ready
    ELFs) and the damaged ELFs /bin/elfmut00..47."""
    extra = " ".join([f"tests/fixtures/progs/{c}" for c in EXTRA_C]
                     + [str(p.relative_to(qemu_mod.ROOT))
                        for p in [rawhello, glibc_pthread] + elf_mutants])
    _run_build(["make", "-s", str(TEST_INITRD.relative_to(qemu_mod.ROOT)),
                f"INITRD={TEST_INITRD.relative_to(qemu_mod.ROOT)}",
                f"EXTRA_PROGS={extra}"], "building the test initrd")
    if not TEST_INITRD.exists():
        pytest.fail(f"the make run succeeded but {TEST_INITRD} is missing", pytrace=False)
    return TEST_INITRD
