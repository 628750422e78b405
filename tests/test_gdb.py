"""Debugging ppsos with GDB through QEMU's gdbstub: scripts/gdb/ppsos.gdb,
its Python helpers scripts/gdb/ppsos.py (pps-*), scripts/debug.sh and
`make debug`, and the lab docs/gdb-walkthrough.md, replayed command by
command against a booted kernel."""
import os
import re
import signal
import socket
import subprocess
import time

from qemu import KERNEL, ROOT, TIMEOUT_SCALE, make_swap_image, timeout_for

GDB_SCRIPT = ROOT / "scripts" / "gdb" / "ppsos.gdb"
GDB_PY = ROOT / "scripts" / "gdb" / "ppsos.py"
DEBUG_SH = ROOT / "scripts" / "debug.sh"
WALKTHROUGH = ROOT / "docs" / "gdb-walkthrough.md"

# Every command ppsos.py defines; the walkthrough uses each of them: the
# napper lab all but the legacy page system's, which the copy-on-write
# section uses.
LEGACY_HELPERS = ["pps-page", "pps-anon"]
PPS_HELPERS = ["pps-ps", "pps-vmas", "pps-pte", "pps-stats", "pps-dftlb", "pps-series",
               "pps-cpus", "pps-break-stage", "pps-step", "pps-step-wait",
               "pps-finish-pass"] + LEGACY_HELPERS
# What must never show up in a helper's output: a Python failure, or a
# bug caught by the helpers' last-resort handler.
PY_FAILURE_RE = re.compile(r"Traceback|Python Exception|internal error|Error occurred in Python")
# A helper's one-line error: "pps-pte: no process with pid 99 ..."
# (GDB prints its prompt before each command it reads from a pipe.)
HELPER_ERROR_RE = re.compile(r"^(?:\(gdb\) )*(pps-[a-z-]+): (.*)$", re.M)

KMAIN_FRAME_RE = re.compile(r"#0\s+(?:0x[0-9a-f]+ in )?kmain \(.*\) at kernel/main\.c:\d+")
THREAD_RE = re.compile(r"^\*?\s+\d+\s+Thread \d+\.\d+", re.M)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port):
    """Is something listening on TCP port `port`? (/proc, no connection:
    QEMU's gdbstub takes a single client.)"""
    for f in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(f) as fh:
                next(fh)
                for line in fh:
                    local, state = line.split()[1], line.split()[3]
                    if state == "0A" and local.endswith(f":{port:04X}"):
                        return True
        except OSError:
            pass
    return False


def gdb_run(args, timeout, env=None):
    r = subprocess.run(args, cwd=ROOT, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=timeout, env=env)
    return r.returncode, r.stdout


def qemu_pids_on_port(port):
    """QEMU processes started with `-gdb tcp::PORT` (to check cleanup)."""
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/cmdline", "rb") as fh:
                argv = fh.read().split(b"\0")
        except OSError:
            continue
        if argv and b"qemu-system-i386" in argv[0] and f"tcp::{port}".encode() in argv:
            pids.append(int(d))
    return pids


def test_gdb_script_is_self_contained():
    """The caller chooses kernel and port: no `file`/`target`, no absolute paths."""
    text = GDB_SCRIPT.read_text()
    cmds = [l.strip() for l in text.splitlines() if l.strip() and not l.lstrip().startswith("#")]
    bad = [l for l in cmds if re.match(r"(target|file|symbol-file|add-symbol-file)\b", l)]
    assert not bad, f"ppsos.gdb must not contain {bad}"
    assert not [l for l in cmds if re.search(r"(^|\s)/[a-z]", l)], "absolute path in ppsos.gdb"


