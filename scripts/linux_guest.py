"""The Linux guest of make bench-linux: Debian's i386 kernel and an
initramfs that runs ppsos's workload binaries (scripts/bench_linux.py
boots it).

Packages: the versioned kernel package that linux-image-686:i386 depends
on, and busybox-static:i386, fetched with apt-get download into
${PPSOS_CACHE:-~/.cache/ppsos}/linux and unpacked there with dpkg-deb -x
(both outside the tree, so that `make clean` or a new worktree keeps them
and later runs need no network).

Initramfs (build/linux/initramfs.cpio.gz): busybox, the modules the IDE
swap disk needs (Debian builds libata, ata_piix and sd_mod as modules; the
order comes from each module's own depends= field, since the unpacked
package has no modules.dep: depmod runs at install time), the workloads
from build/user/bin in /bench, /bench/workloads (one "NAME<TAB>COMMAND" a
line) and /init (INIT below). The reclaim mode comes from the kernel
command line (ppsbench=classic or ppsbench=mglru), so both modes share one
initramfs.
"""
import gzip
import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
OUT = BUILD / "linux"
USER_BIN = BUILD / "user" / "bin"
CACHE = Path(os.environ.get("PPSOS_CACHE") or Path.home() / ".cache" / "ppsos") / "linux"
META = "linux-image-686:i386"
BUSYBOX = "busybox-static:i386"
# The IDE disk at index 1 on QEMU's PIIX3: ata_piix, and sd_mod for the
# disk itself; their dependencies (libata, scsi_mod, ...) are added.
DISK_MODULES = ["ata_piix", "ata_generic", "sd_mod"]


class GuestError(Exception):
    pass


# ---- packages ---------------------------------------------------------------

