#!/usr/bin/env python3
"""Every lab's student tree against every lab's tests: `make lab-matrix`.

For each lab n: write its tree under build/lab-trees/labN, build it, run the
whole grader there, and check that lab n's tests fail and that every other
lab's test passes or is skipped because it needs a lab-n test. This is what
"each tree fails only its own lab" means; it takes eight grading runs, so
`make test` checks lab n's own tests in each tree and this runs by hand.
"""
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TREES = ROOT / "build" / "lab-trees"


def main():
    labs = [int(a) for a in sys.argv[1:]] or list(range(1, 9))
    bad = 0
    for n in labs:
        out = TREES / f"lab{n}"
        shutil.rmtree(out, ignore_errors=True)
        subprocess.run([sys.executable, "scripts/lab_tree.py", str(n), str(out)], cwd=ROOT, check=True)
        b = subprocess.run(["make", "-j2", "-s", "all"], cwd=out, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if b.returncode:
            print(f"lab {n}: the tree does not build\n{b.stdout[-3000:]}")
            bad += 1
            continue
        jf = out / "build" / "grade.json"
        subprocess.run([sys.executable, "grade/grade.py", "--json", str(jf)], cwd=out)
        res = json.loads(jf.read_text())
        wrong, excused = [], set()
        for t in res["tests"]:          # in the order they ran: a dependency comes first
            if t["lab"] == n:
                excused.add(t["id"])
                if t["status"] == "PASS":
                    wrong.append(f"{t['id']} passes in its own lab's tree")
            elif t["status"] == "FAIL":
                wrong.append(f"{t['id']} fails: {t['reason'].splitlines()[0] if t['reason'] else ''}")
            elif t["status"] == "SKIP":
                # skipped because of lab n, directly or through a test skipped for it
                if all(d in excused for d in re.findall(r"(lab\d+\.\w+) \(", t["reason"])):
                    excused.add(t["id"])
                else:
                    wrong.append(f"{t['id']} skipped for another lab: {t['reason']}")
        skipped = sum(1 for t in res["tests"] if t["lab"] != n and t["status"] == "SKIP")
        print(f"lab-matrix: lab {n}'s tree: score {res['score']}/{res['max']}, "
              f"{skipped} other tests skipped by dependency, "
              + ("OK" if not wrong else "WRONG:\n  " + "\n  ".join(wrong)), flush=True)
        bad += bool(wrong)
    print(f"lab-matrix: {len(labs) - bad}/{len(labs)} trees fail only their own lab")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
