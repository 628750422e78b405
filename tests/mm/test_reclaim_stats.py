"""The reclaim cost counters (mm/reclaim_stats.h): kppsd's pass time and
scanned PTEs in /proc/vmstat, fault latency by kind in /proc/vmstat and
/proc/fault_latency, the passes' cost histogram in /proc/kppsd_cost.

One boot at -m 32 with swap, a thrash larger than RAM from the shell; the
counters must exist before and have grown after (demand-zero faults,
swap-ins, rescues, kppsd's passes, its time). Nothing timing-dependent
beyond "more than zero": the figures themselves are `make bench-scale`'s.
"""
import re

from qemu import sh_run, sh_wait_prompt, user_lines

MEM = 32
CLASSES = ["zero", "rescue", "swapin", "legacy"]
VMSTAT_KEYS = ["kppsd_passes", "kppsd_pressure_passes", "kppsd_scanned", "kppsd_freed", "kppsd_pass_ns",
               "kppsd_pass_io_ns", "kppsd_pass_dftlb_ns"] + \
              [f"fault_{c}{s}" for c in CLASSES for s in ("", "_ns")]


def vmstat(q):
    v = {}
    for l in user_lines(sh_run(q, "cat /proc/vmstat")):
        m = re.fullmatch(r"([a-z][a-z0-9_]*) (\d+)", l)
        q.check(m is not None, f"/proc/vmstat: line {l!r} is not 'name value'")
        v[m.group(1)] = int(m.group(2))
    for k in VMSTAT_KEYS:
        q.check(k in v, f"/proc/vmstat has no {k}: {sorted(v)}")
    return v


def fault_latency(q):
    """{class: (count, total_ns, sum of its histogram)} and the tsc_khz line."""
    out = user_lines(sh_run(q, "cat /proc/fault_latency"))
    rows = {l.split()[0]: l.split()[1:] for l in out if not l.startswith("le_ns")}
    q.check(rows.get("class") == CLASSES, f"/proc/fault_latency: classes {rows.get('class')}:\n{out}")
    q.check(int(rows["tsc_khz"][0]) > 0, f"/proc/fault_latency: tsc_khz {rows['tsc_khz']}")
    hist = [0] * len(CLASSES)
    edges = []
    for l in out:
        if l.startswith("le_ns "):
            f = l.split()
            edges.append(int(f[1]))
            hist = [h + int(n) for h, n in zip(hist, f[2:])]
    q.check(edges == sorted(edges) and len(set(edges)) == len(edges), f"le_ns edges not increasing: {edges}")
    return {c: (int(rows["count"][i]), int(rows["total_ns"][i]), hist[i]) for i, c in enumerate(CLASSES)}


def kppsd_cost(q):
    out = user_lines(sh_run(q, "cat /proc/kppsd_cost"))
    q.check(len(out) >= 3 and out[0].startswith("tsc_khz ") and out[1].startswith("min_scanned ")
            and out[2] == "kind periodic pressure", f"/proc/kppsd_cost header: {out}")
    return sum(int(n) for l in out if l.startswith("ge_ns ") for n in l.split()[2:])


def test_reclaim_stats_grow(qemu, ppsos_build):
    q = qemu(smp=2, mem=MEM)
    sh_wait_prompt(q)
    v0, f0, c0 = vmstat(q), fault_latency(q), kppsd_cost(q)
    out = user_lines(sh_run(q, "thrash 40 10000", timeout=600))
    q.check(any(l.startswith("thrash: OK") for l in out), f"thrash failed: {out}")
    v1, f1, c1 = vmstat(q), fault_latency(q), kppsd_cost(q)
    d = {k: v1[k] - v0[k] for k in v1}
    for k in ["kppsd_passes", "kppsd_pressure_passes", "kppsd_scanned", "kppsd_freed", "kppsd_pass_ns",
              "kppsd_pass_io_ns", "fault_zero", "fault_zero_ns", "fault_rescue", "fault_rescue_ns",
              "fault_swapin", "fault_swapin_ns"]:
        q.check(d[k] > 0, f"{k} did not grow over a 40 MiB thrash at -m {MEM}: {d}")
    q.check(d["kppsd_pass_io_ns"] + d["kppsd_pass_dftlb_ns"] <= d["kppsd_pass_ns"],
            f"kppsd's waits are longer than its passes: {d}")
    # Every kind of fault is counted once, whoever reads it: the swap-ins
    # include the major faults (and any that waited for another's read),
    # the rescues every successful one.
    q.check(d["fault_swapin"] >= d["pgmajfault"] > 0, f"fault_swapin vs pgmajfault: {d}")
    q.check(d["fault_rescue"] >= d["pps_rescue"], f"fault_rescue vs pps_rescue: {d}")
    q.check(sum(d[f"fault_{c}"] for c in CLASSES) <= d["pgfault"], f"more timed faults than faults: {d}")
    for c in CLASSES:
        n, ns, h = f1[c]
        # The histogram and the counts come from one snapshot; only the
        # reading `cat`'s own faults can land between two CPUs' slots.
        q.check(abs(h - n) <= 4, f"/proc/fault_latency: {c}: count {n} but histogram {h}")
        q.check(n >= v1[f"fault_{c}"] and ns >= f0[c][1], f"/proc/fault_latency {c} (read after vmstat): {f1} {v1}")
    q.check(c1 > c0, f"no pass in /proc/kppsd_cost's histogram grew ({c0} -> {c1})")
