"""The lab grader's library: graded tests, their points, their order.

A lab's tests live in grade/labN_name.py, one function per test:

    LAB, TITLE = 3, "kppsd's six stages"

    @test(points=30, deps=["lab2.demand_zero"], timeout=240)
    def stages_under_pressure(g):
        sh = g.shell(smp=1, mem=38)          # boot to the shell prompt
        out = sh.run("thrash 40 3000", timeout=180)
        g.expect_lines(out, [r"^thrash: OK "])

What the library does around each test:
  * dependencies: a test whose dependency failed or was skipped is skipped,
    with the reason; a dependency outside the selection runs first, as a
    prerequisite (its result is shown, it scores nothing);
  * timeouts: every test has one, generous because QEMU runs under TCG, and
    GRADE_TIMEOUT_SCALE multiplies them all, the shell's waits included;
  * lost serial input: Shell.run types a line, checks the echo and retypes
    it (after Ctrl-U) when characters went missing, before pressing Enter
    (GRADE_LOSE_INPUT=p drops characters on purpose, to show it);
  * leaks: when a test ends, every shell it booted and left running is
    checked: the shell exits, init starts a new one, and free memory less
    swap in use, and kmalloc's bytes, must come back to what they were at the
    start, with a fresh shell too (frames, swap slots, kmalloc memory);
  * a failure's reason starts with the kernel's `LAB n: ...` lines (a stub
    still in place says so), then what went wrong; for ktests, what they
    printed;
  * output: one line per test with its points, a score per lab, and
    `Score: X/Y` as the last line; --json FILE (or GRADE_JSON=FILE) writes
    the same as JSON for an autograder. Every run's serial log is kept in
    build/test-logs/grade-labN.name.log.
"""
import os
import random
import re
import sys
import time
from pathlib import Path

SCALE = float(os.environ.get("GRADE_TIMEOUT_SCALE", "1") or 1)
LOSE_INPUT = float(os.environ.get("GRADE_LOSE_INPUT", "0") or 0)
_rng = random.Random(1)         # the same characters lost on every run
RETYPED = [0]                   # lines typed again after losing characters
# qemu.py reads its own scale when imported: the grader's knob scales it too.
os.environ["PPSOS_TIMEOUT_SCALE"] = str(float(os.environ.get("PPSOS_TIMEOUT_SCALE", "1") or 1) * SCALE)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import qemu as qemu_mod  # noqa: E402
from qemu import KMSG_RE, SH_FIRST_PROMPT, SH_PROMPT, Qemu, QemuError, clean, ktap_results  # noqa: E402

TESTS = []              # every graded test, in lab order then definition order
LAB_TITLES = {}


class Skip(Exception):
    pass


class Test:
    def __init__(self, fn, lab, points, deps, timeout):
        self.fn, self.lab, self.points, self.timeout = fn, lab, points, timeout
        self.name = fn.__name__
        self.id = f"lab{lab}.{self.name}"
        self.deps = [d if "." in d else f"lab{lab}.{d}" for d in deps]
        self.doc = (fn.__doc__ or "").strip().split("\n")[0]


def test(points, deps=(), timeout=120):
    """Register a graded test of the calling module's lab (its LAB global)."""
    def wrap(fn):
        lab = sys.modules[fn.__module__].LAB
        TESTS.append(Test(fn, lab, points, deps, timeout))
        return fn
    return wrap


def scaled(seconds):
    return seconds * SCALE


# ---- one test's runs ----------------------------------------------------------

