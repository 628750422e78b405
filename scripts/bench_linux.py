#!/usr/bin/python3
"""make bench-linux: ppsos's reclaim workloads under Debian's own i386 Linux.

    scripts/bench_linux.py [--modes classic,mglru] [--workloads NAME,...]
                           [--mem MIB] [--smp N] [--repeat N] [--timeout S]
                           [--csv FILE] [--calibrate [MIB ...]]

The workloads of scripts/bench_workloads.py are static i386 binaries built
against the Linux syscall ABI, so the very binaries ppsos runs run here
under Linux (the kernel package linux-image-686:i386 depends on, with
busybox-static; scripts/linux_guest.py fetches them once into
${PPSOS_CACHE:-~/.cache/ppsos}/linux and builds the initramfs). QEMU gets
ppsos's command line: the same -smp, the same IDE swap disk at index 1
(a fresh sparse image of SWAP_MB per boot, formatted by the guest's
mkswap), isa-debug-exit, -no-reboot; only -m differs (LINUX_MEM, chosen so
that Linux's usable frames match ppsos's free frames at PPSOS_MEM: see
--calibrate) and Linux boots with -kernel/-initrd/-append.

One boot per reclaim mode (and per --repeat): classic is Linux's
active/inactive LRU (/sys/kernel/mm/lru_gen/enabled = n), mglru the
multi-generational LRU (= y; the kernel reads the value back and the
bench checks it). The guest runs the workloads one after the other, each
with a freshly made empty swap (swapoff, mkswap, swapon) and dropped
caches, and prints /proc/vmstat, /proc/interrupts and the swap disk's
/proc/diskstats line before and after each one. Per workload and mode:

  pages_read     pswpin: pages read from swap
  major_faults   pgmajfault: faults that waited for the disk
  pages_written  pswpout: pages written to swap
  read_cmds      reads completed on the swap disk (diskstats): commands,
  write_cmds     writes completed   a command may carry many pages
  tlb_ipi        /proc/interrupts "TLB:" summed over the CPUs (shootdowns
                 received)
  elapsed_ms     the workload's own time (its "NAME: OK elapsed_ms=" line,
                 guest clock; multithrash's line covers all its children)
  usable_frames  MemAvailable / 4 kB just before the workload ran
  status         ok, CORRUPT, oom, failed (exit N), timeout, ...

The cells are the medians of the --repeat runs that were ok (runs says how
many); the CSV (build/bench-linux.csv) has the columns the combined table
reads (CSV_COLUMNS), with system linux-classic or linux-mglru. A workload
that hangs is cut off after --timeout seconds (QEMU killed, status
timeout) and the workloads after it run in a new boot.

Every run's serial log is kept in build/linux/. Under TCG Linux boots in
10-30 s; the five workloads take some 20 minutes per mode on two host
cores that other QEMUs share. The host's load shows in elapsed_ms, much
less in the counts.

--calibrate boots ppsos at PPSOS_MEM (its free frames at the shell, from
/proc/meminfo's MemFree) and Linux at a few -m values (its usable frames
measured as above, with the bench's programs in the initramfs, since the
rootfs holds them in RAM), and says which -m matches: LINUX_MEM's value.
"""
import argparse
import csv
import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests"))
import bench_workloads as bw  # noqa: E402

BUILD = ROOT / "build"
LOGDIR = BUILD / "linux"
QEMU = "qemu-system-i386"
MODES = {"classic": "n", "mglru": "y"}
CMDLINE = "console=ttyS0 quiet panic=-1"
CSV_COLUMNS = ["system", "workload", "command", "mem_mib", "smp", "usable_frames", "pages_read",
               "major_faults", "pages_written", "write_cmds", "read_cmds", "tlb_ipi", "elapsed_ms",
               "status", "runs"]
NUMBERS = ["usable_frames", "pages_read", "major_faults", "pages_written", "write_cmds", "read_cmds",
           "tlb_ipi", "elapsed_ms"]
