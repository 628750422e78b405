"""scripts/bench_compare.py's combining, ratios and goals, on canned CSV
rows (no QEMU: a second or so): medians of repeated runs, the replay row
at ppsos's frame count, faults over OPT's, the better Linux mode per
figure, PASS/MISS at the goals' edges, "-" for a system that did not run,
and the parsing of the sampler's lines and a workload's verdict. Also
that the plots are drawn, or skipped without matplotlib."""
import csv
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import bench_compare as bc  # noqa: E402
import bench_workloads as bw  # noqa: E402

WL = [w for w in bw.WORKLOADS if w[0] in ("random", "seqscan")]
assert [w[2] for w in WL] == [False, True], "the test wants one unstructured, one structured"


def row(system, workload, frames=8500, read=0, maj=0, written=0, cmds=0, ipi=0, ms=0,
        status="ok"):
    return {"system": system, "workload": workload, "command": "x", "mem_mib": 38, "smp": 4,
            "usable_frames": frames, "pages_read": read, "major_faults": maj,
            "pages_written": written, "write_cmds": cmds, "read_cmds": maj, "tlb_ipi": ipi,
            "elapsed_ms": ms, "status": status, "runs": 1}


def write(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=bc.FIELDS)
        w.writeheader()
        w.writerows(rows)


@pytest.fixture
def csvs(tmp_path):
    write(tmp_path / "bench-ppsos.csv", [
        row("ppsos-pps", "random", read=900, maj=450, written=800, cmds=100, ms=1000),
        row("ppsos-clock", "random", read=1500, maj=1500, written=1500, cmds=1500, ipi=70, ms=9000),
        row("ppsos-pps", "seqscan", read=950, maj=85, written=700, cmds=70, ms=600),
    ])
    write(tmp_path / "bench-linux.csv", [
        row("linux-classic", "random", frames=8400, read=1000, maj=500, ms=1800),
        row("linux-mglru", "random", frames=8400, read=1200, maj=400, ms=2500),
        # seqscan: classic alone, 0.95 of it is over the structured goal
        row("linux-classic", "seqscan", frames=8400, read=1000, maj=100, ms=1100),
        row("linux-other", "random", read=1, maj=1),              # not a known mode
    ])
    write(tmp_path / "bench-opt.csv", [
        row("opt", "random", frames=8500, read=300, maj=300),
        row("opt", "random", frames=8400, read=310, maj=310),     # Linux's frames: not this
        row("lru", "random", frames=8500, read=700, maj=700),
    ])
    return tmp_path


def test_combine_and_ratios(csvs):
    table, notes = bc.combine([csvs], WL, run_replay=False)
    assert notes == []
    assert table[("random", "opt")]["usable_frames"] == 8500
    assert ("random", "linux-other") not in table
    flat = {(r["workload"], r["system"]): r for r in bc.compare_rows(table, WL)}
    assert flat[("random", "ppsos-pps")]["faults_over_opt"] == pytest.approx(1.5)
    assert flat[("random", "ppsos-clock")]["faults_over_opt"] == pytest.approx(5.0)
    assert flat[("seqscan", "ppsos-pps")]["faults_over_opt"] is None   # no OPT row
    md = "\n".join(bc.main_table(table, WL))
    assert "| random | usable frames | 8500 | 8500 | 8400 | 8400 | 8500 | 8500 |" in md
    assert "|  | pages read | 900 | 1500 | 1000 | 1200 | 700 | 300 |" in md
    assert "|  | faults / OPT | 1.50 | 5.00 | 1.67 | 1.33 | 2.33 | 1.00 |" in md
    assert "|  | pages read / OPT | 3.00 | 5.00 | 3.33 | 4.00 | 2.33 | 1.00 |" in md
    assert "| seqscan | usable frames | 8500 | - | 8400 | - | - | - |" in md
    assert "|  | pages read | 950 | - | 1000 | - | - | - |" in md


def test_goals(csvs):
    table, _ = bc.combine([csvs], WL, run_replay=False)
    g = {r["workload"]: r for r in bc.goal_rows(table, WL)}
    # random: the lower Linux figure each: read 1000 (classic), faults 400 (MGLRU)
    assert g["random"]["pages_read_ratio"] == pytest.approx(0.9) and g["random"]["read_ok"]
    assert g["random"]["major_faults_ratio"] == pytest.approx(1.125)
    assert g["random"]["faults_ok"] is False
    assert g["random"]["pages_per_cmd"] == pytest.approx(8.0) and g["random"]["cmd_ok"]
    assert g["random"]["elapsed_ms_ratio"] == pytest.approx(1000 / 1800)
    assert g["random"]["elapsed_ok"] is False
    # seqscan is structured: 0.95 misses the 0.9 goal
    assert g["seqscan"]["goal_ratio"] == 0.9
    assert g["seqscan"]["pages_read_ratio"] == pytest.approx(0.95)
    assert g["seqscan"]["read_ok"] is False and g["seqscan"]["faults_ok"] is True
    md = "\n".join(bc.goal_table(bc.goal_rows(table, WL)))
    assert "| random | <= 1.0 | 0.90 PASS | 1.12 MISS | 8.00 PASS | 0.56 MISS |" in md
    assert "| seqscan (structured) | <= 0.9 | 0.95 MISS | 0.85 PASS | 10.00 PASS | 0.55 MISS |" in md


