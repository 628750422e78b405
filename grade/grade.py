#!/usr/bin/env python3
"""Grade the labs: `make grade [LAB=n] [TEST=name]` runs this.

    grade.py [--lab N] [--test NAME] [--json FILE] [--list]

Prints one line per test with its points, a score per lab, and `Score: X/Y`
as its last line; exits 0 only with full marks for what was selected.
GRADE_JSON=FILE does what --json does; GRADE_TIMEOUT_SCALE=2 doubles every
timeout (a slow or loaded host). See grade/gradelib.py for what runs around
each test (dependencies, leak checks, retyping lost serial input).
"""
import argparse
import importlib
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gradelib  # noqa: E402


PAST = {"FAIL": "failed", "SKIP": "skipped"}


def load_labs():
    for p in sorted(HERE.glob("lab[0-9]*_*.py")):
        m = importlib.import_module(p.stem)
        gradelib.LAB_TITLES[m.LAB] = m.TITLE
    gradelib.TESTS.sort(key=lambda t: t.lab)     # stable: definition order within a lab


def main():
    ap = argparse.ArgumentParser(description="Grade the ppsos labs.")
    ap.add_argument("--lab", type=int, help="only this lab's tests")
    ap.add_argument("--test", help="only this test (a name from --list)")
    ap.add_argument("--json", default=os.environ.get("GRADE_JSON") or None,
                    help="also write the results as JSON to this file")
    ap.add_argument("--list", action="store_true", help="list the tests and their points")
    ap.add_argument("--no-prerequisites", action="store_true",
                    help="do not run dependencies outside the selection: take them as passed "
                         "(for a tree whose other labs are known to pass)")
    a = ap.parse_args()
    load_labs()
    if a.lab is not None and a.lab not in gradelib.LAB_TITLES:
        ap.error(f"there is no lab {a.lab}; the labs are {sorted(gradelib.LAB_TITLES)}")
    chosen = gradelib.select(a.lab, a.test)
    if not chosen:
        ap.error(f"no test named {a.test!r}" + (f" in lab {a.lab}" if a.lab else "")
                 + "; `make grade-list` lists them")
    if a.list:
        for t in chosen:
            deps = f"  (needs {', '.join(t.deps)})" if t.deps else ""
            print(f"lab {t.lab} {t.name:<34} {t.points:3} pts  {t.doc}{deps}")
        return 0

    lab_file = gradelib.ROOT / ".lab"
    if lab_file.exists():
        print(f"grade: this is the student tree of lab {lab_file.read_text().strip()}")
    print(f"grade: {len(chosen)} tests, timeouts x{gradelib.SCALE:g} (GRADE_TIMEOUT_SCALE)")
    chosen_ids = {t.id for t in chosen}
    results, lab_shown = {}, None
    start = time.time()
    order = gradelib.with_prerequisites(chosen)
    if a.no_prerequisites:
        order = [t for t in order if t.id in chosen_ids]
    if a.no_prerequisites:
        for t in chosen:
            for d in t.deps:
                if d not in chosen_ids and d not in results:
                    results[d] = {"status": "PASS", "assumed": True, "prerequisite": True}
    for t in order:
        if t.lab != lab_shown and t.id in chosen_ids:
            lab_shown = t.lab
            print(f"== lab {t.lab}: {gradelib.LAB_TITLES[t.lab]} ==", flush=True)
        bad = [d for d in t.deps if results[d]["status"] != "PASS"]
        if bad:
            r = {"status": "SKIP", "seconds": 0.0,
                 "reason": "needs " + ", ".join(f"{d} ({PAST[results[d]['status']]})" for d in bad)}
        else:
            status, reason, secs = gradelib.run_one(t)
            r = {"status": status, "seconds": round(secs, 1), "reason": reason}
        r.update(lab=t.lab, name=t.name, max=t.points,
                 points=t.points if r["status"] == "PASS" else 0,
                 prerequisite=t.id not in chosen_ids)
        results[t.id] = r
        word = {"PASS": "OK", "FAIL": "FAIL", "SKIP": "SKIP"}[r["status"]]
        tag = "(prerequisite) " if r["prerequisite"] else ""
        pts = "" if r["prerequisite"] else f"[{r['points']}/{t.points}]"
        print(f"{tag}{t.name}: {word} ({r['seconds']:.1f}s)".ljust(62) + pts, flush=True)
        if r["status"] != "PASS":
            print(gradelib.short(r["reason"]), flush=True)
            if r["status"] == "FAIL":
                print(f"    serial logs: build/test-logs/grade-{t.id}*.log", flush=True)

    results = {k: v for k, v in results.items() if not v.get("assumed")}
    scored = [r for r in results.values() if not r["prerequisite"]]
    labs = {}
    for r in scored:
        s = labs.setdefault(r["lab"], {"title": gradelib.LAB_TITLES[r["lab"]], "score": 0, "max": 0})
        s["score"] += r["points"]
        s["max"] += r["max"]
    print("== scores ==")
    for n, s in sorted(labs.items()):
        print(f"lab {n} ({s['title']}): {s['score']}/{s['max']}")
    total, best = sum(s["score"] for s in labs.values()), sum(s["max"] for s in labs.values())
    if a.json:
        Path(a.json).write_text(json.dumps({
            "score": total, "max": best, "seconds": round(time.time() - start, 1),
            "timeout_scale": gradelib.SCALE,
            "labs": {str(n): s for n, s in sorted(labs.items())},
            "tests": [dict(id=k, **v) for k, v in results.items()]}, indent=2) + "\n")
        print(f"grade: results written to {a.json}")
    if gradelib.RETYPED[0]:
        print(f"grade: {gradelib.RETYPED[0]} command lines lost characters on the way in "
              "and were typed again")
    print(f"Score: {total}/{best}")
    return 0 if total == best else 1


if __name__ == "__main__":
    sys.exit(main())