BOOT_TIMEOUT = 600      # from QEMU's start to the first workload (TCG, loaded host)
OK_RE = re.compile(r"^(\S+): OK elapsed_ms=(\d+)")


# ---- parsing the guest's console (host-only: tests/test_bench_linux.py) ----

def parse_vmstat(text):
    """{counter: value} of /proc/vmstat's "name value" lines."""
    out = {}
    for line in text.splitlines():
        f = line.split()
        if len(f) == 2 and f[1].isdigit():
            out[f[0]] = int(f[1])
    return out


def vmstat_delta(before, after, keys):
    """How much each counter grew (a counter missing on one side counts 0)."""
    return {k: after.get(k, 0) - before.get(k, 0) for k in keys}


def tlb_shootdowns(text):
    """The sum over all CPUs of /proc/interrupts' "TLB:" line (0 if the
    kernel has none)."""
    for line in text.splitlines():
        f = line.split()
        if f and f[0] == "TLB:":
            total = 0
            for v in f[1:]:
                if not v.isdigit():
                    break       # "TLB shootdowns": the description
                total += int(v)
            return total
    return 0


def parse_diskstats(text):
    """{"reads": reads completed, "writes": writes completed} of the first
    /proc/diskstats line in text (fields: major minor name reads merged
    sectors ms writes ...); None if there is none."""
    for line in text.splitlines():
        f = line.split()
        if len(f) >= 8 and f[0].isdigit() and f[1].isdigit():
            return {"reads": int(f[3]), "writes": int(f[7])}
    return None


def clean_lines(log):
    """The console's lines without CRs."""
    return [l.rstrip("\r") for l in log.replace("\r\n", "\n").split("\n")]


def parse_console(log):
    """What the guest's /init printed: (info, {workload: section}).

    info: kernel (uname -r), mode and lru_gen (as read back), disk,
    meminfo (dict, kB), errors (@@ERROR lines), alldone.
    A section: memavailable (kB), before/after (dicts of "vmstat",
    "interrupts", "diskstats" texts), output (the workload's lines), exit
    (its status, None if it never ended), done (the @@DONE line came).
    """
    info = {"kernel": None, "mode": None, "lru_gen": None, "disk": None, "meminfo": {},
            "errors": [], "alldone": False}
    sections = {}
    cur = None          # the section being filled
    sink = None         # the list collecting lines for the current block
    for line in clean_lines(log):
        s = line.strip()
        if not s.startswith("@@"):
            if sink is not None:
                sink.append(line)
            continue
        word, _, rest = s[2:].partition(" ")
        sink = None
        if word == "BOOTED":
            info["kernel"] = rest
        elif word == "MODE":
            mode, _, lg = rest.partition(" ")
            info["mode"], info["lru_gen"] = mode, lg.partition("=")[2]
        elif word == "DISK":
            info["disk"] = rest.split()[0] if rest else None
        elif word == "ERROR":
            info["errors"].append(rest)
        elif word == "MEMINFO-BOOT":
            sink = info.setdefault("_meminfo_lines", [])
        elif word == "ALLDONE":
            info["alldone"] = True
        elif word == "BEGIN":
            cur = sections[rest] = {"memavailable": None, "before": {}, "after": {}, "output": [],
                                    "exit": None, "done": False, "command": None}
        elif cur is None:
            continue
        elif word == "MEMAVAILABLE":
            cur["memavailable"] = int(rest) if rest.isdigit() else None
        elif word in ("VMSTAT-BEFORE", "INTERRUPTS-BEFORE", "DISKSTATS-BEFORE",
                      "VMSTAT-AFTER", "INTERRUPTS-AFTER", "DISKSTATS-AFTER"):
            kind, _, when = word.partition("-")
            sink = cur[when.lower()].setdefault(kind.lower(), [])
        elif word == "RUN":
            cur["command"] = rest
            sink = cur["output"]
        elif word == "EXIT":
            cur["exit"] = int(rest) if rest.lstrip("-").isdigit() else None
        elif word == "DONE":
            cur["done"] = True
    info["meminfo"] = {}
    for l in info.pop("_meminfo_lines", []):
        f = l.replace(":", " ").split()
        if len(f) >= 2 and f[1].isdigit():
            info["meminfo"][f[0]] = int(f[1])
    for sec in sections.values():
        for when in ("before", "after"):
            sec[when] = {k: "\n".join(v) for k, v in sec[when].items()}
        sec["output"] = [l for l in sec["output"] if l.strip()]
    return info, sections


