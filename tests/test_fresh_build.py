"""The first build on a fresh machine: `make` finds the cross compiler
missing, runs the install script, and the same make run then builds
everything with the tools that script put on PATH.

The checkout's tracked files (as they are in the working tree) are copied
to a temp dir with no build/. PATH there holds symlinks to every program
of the real PATH except the i686-linux-gnu-* cross toolchain, plus an
empty "late" dir. INSTALL_DEPS points at a fake installer that, after a
pause (apt-get takes a while), symlinks the real cross tools into the late
dir, as apt-get would put them into /usr/bin. `make -j2 all` must succeed.

It catches a value the Makefiles compute from a tool when make reads them
(it would come out empty: that make run started before the install, e.g.
a missing libgcc and `undefined reference to __udivmoddi4`, or a kernel
compiled without a flag the compiler probe should have given), and, with
the pause, a rule that can run a tool before the install step finished
(one without `| $(BUILD)/.tools-ok`). It does not use build/ or QEMU.
"""
import os
import shutil
import subprocess
import time

import pytest

from qemu import ROOT

CROSS = os.environ.get("PPSOS_CROSS", "i686-linux-gnu-")
INSTALL_PAUSE = 2           # seconds the fake installer takes


def copy_tracked_files(dst):
    """The files git tracks, from the working tree, into dst."""
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True,
                             stdout=subprocess.PIPE).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        pytest.skip(f"not a git checkout ({e}): no list of the tracked files")
    for name in filter(None, out.decode().split("\0")):
        src = ROOT / name
        if not os.path.lexists(src):        # deleted in the working tree
            continue
        (dst / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst / name, follow_symlinks=False)


def tool_dir_without_cross(bindir):
    """Symlinks to the first program of each name on PATH, the cross tools
    left out. Returns the cross tools' real paths."""
    bindir.mkdir()
    cross = {}
    for d in os.environ.get("PATH", "").split(os.pathsep):
        if not d or not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            path = os.path.join(d, name)
            if not (os.path.isfile(path) and os.access(path, os.X_OK)):
                continue
            if name.startswith(CROSS):
                cross.setdefault(name, path)
            elif not (bindir / name).exists():
                (bindir / name).symlink_to(path)
    return cross


def test_first_build_installs_the_cross_compiler_and_succeeds(tmp_path):
    """A fresh build whose cross compiler appears only when make runs
    INSTALL_DEPS: the build succeeds, with the installer run once."""
    src = tmp_path / "ppsos"
    copy_tracked_files(src)
    assert not (src / "build").exists()
    cross = tool_dir_without_cross(tmp_path / "bin")
    for t in ("gcc", "ld", "ar", "nm"):
        assert CROSS + t in cross, f"{CROSS}{t} is not on PATH: install the tools first"
    late = tmp_path / "late"
    late.mkdir()
    ran = tmp_path / "installer-ran"
    installer = tmp_path / "fake-install-deps.sh"
    installer.write_text(
        "#!/bin/sh\n"
        "# Stands in for scripts/install-deps.sh: the cross tools appear late.\n"
        "set -e\n"
        f"echo run >> '{ran}'\n"
        f"sleep {INSTALL_PAUSE}\n"
        + "".join(f"ln -s '{path}' '{late / name}'\n" for name, path in sorted(cross.items())))
    installer.chmod(0o755)

    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "CROSS")}
    env.update(PATH=f"{tmp_path / 'bin'}{os.pathsep}{late}", CROSS=CROSS,
               INSTALL_DEPS=str(installer))
    t0 = time.monotonic()
    try:
        r = subprocess.run(["make", "-s", "-j2", "all"], cwd=src, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=300)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"the fresh build timed out:\n{e.output}")
    took = time.monotonic() - t0
    msg = f"`make -s -j2 all` in a fresh copy, status {r.returncode}, {took:.0f} s:\n{r.stdout}"
    assert ran.exists(), f"the installer (INSTALL_DEPS) never ran\n{msg}"
    assert ran.read_text() == "run\n", f"the installer ran more than once\n{msg}"
    assert f"ppsos: missing: {CROSS}gcc" in r.stdout, f"no 'missing' message\n{msg}"
    assert r.returncode == 0, msg
    for f in ("kernel.elf", "initrd.cpio", "ppsos.iso", "swap.img"):
        assert (src / "build" / f).exists(), f"build/{f} is missing\n{msg}"
    # The Makefile's compiler probe ran after the install: GCC records the
    # options of each compilation in the DWARF (DW_AT_producer).
    probe = subprocess.run([cross[CROSS + "gcc"], "--param=min-pagesize=0", "-E", "-x", "c",
                            "/dev/null"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if probe.returncode == 0:
        assert b"--param=min-pagesize=0" in (src / "build" / "kernel.elf").read_bytes(), \
            f"the kernel was compiled without --param=min-pagesize=0 (probed too early?)\n{msg}"
