"""Run ppsos under QEMU for the host-side tests.

One class, Qemu, covers both kinds of run:

* non-interactive: start, wait for a line or for QEMU to exit, read the log;
* interactive (GRUB menu, kernel monitor): send keys, expect replies.

QEMU runs under pexpect with its serial port on stdio (a pty). Everything the
guest prints is kept in Qemu.log, so a failing check can show the whole serial
log. QEMU is always killed at the end (Qemu.close(), or the `with` block, or
the `qemu` fixture in conftest.py), also after a failure or a timeout.

Checks raise QemuError, an AssertionError whose message holds the QEMU command
line and the full serial log, so pytest shows both.

Disks: by default each Qemu gets its own fresh swap disk (make_swap_image,
swap_mb MiB, in build/test-disks/, deleted at close), so no test depends on
build/swap.img (which only `make run` and the make targets use) or on what an
earlier run wrote.
"""
import contextlib
import io
import os
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
import weakref
from pathlib import Path

import pexpect

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
KERNEL = BUILD / "kernel.elf"
ISO = BUILD / "ppsos.iso"
INITRD = BUILD / "initrd.cpio"
LOGDIR = BUILD / "test-logs"
DISKDIR = BUILD / "test-disks"      # each Qemu's own swap disk, while it lives
SWAP_MB = 64                        # its default size

QEMU = os.environ.get("PPSOS_QEMU", "qemu-system-i386")

# isa-debug-exit: the guest writes v to port 0xf4, QEMU exits with (v << 1) | 1.
EXIT_KTEST_PASS = 1     # all in-kernel tests passed (also kmon `poweroff`)
EXIT_KTEST_FAIL = 3     # some in-kernel test failed
EXIT_PANIC = 255        # kernel panic with panic=exit

# Slow machines (or a loaded CI host) can scale every timeout.
TIMEOUT_SCALE = float(os.environ.get("PPSOS_TIMEOUT_SCALE", "1"))

SMP_RE = re.compile(r"smp: (\d+) CPUs online")
CURSOR_RE = re.compile(r"\x1b\[\d+;\d+H")   # GRUB draws its menu with these
ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]|\x1b[=>78cDEHM]")

# Seen while waiting for something else, these end the wait at once.
FATAL = [r"PANIC: ", r"Failed to boot both default and fallback"]


def timeout_for(smp, base=60):
    """A generous timeout for one boot/run: TCG with many vCPUs on few host
    cores is slow. Only a failing run ever waits this long."""
    return (base + 10 * smp) * TIMEOUT_SCALE


def clean(text):
    """Serial text for matching: no CRs (the kernel sends CRLF and the pty
    adds another CR), no terminal escape sequences (GRUB's menu: cursor moves
    become line breaks), no trailing blanks, no runs of empty lines."""
    text = ANSI_RE.sub("", CURSOR_RE.sub("\n", text)).replace("\r", "")
    return re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+\n", "\n", text))


class QemuError(AssertionError):
    pass