def workload_row(sec):
    """A section's figures and status (the CSV's numeric columns)."""
    row = dict.fromkeys(NUMBERS, "")
    if sec["memavailable"] is not None:
        row["usable_frames"] = sec["memavailable"] // 4
    out = sec["output"]
    ok = [m for m in map(OK_RE.match, out) if m]
    if ok:
        row["elapsed_ms"] = int(ok[-1].group(2))
    b, a = sec["before"], sec["after"]
    oom = 0
    if "vmstat" in b and "vmstat" in a:
        d = vmstat_delta(parse_vmstat(b["vmstat"]), parse_vmstat(a["vmstat"]),
                         ["pswpin", "pgmajfault", "pswpout", "oom_kill"])
        row.update(pages_read=d["pswpin"], major_faults=d["pgmajfault"], pages_written=d["pswpout"])
        oom = d["oom_kill"]
    if "interrupts" in b and "interrupts" in a:
        row["tlb_ipi"] = tlb_shootdowns(a["interrupts"]) - tlb_shootdowns(b["interrupts"])
    db, da = parse_diskstats(b.get("diskstats", "")), parse_diskstats(a.get("diskstats", ""))
    if db and da:
        row["read_cmds"] = da["reads"] - db["reads"]
        row["write_cmds"] = da["writes"] - db["writes"]
    corrupt = [l for l in out if "CORRUPT" in l]
    last = out[-1].strip() if out else "(no output)"
    if not sec["done"]:
        row["status"] = "incomplete: the guest stopped during the run"
    elif corrupt:
        row["status"] = "CORRUPT: " + corrupt[-1].strip()
    elif oom:
        row["status"] = f"oom: {oom} out-of-memory kill(s), exit {sec['exit']}: {last}"
    elif sec["exit"] != 0 or not ok:
        row["status"] = f"failed (exit {sec['exit']}): {last}"
    else:
        row["status"] = "ok"
    return row


# ---- running QEMU -----------------------------------------------------------

