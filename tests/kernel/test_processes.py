"""Processes: faults kill only the faulting process (SIGSEGV, SIGFPE) and
everything else goes on; a fork/exec/wait tree on 1 and 4 CPUs; a libc-free
static ELF that runs unchanged on Linux and on ppsos; pid 1's exit status
reaching QEMU; a missing init.

The test programs come from tests/fixtures/progs and ride in a test initrd
(build/t-initrd.cpio, the `test_initrd` fixture in conftest.py)."""
import re
import shutil
import subprocess

import pytest

from qemu import BUILD, sh_run, sh_wait_prompt, user_lines

EXTRA_BIN = BUILD / "user" / "extra"

RAWHELLO_OUT = ["rawhello: hello, world", "rawhello: getpid ok"]
RAWHELLO_STATUS = 42


def qemu_status(code):
    """QEMU's exit status when pid 1 exits with `code` (isa-debug-exit
    gives (code << 1) | 1, and a process status has 8 bits)."""
    return ((code << 1) | 1) & 0xFF


def status(q):
    out = user_lines(sh_run(q, "echo $?"))
    q.check(len(out) == 1 and out[0].isdigit(), f"'echo $?' printed {out!r}")
    return int(out[0])


def func_range(elf, name):
    """[start, end) of function `name` in an ELF, from nm -S; None without nm."""
    nm = shutil.which("i686-linux-gnu-nm") or shutil.which("nm")
    if nm is None or not elf.exists():
        return None
    out = subprocess.run([nm, "-S", str(elf)], stdout=subprocess.PIPE, text=True).stdout
    for line in out.splitlines():
        f = line.split()
        if len(f) == 4 and f[2] in "tT" and f[3] == name:
            return int(f[0], 16), int(f[0], 16) + int(f[1], 16)
    return None


@pytest.fixture
def tsh(qemu, test_initrd):
    """A shell on a ppsos booted with the test initrd (smp from the test's
    `smp` parameter if it has one, else 2)."""
    def boot(smp=2):
        q = qemu(smp=smp, initrd=test_initrd)
        sh_wait_prompt(q)
        return q
    return boot


# ---- faults ----------------------------------------------------------------

def test_segfault_kills_only_the_process(tsh):
    q = tsh(smp=2)
    out = sh_run(q, "segv")
    q.check("segv: writing to NULL" in out, f"segv did not start: {out!r}")
    q.check("segv: survived the NULL write?!" not in out, "the NULL write did not fault")
    kmsg = [m for l in out for m in [re.search(r"pid (\d+) \(segv\): segfault at ([0-9a-f]+) ip ([0-9a-f]{8})$", l)] if m]
    q.check(len(kmsg) == 1, f"no kernel line 'pid N (segv): segfault at 0 ip XXXXXXXX': {out!r}")
    q.check(int(kmsg[0].group(2), 16) == 0, f"fault address {kmsg[0].group(2)}, expected 0 (NULL)")
    eip = int(kmsg[0].group(3), 16)
    rng = func_range(EXTRA_BIN / "segv", "main")
    if rng:
        q.check(rng[0] <= eip < rng[1], f"fault ip {eip:08x} is not in segv's main {rng[0]:08x}-{rng[1]:08x}")
    q.check(any(re.search(r"killed by signal 11\b", l) for l in out),
            f"the shell did not report 'killed by signal 11': {out!r}")
    st = status(q)
    q.check(st == 139, f"$? after segv is {st}, expected 139 (128 + SIGSEGV)")
    # the kernel and the shell go on; so does a second fault
    q.check(sh_run(q, "echo after the fault") == ["after the fault"], "the shell broke after the fault")
    sh_run(q, "segv")
    q.check(status(q) == 139, "a second segv did not give 139")
    rows = user_lines(sh_run(q, "ps"))
    q.check(not any(l.endswith(" segv") for l in rows), f"a segv process is left over: {rows!r}")


def test_divide_by_zero(tsh):
    q = tsh(smp=2)
    out = sh_run(q, "div0")
    q.check("div0: dividing by zero" in out, f"div0 did not start: {out!r}")
    q.check(not any("survived" in l for l in out), "the division did not fault")
    q.check(any(re.search(r"pid \d+ \(div0\): Divide Error \(#DE\) ip [0-9a-f]{8}, killed by signal 8$", l)
                for l in out),
            f"no kernel line 'pid N (div0): Divide Error (#DE) ip XXXXXXXX, killed by signal 8': {out!r}")
    st = status(q)
    q.check(st == 136, f"$? after div0 is {st}, expected 136 (128 + SIGFPE)")
    q.check(sh_run(q, "echo after the fault") == ["after the fault"], "the shell broke after div0")


# ---- fork trees ------------------------------------------------------------

