"""The course labs: markers, student trees and the grader (issue 14).

* every lab has solution markers, and scripts/lab_tree.py refuses broken ones;
* `grade/grade.py` on the full tree gives full marks, prints one line per
  test and `Score: X/Y` last, and writes JSON that says the same;
* for every lab n, the student tree builds and fails every test of lab n
  (each failing, not passing and not skipped for a reason outside lab n);
  the rest of the tree is the full tree's code, marker lines aside;
* the grader's leak check and its retyping of lost serial input work.

Running every lab's tests in every lab's tree (that solved labs keep passing)
takes 8 full grading runs: `make lab-matrix` does it, outside `make test`.
"""
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from qemu import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "grade"))

import lab_tree  # noqa: E402

LABS = range(1, 9)
PY = sys.executable
TREES = ROOT / "build" / "lab-trees"


def tree_make(out):
    """make -j2 all in a student tree. With ccache (scripts/install-deps.sh
    installs it) the eight trees share one cache: each differs from the
    others only in its own lab's files, so after the first tree a build
    compiles those few files instead of all of them. The cache is keyed
    without the tree's directory (CCACHE_NOHASHDIR): the trees are the
    same sources at different paths. No ccache: a plain build."""
    if not shutil.which("ccache"):
        return run(["make", "-j2", "all"], cwd=out, timeout=900)
    env = {"CCACHE_DIR": str(ROOT / "build" / "ccache"), "CCACHE_BASEDIR": str(TREES),
           "CCACHE_NOHASHDIR": "1"}
    return run(["make", "-j2", "all", "CC=ccache $(CROSS)gcc"], cwd=out, timeout=900, env=env)


def run(argv, cwd=ROOT, timeout=1800, env=None):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=timeout, env=e)


# ---- markers -------------------------------------------------------------------

def test_every_lab_has_markers():
    r = run([PY, "scripts/lab_tree.py", "--check"])
    assert r.returncode == 0, r.stdout
    for n in LABS:
        m = re.search(rf"^lab {n}: (\d+) regions, (\d+) solution lines", r.stdout, re.M)
        assert m and int(m.group(1)) > 0 and int(m.group(2)) >= 5, f"lab {n}: {r.stdout}"


SAMPLE = """int f(int x)
{
\t// LAB 2 BEGIN: double x
\tint y = x * 2;
\treturn y;
\t// LAB 2 STUB
\t//\t(void)x;
\t//\treturn -1; /* not yet */
\t// LAB 2 END
}
\t// LAB 3 BEGIN
\tmov(1);
\t// LAB 3 STUB
\t//\tud2();
\t// LAB 3 END
"""
ASM = """; LAB 3 BEGIN
\tmov eax, 1
; LAB 3 STUB
;\tud2
; LAB 3 END
// LAB 2 BEGIN is no marker here
"""


def test_transform_removes_only_its_lab():
    lines = SAMPLE.splitlines(True)
    two = "".join(lab_tree.transform(lines, "x.c", 2))
    assert "x * 2" not in two and "\t\t(void)x;\n\t\treturn -1; /* not yet */\n" in two
    assert "\t// LAB 2: your code here: double x\n" in two
    assert "\tmov(1);\n" in two and "LAB 3" not in two and "ud2" not in two
    three = "".join(lab_tree.transform(lines, "x.c", 3))
    assert "\tint y = x * 2;\n\treturn y;\n" in three and "LAB 2" not in three
    assert "\t\tud2();\n" in three and "mov(1)" not in three
    other = "".join(lab_tree.transform(lines, "x.c", 5))
    assert "LAB" not in other and "x * 2" in other and "mov(1)" in other
    asm = "".join(lab_tree.transform(ASM.splitlines(True), "x.asm", 3))
    assert "\tud2\n" in asm and "mov eax" not in asm and "// LAB 2 BEGIN is no marker" in asm
    # a marker in another language's comment is no marker (a docstring's example)
    assert lab_tree.transform(lines, "x.py", 2) == lines