def test_missing_csvs(csvs):
    (csvs / "bench-linux.csv").unlink()
    (csvs / "bench-opt.csv").unlink()
    table, notes = bc.combine([csvs], WL, run_replay=False)
    assert any("make bench-linux" in n for n in notes)
    g = {r["workload"]: r for r in bc.goal_rows(table, WL)}
    assert g["random"]["pages_read_ratio"] is None
    md = "\n".join(bc.goal_table(bc.goal_rows(table, WL)))
    assert "| random | <= 1.0 | - | - | 8.00 PASS | - |" in md


def test_medians_of_ok_runs():
    runs = [row("ppsos-pps", "random", maj=m, status=s)
            for m, s in [(30, "ok"), (10, "ok"), (20, "ok"), (99, "timeout after 9 s")]]
    (m,) = bc.medians(runs)
    assert m["major_faults"] == 20 and m["runs"] == 4
    assert m["status"] == "3/4 ok; timeout after 9 s"
    (m,) = bc.medians(runs[:2])
    assert m["major_faults"] == 10 and m["status"] == "ok"         # the lower middle one


def test_parse_samples_and_verdict():
    line = " 2   22948   49132   5040  12137   13750    755      7    386     12    457     442   11001      7      0     4608"
    # a progress line (user/lib/progress.h: stdout is the serial console,
    # a terminal) is neither a sample nor a verdict
    prog = "thrash: progress 41% (61440/150000 accesses), 12 s, 3120 major faults"
    got = bc.parse_samples(["thrash 96 150000 1", line, prog, "seqscan: OK" + line, "junk 1 2",
                            "thrash: progress 0 accesses, 5 s"])
    assert len(got) == 2 and got[0]["free_kb"] == 22948 and got[1]["ms"] == 4608
    rows = bc.sample_rows("ppsos-pps", "random", 0, got)
    assert rows[0]["t_ms"] == 0 and rows[0]["free_pages"] == 5737 and rows[0]["slot"] == 457
    assert bc.verdict("thrash", ["thrash: OK elapsed_ms=123 accesses=4", "status=0"]) == (123, "ok")
    assert bc.verdict("thrash", [prog, "thrash: OK elapsed_ms=123 accesses=4", "status=0"]) == \
        (123, "ok")
    assert bc.verdict("thrash", [prog, "status=0"])[1] == "no OK line"
    assert bc.verdict("multithrash", ["multithrash[0]: progress 9% (1/11 accesses), 5 s",
                                      "multithrash: OK elapsed_ms=7 nproc=4", "status=0"]) == (7, "ok")
    assert bc.verdict("thrash", ["thrash: CORRUPT page 3", "status=1"])[1] == "CORRUPT"
    assert bc.verdict("thrash", ["status=137"])[1] == "killed (OOM)"
    assert bc.verdict("thrash", ["status=0"])[1] == "no OK line"


def test_plots(csvs, tmp_path):
    table, _ = bc.combine([csvs], WL, run_replay=False)
    bc.write_csv(tmp_path / "cmp.csv", bc.compare_rows(table, WL))
    s = bc.sample_rows("ppsos-pps", "random", 0, bc.parse_samples(
        [" ".join(str(i * k) for k in range(16)) for i in range(1, 5)]))
    bc.write_csv(tmp_path / "s.csv", s, bc.SAMPLE_FIELDS)
    import bench_plot
    made = bench_plot.plot_all(tmp_path / "s.csv", tmp_path / "cmp.csv", WL, tmp_path / "plots")
    if bench_plot.pyplot() is None:
        assert made == []
    else:
        assert sorted(p.name for p in made) == ["faults.png", "stages-random.png"]


def test_keep_others(tmp_path):
    p = tmp_path / "bench-ppsos.csv"
    write(p, [row("ppsos-pps", "random", maj=1), row("ppsos-clock", "random", maj=2),
              row("ppsos-pps", "seqscan", maj=3)])
    kept = bc.keep_others(p, {("ppsos-pps", "random")})
    assert [(r["system"], r["workload"]) for r in kept] == [("ppsos-clock", "random"),
                                                            ("ppsos-pps", "seqscan")]
    assert bc.keep_others(tmp_path / "none.csv", set()) == []