def test_gdb_script_help(ppsos_build):
    """The script loads cleanly and its commands are documented."""
    status, out = gdb_run(["gdb", "-batch", "-nx", "-x", str(GDB_SCRIPT.relative_to(ROOT)),
                           "-ex", "help ppsos-boot", "-ex", "help user-defined",
                           str(KERNEL.relative_to(ROOT))], timeout=60)
    assert status == 0, out
    assert "hardware breakpoint" in out, out
    for cmd in ["ppsos-boot", "ppsos-ap", "ppsos-panic", "ppsos-cpus", "ppsos-bt-all"]:
        assert cmd in out, f"{cmd} missing from `help user-defined`:\n{out}"
    assert "Error" not in out and "error" not in out, out


def test_gdb_stops_in_kmain(qemu):
    smp = 4
    port = free_port()
    q = qemu(smp=smp, gdb_port=port, halted=True)
    deadline = time.monotonic() + 30
    while not listening(port):
        q.check(q.child.isalive(), f"QEMU exited before its gdbstub listened on {port}")
        q.check(time.monotonic() < deadline, f"gdbstub not listening on {port} after 30 s")
        time.sleep(0.1)

    args = ["gdb", "-batch", "-nx", "-x", "scripts/gdb/ppsos.gdb",
            "-ex", f"target remote :{port}", "-ex", "hbreak kmain", "-ex", "continue",
            "-ex", "bt", "-ex", "info threads", "build/kernel.elf"]
    try:
        status, out = gdb_run(args, timeout=timeout_for(smp))
    except subprocess.TimeoutExpired as e:
        q.fail(f"gdb timed out; its output:\n{e.output}")
    msg = f"gdb {' '.join(args)}\n--- gdb output ---\n{out}"
    q.check(re.search(r"Breakpoint 1, .*kmain", out), f"did not stop at kmain\n{msg}")
    q.check(KMAIN_FRAME_RE.search(out), f"`bt` does not show kmain at kernel/main.c\n{msg}")
    threads = THREAD_RE.findall(out)
    q.check(len(threads) == smp, f"`info threads` lists {len(threads)} threads, expected {smp}\n{msg}")


def test_debug_sh_batch(ppsos_build, tmp_path):
    """`make debug`'s script, non-interactive: extra args go to gdb."""
    smp = 2
    port = free_port()
    env = dict(os.environ, SMP=str(smp), MEM="64", CMDLINE="hz=100", GDBPORT=str(port),
               KERNEL="build/kernel.elf", SERIAL_LOG=str(tmp_path / "serial.log"))
    args = [str(DEBUG_SH), "-batch", "-ex", "ppsos-boot", "-ex", "bt",
            "-ex", "ppsos-cpus", "-ex", "ppsos-cr"]
    try:
        status, out = gdb_run(args, timeout=timeout_for(smp), env=env)
    finally:
        deadline = time.monotonic() + 10   # the script's SIGTERM takes a moment
        while qemu_pids_on_port(port) and time.monotonic() < deadline:
            time.sleep(0.1)
        leftover = qemu_pids_on_port(port)
        for pid in leftover:
            os.kill(pid, 9)
    msg = f"{' '.join(args)}\n--- output ---\n{out}"
    assert "ppsos debug:" in out, msg
    assert KMAIN_FRAME_RE.search(out), f"did not stop in kmain\n{msg}"
    assert len(THREAD_RE.findall(out)) == smp, f"expected {smp} threads\n{msg}"
    assert re.search(r"^cr0\s+0x[0-9a-f]+", out, re.M), f"ppsos-cr shows no cr0\n{msg}"
    assert not leftover, f"QEMU still running after debug.sh exited: pids {leftover}\n{msg}"


# ---- the PPS helpers (scripts/gdb/ppsos.py) ----------------------------------


def own_swap(tmp_path):
    """A fresh 64 MiB swap image of the test's own (not build/swap.img:
    QEMU locks the image it uses, and its size is the user's choice)."""
    return make_swap_image(tmp_path / "swap.img", 64)


