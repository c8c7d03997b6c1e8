"""The fewest triage officers that keep 95% of decisions within target, per demand level.

python experiments/triage_staffing/answer.py results/triage_staffing
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from pathlib import Path

TARGET = 0.95
STAFF = "teams.sah.roles.triage_officer.headcount"
DEMAND = "demand.contacts_per_year"
BASE_DEMAND = 9210


def main(folder: Path) -> None:
    share: dict[tuple[float, float], list[float]] = defaultdict(list)
    with (folder / "results.csv").open() as f:
        for row in csv.DictReader(f):
            share[(float(row[DEMAND]), float(row[STAFF]))].append(
                float(row["decision_within_target_rate"])
            )
    demand_levels = sorted({d for d, _ in share})
    lines = ["contact_growth,contacts_per_year,fewest_triage_officers,within_target_at_that"]
    print(f"{'growth':>7} {'contacts':>9} {'fewest officers':>16} {'within target':>14}")
    for d in demand_levels:
        ok = sorted(
            s
            for (dd, s), v in share.items()
            if dd == d and min(v) >= TARGET and sum(v) / len(v) >= TARGET
        )
        growth = d / BASE_DEMAND - 1
        if ok:
            mean = sum(share[(d, ok[0])]) / len(share[(d, ok[0])])
            print(f"{growth:7.0%} {d:9,.0f} {ok[0]:16g} {mean:14.1%}")
            lines.append(f"{growth:.2f},{d:.0f},{ok[0]:g},{mean:.4f}")
        else:
            print(f"{growth:7.0%} {d:9,.0f} {'none tried':>16}")
            lines.append(f"{growth:.2f},{d:.0f},,")
    (folder / "answer.csv").write_text("\n".join(lines) + "\n")
    print(f"wrote {folder / 'answer.csv'}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "results/triage_staffing"))
