"""Double triage against single triage with sign-off, across demand: one figure, one table.

python experiments/double_vs_single_triage/answer.py results/double results/single
"""

from __future__ import annotations

import csv
import math
import sys
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from sgsim.analysis.summary import summarise
from sgsim.outputs.figures import OKABE_ITO, STYLE, mean_band

DEMAND = "demand.contacts_per_year"
PANELS = (
    ("decision_working_days_mean", "working days, contact to decision", 1),
    ("utilisation_locality_practitioner", "practitioners' time on safeguarding (%)", 100),
    ("concerns", "concerns in the year", 1),
    ("s42_enquiries", "s42 enquiries in the year", 1),
)


def load(folder: Path) -> dict[float, list[dict[str, float]]]:
    out: dict[float, list[dict[str, float]]] = defaultdict(list)
    with (folder / "results.csv").open() as f:
        for row in csv.DictReader(f):
            out[float(row[DEMAND])].append({k: float(v) if v else np.nan for k, v in row.items()})
    return {d: sorted(rows, key=lambda r: r["replication"]) for d, rows in out.items()}


def main(double: Path, single: Path) -> None:
    runs = {"double triage (as now)": load(double), "single triage + sign-off": load(single)}
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(2, 2, figsize=(13, 9))
        for ax, (metric, label, k) in zip(axes.flat, PANELS, strict=True):
            for colour, (name, data) in zip(OKABE_ITO, runs.items(), strict=False):
                x = sorted(data)
                rows = np.array([[r[metric] * k for r in data[d]] for d in x]).T
                mean, lo, hi = mean_band(rows)
                ax.fill_between(x, lo, hi, color=colour, alpha=0.25, linewidth=0)
                ax.plot(x, mean, "o-", color=colour, label=name)
            ax.set_xlabel("contacts a year")
            ax.set_ylabel(label)
        axes[0, 0].legend(frameon=False)
        fig.suptitle("East Sussex 2024: double triage against single triage with sign-off")
        fig.tight_layout()
        out = double.parent / "double_vs_single_triage.png"
        fig.savefig(out)
    print(f"{'contacts':>9} " + " ".join(f"{n[:28]:>30}" for n in runs))
    for d in sorted(runs["double triage (as now)"]):
        cells = []
        for data in runs.values():
            r = data[d]
            cells.append(
                f"{np.mean([x['decision_working_days_mean'] for x in r]):4.2f} working days, "
                f"{np.mean([x['concerns'] for x in r]):5,.0f} concerns"
            )
        print(f"{d:9,.0f} " + " ".join(f"{c:>30}" for c in cells))
    freed(runs)
    print(f"wrote {out}")


def freed(runs: dict[str, dict[float, list[dict[str, float]]]]) -> None:
    """Practitioners' time freed by single triage at each demand, paired by replication
    (both sweeps use the same seed, so replication k of each faces the same contacts)."""
    double, single = runs.values()
    print("\npractitioners' time on safeguarding freed by single triage (points of their")
    print("hours, paired 95% interval), and the concerns sign-off adds:")
    for d in sorted(double):
        key = "utilisation_locality_practitioner"
        both = list(zip(double[d], single[d], strict=True))
        gain = summarise([(a[key] - b[key]) * 100 for a, b in both], lower=-math.inf)
        more = summarise([b["concerns"] - a["concerns"] for a, b in both], lower=-math.inf)
        print(
            f"{d:9,.0f}  {gain.mean:4.1f} points ({gain.ci95[0]:.1f} to {gain.ci95[1]:.1f}), "
            f"{more.mean:+5,.0f} concerns ({more.ci95[0]:+,.0f} to {more.ci95[1]:+,.0f})"
        )


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