class Shell:
    """A booted ppsos at its shell prompt."""

    def __init__(self, q, leakcheck):
        self.q, self.leakcheck = q, leakcheck
        self.base = None

    # typing that survives lost characters
    def _send(self, text):
        """Type text; GRADE_LOSE_INPUT=p drops each character with
        probability p, to show that the grader survives lost serial input."""
        if LOSE_INPUT > 0:
            text = "".join(c for c in text if _rng.random() >= LOSE_INPUT)
        self.q.send(text)

    def _type(self, cmd, tries=8):
        q = self.q
        tail = re.escape(cmd[-12:])
        for attempt in range(tries):
            self._send(cmd)
            try:
                i = q.child.expect([tail, qemu_mod.pexpect.TIMEOUT], timeout=scaled(4))
            except qemu_mod.pexpect.EOF:
                q.fail(f"QEMU exited while typing {cmd!r}")
            if i == 0:
                echoed = "".join(l for l in clean(q.child.before + q.child.after).splitlines(True)
                                 if not KMSG_RE.match(l))
                if cmd in echoed.replace("\n", "").replace("\r", ""):
                    return
            q.send("\x15")          # Ctrl-U: the console drops the line typed so far
            RETYPED[0] += 1
            time.sleep(0.3)
        q.fail(f"the console never echoed {cmd!r} whole in {tries} tries (serial input lost)")

    def run(self, cmd, timeout=60):
        """Type a command, wait for the next prompt, return the output lines
        (kernel messages included, the echo left out)."""
        q = self.q
        self._type(cmd)
        q.send("\r")
        q.expect(SH_PROMPT, timeout=scaled(timeout), what=f"the shell prompt after {cmd!r}")
        lines = [l.rstrip() for l in clean(q.child.before).split("\n")]
        if lines and lines[0].strip().endswith(cmd.strip()):
            lines = lines[1:]
        return [l for l in lines if l.strip()]

    def user(self, cmd, timeout=60):
        """run(), without kernel messages."""
        return [l for l in self.run(cmd, timeout) if not KMSG_RE.match(l)]

    def numbers(self, path):
        """`key value` or `Key: value kB` lines of a /proc file as a dict."""
        out = {}
        for l in self.user(f"cat {path}"):
            m = re.match(r"^(\w+):?\s+(\d+)", l)
            if m:
                out[m.group(1)] = int(m.group(2))
        return out

    def vmstat(self):
        return self.numbers("/proc/vmstat")

    def expect(self, pattern, timeout=60, what=None):
        return self.q.expect(pattern, timeout=scaled(timeout), what=what)

    # leaks
    def footprint(self):
        """What the leak check compares. A user page costs one unit here
        wherever it is: a frame, a swap slot, or both at once (a PPS page
        with its slot attached or written, a legacy page in the swap cache:
        counted back in), so init's pages moving to swap and back while a
        test ran change nothing, and anything else that is missing leaked."""
        v, m = self.vmstat(), self.numbers("/proc/meminfo")
        need = [k for k in ("nr_free_pages", "nr_swap_used", "nr_kmalloc_bytes") if k not in v] + \
               [k for k in ("PpsUnmappedDirty", "PpsUnmappedClean", "LegacySwapCache") if k not in m]
        if need:
            self.q.fail(f"/proc/vmstat or /proc/meminfo has no {need}: the leak check cannot run")
        both = (m["PpsUnmappedDirty"] + m["PpsUnmappedClean"] + m["LegacySwapCache"]) // 4
        return {"free frames - swap in use": v["nr_free_pages"] + v.get("nr_deferred_free", 0)
                - v["nr_swap_used"] + both, "kmalloc bytes": v["nr_kmalloc_bytes"]}

    def restart_shell(self):
        """`exit`: init reaps the shell and starts a fresh one."""
        q = self.q
        self._type("exit")
        q.send("\r")
        q.expect(r"init: sh exited with status \d+, restarting", timeout=scaled(30),
                 what="init restarting the shell after `exit`")
        q.expect(SH_FIRST_PROMPT, timeout=scaled(30), what="the new shell's prompt")

    def take_baseline(self):
        """The footprint of a fresh shell after init has restarted one
        already: init's own restart path has touched its pages by then, so
        the same restart at the end must give the same numbers."""
        self.restart_shell()
        self.base = self.footprint()

    def check_leaks(self, settle=20):
        """Exit the shell (init starts a fresh one), wait for every other
        process to go, then compare with the baseline's footprint."""
        q = self.q
        self.restart_shell()
        deadline = time.time() + scaled(settle)
        while True:
            rows = [l.split() for l in self.user("ps")[1:]]
            others = [r for r in rows if r and r[-1] not in ("init", "sh", "ps")]
            now = self.footprint()
            diff = {k: now[k] - self.base[k] for k in now}
            # less free memory or more kmalloc'd bytes than at the start
            if not others and diff["free frames - swap in use"] >= 0 and diff["kmalloc bytes"] <= 0:
                return
            if time.time() > deadline:
                q.fail(f"leak check: {diff} against the start "
                       f"(processes still running: {others or 'none'})")
            time.sleep(1)