def make_swap_image(path, mb, label="ppsos-swap"):
    """A sparse file of `mb` MiB formatted as Linux swap by Linux's own
    mkswap, as the Makefile makes build/swap.img. Returns its Path."""
    path = Path(path)
    with open(path, "wb") as f:
        f.truncate(mb * 1024 * 1024)
    path.chmod(0o600)
    search = os.pathsep.join([os.environ.get("PATH", ""), "/sbin", "/usr/sbin"])
    mkswap = shutil.which("mkswap", path=search)
    if mkswap is None:
        raise QemuError(f"mkswap not found (PATH and /sbin:/usr/sbin) to format {path}")
    r = subprocess.run([mkswap, "-L", label, str(path)], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        raise QemuError(f"mkswap -L {label} {path} failed (status {r.returncode}):\n{r.stdout}")
    return path


def _unlink(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def drive_file(path):
    """A path as QEMU's -drive file= option takes it (commas doubled)."""
    return str(path).replace(",", ",,")


class Qemu:
    """One QEMU run of ppsos.

    cmdline: kernel command line (only with the -kernel loader).
    iso: boot build/ppsos.iso through GRUB instead of -kernel.
    swap: the second IDE disk (hdb, the swap disk). True: a fresh sparse
        image of swap_mb MiB formatted by mkswap, this instance's own, deleted
        at close(); a path: that image as it is; False: no disk (a test that
        wants a special one, e.g. through blkdebug, passes it in `extra`).
    swap_mb: the size of that fresh image; a test that depends on how much
        swap there is says so here.
    initrd: the initrd for -kernel boots (default build/initrd.cpio, which
        makes the kernel run /bin/init as pid 1); None boots without one
        (the kernel then runs its monitor, kmon).
    gdb_port / halted: start the gdbstub on that TCP port / stop the CPUs (-S).
    monitor: True gives QEMU's human monitor on a unix socket of its own
        (instead of `-monitor none`), for q.monitor("screendump x.ppm").
    """

    def __init__(self, smp=1, mem=64, cmdline="", iso=False, swap=True,
                 extra=(), gdb_port=None, halted=False, name="qemu",
                 initrd=INITRD, swap_mb=SWAP_MB, monitor=False):
        self.smp = smp
        self.mem = mem
        self.cmdline = cmdline
        self.iso = iso
        self.name = name
        self.initrd = Path(initrd) if initrd is not None else None
        self.monitor_path = None
        if monitor:
            self._monitor_dir = tempfile.TemporaryDirectory(prefix="ppsos-mon-")
            self.monitor_path = Path(self._monitor_dir.name) / "monitor.sock"
        mon = f"unix:{self.monitor_path},server,nowait" if monitor else "none"
        argv = [QEMU, "-smp", str(smp), "-m", str(mem),
                "-display", "none", "-serial", "stdio", "-monitor", mon,
                "-no-reboot",
                "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
        self.swap_image = None
        self._remove_disk = None
        if swap is True:
            self.swap_image = self._own_swap_image(swap_mb)
        elif swap:
            self.swap_image = Path(swap)
        if self.swap_image is not None:
            argv += ["-drive", f"file={drive_file(self.swap_image)},format=raw,if=ide,index=1"]
        if iso:
            if cmdline:
                raise ValueError("the GRUB ISO takes its command line from grub.cfg")
            argv += ["-cdrom", str(ISO), "-boot", "d"]
        else:
            argv += ["-kernel", str(KERNEL), "-append", cmdline]
            if self.initrd is not None:
                argv += ["-initrd", str(self.initrd)]
        if gdb_port is not None:
            argv += ["-gdb", f"tcp::{gdb_port}"]
        if halted:
            argv += ["-S"]
        argv += list(extra)
        self.argv = argv
        self.child = None
        self._buf = io.StringIO()
        self.status = None          # exit status once QEMU has exited
        self.signal = None          # or the signal that killed it

    def _own_swap_image(self, mb):
        """A new swap image for this instance alone; removed by close(), or
        when the Qemu is garbage (never started) or python exits."""
        DISKDIR.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", self.name)[:80]
        fd, path = tempfile.mkstemp(prefix=f"{safe}-", suffix=f"-swap{mb}M.img", dir=DISKDIR)
        os.close(fd)
        self._remove_disk = weakref.finalize(self, _unlink, path)
        make_swap_image(path, mb)
        return Path(path)

    # ---- life cycle -------------------------------------------------------

    def start(self):
        need = [ISO] if self.iso else [KERNEL]
        if not self.iso and self.initrd is not None:
            need.append(self.initrd)
        for f in need:
            if not f.exists():
                raise QemuError(f"{f} is missing: did `make all` run?")
        self.child = pexpect.spawn(self.argv[0], self.argv[1:], cwd=str(ROOT),
                                   encoding="utf-8", codec_errors="replace",
                                   timeout=None, echo=False,
                                   dimensions=(50, 200))
        self.child.logfile_read = self._buf
        return self

    def __enter__(self):
        if self.child is None:
            self.start()
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def close(self):
        """Kill QEMU if it is still running, save the serial log and remove
        the instance's own swap image."""
        if self.child is not None:
            if self.child.isalive():
                self.child.terminate(force=True)
            try:
                self.child.close(force=True)
            except Exception:
                pass
            if self.status is None and self.signal is None:
                self.status = self.child.exitstatus
                self.signal = self.child.signalstatus
            self.save_log()
        if self._remove_disk is not None:
            self._remove_disk()

    def save_log(self):
        try:
            LOGDIR.mkdir(parents=True, exist_ok=True)
            safe = re.sub(r"[^A-Za-z0-9_.=-]+", "_", self.name)[:150]
            (LOGDIR / f"{safe}.log").write_text(
                f"# {self.command()}\n# exit status {self.status} signal {self.signal}\n"
                + clean(self.raw_log), errors="replace")
        except OSError:
            pass

    # ---- output -----------------------------------------------------------

    @property
    def raw_log(self):
        return self._buf.getvalue()

    @property
    def log(self):
        """Everything QEMU printed so far, CRs and escape sequences removed."""
        return clean(self.raw_log)

    def command(self):
        return shlex.join(self.argv)

    def report(self, what):
        """A failure message: what went wrong, the command, the full log."""
        return (f"{what}\n--- command: {self.command()}\n"
                f"--- exit status: {self.status} signal: {self.signal}\n"
                f"--- serial log ({len(self.log)} chars) ---\n{self.log}\n"
                f"--- end of serial log ---")

    def fail(self, what):
        raise QemuError(self.report(what))

    def check(self, cond, what):
        if not cond:
            self.fail(what)

    # ---- interaction ------------------------------------------------------

    def expect(self, pattern, timeout=None, what=None, fatal=FATAL):
        """Wait for a regex (str or compiled, or a list of them) in the serial
        output. Returns the match object. Fails (with the log) on timeout, if
        QEMU exits first, or at once if a `fatal` pattern (a kernel panic,
        GRUB failing to boot) shows up first."""
        if timeout is None:
            timeout = timeout_for(self.smp)
        patterns = pattern if isinstance(pattern, list) else [pattern]
        n = len(patterns)
        try:
            i = self.child.expect(patterns + [pexpect.EOF, pexpect.TIMEOUT] + list(fatal),
                                  timeout=timeout)
        except Exception as e:  # pragma: no cover - pexpect internals
            self.fail(f"error waiting for {what or patterns}: {e!r}")
        if i == n:
            self._reap()
            self.fail(f"QEMU exited while waiting for {what or patterns!r}")
        if i == n + 1:
            self.fail(f"timed out after {timeout:.0f} s waiting for {what or patterns!r}")
        if i > n + 1:
            seen = self.child.match.group(0)
            try:    # let the rest of the report arrive before showing the log
                self.child.expect([pexpect.EOF, pexpect.TIMEOUT], timeout=3)
            except Exception:
                pass
            self.fail(f"{seen!r} while waiting for {what or patterns!r}")
        self.index = i
        return self.child.match

    def send(self, text, delay=0.03):
        """Type text one character at a time (the UART driver is interrupt
        driven; small gaps keep every key a separate interrupt)."""
        for ch in text:
            self.child.send(ch)
            time.sleep(delay)

    def sendline(self, text, delay=0.03):
        self.send(text + "\r", delay)

    def monitor(self, command, timeout=30):
        """Run one command in QEMU's monitor (needs monitor=True) and
        return what it printed, e.g. q.monitor("screendump /tmp/s.ppm")
        (the command has finished when this returns)."""
        if self.monitor_path is None:
            raise ValueError("this Qemu was started without monitor=True")
        prompt = b"(qemu) "
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout * TIMEOUT_SCALE)
            s.connect(str(self.monitor_path))
            buf = b""
            while not buf.endswith(prompt):     # the banner, then a prompt
                chunk = s.recv(4096)
                if not chunk:
                    self.fail(f"QEMU's monitor closed before its prompt: {buf!r}")
                buf += chunk
            s.sendall(command.encode() + b"\n")
            buf = b""
            while not buf.endswith(prompt):
                chunk = s.recv(4096)
                if not chunk:
                    break
                buf += chunk
        # The monitor echoes the command as it redraws its line: the
        # reply is what follows the echo's newline, before the prompt.
        text = ANSI_RE.sub("", buf.decode(errors="replace")).replace("\r", "")
        return text.partition("\n")[2][:-len("(qemu) ")]

    def wait_exit(self, timeout=None):
        """Wait for QEMU to exit on its own; returns its exit status
        (a signal death or a timeout fails the test)."""
        if timeout is None:
            timeout = timeout_for(self.smp, base=90)
        i = self.child.expect([pexpect.EOF, pexpect.TIMEOUT], timeout=timeout)
        if i == 1:
            self.fail(f"QEMU did not exit within {timeout:.0f} s")
        self._reap()
        if self.status is None:
            self.fail(f"QEMU was killed by signal {self.signal}")
        return self.status

    def _reap(self):
        """After EOF on the pty: collect QEMU's exit status."""
        deadline = time.monotonic() + 10
        while self.child.isalive() and time.monotonic() < deadline:
            time.sleep(0.05)
        if self.child.isalive():
            return
        self.status = self.child.exitstatus
        self.signal = self.child.signalstatus


# ---- parsing helpers ------------------------------------------------------

KTAP_RESULT_RE = re.compile(r"(?:^|\] )(not ok|ok) (\d+) (\S+)(.*)$", re.M)
KTAP_PLAN_RE = re.compile(r"(?:^|\] )1\.\.(\d+)\s*$", re.M)
KTAP_SUMMARY_RE = re.compile(r"# ktest: (\d+) passed, (\d+) failed")


def ktap_results(log):
    """{test name: (number, passed)} from the KTAP lines in a serial log."""
    out = {}
    for m in KTAP_RESULT_RE.finditer(log):
        out[m.group(3)] = (int(m.group(2)), m.group(1) == "ok")
    return out


def check_ktap_all_pass(q):
    """The KTAP report is complete and every test passed."""
    log = q.log
    q.check("KTAP version 1" in log, "no 'KTAP version 1' header")
    plan = KTAP_PLAN_RE.search(log)
    q.check(plan is not None, "no KTAP plan line '1..N'")
    n = int(plan.group(1))
    res = ktap_results(log)
    q.check(n > 0, "KTAP plan says 1..0: no tests ran")
    failed = sorted(k for k, (_, ok) in res.items() if not ok)
    q.check(not failed, f"in-kernel tests failed: {failed}")
    nums = sorted(num for num, _ in res.values())
    q.check(nums == list(range(1, n + 1)),
            f"KTAP plan 1..{n} but results numbered {nums}")
    summ = KTAP_SUMMARY_RE.search(log)
    q.check(summ is not None, "no '# ktest: X passed, Y failed' summary")
    q.check(int(summ.group(2)) == 0, f"summary reports failures: {summ.group(0)}")
    return res


def smp_online(q):
    m = SMP_RE.search(q.log)
    return int(m.group(1)) if m else None


# ---- the user-space shell (/bin/sh on /dev/console) -------------------------

# sh prints "$ " with no newline and then waits for a line. Every prompt but
# the first follows the previous output's newline; matching the newline too
# keeps a "$ " inside a line (the echo of `echo $ x`) from counting.
SH_PROMPT = r"\n\$ "
SH_FIRST_PROMPT = r"(?:^|\n)\$ "
KMSG_RE = re.compile(r"^\[\s*\d+ c\d+\] ")      # a kernel message's prefix


def sh_wait_prompt(q, timeout=None, what="the first shell prompt"):
    """After a boot with the initrd: wait for init's shell and its prompt."""
    q.expect(r"init: starting sh", timeout=timeout, what="init's 'init: starting sh'")
    q.expect(SH_FIRST_PROMPT, timeout=timeout, what=what)


@contextlib.contextmanager
def shell_session(**kw):
    """A Qemu(**kw) booted to the shell's first prompt, for a module-scoped
    fixture: `with shell_session(smp=2, name=...) as q: yield q`. QEMU is
    killed when the block ends, whatever happened."""
    q = Qemu(**kw)
    q.start()
    try:
        sh_wait_prompt(q)
        yield q
    finally:
        q.close()


def sh_run(q, cmd, timeout=30):
    """Type a command line into sh, wait for the next prompt and return the
    command's output as a list of lines: without the echo of the command,
    blank lines and trailing blanks kept out; kernel messages (the `[ tick
    cN] ` lines) are included, as they arrive in between."""
    q.sendline(cmd)
    q.expect(SH_PROMPT, timeout=timeout * TIMEOUT_SCALE,
             what=f"the shell prompt after {cmd!r}")
    lines = clean(q.child.before).split("\n")
    # the first line is the tty's echo of what we typed
    if lines and lines[0].strip() == cmd.strip():
        lines = lines[1:]
    elif lines and lines[0].strip().endswith(cmd.strip()):
        lines = lines[1:]
    return [l.rstrip() for l in lines if l.strip()]


def user_lines(lines):
    """Only the lines user programs printed (no kernel messages)."""
    return [l for l in lines if not KMSG_RE.match(l)]