def _run(argv, what, cwd=None):
    r = subprocess.run(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        raise GuestError(f"{what} failed: `{' '.join(argv)}` (status {r.returncode}):\n{r.stdout.strip()}")
    return r.stdout


def kernel_package():
    """The versioned package that linux-image-686:i386 depends on, e.g.
    linux-image-6.1.0-57-686:i386 (from apt-cache depends)."""
    out = _run(["apt-cache", "depends", META], f"resolving {META}")
    for line in out.splitlines():
        k, _, v = line.strip().partition(": ")
        if k == "Depends" and v.startswith("linux-image-"):
            return v if ":" in v else v + ":i386"
    raise GuestError(f"apt-cache depends {META} names no linux-image-* package:\n{out}")


def _extracted():
    """(vmlinuz, modules dir, busybox) of the unpacked packages, or None."""
    x = CACHE / "x"
    kernels = sorted((x / "boot").glob("vmlinuz-*"))
    busybox = x / "bin" / "busybox"
    if not kernels or not busybox.exists():
        return None
    ver = kernels[-1].name[len("vmlinuz-"):]
    mods = x / "lib" / "modules" / ver
    return (kernels[-1], mods, busybox) if mods.is_dir() else None


def ensure_packages(log=print):
    """The kernel, its modules and busybox from the cache; downloads and
    unpacks them first if they are not there. Raises GuestError saying
    what failed and what to do."""
    got = _extracted()
    if got:
        return got
    CACHE.mkdir(parents=True, exist_ok=True)
    debs = [d for pat in ("linux-image-*-686_*_i386.deb", "busybox-static_*_i386.deb")
            for d in CACHE.glob(pat)]
    if len(debs) < 2:
        log(f"bench-linux: downloading Debian's i386 kernel and busybox-static into {CACHE}")
        try:
            archs = _run(["dpkg", "--print-foreign-architectures"], "dpkg").split()
            if "i386" not in archs:
                _run(["dpkg", "--add-architecture", "i386"], "dpkg --add-architecture i386")
            _run(["apt-get", "update", "-q"], "apt-get update")
            pkg = kernel_package()
            log(f"bench-linux: {META} depends on {pkg}")
            _run(["apt-get", "download", pkg, BUSYBOX], f"apt-get download {pkg} {BUSYBOX}", cwd=CACHE)
        except (GuestError, OSError) as e:
            raise GuestError(
                f"{e}\nbench-linux needs Debian's {META} and {BUSYBOX} packages once "
                f"(cached in {CACHE}). Run as root with Debian's archive reachable, or put the "
                f"two .deb files (apt-get download on another machine) into {CACHE} and retry.")
        debs = [d for pat in ("linux-image-*-686_*_i386.deb", "busybox-static_*_i386.deb")
                for d in CACHE.glob(pat)]
    tmp = CACHE / "x.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    for d in debs:
        log(f"bench-linux: unpacking {d.name}")
        _run(["dpkg-deb", "-x", str(d), str(tmp)], f"unpacking {d}")
    shutil.rmtree(CACHE / "x", ignore_errors=True)
    tmp.rename(CACHE / "x")
    got = _extracted()
    if not got:
        raise GuestError(f"{CACHE}/x has no boot/vmlinuz-*, lib/modules/<version> or bin/busybox "
                         f"after unpacking {', '.join(d.name for d in debs)}")
    return got


# ---- modules ----------------------------------------------------------------

def modinfo_depends(data):
    """The depends= list of a module file's .modinfo (a run of
    NUL-terminated key=value strings; "depends=" appears once)."""
    for field in data.split(b"\0"):
        if field.startswith(b"depends="):
            return [d.decode() for d in field[len(b"depends="):].split(b",") if d]
    return []


def module_files(moddir):
    """{module name: path} of every .ko under moddir (names as the kernel
    writes them, with _ for -)."""
    out = {}
    for p in moddir.rglob("*.ko*"):
        name = p.name.split(".ko")[0].replace("-", "_")
        out[name] = p
    return out


def load_order(moddir, wanted=DISK_MODULES):
    """[(name, path)] of wanted and their dependencies, each after the
    modules it depends on. A wanted module that is not a module (built
    in) is left out."""
    files = module_files(moddir)
    order, seen = [], set()

    def visit(name):
        if name in seen or name not in files:
            return
        seen.add(name)
        for dep in modinfo_depends(_module_bytes(files[name])):
            visit(dep.replace("-", "_"))
        order.append((name, files[name]))

    for m in wanted:
        visit(m)
    return order


def _module_bytes(path):
    """A module's contents, decompressed if it is .ko.xz/.ko.gz/.ko.zst
    (busybox insmod loads plain ELF only)."""
    data = path.read_bytes()
    if path.name.endswith(".xz"):
        import lzma
        return lzma.decompress(data)
    if path.name.endswith(".gz"):
        return gzip.decompress(data)
    if path.name.endswith(".zst"):
        return _run(["zstd", "-dc", str(path)], f"decompressing {path}").encode("latin-1")
    return data


# ---- initramfs --------------------------------------------------------------

INIT = r"""#!/bin/busybox sh
# ppsos bench-linux guest: runs /bench/workloads under the reclaim mode of
# the kernel command line (ppsbench=classic|mglru), each with a fresh
# empty swap, and prints counter snapshots around each one between @@
# markers (scripts/bench_linux.py parses them). Then powers off.
/bin/busybox --install -s /bin
export PATH=/bin:/bench
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
dmesg -n 1      # no kernel messages among ours on the console
echo "@@BOOTED $(uname -r)"
for m in $(cat /modules.list); do
    insmod /lib/modules/$m.ko || echo "@@ERROR insmod $m failed"
done
rm -rf /lib/modules     # their RAM is wanted by the workloads
mode=$(sed -n 's/.*ppsbench=\([a-z]*\).*/\1/p' /proc/cmdline)

# The swap disk: the only disk (QEMU's IDE index 1, primary slave).
disk=
i=0
while [ -z "$disk" ] && [ $i -lt 600 ]; do
    for b in /sys/block/sd* /sys/block/hd*; do
        [ -e "$b" ] && disk=${b##*/} && break
    done
    [ -z "$disk" ] && sleep 0.1
    i=$((i+1))
done
[ -n "$disk" ] || echo "@@ERROR no disk in /sys/block: $(ls /sys/block)"
mdev -s 2>/dev/null
[ -b /dev/$disk ] || mknod /dev/$disk b $(sed 's/:/ /' /sys/block/$disk/dev)

lg=/sys/kernel/mm/lru_gen/enabled
if [ -e $lg ]; then
    case "$mode" in
        mglru) echo y > $lg ;;
        *) echo n > $lg ;;
    esac
    echo "@@MODE $mode lru_gen=$(cat $lg)"
else
    echo "@@MODE $mode lru_gen=missing"
fi
echo "@@DISK $disk $(cat /sys/block/$disk/size) sectors"
echo "@@MEMINFO-BOOT"
cat /proc/meminfo
echo "@@END-MEMINFO-BOOT"

snap() {
    echo "@@VMSTAT-$1"; cat /proc/vmstat
    echo "@@INTERRUPTS-$1"; cat /proc/interrupts
    echo "@@DISKSTATS-$1"; grep " $disk " /proc/diskstats
    echo "@@END-$1"
}

while IFS='	' read -r name cmd; do
    [ -n "$name" ] || continue
    # An empty swap and no cached pages for each workload: all start alike.
    swapoff /dev/$disk 2>/dev/null
    mkswap /dev/$disk >/dev/null || echo "@@ERROR mkswap /dev/$disk failed"
    swapon /dev/$disk || echo "@@ERROR swapon /dev/$disk failed"
    sync; echo 3 > /proc/sys/vm/drop_caches
    echo "@@BEGIN $name"
    echo "@@MEMAVAILABLE $(sed -n 's/^MemAvailable: *\([0-9]*\) kB/\1/p' /proc/meminfo)"
    echo "@@MEMINFO-BEFORE"; cat /proc/meminfo     # for the log only
    snap BEFORE
    echo "@@RUN $cmd"
    /bench/$cmd </dev/null 2>&1
    echo "@@EXIT $?"
    snap AFTER
    echo "@@DONE $name"
done < /bench/workloads
swapoff /dev/$disk 2>/dev/null
echo "@@ALLDONE"
poweroff -f
sleep 5
reboot -f
"""


class Cpio:
    """A cpio "newc" archive (the initramfs format) built in memory."""

    def __init__(self):
        self.parts, self.ino, self.dirs = [], 1, set()

    def _entry(self, name, mode, data=b"", rdev=(0, 0)):
        name_b = name.encode() + b"\0"
        fields = [self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_b), 0]
        self.ino += 1
        out = b"070701" + b"".join(b"%08X" % f for f in fields) + name_b
        out += b"\0" * (-len(out) % 4) + data
        self.parts.append(out + b"\0" * (-len(out) % 4))

    def dir(self, name):
        comps = name.strip("/").split("/")
        for i in range(1, len(comps) + 1):
            d = "/".join(comps[:i])
            if d not in self.dirs:
                self.dirs.add(d)
                self._entry(d, 0o040755)

    def file(self, name, data, mode=0o755):
        name = name.strip("/")
        if "/" in name:
            self.dir(name.rsplit("/", 1)[0])
        self._entry(name, 0o100000 | mode, data)

    def chardev(self, name, major, minor):
        self._entry(name.strip("/"), 0o020600, rdev=(major, minor))

    def bytes(self):
        trailer = Cpio()
        trailer.ino = 0
        trailer._entry("TRAILER!!!", 0)
        return b"".join(self.parts + trailer.parts)