class Grader:
    """What a test function gets: boots, checks, and their cleanup."""

    def __init__(self, test):
        self.test = test
        self.runs = []

    def boot(self, smp=1, mem=64, cmdline="", swap_mb=64, **kw):
        """Start QEMU with the kernel and the initrd; returns the Qemu."""
        kw.setdefault("initrd", qemu_mod.INITRD)
        n = len(self.runs)
        q = Qemu(smp=smp, mem=mem, cmdline=cmdline, swap_mb=swap_mb,
                 name=f"grade-{self.test.id}" + (f"-{n}" if n else ""), **kw)
        self.runs.append([q, None])
        q.start()
        return q

    def shell(self, smp=1, mem=64, cmdline="", leakcheck=True, **kw):
        """Boot to the shell's first prompt; the leak check's baseline is
        taken there."""
        q = self.boot(smp=smp, mem=mem, cmdline=cmdline, **kw)
        q.expect(r"init: starting sh", timeout=scaled(qemu_mod.timeout_for(smp)),
                 what="init's 'init: starting sh'")
        q.expect(SH_FIRST_PROMPT, timeout=scaled(qemu_mod.timeout_for(smp)), what="the first prompt")
        sh = Shell(q, leakcheck)
        self.runs[-1][1] = sh
        if leakcheck:
            sh.take_baseline()
        return sh

    def ktest(self, names, smp=2, mem=64, cmdline="", timeout=180):
        """Run in-kernel tests (`ktest=a,b`); returns {name: passed}. Each
        ktest checks its own leaks (free frames and kmalloc bytes)."""
        q = self.boot(smp=smp, mem=mem, cmdline=f"ktest={','.join(names)} panic=exit {cmdline}")
        q.wait_exit(scaled(timeout))
        res = {k: ok for k, (_, ok) in qemu_mod.ktap_results(q.log).items()}
        missing = [n for n in names if n not in res]
        if missing:
            q.fail(f"ktests {missing} did not run (is the name right?)")
        bad = [n for n in names if not res[n]]
        if bad:
            raise AssertionError(f"ktests failed: {bad}\n" + "\n".join(ktest_lines(q.log, bad)))
        return res

    def check(self, cond, what):
        if not cond:
            raise AssertionError(what)

    def expect_lines(self, lines, patterns, what="the output"):
        """Each regex must match a line, in this order."""
        i = 0
        for p in patterns:
            while i < len(lines) and not re.search(p, lines[i]):
                i += 1
            if i == len(lines):
                shown = "\n  ".join(lines[-30:])
                raise AssertionError(f"{what}: no line matching {p!r} (in order) in:\n  {shown}")
            i += 1

    def finish(self, passed):
        """Leak-check the shells a passing test left running, then stop QEMU."""
        try:
            if passed:
                for q, sh in self.runs:
                    if sh is not None and sh.leakcheck and q.child is not None and q.child.isalive():
                        sh.check_leaks()
        finally:
            for q, _ in self.runs:
                q.close()           # saves the serial log in build/test-logs/


def ktest_lines(log, names, most=12):
    """What the named ktests printed (`# name: ...`), each distinct line once."""
    said = []
    for l in log.splitlines():
        text = KMSG_RE.sub("", l).strip()
        if any(text.startswith(f"# {n}:") for n in names) and text not in said:
            said.append(text)
    return said[:most] + ([f"... and {len(said) - most} more"] if len(said) > most else [])