@pytest.mark.parametrize("text, why", [
    ("// LAB 2 BEGIN\n// LAB 3 BEGIN\n// LAB 3 END\n// LAB 2 END\n", "do not nest"),
    ("// LAB 2 BEGIN\nx\n", "without its END"),
    ("// LAB 2 END\n", "without its BEGIN"),
    ("// LAB 9 BEGIN\n// LAB 9 END\n", "not one of 1-8"),
    ("// LAB 2 BEGIN\n// LAB 2 STUB\n// LAB 2 STUB\n// LAB 2 END\n", "second"),
    ("// LAB 2 BEGIN\n// LAB 3 END\n", "without its BEGIN"),
])
def test_broken_markers_are_refused(text, why):
    with pytest.raises(lab_tree.MarkerError, match=why):
        lab_tree.transform(text.splitlines(True), "bad.c", 2)


def test_stub_line_without_leader_is_refused():
    text = "// LAB 2 BEGIN\nx\n// LAB 2 STUB\nreturn 0;\n// LAB 2 END\n"
    with pytest.raises(lab_tree.MarkerError, match="leader"):
        lab_tree.transform(text.splitlines(True), "bad.c", 2)


def test_lab_tree_refuses_bad_requests(tmp_path):
    r = run([PY, "scripts/lab_tree.py", "9", str(tmp_path / "t")])
    assert r.returncode != 0 and "LAB (1-8)" in r.stdout
    r = run([PY, "scripts/lab_tree.py", "2", str(ROOT / "kernel")])
    assert r.returncode == 1 and "inside the source tree" in r.stdout
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    r = run([PY, "scripts/lab_tree.py", "2", str(tmp_path / "full")])
    assert r.returncode == 1 and "not empty" in r.stdout


# ---- the grader ----------------------------------------------------------------

def parse_grade(out):
    lines = [l for l in out.splitlines() if l.strip()]
    tests = {}
    for l in lines:
        m = re.match(r"^(\(prerequisite\) )?(\w+): (OK|FAIL|SKIP) \([\d.]+s\)\s*(?:\[(\d+)/(\d+)\])?$", l)
        if m:
            tests[m.group(2)] = (m.group(3), m.group(4), m.group(5), bool(m.group(1)))
    return lines, tests


def test_grade_full_tree_full_marks(tmp_path):
    """CI's check that the working kernel scores full marks."""
    out = tmp_path / "grade.json"
    r = run([PY, "grade/grade.py"], env={"GRADE_JSON": str(out)}, timeout=3600)
    lines, tests = parse_grade(r.stdout)
    assert lines and re.fullmatch(r"Score: (\d+)/\1", lines[-1]), r.stdout[-6000:]
    assert r.returncode == 0, r.stdout[-6000:]
    res = json.loads(out.read_text())
    assert res["score"] == res["max"] > 0
    assert sorted(res["labs"]) == [str(n) for n in LABS], res["labs"]
    for n, lab in res["labs"].items():
        assert lab["score"] == lab["max"] > 0, (n, lab)
        assert f"lab {n} ({lab['title']}): {lab['max']}/{lab['max']}" in lines
    for t in res["tests"]:
        assert t["status"] == "PASS" and t["points"] == t["max"], t
        assert tests[t["name"]][0] == "OK" and int(tests[t["name"]][1]) == t["max"], t
    assert len(res["tests"]) == len(tests)


def test_grade_usage_errors():
    r = run([PY, "grade/grade.py", "--lab", "42"])
    assert r.returncode == 2 and "there is no lab 42" in r.stdout
    r = run([PY, "grade/grade.py", "--lab", "1", "--test", "no_such_test"])
    assert r.returncode == 2 and "no test named 'no_such_test'" in r.stdout
    r = run([PY, "grade/grade.py", "--list"])
    assert r.returncode == 0 and all(f"lab {n} " in r.stdout for n in LABS), r.stdout


def test_grade_survives_lost_serial_input():
    """1% of the typed characters dropped (a 45-character line loses one
    about every other time): the grader retypes the lines."""
    r = run([PY, "grade/grade.py", "--lab", "2", "--test", "demand_zero"],
            env={"GRADE_LOSE_INPUT": "0.01"}, timeout=900)
    m = re.search(r"^grade: (\d+) command lines lost characters", r.stdout, re.M)
    assert m and int(m.group(1)) >= 1, f"no line was retyped:\n{r.stdout[-3000:]}"
    assert r.returncode == 0 and r.stdout.rstrip().endswith("Score: {0}/{0}".format(
        re.search(r"Score: \d+/(\d+)", r.stdout).group(1))), r.stdout[-4000:]


