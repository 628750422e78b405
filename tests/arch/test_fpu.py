"""The user's floating-point registers (arch/x86/fpu.c): fputest
(tests/fixtures/progs/fputest.c) holds its own values in all x87 and XMM
registers in several processes switched on one CPU (-smp 1) and moving
between CPUs (-smp 4); fork copies the registers, exec resets them, and an
unmasked x87 divide by zero kills the process with SIGFPE and a kernel line
that says why, not a panic. QEMU's default CPU (qemu32) needs no -cpu; the
test also runs on -cpu max and on -cpu pentium2 (FXSR but no SSE). A
static glibc program (tests/fixtures/progs/glibcfp.c), which uses SSE2
through glibc's CPUID-chosen string functions, runs.

The host-side check: no kernel code outside arch/x86/fpu.c (and its ktests)
contains an FP, MMX or SSE instruction, which is what lets the registers
survive interrupts and system calls untouched."""
import os
import re
import shutil
import subprocess

import pytest

from qemu import BUILD, KERNEL, ROOT, sh_run, sh_wait_prompt, user_lines

FPU_BOOT_RE = re.compile(r"fpu: x87( MMX)?( SSE)?( SSE2)?, (FXSAVE|FNSAVE) state, eager switching")
MF_RE = re.compile(r"pid \d+ \(fputest\): x87 Floating-Point Exception \(#MF, divide by zero\) "
                   r"ip [0-9a-f]{8}, killed by signal 8$")


def boot(qemu, initrd, smp, extra=()):
    q = qemu(smp=smp, initrd=initrd, extra=list(extra))
    sh_wait_prompt(q)
    return q


def run_fputest(q, args="", timeout=240):
    """Run `fputest ARGS`; check its ok lines and its exit status 0."""
    cmd = f"fputest {args}".strip()
    out = sh_run(q, cmd, timeout=timeout)
    fails = [l for l in out if "FAIL" in l]
    q.check(not fails, f"{cmd}: {fails!r}")
    st = user_lines(sh_run(q, "echo $?"))
    q.check(st == ["0"], f"{cmd} exited with {st!r}, expected 0: {out!r}")
    return out


def check_all(q, out):
    q.check("fputest: all ok" in out, f"no 'fputest: all ok': {out!r}")
    for check in ("switch", "fork", "exec", "sigfpe x87"):
        q.check(any(l.startswith(f"fputest: {check} ok") for l in out),
                f"no 'fputest: {check} ok' line: {out!r}")
    q.check(any(MF_RE.search(l) for l in out),
            f"no kernel line matching {MF_RE.pattern!r}: {out!r}")
    q.check(sh_run(q, "echo after the fault") == ["after the fault"], "the shell broke after fputest")


@pytest.mark.parametrize("smp", [1, 4])
def test_fputest(qemu, test_initrd, smp):
    q = boot(qemu, test_initrd, smp)
    m = FPU_BOOT_RE.search(q.log)
    q.check(m is not None, "no 'fpu: ... eager switching' boot line")
    # QEMU's default i386 CPU (qemu32) has FXSR, SSE and SSE2
    q.check(m.group(0) == "fpu: x87 MMX SSE SSE2, FXSAVE state, eager switching",
            f"unexpected FPU on the default CPU: {m.group(0)!r}")
    if smp > 1:
        # more processes than CPUs: switched on a CPU and moved between them
        out = run_fputest(q, "switch 8 8")
        q.check(any(l.startswith("fputest: switch ok (8 processes") for l in out),
                f"no 'fputest: switch ok (8 processes ...' line: {out!r}")
    check_all(q, run_fputest(q))


