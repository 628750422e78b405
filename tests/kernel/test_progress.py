"""Progress lines of the long-running programs (user/lib/progress.h) and
the isatty() they hang on (ioctl TCGETS, kernel/fs/console.c).

One boot at -m 64 with the shell on the serial console, a terminal:

* `usertests tty_ioctl`: TCGETS answers on /dev/console, ENOTTY on an
  initrd file and a /proc file, EBADF for bad and closed fds, EFAULT for
  bad buffers;
* `thrash 80 100000` (about 15 s under TCG) prints "thrash: progress P%
  (DONE/TOTAL accesses), S s, M major faults" lines, at least two, every
  ~5 s, whose percentage and counts grow, then its summary line exactly as
  before;
* `thrash 80 60000 > /proc/self/comm &`: stdout is not a terminal, so no
  progress line: not on the console, and not in the file either (a write
  to /proc/PID/comm renames the process, so `cat /proc/PID/comm` while it
  runs shows every line it wrote: "thrash" until the summary's
  "thrash: OK elap").
"""
import re
import time

import pytest

import qemu as qemu_mod
from qemu import sh_run, user_lines

MEM = 64
PROGRESS_RE = re.compile(r"^thrash: progress (\d+)% \((\d+)/(\d+) accesses\), (\d+) s"
                         r"(?:, (\d+) major faults)?$")
PAGES = 80 * 256


@pytest.fixture(scope="module")
def sh(ppsos_build):
    with qemu_mod.shell_session(smp=2, mem=MEM, name="test_progress") as q:
        yield q


def test_tty_ioctl(sh):
    out = user_lines(sh_run(sh, "usertests tty_ioctl", timeout=60))
    sh.check(any(re.match(r"usertests: tty_ioctl \.\.\. ok$", l) for l in out),
             f"usertests tty_ioctl: {out!r}")


def test_progress_on_a_terminal(sh):
    n = 100000
    out = user_lines(sh_run(sh, f"thrash 80 {n}", timeout=240))
    total = 2 * PAGES + n
    prog = [l for l in out if l.startswith("thrash: progress")]
    sh.check(len(prog) >= 2, f"fewer than two progress lines in a ~15 s run: {out!r}")
    last = (-1, -1, 0)
    for l in prog:
        m = PROGRESS_RE.match(l)
        sh.check(m, f"progress line in an unexpected form: {l!r}")
        pct, done, tot, secs = (int(x) for x in m.group(1, 2, 3, 4))
        sh.check(tot == total, f"total {tot}, planned {total}: {l!r}")
        sh.check(0 <= pct <= 100 and pct == done * 100 // tot, f"percentage: {l!r}")
        sh.check(pct >= last[0] and done > last[1] and secs >= max(last[2], 5),
                 f"progress did not grow (or came in the first 5 s): {prog!r}")
        last = (pct, done, secs + 4)      # the next one ~5 s later
    sh.check(re.fullmatch(rf"thrash: OK elapsed_ms=\d+ accesses={total} pages={PAGES} mib=80 "
                          r"seed=1", out[-1]),
             f"the summary line is not the last, or changed: {out!r}")
    sh.check(out.index(prog[-1]) < len(out) - 1, "a progress line after the summary")


def test_no_progress_when_not_a_terminal(sh):
    start = len(sh.log)
    out = sh_run(sh, "thrash 80 60000 > /proc/self/comm &")
    pid = next((m.group(1) for l in out for m in [re.match(r"^\[(\d+)\]$", l)] if m), None)
    sh.check(pid, f"no [PID] line for the background job: {out!r}")
    t0 = time.monotonic()
    names = []
    for _ in range(240):
        if re.search(rf"\[{pid}\] done status", sh.log[start:]):
            break
        names += [l for l in user_lines(sh_run(sh, f"cat /proc/{pid}/comm", timeout=60))
                  if l.startswith("thrash")]
        sh_run(sh, "sleep 1", timeout=60)
    ran = time.monotonic() - t0
    done = re.search(rf"\[{pid}\] done status (\d+)", sh.log[start:])
    sh.check(done and done.group(1) == "0", f"thrash > /proc/self/comm did not end with 0: "
             f"{sh.log[start:][-2000:]}")
    sh.check(ran > 6, f"thrash ran {ran:.0f} s: too short to have printed progress")
    sh.check(names and names[0] == "thrash", f"comm while it ran: {names!r}")
    sh.check(not [n for n in names if n.startswith("thrash: pro")],
             f"a progress line went to a file: {names!r}")
    sh.check("thrash: progress" not in sh.log[start:], "a progress line on the console")