class FakeShell:
    """The leak check's logic against made-up numbers (no QEMU)."""

    def __init__(self, seq, procs=()):
        import gradelib
        self.sh = gradelib.Shell.__new__(gradelib.Shell)
        self.sh.q = self
        self.sh.base = {"free frames - swap in use": 100, "kmalloc bytes": 5000}
        it = iter(seq)
        self.sh.restart_shell = lambda: None
        self.sh.footprint = lambda: next(it)
        self.sh.user = lambda cmd: ["PID PPID STATE THR CMD", "1 0 S 1 init", "2 1 S 1 sh"] + list(procs)

    def fail(self, what):
        raise AssertionError(what)


def test_leak_check_sees_a_leak_and_waits_for_late_frees(monkeypatch):
    import gradelib
    monkeypatch.setattr(gradelib.time, "sleep", lambda s: None)
    late = [{"free frames - swap in use": 98, "kmalloc bytes": 5000}] * 3 + \
           [{"free frames - swap in use": 100, "kmalloc bytes": 5000}]
    FakeShell(late).sh.check_leaks(settle=60)           # comes back: no leak
    leak = [{"free frames - swap in use": 99, "kmalloc bytes": 5064}] * 10**6
    with pytest.raises(AssertionError, match="leak check"):
        FakeShell(leak).sh.check_leaks(settle=0.01)
    ok = [{"free frames - swap in use": 100, "kmalloc bytes": 5000}] * 10**6
    with pytest.raises(AssertionError, match="still running"):
        FakeShell(ok, procs=["9 2 S 1 thrash"]).sh.check_leaks(settle=0.01)


# ---- every lab's student tree ----------------------------------------------------

@pytest.mark.parametrize("lab", LABS)
def test_student_tree_fails_exactly_its_lab(lab):
    out = TREES / f"lab{lab}"
    if out.exists():
        subprocess.run(["rm", "-rf", str(out)], check=True)
    r = run([PY, "scripts/lab_tree.py", str(lab), str(out)])
    assert r.returncode == 0, r.stdout
    assert (out / ".lab").read_text().strip() == str(lab)
    # the tree is the full tree but for lab n's regions (and marker lines)
    for rel in lab_tree.tree_files(ROOT):
        src = ROOT / rel
        if src.suffix not in lab_tree.SOURCE_EXT and src.name != "Makefile":
            continue
        text = src.read_text(errors="replace")
        if "LAB " not in text:
            assert (out / rel).read_text(errors="replace") == text, rel
    r = tree_make(out)
    assert r.returncode == 0, f"the lab {lab} tree does not build:\n{r.stdout[-4000:]}"
    assert "warning:" not in r.stdout, f"the lab {lab} tree builds with warnings:\n{r.stdout[-4000:]}"
    jf = out / "build" / "grade.json"
    # Other labs' tests a lab-n test needs are taken as passed: the tree
    # holds their code as the full tree does (checked above), where they
    # pass (test_grade_full_tree_full_marks); `make lab-matrix` runs them.
    r = run([PY, "grade/grade.py", "--lab", str(lab), "--no-prerequisites", "--json", str(jf)],
            cwd=out, timeout=1800)
    assert r.returncode == 1, r.stdout[-4000:]
    res = json.loads(jf.read_text())
    mine = [t for t in res["tests"] if not t["prerequisite"]]
    assert mine, res
    for t in mine:
        deps_in_lab = t["reason"].startswith("needs ") and all(
            d.startswith(f"lab{lab}.") for d in re.findall(r"(lab\d+\.\w+)", t["reason"]))
        assert t["status"] == "FAIL" or (t["status"] == "SKIP" and deps_in_lab), \
            f"lab {lab}'s tree: {t['name']} did not fail: {t}\n{r.stdout[-3000:]}"
    assert any(t["status"] == "FAIL" for t in mine), mine
    assert res["labs"][str(lab)]["score"] == 0, res["labs"]