@pytest.mark.parametrize("cpu", ["max", "pentium2"])
def test_fputest_cpu_models(qemu, test_initrd, cpu):
    q = boot(qemu, test_initrd, 2, extra=["-cpu", cpu])
    m = FPU_BOOT_RE.search(q.log)
    q.check(m is not None, "no 'fpu: ... eager switching' boot line")
    q.check(m.group(4) == "FXSAVE", f"-cpu {cpu}: {m.group(0)!r}, expected the FXSAVE format")
    out = run_fputest(q)
    check_all(q, out)
    if cpu == "pentium2":
        q.check(m.group(2) is None, f"-cpu pentium2 has no SSE, yet: {m.group(0)!r}")
        q.check(any("x87 only: no SSE2" in l for l in out), f"SSE2 was not skipped: {out!r}")


FP_MNEMONICS = {"wait", "fwait", "emms", "ldmxcsr", "stmxcsr"}
FP_OPERAND_RE = re.compile(r"%x?mm\d|%st\b")


def test_kernel_has_no_fp_code(ppsos_build):
    """Only fpu_* functions (arch/x86/fpu.c) and the FPU ktests (ktest_fpu_*,
    their fpu_kt_* helpers) may touch FP/MMX/SSE registers: the Makefile
    builds everything else with -mno-80387 -mno-mmx -mno-sse."""
    objdump = shutil.which("i686-linux-gnu-objdump") or shutil.which("objdump")
    if objdump is None:
        pytest.skip("no objdump")
    dis = subprocess.run([objdump, "-d", "--no-show-raw-insn", str(KERNEL)],
                         stdout=subprocess.PIPE, text=True, check=True).stdout
    fn, bad, seen = None, [], 0
    for line in dis.splitlines():
        m = re.match(r"^[0-9a-f]+ <(.*)>:$", line)
        if m:
            fn = m.group(1)
            continue
        parts = line.split("\t")
        if len(parts) < 2 or not parts[1].strip():
            continue
        ins = parts[1].strip()
        mnem = ins.split()[0]
        if mnem.startswith("f") or mnem in FP_MNEMONICS or FP_OPERAND_RE.search(ins):
            seen += 1
            if not (fn.startswith("fpu_") or fn.startswith("ktest_fpu_")):
                bad.append(f"{fn}: {ins}")
    assert seen > 0, "no FXSAVE/FXRSTOR found at all: is arch/x86/fpu.c linked?"
    assert not bad, "FP/SSE instructions outside arch/x86/fpu.c:\n" + "\n".join(bad[:20])


GLIBCFP = BUILD / "glibcfp"
GLIBC_INITRD = BUILD / "t-fpu-glibc.cpio"


def test_static_glibc_uses_sse(qemu, ppsos_build):
    """A static glibc program runs on QEMU's default CPU: its CPUID-chosen
    SSE2 string functions and printf's doubles work (CR4.OSFXSR is set)."""
    cc = os.environ.get("PPSOS_CROSS", "i686-linux-gnu-") + "gcc"
    src = ROOT / "tests" / "fixtures" / "progs" / "glibcfp.c"
    r = subprocess.run([cc, "-O2", "-static", "-o", str(GLIBCFP), str(src)],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        pytest.skip(f"no static i386 glibc to build with ({cc}): {r.stdout[-300:]}")
    r = subprocess.run(["make", "-s", str(GLIBC_INITRD.relative_to(ROOT)),
                        f"INITRD={GLIBC_INITRD.relative_to(ROOT)}",
                        f"EXTRA_PROGS={GLIBCFP.relative_to(ROOT)}"],
                       cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert r.returncode == 0, f"building {GLIBC_INITRD}: {r.stdout}"
    q = boot(qemu, GLIBC_INITRD, 2)
    out = sh_run(q, "glibcfp")
    q.check(any(re.fullmatch(r"glibcfp: H\(1000\) = 7\.485471, quarters 1000\.00, strlen 65535", l)
                for l in out), f"glibcfp printed {out!r}")
    st = user_lines(sh_run(q, "echo $?"))
    q.check(st == ["0"], f"glibcfp exited with {st!r}")
