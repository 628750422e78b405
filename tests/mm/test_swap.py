"""The swap area (mm/swapfile.c, mm/swap_io.c) on the second IDE disk:
Linux's swap format both ways (mkswap's header is accepted, ours is read
by Linux's tools), every unfit disk refused with its own message and a
kernel that goes on without swap, and page I/O verified, under injected
errors too. Each test has its own sparse scratch image."""
import re
import shutil
import struct
import subprocess

from qemu import EXIT_KTEST_PASS, check_ktap_all_pass

PAGE = 4096
MKSWAP = shutil.which("mkswap") or "/sbin/mkswap"


def image(tmp_path, mb, mkswap=True, name="swap.img"):
    img = tmp_path / name
    with open(img, "wb") as f:
        f.truncate(mb * 1024 * 1024)
    if mkswap:
        img.chmod(0o600)
        subprocess.run([MKSWAP, "-L", "testswap", str(img)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return img


def ide1(path):
    return ("-drive", f"file={path},format=raw,if=ide,index=1")


def boot_show(qemu_run, disk=None, cmdline=""):
    """Boot with pid 1 printing /proc/swaps and /proc/meminfo, then exiting."""
    extra = ide1(disk) if disk else ()
    q = qemu_run(smp=2, swap=False, extra=extra,
                 cmdline=f'{cmdline} init=/bin/sh -c "cat /proc/swaps /proc/meminfo"'.strip())
    q.check(q.status == 1, f"QEMU exit status {q.status}: pid 1 should exit 0")
    q.check("PANIC" not in q.log, "kernel panic")
    return q


def meminfo_kb(q, name):
    m = re.search(rf"^{name}:\s+(\d+) kB$", q.log, re.M)
    q.check(m is not None, f"no {name} line in /proc/meminfo")
    return int(m.group(1))


def check_no_swap(q, message):
    q.check(message in q.log, f"no message {message!r}")
    q.check("running without swap" in q.log, "no 'running without swap'")
    q.check(meminfo_kb(q, "SwapTotal") == 0, "SwapTotal should be 0 without swap")
    q.check(not re.search(r"^/dev/hdb", q.log, re.M), "/proc/swaps lists hdb")


def test_mkswap_image_is_enabled(qemu_run, tmp_path):
    q = boot_show(qemu_run, image(tmp_path, 16))
    pages = 16 * 1024 * 1024 // PAGE - 1           # slot 0 is the header
    q.check(f"swap: hdb: {pages * 4} KiB of swap" in q.log, "no 'swap: hdb: N KiB of swap' line")
    q.check("label 'testswap'" in q.log, "mkswap's label not read")
    q.check(re.search(r"^Filename\s+Type\s+Size\s+Used\s+Priority$", q.log, re.M),
            "no /proc/swaps header line")
    q.check(re.search(rf"^/dev/hdb\s+partition\s+{pages * 4}\s+0\s+-2$", q.log, re.M),
            "no /proc/swaps line for hdb")
    q.check(meminfo_kb(q, "SwapTotal") == pages * 4, "SwapTotal")
    q.check(meminfo_kb(q, "SwapFree") == pages * 4, "SwapFree")


def test_swap_over_4gib_is_cut_to_what_a_swappedpte_can_name(qemu_run, tmp_path):
    """A SwappedPTE keeps 20 bits of slot number: on a disk of more than
    2^20 pages, slot 2^20 would read back as slot 0 (the header). The area
    is cut to 2^20 slots, with a message saying so, and swap works."""
    q = boot_show(qemu_run, image(tmp_path, 4096 + 64))
    slots = 1 << 20
    q.check(f"swap: hdb has {slots + 64 * 256} pages of swap, but a SwappedPTE holds slot numbers "
            f"below {slots}: using the first 4096 MiB" in q.log, "no message about the cut")
    usable = (slots - 1) * 4                           # slot 0 is the header
    q.check(f"swap: hdb: {usable} KiB of swap" in q.log, "the area is not cut to 2^20 slots")
    q.check(meminfo_kb(q, "SwapTotal") == usable, "SwapTotal")


def test_missing_disk(qemu_run):
    check_no_swap(boot_show(qemu_run), "swap: no disk at the primary slave (hdb)")


def test_disk_too_small(qemu_run, tmp_path):
    small = tmp_path / "small.img"
    small.write_bytes(b"\0" * 16 * 1024)
    check_no_swap(boot_show(qemu_run, small), "swap: hdb is too small for swap (16 KiB")


def test_no_signature(qemu_run, tmp_path):
    check_no_swap(boot_show(qemu_run, image(tmp_path, 8, mkswap=False)),
                  "no swap signature (SWAPSPACE2): format the image with mkswap, or boot with swap=format")


def test_header_larger_than_disk(qemu_run, tmp_path):
    img = image(tmp_path, 16)
    with open(img, "r+b") as f:
        f.truncate(8 * 1024 * 1024)                 # the header still says 16 MiB
    check_no_swap(boot_show(qemu_run, img),
                  "a header that claims 4096 pages but the disk holds only 2048: refused")


def test_bad_version(qemu_run, tmp_path):
    img = image(tmp_path, 8)
    with open(img, "r+b") as f:
        f.seek(1024)
        f.write(struct.pack("<I", 2))
    check_no_swap(boot_show(qemu_run, img), "unsupported swap header version 2")


def test_swap_off(qemu_run, tmp_path):
    q = boot_show(qemu_run, image(tmp_path, 8), cmdline="swap=off")
    q.check("swap: off (swap=off)" in q.log, "swap=off not reported")
    q.check(meminfo_kb(q, "SwapTotal") == 0, "SwapTotal should be 0 with swap=off")


def test_swap_format_writes_a_linux_header(qemu_run, tmp_path):
    img = image(tmp_path, 8, mkswap=False)
    q = boot_show(qemu_run, img, cmdline="swap=format")
    q.check("swap: formatted hdb (swap=format): 2048 pages" in q.log, "no format message")
    q.check(meminfo_kb(q, "SwapTotal") == 2047 * 4, "SwapTotal after swap=format")
    data = img.read_bytes()[:PAGE]
    assert data[PAGE - 10:] == b"SWAPSPACE2", "no SWAPSPACE2 signature at the end of page 0"
    version, last_page, nbad = struct.unpack_from("<III", data, 1024)
    assert (version, last_page, nbad) == (1, 2047, 0), (version, last_page, nbad)
    swaplabel = shutil.which("swaplabel") or "/sbin/swaplabel"
    out = subprocess.run([swaplabel, str(img)], stdout=subprocess.PIPE, text=True)
    if out.returncode == 0:                         # util-linux reads our header
        assert "LABEL: ppsos-swap" in out.stdout, out.stdout
    # and the kernel accepts its own header on the next boot
    q = boot_show(qemu_run, img)
    q.check("swap: hdb: 8188 KiB of swap" in q.log, "our own header refused on the next boot")


SWAP_KTESTS = ["swap_io_roundtrip", "swap_io_bad_requests", "swap_io_error_keeps_data"]


def test_swap_io_ktests(qemu_run, tmp_path):
    """Thousands of pages written and read back by every CPU at once."""
    q = qemu_run(smp=4, swap=False, extra=ide1(image(tmp_path, 32)),
                 cmdline=f"ktest={','.join(SWAP_KTESTS)} panic=exit")
    q.check(q.status == EXIT_KTEST_PASS, f"QEMU exit status {q.status}")
    check_ktap_all_pass(q)
    m = re.search(r"swap_io_roundtrip: (\d+) pages written and read back by 4 threads: 0 bad, 0 I/O errors",
                  q.log)
    q.check(m and int(m.group(1)) >= 3000, "roundtrip diagnostic missing or too few pages")


def test_swap_write_error_loses_nothing(qemu_run, tmp_path):
    """blkdebug fails writes to one slot: the write reports -EIO and that
    slot, the pages still hold their data, the disk goes on working."""
    slot = 300
    img = image(tmp_path, 32)
    conf = tmp_path / "blkdebug.conf"
    conf.write_text(f'[inject-error]\nevent = "write_aio"\nerrno = "5"\nsector = "{slot * 8}"\n')
    q = qemu_run(smp=2, swap=False, extra=ide1(f"blkdebug:{conf}:{img}"),
                 cmdline=f"ktest=swap_io_error_keeps_data swap_fail_slot={slot} panic=exit")
    q.check(q.status == EXIT_KTEST_PASS, f"QEMU exit status {q.status}")
    q.check("PANIC" not in q.log, "kernel panic")
    check_ktap_all_pass(q)
    q.check(f"error -5 at slot {slot}" in q.log, "the failing slot was not reported")
    q.check(re.search(rf"ata: hdb: write error at sector {slot * 8}, giving up: -EIO", q.log),
            "no driver message naming the sector")


def test_pps_batched_write_error_loses_nothing(qemu_run, tmp_path):
    """Stage 4's write batch (32 pages, one command) covers the slot
    blkdebug fails: the pages stay dirty in memory, the slot is retired, and
    the next passes write them elsewhere; they read back intact."""
    slot = 300
    img = image(tmp_path, 32)
    conf = tmp_path / "blkdebug.conf"
    conf.write_text(f'[inject-error]\nevent = "write_aio"\nerrno = "5"\nsector = "{slot * 8}"\n')
    q = qemu_run(smp=2, swap=False, extra=ide1(f"blkdebug:{conf}:{img}"),
                 cmdline=f"ktest=pps_wb_failed_write_loses_nothing swap_fail_slot={slot} panic=exit")
    q.check(q.status == EXIT_KTEST_PASS, f"QEMU exit status {q.status}")
    q.check("PANIC" not in q.log, "kernel panic")
    check_ktap_all_pass(q)
    q.check(f"kppsd: writing slots {slot - 8}..{slot + 23} failed at slot {slot} (-5): pages kept" in q.log,
            "the batch's failure was not reported")
    q.check(f"kppsd: swap slot {slot} is bad now" in q.log, "the failing slot was not retired")
