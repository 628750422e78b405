#!/usr/bin/env python3
"""Write a student tree for one lab: `make lab-tree LAB=n OUT=dir`.

The working kernel carries every lab's solution between markers, in C, NASM
and Python files alike (the comment leader is the file's own: `//` in C and
linker scripts, `;` in NASM, `#` in Python and Makefiles):

        // LAB 3 BEGIN: stage 2, unmap the old PTEs of a series
        ...the solution: the code a student writes...
        // LAB 3 STUB
        //	return 0;	/* nothing unmapped yet */
        // LAB 3 END

In the tree for lab n:
  * lab n's solution lines are removed; its stub lines are kept with their
    comment leader taken off, so the tree compiles and says what to write;
    the BEGIN line becomes `// LAB n: your code here: <what to write>`;
  * every other lab keeps its solution (so that the tree fails lab n's
    graded tests and no others) and loses its marker and stub lines.
The tree is the files git tracks (plus new files not yet committed, not
ignored ones), without .git and build/. A file `.lab` at its top names the
lab, and `make grade` in the tree reads it.

`--check` only parses the markers of the whole tree and prints, per lab, the
files and the number of solution lines; a missing END, a nested BEGIN, a
lab number out of range or a lab without markers is an error.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LABS = range(1, 9)
# a file's comment leader: a marker is a comment of the file's own language
# (so an example in a Python docstring or a C string is no marker)
LEADER = {".c": "//", ".h": "//", ".S": "//", ".ld": "//", ".asm": ";", ".py": "#", ".mk": "#"}
SOURCE_EXT = set(LEADER)
MARKS = {lead: re.compile(r"^(\s*)(" + re.escape(lead) + r")\s*LAB (\d+) (BEGIN|STUB|END)\b:?\s*(.*)$")
         for lead in set(LEADER.values())}


def marker_re(path):
    p = Path(path)
    return MARKS[LEADER.get(p.suffix, "#")]


class MarkerError(Exception):
    pass


def tree_files(root):
    """Tracked files plus untracked ones that are not ignored."""
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=root,
                         check=True, stdout=subprocess.PIPE).stdout.decode()
    return sorted(p for p in out.split("\0") if p and (root / p).is_file())


def parse(lines, path):
    """Yield (lab, begin, stub, end) line indexes of each marked region."""
    open_ = None
    mark = marker_re(path)
    for i, line in enumerate(lines):
        m = mark.match(line)
        if not m:
            continue
        lab, kind = int(m.group(3)), m.group(4)
        if lab not in LABS:
            raise MarkerError(f"{path}:{i + 1}: lab {lab} is not one of 1-8")
        if kind == "BEGIN":
            if open_:
                raise MarkerError(f"{path}:{i + 1}: LAB {lab} BEGIN inside LAB {open_[0]} "
                                  f"(opened at line {open_[1] + 1}); regions do not nest")
            open_ = [lab, i, None]
            continue
        if not open_ or open_[0] != lab:
            raise MarkerError(f"{path}:{i + 1}: LAB {lab} {kind} without its BEGIN")
        if kind == "STUB":
            if open_[2] is not None:
                raise MarkerError(f"{path}:{i + 1}: a second LAB {lab} STUB")
            open_[2] = i
        else:
            yield open_[0], open_[1], open_[2], i
            open_ = None
    if open_:
        raise MarkerError(f"{path}:{open_[1] + 1}: LAB {open_[0]} BEGIN without its END")


def uncomment(line, leader):
    """`\\t//\\treturn 0;` -> `\\t\\treturn 0;`: the leader (and one space after
    it) comes off; indentation before it stays."""
    m = re.match(r"^(\s*)" + re.escape(leader) + r" ?(.*)$", line, re.S)
    if not m:
        raise MarkerError(f"stub line without its comment leader {leader!r}: {line!r}")
    return m.group(1) + m.group(2)


def transform(lines, path, lab):
    """The file's lines as the tree for `lab` has them."""
    out, pos = [], 0
    for n, b, s, e in parse(lines, path):
        out += lines[pos:b]
        m = marker_re(path).match(lines[b])
        indent, leader, what = m.group(1), m.group(2), m.group(5)
        stub_end = e
        solution = lines[b + 1:s if s is not None else e]
        stub = lines[s + 1:e] if s is not None else []
        if n == lab:
            out.append(f"{indent}{leader} LAB {n}: your code here" + (f": {what}" if what else "") + "\n")
            out += [uncomment(l, leader) for l in stub]
        else:
            out += solution
        pos = stub_end + 1
    return out + lines[pos:]


def regions(root):
    """{lab: [(path, solution lines)]} over the whole tree."""
    found = {n: [] for n in LABS}
    for rel in tree_files(root):
        p = root / rel
        if p.suffix not in SOURCE_EXT and p.name != "Makefile":
            continue
        lines = p.read_text(errors="replace").splitlines(True)
        for n, b, s, e in parse(lines, rel):
            found[n].append((rel, (s if s is not None else e) - b - 1))
    return found


def check(root):
    found = regions(root)
    bad = [n for n in LABS if not found[n]]
    for n in LABS:
        files = sorted({f for f, _ in found[n]})
        print(f"lab {n}: {len(found[n])} regions, {sum(c for _, c in found[n])} solution lines"
              f" in {', '.join(files) or '-'}")
    if bad:
        raise MarkerError(f"no markers for lab(s) {', '.join(map(str, bad))}")


def write_tree(root, lab, out):
    out = Path(out).resolve()
    if out == root or root in out.parents and not str(out.relative_to(root)).startswith("build"):
        raise MarkerError(f"OUT={out} is inside the source tree; give a directory outside it "
                          "(or under build/)")
    if out.exists() and any(out.iterdir()):
        raise MarkerError(f"OUT={out} exists and is not empty; remove it or give a new one")
    removed = 0
    for rel in tree_files(root):
        src, dst = root / rel, out / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.suffix in SOURCE_EXT or src.name == "Makefile":
            lines = src.read_text(errors="replace").splitlines(True)
            new = transform(lines, rel, lab)
            removed += len(lines) - len(new)
            dst.write_text("".join(new))
            shutil.copymode(src, dst)
        else:
            shutil.copy2(src, dst)
    (out / ".lab").write_text(f"{lab}\n")
    print(f"lab-tree: lab {lab} written to {out} ({removed} lines of solution taken out); "
          f"build it with `make -C {out}`, grade it with `make -C {out} grade LAB={lab}`")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="parse every marker and summarise")
    ap.add_argument("lab", nargs="?", type=int)
    ap.add_argument("out", nargs="?")
    a = ap.parse_args()
    try:
        if a.check:
            check(ROOT)
            return 0
        if a.lab not in LABS or not a.out:
            ap.error("give LAB (1-8) and OUT, e.g. `make lab-tree LAB=3 OUT=/tmp/lab3`")
        regions(ROOT)           # every marker must parse before anything is written
        write_tree(ROOT, a.lab, a.out)
    except MarkerError as e:
        print(f"lab-tree: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