def new_swap_image(path, mb):
    """A sparse zero image; the guest's mkswap formats it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.truncate(mb * 1024 * 1024)
    return path


def qemu_argv(kernel, initrd, swap, mem, smp, mode):
    """ppsos's QEMU command line (tests/qemu.py) with Linux's -kernel,
    -initrd and -append."""
    return [QEMU, "-smp", str(smp), "-m", str(mem),
            "-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
            "-drive", f"file={str(swap).replace(',', ',,')},format=raw,if=ide,index=1",
            "-kernel", str(kernel), "-initrd", str(initrd),
            "-append", f"{CMDLINE} ppsbench={mode}"]


def boot(argv, timeout, log_path, progress=print):
    """Runs one QEMU boot and returns (serial log, timed-out workload or
    None, problem or None). Cut off: a workload running longer than
    timeout s, a boot that reaches no workload in BOOT_TIMEOUT s."""
    lines = queue.Queue()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, cwd=str(ROOT))

    def reader():
        for raw in p.stdout:
            lines.put(raw.decode("utf-8", "replace"))
        lines.put(None)

    threading.Thread(target=reader, daemon=True).start()
    log, current, timed_out, problem = [], None, None, None
    deadline = time.monotonic() + BOOT_TIMEOUT
    with open(log_path, "w") as lf:
        while True:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                line = ""
            if line is None:
                break
            if line:
                log.append(line)
                lf.write(line)
                lf.flush()
                s = line.strip()
                if s.startswith("@@BEGIN "):
                    current = s.split(" ", 1)[1]
                    deadline = time.monotonic() + timeout
                elif s.startswith("@@DONE "):
                    progress(f"bench-linux:   {current} done")
                    current = None
                    deadline = time.monotonic() + timeout
                elif s.startswith("@@ALLDONE"):
                    deadline = time.monotonic() + 120
                elif s.startswith("@@MODE "):
                    progress(f"bench-linux:   {s[2:]}")
            if time.monotonic() >= deadline:
                if current:
                    timed_out = current
                    problem = f"{current}: no end after {timeout} s"
                else:
                    problem = "the guest went silent (boot or shutdown)"
                p.kill()
                break
    try:
        p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    text = "".join(log)
    if problem is None and "@@ALLDONE" not in text:
        problem = f"QEMU exited (status {p.returncode}) before the guest finished; log {log_path}"
    return text, timed_out, problem


class Runner:
    def __init__(self, a):
        import linux_guest
        self.guest = linux_guest
        try:
            self.kernel, self.moddir, self.busybox = linux_guest.ensure_packages()
        except linux_guest.GuestError as e:
            sys.exit(f"bench-linux: {e}")
        self.a = a
        self.logdir = Path(a.logdir)
        self.info = {}

    def run_mode(self, mode, rep, workloads, carry=(), label="", verbose=True):
        """One mode, one repeat: {workload name: row}. Workloads after a
        timed-out one run in another boot."""
        rows, todo, nboot = {}, list(workloads), 0
        while todo:
            nboot += 1
            tag = f"{label}{mode}-r{rep + 1}-b{nboot}"
            initrd, mods = self.guest.build_initramfs(todo, self.moddir, self.busybox,
                                                      self.logdir / f"initramfs-{tag}.cpio.gz", carry)
            swap = new_swap_image(self.logdir / f"swap-{tag}.img", bw.SWAP_MB)
            argv = qemu_argv(self.kernel, initrd, swap, self.a.mem, self.a.smp, mode)
            print(f"bench-linux: boot {tag}: -m {self.a.mem} -smp {self.a.smp}, "
                  f"{', '.join(w[0] for w in todo)}", flush=True)
            t0 = time.monotonic()
            log, timed_out, problem = boot(argv, self.a.timeout,
                                           self.logdir / f"serial-{tag}.log",
                                           progress=lambda m: print(m, flush=True))
            swap.unlink(missing_ok=True)
            initrd.unlink(missing_ok=True)
            info, sections = parse_console(log)
            self.info.setdefault(mode, info)
            self.check_mode(mode, info)
            for e in info["errors"]:
                print(f"bench-linux:   guest error: {e}")
            print(f"bench-linux:   boot took {time.monotonic() - t0:.0f} s"
                  + (f"; {problem}" if problem else ""), flush=True)
            left = []
            for w in todo:
                name = w[0]
                if name in sections and sections[name]["done"]:
                    rows[name] = workload_row(sections[name])
                elif name == timed_out:
                    row = workload_row(sections[name]) if name in sections else dict.fromkeys(NUMBERS, "")
                    row["status"] = f"timeout after {self.a.timeout} s"
                    rows[name] = row
                elif name in sections or not sections:
                    # the guest died in this one (the next boot runs the
                    # rest), or before any (the next boot would too)
                    rows[name] = dict.fromkeys(NUMBERS, "")
                    rows[name]["status"] = f"no result: {problem}"
                else:
                    left.append(w)
            if len(left) == len(todo):
                for name, *_ in left:   # no progress: do not loop
                    rows[name] = dict.fromkeys(NUMBERS, "")
                    rows[name]["status"] = f"no result: {problem}"
                break
            todo = left
        for name, row in rows.items() if verbose else ():
            print(f"bench-linux:   {mode} {name}: " + ", ".join(f"{k}={row[k]}" for k in NUMBERS)
                  + f", {row['status']}", flush=True)
        return rows

    def check_mode(self, mode, info):
        """The mode must have taken effect: lru_gen read back as 0 for
        classic, non-zero for mglru."""
        lg = info.get("lru_gen")
        if lg in (None, ""):
            return
        if lg == "missing":
            if mode == "mglru":
                print("bench-linux: WARNING: /sys/kernel/mm/lru_gen is missing: MGLRU unavailable, "
                      "the mglru rows are classic LRU", flush=True)
            return
        on = int(lg, 16) != 0
        if on != (mode == "mglru"):
            print(f"bench-linux: WARNING: mode {mode} but lru_gen/enabled reads {lg}", flush=True)


# ---- results ----------------------------------------------------------------

def median_row(runs):
    """One cell from a workload's rows of several runs: the median of each
    number over the ok runs (the lower middle one for an even count)."""
    ok = [r for r in runs if r["status"] == "ok"]
    use = ok or runs
    row = {}
    for k in NUMBERS:
        vals = sorted(r[k] for r in use if r[k] != "")
        row[k] = vals[(len(vals) - 1) // 2] if vals else ""
    bad = sorted({r["status"] for r in runs if r["status"] != "ok"})
    if not bad:
        row["status"] = "ok"
    elif ok:
        row["status"] = f"ok in {len(ok)} of {len(runs)}; " + "; ".join(bad)
    else:
        row["status"] = "; ".join(bad)
    row["runs"] = len(ok)
    return row


def write_csv(path, rows):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)


def print_table(rows):
    cols = ["usable_frames", "pages_read", "major_faults", "pages_written", "write_cmds", "read_cmds",
            "tlb_ipi", "elapsed_ms"]
    print("| system | workload | " + " | ".join(cols) + " | status |")
    print("| --- | --- | " + " | ".join("---:" for _ in cols) + " | --- |")
    for r in rows:
        print(f"| {r['system']} | {r['workload']} | " + " | ".join(str(r[c]) for c in cols)
              + f" | {r['status']} |")


def select(names):
    """bench_workloads.by_name, also taking a program's name (thrash for
    random, as make bench's BENCH_WORKLOADS does)."""
    if isinstance(names, str):
        names = [n for n in names.replace(" ", ",").split(",") if n]
    prog = {w[1].split()[0]: w[0] for w in bw.WORKLOADS}
    return bw.by_name([prog.get(n, n) for n in names or []])