def build_initramfs(workloads, moddir, busybox, out=OUT / "initramfs.cpio.gz", carry=()):
    """Writes the initramfs for these workloads [(name, command, ...)];
    carry: more workloads whose programs it holds but does not run (a
    calibration boot holds the bench's programs: they take RAM in the
    rootfs). Returns its path and the modules it loads."""
    progs = {w[1].split()[0] for w in list(workloads) + list(carry)}
    missing = sorted(progs - {p.name for p in USER_BIN.glob("*")})
    if missing:
        raise GuestError(f"{USER_BIN} lacks {', '.join(missing)}: run `make all` first")
    mods = load_order(moddir)
    c = Cpio()
    for d in ("bin", "dev", "proc", "sys", "tmp", "lib/modules", "bench"):
        c.dir(d)
    c.chardev("dev/console", 5, 1)  # init's stdio before devtmpfs is mounted
    c.file("bin/busybox", busybox.read_bytes())
    c.file("init", INIT.encode())
    for name, path in mods:
        c.file(f"lib/modules/{name}.ko", _module_bytes(path), 0o644)
    c.file("modules.list", "".join(f"{n}\n" for n, _ in mods).encode(), 0o644)
    for prog in sorted(progs):
        c.file(f"bench/{prog}", (USER_BIN / prog).read_bytes())
    c.file("bench/workloads", "".join(f"{w[0]}\t{w[1]}\n" for w in workloads).encode(), 0o644)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(gzip.compress(c.bytes(), 6))
    return out, [n for n, _ in mods]