@pytest.mark.parametrize("smp", [1, 4])
def test_forktree(tsh, smp):
    depth, width = 3, 3
    total = sum(width ** i for i in range(depth + 1))          # 40
    exec_leaves = width ** (depth - 1) * ((width + 1) // 2)    # even-numbered leaves: 18
    q = tsh(smp=smp)
    out = sh_run(q, f"forktree {depth} {width}", timeout=120)
    fails = [l for l in out if "FAIL" in l]
    q.check(not fails, "forktree failed:\n" + "\n".join(fails))
    q.check(f"forktree: OK {total} processes" in out,
            f"no 'forktree: OK {total} processes' line: {out[-5:]!r}")
    leaves = out.count("leaf")
    q.check(leaves == exec_leaves, f"{leaves} 'leaf' lines from /bin/echo, expected {exec_leaves}")
    q.check(status(q) == 0, "forktree's exit status is not 0")
    # every process of the tree is gone (reaped, no zombies)
    rows = user_lines(sh_run(q, "ps"))[1:]
    names = sorted(l.split()[-1] for l in rows)
    q.check(names == ["init", "ps", "sh"], f"processes left after forktree: {rows!r}")
    # and once more: pids and memory are reused properly
    out = sh_run(q, "forktree 2 5", timeout=120)
    q.check("forktree: OK 31 processes" in out, f"second forktree (2 5): {[l for l in out if 'forktree' in l]!r}")


def test_forktrees_in_parallel(tsh):
    """Four trees at once on four CPUs: fork, exec, exit and reaping race
    each other on every CPU; every tree must finish OK, nothing may leak."""
    q = tsh(smp=4)
    for _ in range(4):
        sh_run(q, "forktree 3 3 &")
    out = sh_run(q, "wait", timeout=240)
    q.check("PANIC" not in q.log, "kernel panic during parallel forktrees")
    oks = [l for l in q.log.splitlines() if "forktree: OK 40 processes" in l]
    q.check(len(oks) == 4, f"{len(oks)} of 4 trees finished OK: {out[-8:]!r}")
    rows = user_lines(sh_run(q, "ps"))[1:]
    q.check(sorted(l.split()[-1] for l in rows) == ["init", "ps", "sh"],
            f"processes left after the trees: {rows!r}")


# ---- a libc-free binary, on Linux and on ppsos -----------------------------

def test_rawhello_on_host(rawhello):
    """The same file runs on the host Linux (static i386: no loader needed)."""
    try:
        r = subprocess.run([str(rawhello)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=10)
    except OSError as e:
        pytest.skip(f"this host cannot run i386 binaries: {e}")
    assert r.stdout.splitlines() == RAWHELLO_OUT, f"on Linux rawhello printed {r.stdout!r}"
    assert r.returncode == RAWHELLO_STATUS, f"on Linux rawhello exited {r.returncode}"


def test_rawhello_on_ppsos(tsh, rawhello):
    q = tsh(smp=2)
    out = sh_run(q, "rawhello")
    q.check(user_lines(out) == RAWHELLO_OUT,
            f"on ppsos rawhello printed {out!r}, expected {RAWHELLO_OUT!r} as on Linux")
    st = status(q)
    q.check(st == RAWHELLO_STATUS, f"$? after rawhello is {st}, expected {RAWHELLO_STATUS}")


def test_rawhello_as_pid1(qemu_run, test_initrd):
    q = qemu_run(smp=1, initrd=test_initrd, cmdline="init=/bin/rawhello", timeout=60)
    for line in RAWHELLO_OUT:
        q.check(line in q.log.splitlines(), f"no {line!r} from rawhello as pid 1")
    q.check(f"init: pid 1 exited with status {RAWHELLO_STATUS}, powering off" in q.log,
            "no 'init: pid 1 exited with status 42, powering off'")
    q.check(q.status == qemu_status(RAWHELLO_STATUS),
            f"QEMU exit status {q.status}, expected {qemu_status(RAWHELLO_STATUS)}")


# ---- pid 1 ---------------------------------------------------------------

def test_init_sh_exit_status(qemu_run):
    """init=/bin/sh -c "exit 5": the quotes group "exit 5" into one argument
    (as Linux's command-line parser does); QEMU exits (5 << 1) | 1 = 11."""
    q = qemu_run(smp=1, cmdline='init=/bin/sh -c "exit 5"', timeout=60)
    q.check("init: pid 1 exited with status 5, powering off" in q.log,
            "no 'init: pid 1 exited with status 5, powering off'")
    q.check(q.status == 11, f"QEMU exit status {q.status}, expected 11")


def test_init_echo(qemu_run):
    q = qemu_run(smp=2, cmdline="init=/bin/echo hello world", timeout=60)
    q.check("hello world" in q.log.splitlines(), "no 'hello world' line from init=/bin/echo")
    q.check("init: pid 1 exited with status 0, powering off" in q.log,
            "no 'init: pid 1 exited with status 0, powering off'")
    q.check(q.status == 1, f"QEMU exit status {q.status}, expected 1")


def test_init_killed_by_signal(qemu_run, test_initrd):
    """pid 1 dying of SIGSEGV: status 128 + 11, QEMU ((139 << 1) | 1) & 0xff."""
    q = qemu_run(smp=1, initrd=test_initrd, cmdline="init=/bin/segv", timeout=60)
    q.check(re.search(r"pid 1 \(segv\): segfault at 0 ip [0-9a-f]{8}", q.log),
            "no 'pid 1 (segv): segfault at 0 ...' line")
    q.check("init: pid 1 exited with status 139, powering off" in q.log,
            "no 'init: pid 1 exited with status 139, powering off'")
    q.check(q.status == qemu_status(139), f"QEMU exit status {q.status}, expected {qemu_status(139)}")


def test_init_missing(qemu):
    """No such program: a clear message and status 3, not a hang (and not
    the kernel monitor either)."""
    q = qemu(smp=1, cmdline="init=/bin/nosuch")
    q.expect([r"init: cannot run", r"kmon> "], timeout=30,
             what="'init: cannot run ...' (or the kmon prompt)")
    q.check(q.index == 0, "init=/bin/nosuch: the kernel started its monitor (kmon) "
            "instead of reporting that it cannot run /bin/nosuch")
    q.wait_exit(timeout=30)
    q.check(re.search(r"init: cannot run '?/bin/nosuch", q.log),
            "no 'init: cannot run '/bin/nosuch'...' message")
    q.check(q.status == 3, f"QEMU exit status {q.status}, expected 3")