# ---- calibration ------------------------------------------------------------

def ppsos_free_frames(mem, smp):
    """ppsos's free frames at its shell prompt at -m mem (MemFree / 4)."""
    from qemu import Qemu, sh_run, sh_wait_prompt, user_lines
    with Qemu(smp=smp, mem=mem, name=f"bench-linux-calibrate-m{mem}") as q:
        sh_wait_prompt(q, timeout=300)
        for l in user_lines(sh_run(q, "cat /proc/meminfo", timeout=120)):
            f = l.replace(":", " ").split()
            if len(f) >= 2 and f[0] == "MemFree" and f[1].isdigit():
                return int(f[1]) // 4
    return None


def calibrate(r, mems):
    """Boots Linux at each -m in mems and prints MemAvailable in 4 kB pages
    as the bench measures it (after swapon and dropped caches, with the
    bench's programs in the initramfs), next to ppsos's free frames at
    PPSOS_MEM."""
    print(f"bench-linux: calibration: ppsos at -m {bw.PPSOS_MEM} -smp {r.a.smp}", flush=True)
    target = ppsos_free_frames(bw.PPSOS_MEM, r.a.smp)
    print(f"bench-linux:   ppsos free frames: {target}", flush=True)
    probe = [("calibrate", "echo calibrate", False, "")]     # echo: a bundled no-op
    got = []
    for m in mems:
        r.a.mem = m
        rows = r.run_mode("classic", 0, probe, carry=bw.WORKLOADS, label=f"calibrate-m{m}-",
                          verbose=False)
        frames = rows["calibrate"]["usable_frames"]
        boot_avail = r.info.pop("classic", {}).get("meminfo", {}).get("MemAvailable")
        got.append((m, frames))
        print(f"bench-linux:   -m {m}: usable frames {frames} (MemAvailable at boot "
              f"{boot_avail} kB)", flush=True)
    print(f"\n| -m (MiB) | Linux usable frames | minus ppsos's {target} at -m {bw.PPSOS_MEM} |")
    print("| ---: | ---: | ---: |")
    for m, f in got:
        print(f"| {m} | {f} | {f - target if f != '' and target else ''} |")
    pts = [(m, f) for m, f in got if f != ""]
    if target and len(pts) >= 2:
        (m0, f0), (m1, f1) = pts[0], pts[-1]
        slope = (f1 - f0) / (m1 - m0)
        best = round(m0 + (target - f0) / slope) if slope else None
        print(f"\nbench-linux: {slope:.0f} frames per MiB; Linux matches ppsos's {target} free "
              f"frames at about -m {best} (bench_workloads.LINUX_MEM is {bw.LINUX_MEM})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--modes", default="classic,mglru", help="classic,mglru (default both)")
    ap.add_argument("--workloads", default="", help="names from bench_workloads (default all)")
    ap.add_argument("--mem", type=int, default=bw.LINUX_MEM, help=f"MiB of guest RAM (default {bw.LINUX_MEM})")
    ap.add_argument("--smp", type=int, default=bw.SMP, help=f"CPUs (default {bw.SMP})")
    ap.add_argument("--repeat", type=int, default=1, help="boots per mode; cells are medians")
    ap.add_argument("--timeout", type=int, default=1800, help="seconds one workload may take (default 1800)")
    ap.add_argument("--csv", default=str(BUILD / "bench-linux.csv"), help="CSV output file")
    ap.add_argument("--logdir", default=str(LOGDIR),
                    help=f"serial logs, initramfs and swap images (default {LOGDIR.relative_to(ROOT)})")
    ap.add_argument("--calibrate", type=int, nargs="*", metavar="MIB",
                    help="print Linux's usable frames at these -m values (default: LINUX_MEM-8, "
                         "LINUX_MEM, LINUX_MEM+8) and ppsos's at PPSOS_MEM, then stop")
    a = ap.parse_args()
    modes = [m for m in a.modes.replace(" ", ",").split(",") if m]
    bad = [m for m in modes if m not in MODES]
    if bad:
        sys.exit(f"bench-linux: unknown mode(s) {', '.join(bad)}; known: {', '.join(MODES)}")
    Path(a.logdir).mkdir(parents=True, exist_ok=True)
    r = Runner(a)
    if a.calibrate is not None:
        calibrate(r, a.calibrate or [bw.LINUX_MEM - 8, bw.LINUX_MEM, bw.LINUX_MEM + 8])
        return
    workloads = select(a.workloads)
    print(f"bench-linux: {r.kernel.name}, -m {a.mem} -smp {a.smp}, swap {bw.SWAP_MB} MiB, "
          f"modes {', '.join(modes)}, {a.repeat} run(s); workloads: "
          + ", ".join(f"{w[0]} (`{w[1]}`)" for w in workloads), flush=True)
    runs = {}
    for rep in range(a.repeat):
        for mode in modes:
            for name, row in r.run_mode(mode, rep, workloads).items():
                runs.setdefault((mode, name), []).append(row)
    out = []
    for mode in modes:
        for name, cmd, *_ in workloads:
            row = median_row(runs[(mode, name)])
            row.update(system=f"linux-{mode}", workload=name, command=cmd, mem_mib=a.mem, smp=a.smp)
            out.append(row)
    write_csv(a.csv, out)
    print()
    for mode in modes:
        i = r.info.get(mode, {})
        print(f"linux-{mode}: kernel {i.get('kernel')}, lru_gen/enabled read back {i.get('lru_gen')}, "
              f"swap disk /dev/{i.get('disk')}")
    if a.repeat > 1:
        print(f"Each cell: the median of the ok runs of {a.repeat}.")
    print()
    print_table(out)
    print(f"\nbench-linux: CSV in {a.csv}; serial logs in {a.logdir}")
    if any(row["status"] != "ok" for row in out):
        sys.exit("bench-linux: some runs were not ok (status column)")


if __name__ == "__main__":
    main()