def run_debug(cmd, env, timeout, stdin_text=None):
    """Run debug.sh (or make debug) in its own session; on a timeout kill
    the whole session. Always kill the QEMU it started (found by its gdb
    port: a daemonized QEMU leaves the session). Returns (status, output)."""
    port = env["GDBPORT"]
    p = subprocess.Popen(cmd, cwd=ROOT, env=env, text=True, start_new_session=True,
                         stdin=subprocess.PIPE if stdin_text is not None else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        out, _ = p.communicate(stdin_text, timeout=timeout)
        status = p.returncode
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, _ = p.communicate()
        status = None
        out += f"\n--- killed after {timeout:.0f} s ---"
    finally:
        deadline = time.monotonic() + 10   # debug.sh's own cleanup takes a moment
        while qemu_pids_on_port(int(port)) and time.monotonic() < deadline:
            time.sleep(0.1)
        for pid in qemu_pids_on_port(int(port)):
            os.kill(pid, signal.SIGKILL)
    return status, out


def walkthrough_replay(name=""):
    """From docs/gdb-walkthrough.md, between `<!-- replay-begin:` and
    `<!-- replay-end -->` (or, with a name, between `<!-- replay-begin NAME:`
    and `<!-- replay-end NAME -->`): (smp, extra_progs, cmdline, steps),
    steps = [(gdb command, [its `type:` and `stage:` lines as the document
    shows them])]; extra_progs is the make line's EXTRA_PROGS ('' if none)."""
    text = WALKTHROUGH.read_text()
    tag = f" {name}" if name else ""
    m = re.search(rf"<!-- replay-begin{re.escape(tag)}:.*?-->(.*?)<!-- replay-end{re.escape(tag)} -->",
                  text, re.S)
    assert m, f"docs/gdb-walkthrough.md has no replay-begin {name} ... replay-end {name} section"
    region = m.group(1)
    mk = re.search(r"^make debug SMP=(\d+)(?: EXTRA_PROGS=(\S+))? CMDLINE='([^']*)'$", region, re.M)
    assert mk, (f"the replayed section {name} has no `make debug SMP=N [EXTRA_PROGS=...] "
                f"CMDLINE='...'` line")
    steps = []
    for block in re.findall(r"^```gdb\n(.*?)^```", region, re.S | re.M):
        for line in block.splitlines():
            if line.startswith("(gdb) "):
                steps.append((line[len("(gdb) "):].strip(), []))
            elif steps and re.match(r"(type|stage): ", line):
                steps[-1][1].append(line)
    return int(mk.group(1)), mk.group(2) or "", mk.group(3), steps


def norm_check(line):
    """What a `type:` or `stage:` line must agree on: the type with its
    young/old note, or the stage's number and enum pps_stage name."""
    if line.startswith("stage:"):
        return re.match(r"stage: \d+( \(\w+\))?", line).group(0)
    return " ".join(line.split())


def test_ppsos_py_loads_without_a_target(ppsos_build):
    """ppsos.gdb finds and sources ppsos.py; the helpers are documented and,
    with no kernel attached, say so in one line."""
    cmds = ["help ppsos-py"] + [f"help {c}" for c in PPS_HELPERS] + ["pps-ps", "pps-pte 0x1000 1",
                                                                    "pps-step"]
    args = ["gdb", "-batch", "-nx", "-x", "scripts/gdb/ppsos.gdb"]
    for c in cmds:
        args += ["-ex", c]
    status, out = gdb_run(args + ["build/kernel.elf"], timeout=60)
    assert status == 0, out
    assert "not found" not in out, out
    for c in PPS_HELPERS:
        assert re.search(rf"^\s*{re.escape(c)}\b", out, re.M), f"{c} missing from help ppsos-py:\n{out}"
    assert "hbreak" in out and "optimized out" in out, "pps-break-stage's help explains break/hbreak"
    assert not PY_FAILURE_RE.search(out), out
    errors = [c for c, m in HELPER_ERROR_RE.findall(out) if "no kernel to look at" in m]
    assert errors == ["pps-ps", "pps-pte", "pps-step"], out


def test_ppsos_py_stage_notes_match_dwarf(ppsos_build):
    """pps-pte's notes on each PPS stage are keyed by enum pps_stage's
    names, read from the kernel's DWARF: one note for every stage the
    kernel has, none for a stage it does not."""
    args = ["gdb", "-batch", "-nx", "-x", "scripts/gdb/ppsos.gdb", "-ex",
            "python print('STAGES', sorted(n for n, v in enumerators(PPS_STAGE) if v < "
            "enum_value(PPS_STAGE, 'PPS_NR_STAGES')), sorted(STAGE_TEXT), moving_stages_text())",
            "build/kernel.elf"]
    status, out = gdb_run(args, timeout=60)
    assert status == 0 and not PY_FAILURE_RE.search(out), out
    m = re.search(r"^STAGES (\[.*?\]) (\[.*?\]) (.*)$", out, re.M)
    assert m, out
    assert m.group(1) == m.group(2), f"enum pps_stage has {m.group(1)}, STAGE_TEXT {m.group(2)}"
    assert m.group(3) == "1..5 (PPS_STAGE_AGE..PPS_STAGE_FREE)", out


def test_ppsos_py_has_no_struct_offsets():
    """The helpers take layouts from DWARF: no struct offsets or sizes
    written into ppsos.py, and the macro mirror is one block."""
    text = GDB_PY.read_text()
    assert "lookup_type" in text and "parse_and_eval" in text
    assert text.count("# ---- CONSTANTS") == 1
    assert not re.search(r"\b(offsetof|sizeof)\b|\+ 0x[0-9a-f]{1,2}\b", text), \
        "ppsos.py reads a field at a hard-coded offset"


def test_make_debug_stdin(ppsos_build, tmp_path):
    """`make debug` itself, with GDB reading its commands from a pipe:
    QEMU halted at reset, GDB attached with the kernel's symbols, the
    helpers loaded; at kmain they give one-line answers, not tracebacks."""
    port = free_port()
    env = dict(os.environ, SWAP=str(own_swap(tmp_path)), SERIAL_LOG=str(tmp_path / "serial.log"))
    env.pop("MAKEFLAGS", None)
    cmd = ["make", "-s", "debug", "SMP=2", "MEM=64", f"GDBPORT={port}", "CMDLINE=hz=100"]
    script = "\n".join(["info threads", "ppsos-boot", "bt", "pps-cpus", "pps-ps", "pps-vmas 1",
                        "pps-pte 0x40000000", "pps-pte 0x40000000 99", "pps-stats", "pps-dftlb",
                        "pps-series", "pps-break-stage 9", "pps-step 7", "pps-step",
                        "pps-page 0x40000000", "pps-page 1", "pps-anon", "pps-anon 7",
                        "pps-bogus"]) + "\n"
    status, out = run_debug(cmd, dict(env, GDBPORT=str(port)), 60 * TIMEOUT_SCALE, stdin_text=script)
    msg = f"{' '.join(cmd)} <<< {script!r}\n--- output ---\n{out}"
    assert status is not None, f"make debug did not finish\n{msg}"
    assert "ppsos debug: QEMU (2 CPUs, 64 MiB) is halted" in out, msg
    assert re.search(r"0x0000fff0 in \?\? \(\)", out), f"not attached at the reset vector\n{msg}"
    assert KMAIN_FRAME_RE.search(out), f"did not stop in kmain with symbols\n{msg}"
    assert len(THREAD_RE.findall(out)) >= 2, f"expected 2 CPUs in info threads\n{msg}"
    assert re.search(r"^\s+0\s+0 (yes|no)\s", out, re.M), f"pps-cpus shows no CPU 0\n{msg}"
    assert "(no processes yet: user space has not started)" in out, msg
    assert "kppsd is not moving a series" in out, msg
    assert "dftlb: no tasks" in out, msg
    assert re.search(r"^swap: ", out, re.M) and re.search(r"^kppsd: mode on", out, re.M), msg
    assert not PY_FAILURE_RE.search(out), msg
    errors = dict((c, m) for c, m in HELPER_ERROR_RE.findall(out))
    assert "no process" in errors.get("pps-vmas", ""), msg
    assert "runs no process" in errors.get("pps-pte", "") or "no process" in errors.get("pps-pte", ""), msg
    assert "1..5" in errors.get("pps-break-stage", ""), msg
    assert "pps-step" in errors, msg
    # at kmain max_pfn is still 0: no number is a frame yet, so both are addresses
    assert out.count("pps-page: this CPU (CR3") == 2, msg
    assert "no anon objects" in out, msg
    assert "no VMA of any process has anon object 7" in errors.get("pps-anon", ""), msg
    assert 'Undefined command: "pps-bogus"' in out, msg
    assert not qemu_pids_on_port(port), f"QEMU still running after make debug\n{msg}"


def initrd_with(extra_progs, name):
    """What `make debug EXTRA_PROGS=...` puts in /bin, in an initrd of the
    section's own (build/gdb-NAME-initrd.cpio; build/initrd.cpio stays as
    make built it)."""
    initrd = f"build/gdb-{name}-initrd.cpio"
    env = dict(os.environ)
    env.pop("MAKEFLAGS", None)
    r = subprocess.run(["make", "-s", initrd, f"INITRD={initrd}", f"EXTRA_PROGS={extra_progs}"],
                       cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=300)
    assert r.returncode == 0, f"building {initrd} with EXTRA_PROGS={extra_progs} failed:\n{r.stdout}"
    return ROOT / initrd


def check_shown_lines(steps, got, msg):
    """Each `type:`/`stage:` line the document shows under a command is
    what the helper printed there."""
    for i, (c, want) in enumerate(steps):
        for w in want:
            key = w.split(":")[0]
            have = [norm_check(l) for l in got[i].splitlines() if l.startswith(key + ":")]
            assert norm_check(w) in have, \
                f"step {i} `{c}`: the walkthrough shows {w!r}, the helper printed {have}\n{msg}"


def replay_run(name, tmp_path):
    """Replay a marked region of the walkthrough ("": the napper lab) under
    debug.sh in batch mode: every command must run, no helper may fail, all
    within a minute. Returns (steps, {step index: its output}, whole
    output, message, serial log)."""
    smp, extra_progs, cmdline, steps = walkthrough_replay(name)
    cmds = [c for c, _ in steps]
    port = free_port()
    serial = tmp_path / "serial.log"
    env = dict(os.environ, SMP=str(smp), MEM="64", CMDLINE=cmdline, GDBPORT=str(port),
               KERNEL="build/kernel.elf", SWAP=str(own_swap(tmp_path)), SERIAL_LOG=str(serial))
    if extra_progs:
        env["INITRD"] = str(initrd_with(extra_progs, name))
    args = [str(DEBUG_SH), "-batch"]
    for i, c in enumerate(cmds):
        args += ["-ex", f"echo @@@ step {i}\\n", "-ex", c]
    t0 = time.monotonic()
    status, out = run_debug(args, env, 60 * TIMEOUT_SCALE)
    took = time.monotonic() - t0
    log = serial.read_text(errors="replace") if serial.exists() else ""
    msg = (f"replay {name or 'napper'} of {len(cmds)} commands, SMP={smp} CMDLINE={cmdline!r}, {took:.1f} s\n"
           f"--- gdb output ---\n{out}\n--- serial log ---\n{log}")
    assert status is not None, f"the replay did not finish\n{msg}"
    parts = re.split(r"^@@@ step (\d+)$", out, flags=re.M)
    got = {int(parts[i]): parts[i + 1] for i in range(1, len(parts) - 1, 2)}
    assert len(got) == len(cmds), f"only {len(got)} of {len(cmds)} commands ran\n{msg}"
    assert not PY_FAILURE_RE.search(out), msg
    bad = HELPER_ERROR_RE.findall(out)
    assert not bad, f"helpers reported errors: {bad}\n{msg}"
    assert took < 60 * TIMEOUT_SCALE, msg
    return steps, got, out, msg, log



def test_walkthrough_replay(ppsos_build, tmp_path):
    """docs/gdb-walkthrough.md, replayed: QEMU halted (-S) under debug.sh
    with the lab's command line (napper as pid 1, kppsd=manual), GDB in
    batch mode runs every (gdb) command of the replayed section in order,
    and each `type:`/`stage:` line the document shows must be what the
    helpers print at that point. Independently of the document, the page
    must go present -> UnmappedPTE -> SwappedPTE -> present (swap-in) ->
    UnmappedPTE -> present (rescue), every helper must be used, and none
    may fail."""
    steps, got, out, msg, log = replay_run("", tmp_path)
    cmds = [c for c, _ in steps]
    for h in PPS_HELPERS:
        if h not in LEGACY_HELPERS:
            assert any(c.split()[0] == h for c in cmds), f"the walkthrough never runs {h}"
    types = []
    for i, (c, want) in enumerate(steps):
        if c.split()[0] == "pps-pte" and c.split()[1] == "0x40000000":
            t = re.search(r"^type: (.*)$", got[i], re.M)
            assert t, f"step {i} `{c}` printed no type\n{msg}"
            types.append(t.group(1).split()[0])
    check_shown_lines(steps, got, msg)
    # the page's life, whatever the document says
    life = [t for k, t in enumerate(types) if k == 0 or t != types[k - 1]]
    assert life == ["present", "UnmappedPTE", "SwappedPTE", "present", "UnmappedPTE", "present"], \
        f"the page went {life}\n{msg}"
    assert re.search(r"Breakpoint \d+(\.\d+)?, pps_series_enter", out), msg
    assert re.search(r"^series: pid 1 \(napper\) .* leaving stage 3 \(PPS_STAGE_ATTACH\)$", out, re.M), msg
    assert re.search(r"Breakpoint \d+, pps_swapin", out), msg
    assert re.search(r"Breakpoint \d+, pps_rescue", out), msg
    assert "napper: round 1 ok" in log and "CORRUPT" not in log, msg


def test_walkthrough_threads_replay(ppsos_build, tmp_path):
    """The walkthrough's section on two threads on two CPUs, replayed:
    mtthrash's two workers run on CPUs 0 and 1 with one mm loaded on both;
    the first dftlb task stage 1 closes is owed by both CPUs, each clears
    its bit in its own timer interrupt (a watchpoint sees the mask go to 0)
    and the task is done; a stage-1 and a stage-2 pass send no IPI."""
    steps, got, out, msg, _ = replay_run("threads", tmp_path)
    cmds = [c for c, _ in steps]

    def outputs(cmd):
        return [got[i] for i, c in enumerate(cmds) if c == cmd]

    # pps-ps: pid 1 with its mm on CPUs 0 and 1, two workers running there
    ps = outputs("pps-ps")[0]
    assert re.search(r"^\s+1 mtthrash\s+alive\s+3 0x[0-9a-f]+\s+\d+ 0,1\s", ps, re.M), \
        f"pps-ps does not show mtthrash's mm on CPUs 0,1\n{msg}"
    running = re.findall(r"^\s+tid \d+\s+running\s+cpu (\d+) \(running there now\)\s+allowed (\S+)$",
                         ps, re.M)
    assert sorted(running) == [("0", "0"), ("1", "1")], \
        f"pps-ps shows running threads {running}, expected one pinned on each of CPUs 0, 1\n{msg}"
    cpus = outputs("pps-cpus")[0]
    for cpu in (0, 1):
        assert re.search(rf"^\s+{cpu}\s+{cpu} yes\s+mtthrash \(pid 1 tid \d+\)\s+0x[0-9a-f]+ pid 1\s",
                         cpus, re.M), f"pps-cpus: CPU {cpu} does not run mtthrash with its mm\n{msg}"
    # the first task, right after dftlb_close: owed by two CPUs
    dftlb = outputs("pps-dftlb")
    m = re.search(r"^\s+slot\s+0 seq 1\s+mm \S+ \(pid 1\) closed 1 cpu_mask (0x[0-9a-f]+): (.*?)  ranges",
                  dftlb[0], re.M)
    assert m, f"pps-dftlb after dftlb_close shows no closed task 1 in slot 0\n{msg}"
    assert bin(int(m.group(1), 16)).count("1") == 2 and m.group(2) == "owed by CPUs 0,1", \
        f"task 1 is {m.group(1)} {m.group(2)!r}, expected owed by CPUs 0,1\n{msg}"
    # each CPU clears its bit: the watchpoint sees the mask go down to 0
    assert re.search(r"^Old value = 3\nNew value = [12]$", out, re.M), msg
    assert re.search(r"^Old value = [12]\nNew value = 0$", out, re.M), msg
    assert re.search(r"in timer_interrupt \(\) at kernel/time\.c", out), \
        f"the first flush was not in the timer interrupt\n{msg}"
    assert re.search(r"^\s+slot\s+0 seq 1\s+mm \S+ \(pid 1\) closed 1 cpu_mask 0x0: done", dftlb[1],
                     re.M), f"task 1 not done after both CPUs flushed\n{msg}"
    # the passes: stage 1 aged pages, then a stage-2 pass; no IPI at all
    tally = re.findall(r"^pass done: scanned \d+, moved AGE=(\d+) UNMAP=(\d+) ", out, re.M)
    assert len(tally) == 2 and int(tally[0][0]) > 0 and int(tally[1][0]) == 0, \
        f"expected a stage-1 pass that aged pages and a stage-2 pass: {tally}\n{msg}"
    ipis = [int(x) for x in re.findall(r"\btlb_ipi\s+(\d+)", "".join(outputs("pps-stats")))]
    assert len(ipis) == 2 and ipis[1] == ipis[0], f"tlb_ipi went {ipis}\n{msg}"


def page_report(text):
    """pps-page's output: (pfn, mapcount or None if not legacy, pids whose
    PTE maps it, {pid: the other frame its PTE holds})."""
    pfn = re.search(r"^page: \(struct page \*\)0x[0-9a-f]+ pfn (0x[0-9a-f]+) ", text, re.M)
    mc = re.search(r"^legacy: mapcount (\d+) ", text, re.M)
    maps = sorted(int(p) for p in re.findall(r"^  pid (\d+) \(\S+\) vma .*: PTE 0x[0-9a-f]+ maps it",
                                              text, re.M))
    other = {int(p): int(f, 16) for p, f in
             re.findall(r"^  pid (\d+) \(\S+\) vma .*something else: present, pfn (0x[0-9a-f]+)",
                        text, re.M)}
    return (int(pfn.group(1), 16) if pfn else None, int(mc.group(1)) if mc else None, maps, other)


def test_walkthrough_cow_replay(ppsos_build, tmp_path):
    """The walkthrough's section on a copy-on-write page, replayed: after
    cowpause's fork, parent (pid 1) and child (pid 2) map one legacy frame
    (mapcount 2, both PTEs found by the helpers' walk of the anon object);
    pps-pte calls it legacy, not an owner mismatch. At cow_fault the child
    writes 0x40000000; after it the child has a frame of its own (mapcount
    1), the parent keeps the old one (mapcount 1), and the walk sees the
    child's PTE holding another frame. Once the child has exited, a kppsd
    pass takes the parent's VMA back into PPS."""
    steps, got, out, msg, log = replay_run("cow", tmp_path)
    cmds = [c for c, _ in steps]
    for h in LEGACY_HELPERS:
        assert any(c.split()[0] == h for c in cmds), f"the copy-on-write section never runs {h}"
    check_shown_lines(steps, got, msg)

    def outputs(cmd):
        return [got[i] for i, c in enumerate(cmds) if c == cmd]

    assert len(re.findall(r"^\s+[12] cowpause\s+alive", outputs("pps-ps")[0], re.M)) == 2, \
        f"pps-ps does not show parent and child\n{msg}"
    assert re.search(r"^  0x40000000-0x40004000 .* legacy anon:\d+ vmas:2 ", outputs("pps-vmas 2")[0],
                     re.M), f"pps-vmas 2: the child's region is not in a family of 2 VMAs\n{msg}"
    parent, child = outputs("pps-page 0x40000000 1"), outputs("pps-page 0x40000000 2")
    assert len(parent) == 2 and len(child) == 2, msg
    shared = page_report(parent[0])
    assert shared[0] is not None and shared[1:3] == (2, [1, 2]), \
        f"before the write: parent's page is {shared}, expected one frame, mapcount 2, pids 1, 2\n{msg}"
    assert page_report(child[0])[:3] == shared[:3], \
        f"the child does not map the parent's frame before the copy\n{msg}"
    assert "mapcount 2: agrees" in parent[0], msg
    pte = outputs("pps-pte 0x40000000 2")[0]
    assert "owner: none: a legacy page" in pte and "MISMATCH" not in pte, msg
    assert re.search(r"Breakpoint \d+, cow_fault \(.*va=1073741824", out), \
        f"no stop in cow_fault for the child's write of 0x40000000\n{msg}"
    mine, old = page_report(child[1]), page_report(parent[1])
    assert mine[0] != shared[0] and mine[1:3] == (1, [2]), \
        f"after the copy the child's page is {mine}, expected a new frame, mapcount 1, pid 2\n{msg}"
    assert old[:3] == (shared[0], 1, [1]) and old[3] == {2: mine[0]}, \
        f"after the copy the old frame is {old}, expected mapcount 1, pid 1, pid 2 on {mine[0]:#x}\n{msg}"
    vmas1 = outputs("pps-vmas 1")
    assert re.search(r"^  0x40000000-0x40004000 .* legacy anon:\d+ vmas:1 ", vmas1[0], re.M), \
        f"after the child's exit the parent's region is not alone in its family\n{msg}"
    assert re.search(r"^  0x40000000-0x40004000 .* pps  \(present 4 ", vmas1[-1], re.M), \
        f"the parent's region did not go back to PPS\n{msg}"
    assert re.search(r"^cowpause: child pid 2 wrote page 0: .*: ok$", log, re.M) and \
        re.search(r"^cowpause: parent pid 1, child exited 0: .*: ok", log, re.M), msg


def test_walkthrough_cowchain_replay(ppsos_build, tmp_path):
    """The same copy-on-write page with rmap=chain, replayed: pps-page
    follows page->chain through the page tables' pairs of next-pointers
    to both PTEs after the fork (the child's first: links go in at the
    head), and to the parent's alone after the child's copy; the chain and
    the family walk agree with mapcount each time."""
    steps, got, out, msg, _ = replay_run("cowchain", tmp_path)
    cmds = [c for c, _ in steps]
    pages = [got[i] for i, c in enumerate(cmds) if c.startswith("pps-page 0x40000000")]
    assert len(pages) == 2, msg
    chain_re = r"^  0x[0-9a-f]+: pid (\d+) \(cowpause\) va 0x40000000: PTE 0x[0-9a-f]+ maps it"
    for text, pids, n in ((pages[0], ["2", "1"], 2), (pages[1], ["1"], 1)):
        assert "chain (rmap=chain): page->chain 0x" in text, f"no chain shown\n{msg}"
        assert re.findall(chain_re, text, re.M) == pids, \
            f"the chain should hold the PTEs of pids {pids}\n{text}\n{msg}"
        assert f"mapcount {n}: agrees" in text and "MISMATCH" not in text, msg
    assert re.search(r"Breakpoint \d+, cow_fault \(.*va=1073741824", out), msg
