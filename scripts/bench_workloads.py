"""The workloads of the reclaim comparison (make bench, make bench-linux,
the OPT/LRU replay): one list, so that ppsos, Linux and the replay run
exactly the same programs with the same arguments.

Each entry: a short name for the tables, the command line (a bundled
program of user/, the same static i386 binary under ppsos and Linux; the
replay builds the same generator for the host), whether its access
pattern is "structured" (the goal there is 0.9x Linux's better mode, not
just 1.0x), and a line saying what it does.

Memory: ppsos runs at PPSOS_MEM MiB and Linux at LINUX_MEM MiB, chosen so
that both have about the same usable frames once booted (ppsos's free
frames at the shell, Linux's MemAvailable); every run records its own
usable frames, and the replay uses that figure for each run.
"""

PPSOS_MEM = 38
LINUX_MEM = 64
SMP = 4
SWAP_MB = 256

# (name, command, structured, description)
WORKLOADS = [
    ("random", "thrash 96 150000 1", False,
     "uniform random over 96 MiB, 150k accesses"),
    ("seqscan", "seqscan 80 10", True,
     "10 sequential sweeps over 80 MiB"),
    ("hotcold", "hotcold 128 600000 12 2", True,
     "90% of 600k accesses on a hot 15 MiB of 128 MiB"),
    ("phase", "phase 128 4 50000 3", True,
     "a 32 MiB window moving over 128 MiB in 4 phases of 50k accesses"),
    ("multi", "multithrash 4 24 50000 1", False,
     "4 processes x 24 MiB, uniform random, 50k accesses each"),
]


def by_name(names=None):
    """The workloads named in names (a list or a comma-separated string),
    in the list's order; all of them for None or an empty selection."""
    if not names:
        return list(WORKLOADS)
    if isinstance(names, str):
        names = [n for n in names.split(",") if n]
    known = {w[0] for w in WORKLOADS}
    bad = [n for n in names if n not in known]
    if bad:
        raise SystemExit(f"unknown workload(s) {', '.join(bad)}; known: {', '.join(sorted(known))}")
    return [w for w in WORKLOADS if w[0] in names]
