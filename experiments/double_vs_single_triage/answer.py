"""Double triage against single triage with sign-off, across demand: one figure, one table.

python experiments/double_vs_single_triage/answer.py results/double results/single
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from sgsim.outputs.figures import OKABE_ITO, STYLE, mean_band

DEMAND = "demand.contacts_per_year"
PANELS = (
    ("decision_within_target_rate", "contacts decided within 5 working days (%)", 100),
    ("utilisation_locality_practitioner", "locality practitioner time on pathway (%)", 100),
    ("concerns", "concerns in the year", 1),
    ("s42_enquiries", "s42 enquiries in the year", 1),
)


def load(folder: Path) -> dict[float, list[dict[str, float]]]:
    out: dict[float, list[dict[str, float]]] = defaultdict(list)
    with (folder / "results.csv").open() as f:
        for row in csv.DictReader(f):
            out[float(row[DEMAND])].append({k: float(v) if v else np.nan for k, v in row.items()})
    return out


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
        fig.suptitle("East Sussex HSCC: double triage against single triage with sign-off")
        fig.tight_layout()
        out = double.parent / "double_vs_single_triage.png"
        fig.savefig(out)
    print(f"{'contacts':>9} " + " ".join(f"{n[:24]:>26}" for n in runs))
    for d in sorted(runs["double triage (as now)"]):
        cells = []
        for data in runs.values():
            r = data[d]
            cells.append(
                f"{np.mean([x['decision_within_target_rate'] for x in r]):7.1%} on time, "
                f"{np.mean([x['concerns'] for x in r]):5,.0f} concerns"
            )
        print(f"{d:9,.0f} " + " ".join(f"{c:>26}" for c in cells))
    print(f"wrote {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