def stub_lines(g):
    """The `LAB n: ...` lines the kernel printed in this test's runs: a stub
    still in place says so once, and that is the first thing to read."""
    said = []
    for q, _ in g.runs:
        for l in q.log.splitlines():
            m = re.search(r"LAB \d+:.*", l)
            if m and m.group(0).strip() not in said:
                said.append(m.group(0).strip())
    return said


class KtestBatch:
    """A lab's ktests, run in one boot the first time any of them is asked
    for (grading must be fast), each graded test then reading its own
    result. A ktest that did not report in that boot (another one panicked
    or hung first) gets a boot of its own when its test comes."""

    def __init__(self, names, smp=1, cmdline=""):
        self.names, self.smp, self.cmdline = list(names), smp, cmdline
        self.done = {}          # name -> (passed, what it printed)
        self.stubs = []         # the 'LAB n:' lines of that boot

    def check(self, g, name):
        if name not in self.done:
            names = [n for n in self.names if n not in self.done] if not self.done else [name]
            q = g.boot(smp=self.smp, cmdline=f"ktest={','.join(names)} panic=exit {self.cmdline}")
            try:
                q.wait_exit(scaled(120))
            except QemuError:
                pass            # a panic or a hang: what did report is in the log
            res = ktap_results(q.log)
            self.stubs = stub_lines(g)
            for n in names:
                if n in res:
                    self.done[n] = (res[n][1], ktest_lines(q.log, [n]))
            if name not in self.done:
                tail = "\n".join(l.strip() for l in q.log.splitlines()[-15:])
                raise AssertionError(f"ktest {name} never reported (a panic or a hang?); "
                                     f"the end of the log:\n{tail}")
        ok, said = self.done[name]
        if not ok:
            # the stubs' lines of the shared boot, when this test did not boot
            hints = ["the kernel said (a stub still in place):"] + self.stubs \
                if self.stubs and not g.runs else []
            raise AssertionError("\n".join(hints + [f"ktest {name} failed:"] + said))


# ---- running the selection ----------------------------------------------------

class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout()


def run_one(t):
    import signal
    g = Grader(t)
    start = time.time()
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(int(scaled(t.timeout)) + 1)
    status, reason = "PASS", ""
    try:
        try:
            t.fn(g)
            g.finish(True)
        except BaseException:
            g.finish(False)
            raise
    except Timeout:
        status, reason = "FAIL", f"timed out after {scaled(t.timeout):.0f} s (GRADE_TIMEOUT_SCALE={SCALE:g})"
    except Skip as e:
        status, reason = "SKIP", str(e)
    except (AssertionError, QemuError) as e:
        hints = stub_lines(g)
        status, reason = "FAIL", "\n".join(
            (["the kernel said (a stub still in place):"] + hints if hints else []) + [str(e)])
    except KeyboardInterrupt:
        raise
    except Exception as e:      # a bug in the test or the host: still a result
        status, reason = "FAIL", f"{type(e).__name__}: {e}"
    finally:
        signal.alarm(0)
    return status, reason, time.time() - start


def select(lab=None, name=None):
    chosen = [t for t in TESTS if (lab is None or t.lab == lab) and (name is None or t.name == name)]
    return chosen


def with_prerequisites(chosen):
    by_id = {t.id: t for t in TESTS}
    order, seen = [], set()

    def visit(t, stack=()):
        if t.id in seen:
            return
        if t.id in stack:
            raise SystemExit(f"grade: dependency cycle through {t.id}")
        for d in t.deps:
            if d not in by_id:
                raise SystemExit(f"grade: {t.id} depends on {d}, which is no test")
            visit(by_id[d], stack + (t.id,))
        seen.add(t.id)
        order.append(t)
    for t in chosen:
        visit(t)
    return order


def short(reason, n=12):
    lines = reason.strip().splitlines()
    return "\n".join("    " + l for l in lines[:n]) + ("\n    ..." if len(lines) > n else "")
