#!/usr/bin/python3
"""The plots of make bench (PNG files in build/plots/), from the CSVs
scripts/bench_compare.py writes:

    scripts/bench_plot.py [--samples build/bench-samples.csv]
                          [--compare build/bench-compare.csv] [--out build/plots]

- stages-WORKLOAD.png: for each ppsos configuration sampled, the guest's
  memory over the run, one vmstat line a second: PPS pages by the stage
  they wait to leave (young, old, unmapped without a slot, with a slot and
  dirty, written and clean) and legacy pages stacked, free memory on top;
  on a second axis (swap holds several times memory) the PPS pages on
  swap only and the swap slots in use. Under
  reclaim=pps the stages show pages moving through reclaim and coming
  back; under reclaim=clock everything is legacy pages.
- faults.png: major faults and pages read per workload and system,
  grouped bars on a log scale, OPT's bar hatched; the main table as a
  figure.

Without matplotlib (Debian: python3-matplotlib, in scripts/install-deps.sh)
it says so and draws nothing; the bench itself does not fail.
"""
import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
SYSTEMS = ["ppsos-pps", "ppsos-clock", "linux-classic", "linux-mglru", "lru", "opt"]
# Stacked from the bottom: what is furthest from the disk first.
STACK = [("young", "young (1)"), ("old", "old (2)"), ("unmapped", "unmapped, no slot (3)"),
         ("slot", "unmapped, dirty (4)"), ("written", "unmapped, clean (5)"),
         ("legacy", "legacy pages"), ("free_pages", "free")]


def pyplot():
    try:
        import matplotlib
        matplotlib.use("Agg")       # files only, no display
        import matplotlib.pyplot as plt
        return plt
    except ImportError:
        print("bench_plot: matplotlib is missing, no plots "
              "(apt-get install python3-matplotlib, or scripts/install-deps.sh)", flush=True)
        return None


def read(path):
    if path is None or not Path(path).exists():
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def val(r, k):
    try:
        return float(r.get(k, ""))
    except (TypeError, ValueError):
        return None


def plot_stages(plt, samples, workload, out):
    """One panel per sampled system; the first run of each."""
    systems = [s for s in SYSTEMS if any(r["system"] == s and r["workload"] == workload
                                         for r in samples)]
    if not systems:
        return None
    fig, axes = plt.subplots(len(systems), 1, figsize=(10, 3.4 * len(systems)), squeeze=False)
    for ax, s in zip(axes[:, 0], systems):
        rows = [r for r in samples if r["system"] == s and r["workload"] == workload]
        first = min(r["run"] for r in rows)
        rows = sorted((r for r in rows if r["run"] == first), key=lambda r: val(r, "t_ms"))
        t = [val(r, "t_ms") / 1000 for r in rows]
        ax.stackplot(t, *[[val(r, k) or 0 for r in rows] for k, _ in STACK],
                     labels=[lab for _, lab in STACK], alpha=0.85)
        ax.set_title(f"{workload}: {s}")
        ax.set_ylabel("pages in memory")
        ax.set_xlabel("guest seconds since the sampler started")
        ax.grid(alpha=0.3)
        # Swap on an axis of its own: it holds several times memory.
        ax2 = ax.twinx()
        ax2.plot(t, [val(r, "swapped") or 0 for r in rows], color="black", linewidth=1.2,
                 label="PPS, on swap only (6)")
        ax2.plot(t, [val(r, "swap_used_pages") or 0 for r in rows], color="black",
                 linestyle=":", linewidth=1.2, label="swap slots in use")
        ax2.set_ylabel("pages on swap")
        ax2.set_ylim(bottom=0)
        h1, l1 = ax.get_legend_handles_labels()
        h2, l2 = ax2.get_legend_handles_labels()
        ax.legend(h1 + h2, l1 + l2, loc="upper left", bbox_to_anchor=(1.12, 1), fontsize=8)
    fig.tight_layout()
    path = out / f"stages-{workload}.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_faults(plt, compare, workloads, out):
    """Grouped bars per workload, a bar per system: major faults, and pages
    read (the replay reads one page per fault; a kernel reading ahead takes
    fewer faults for more pages, so both are shown)."""
    systems = [s for s in SYSTEMS if any(r["system"] == s for r in compare)]
    if not systems:
        return None
    fig, axes = plt.subplots(2, 1, figsize=(max(7, 1.7 * len(workloads)), 8))
    width = 0.8 / len(systems)
    for ax, key, what in zip(axes, ("major_faults", "pages_read"), ("major faults", "pages read")):
        for i, s in enumerate(systems):
            ys = []
            for w in workloads:
                r = next((r for r in compare if r["system"] == s and r["workload"] == w), None)
                v = val(r, key) if r else None
                ys.append(max(v, 1) if v is not None else 0)    # log scale: 0 drawn as 1
            xs = [j + (i - (len(systems) - 1) / 2) * width for j in range(len(workloads))]
            ax.bar(xs, ys, width, label=s, hatch="//" if s == "opt" else None)
        ax.set_xticks(range(len(workloads)))
        ax.set_xticklabels(workloads)
        ax.set_yscale("log")
        ax.set_ylabel(f"{what} (log)")
        ax.set_title(f"{what} per workload (OPT: the fewest possible faults)")
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(fontsize=8, ncol=3)
    fig.tight_layout()
    path = out / "faults.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_all(samples_csv, compare_csv, workloads, out):
    """workloads: bench_workloads entries or names. Returns the files made."""
    plt = pyplot()
    if plt is None:
        return []
    names = [w[0] if isinstance(w, tuple) else w for w in workloads]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    samples = read(samples_csv)
    for r in samples:
        r["run"] = int(r.get("run") or 0)
    made = [plot_stages(plt, samples, w, out) for w in names]
    made.append(plot_faults(plt, read(compare_csv), names, out))
    made = [p for p in made if p]
    print(f"bench_plot: {len(made)} plots in {out}: "
          + ", ".join(p.name for p in made), flush=True)
    return made


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--samples", default=str(BUILD / "bench-samples.csv"))
    ap.add_argument("--compare", default=str(BUILD / "bench-compare.csv"))
    ap.add_argument("--out", default=str(BUILD / "plots"))
    a = ap.parse_args()
    sys.path.insert(0, str(ROOT / "scripts"))
    import bench_workloads as bw
    plot_all(a.samples, a.compare, [w[0] for w in bw.WORKLOADS], a.out)


if __name__ == "__main__":
    main()
