"""The ATA driver (drivers/ata): its ktests in DMA and PIO mode at -smp 4,
and injected disk errors through QEMU's blkdebug driver.

Each run gets its own sparse scratch disk in a tmp dir (the ktests write
to the disk's upper half), passed with swap=False and an explicit -drive.
"""
import re

from qemu import EXIT_KTEST_PASS, check_ktap_all_pass, ktap_results

DISK_MB = 64
DISK_SECTORS = DISK_MB * 1024 * 1024 // 512
ATA_KTESTS = ["ata_identify", "ata_missing_drive", "ata_out_of_range", "ata_rw_single",
              "ata_rw_scatter_gather", "ata_rw_lba48_long", "ata_concurrent",
              "ata_async_queue", "ata_timeout_recovery", "ata_error_injection"]
BAD_SECTOR = 100003        # in the upper half, away from the other tests' sectors


def scratch_disk(tmp_path, name="disk.img"):
    img = tmp_path / name
    with open(img, "wb") as f:
        f.truncate(DISK_MB * 1024 * 1024)
    return img


def ide1(spec):
    return ("-drive", f"file={spec},format=raw,if=ide,index=1")


def run_ktests(qemu_run, tmp_path, extra_cmdline="", names=ATA_KTESTS, disk=None):
    disk = disk or scratch_disk(tmp_path)
    q = qemu_run(smp=4, swap=False, extra=ide1(disk),
                 cmdline=f"ktest={','.join(names)} panic=exit {extra_cmdline}".strip())
    q.check(q.status == EXIT_KTEST_PASS, f"QEMU exit status {q.status}, expected {EXIT_KTEST_PASS}")
    q.check("PANIC" not in q.log, "kernel panic")
    res = check_ktap_all_pass(q)
    missing = [n for n in names if n not in res]
    q.check(not missing, f"no result for {missing}")
    return q


def check_disk_line(q, mode):
    m = re.search(r"ata: hdb: (.+), (\d+) sectors \((\d+) MiB\), LBA48, (.+)$", q.log, re.M)
    q.check(m is not None, "no 'ata: hdb: MODEL, N sectors (M MiB), LBA48, MODE' boot line")
    q.check(m.group(1) == "QEMU HARDDISK", f"model {m.group(1)!r}")
    q.check(int(m.group(2)) == DISK_SECTORS, f"{m.group(2)} sectors, expected {DISK_SECTORS}")
    q.check(m.group(4).startswith(mode), f"transfer mode {m.group(4)!r}, expected {mode}")
    q.check(re.search(r"ata: bus master at 0x[0-9a-f]+", q.log) is not None, "no bus master line")
    q.check("ata: hdc: ATAPI device (CD-ROM), skipped" in q.log, "the CD-ROM was not skipped")


def test_ata_ktests_dma(qemu_run, tmp_path):
    q = run_ktests(qemu_run, tmp_path)
    check_disk_line(q, "DMA")
    m = re.search(r"ata_concurrent: dma: 4 threads x 200 requests, ran on cpu mask 0x([0-9a-f]+)", q.log)
    q.check(m is not None, "no ata_concurrent diagnostic")
    q.check(bin(int(m.group(1), 16)).count("1") >= 2, f"submitters ran on one CPU only: {m.group(0)}")
    # the lost-interrupt test went through the watchdog and a retry
    q.check(re.search(r"READ DMA at sector \d+ \(8 sectors\) timed out", q.log) is not None,
            "no timeout message from the lost-interrupt test")


def test_ata_ktests_pio(qemu_run, tmp_path):
    q = run_ktests(qemu_run, tmp_path, "ata=pio")
    check_disk_line(q, "PIO (ata=pio)")
    q.check("ata_concurrent: pio: 4 threads" in q.log, "ata_concurrent did not run in PIO mode")


def test_ata_error_injection(qemu_run, tmp_path):
    """blkdebug fails every read and write touching BAD_SECTOR with EIO:
    the requests get -EIO naming that sector, a failed write's buffer is
    intact, neighbours still work, the kernel does not panic."""
    disk = scratch_disk(tmp_path)
    conf = tmp_path / "blkdebug.conf"
    conf.write_text("".join(
        f'[inject-error]\nevent = "{ev}"\nerrno = "5"\nsector = "{BAD_SECTOR}"\n\n'
        for ev in ("read_aio", "write_aio")))
    q = qemu_run(smp=4, swap=False, extra=ide1(f"blkdebug:{conf}:{disk}"),
                 cmdline=f"ktest=ata_error_injection ata_test_sector={BAD_SECTOR} panic=exit")
    q.check(q.status == EXIT_KTEST_PASS, f"QEMU exit status {q.status}")
    q.check("PANIC" not in q.log, "kernel panic")
    res = ktap_results(q.log)
    q.check(res.get("ata_error_injection", (0, False))[1], "ata_error_injection failed")
    start = BAD_SECTOR - 5
    for cmd in ("READ DMA", "WRITE DMA", "READ SECTORS", "WRITE SECTORS"):
        rx = (rf"ata: hdb: {cmd} at sector {start} \(16 sectors\) failed at sector \d+: "
              r"status 0x[0-9a-f]{2} error 0x[0-9a-f]{2}, attempt 1 of 4")
        q.check(re.search(rx, q.log) is not None, f"no error message for {cmd}")
    for what in ("read", "write"):
        q.check(f"ata: hdb: {what} error at sector {BAD_SECTOR}, giving up: -EIO" in q.log,
                f"no final {what} error naming sector {BAD_SECTOR}")
    for mode in ("dma", "pio"):
        q.check(f"ata_error_injection: {mode}: write at {start}: status -5, err_lba {BAD_SECTOR}, "
                "buffer intact" in q.log, f"{mode}: failed write not reported as expected")
