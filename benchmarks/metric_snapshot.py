"""Every metric of every shipped scenario, saved or compared, to check that a change in how
the metrics are computed leaves them as they were.

``save FILE`` simulates each scenario of ``scenarios/`` and ``scenarios/teaching/`` for
seeds 1 and 2 (replication 0) and writes its metrics, samples (sorted: a value per case,
whose order is not a result), daily queues, weekly utilisation and monthly concerns.
``compare FILE`` computes them again and prints every value that moved by more than
``--tolerance`` relative (summation order may move the last bits); it exits 1 if any
did, and prints the largest relative difference.

    python benchmarks/metric_snapshot.py save /tmp/before.json
    python benchmarks/metric_snapshot.py compare /tmp/before.json [--part-events 3000]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np

from sgsim.analysis import partition
from sgsim.analysis.metrics import (
    compute,
    concerns_per_month,
    daily_queues,
    samples,
    weekly_utilisation,
)
from sgsim.model import simulate
from sgsim.model.calendar import scenario_days
from sgsim.scenario.loading import load_scenario

ROOT = Path(__file__).parent.parent / "scenarios"
SEEDS = (1, 2)


def snapshot() -> dict[str, dict[str, list[float]]]:
    """Per scenario and seed, every value, each as a list of floats."""
    out = {}
    for f in sorted(ROOT.glob("*.toml")) + sorted((ROOT / "teaching").glob("*.toml")):
        s = load_scenario(f).scenario
        days = scenario_days(s)
        for seed in SEEDS:
            log = simulate(s, seed, 0, days)
            values: dict[str, list[float]] = {}
            values |= {f"metric:{k}": [v] for k, v in compute(log, s, days).items()}
            each = samples(log, s, days)
            values |= {f"sample:{k}": np.sort(v.astype(float)).tolist() for k, v in each.items()}
            values |= {
                f"daily:{k}": v.astype(float).tolist() for k, v in daily_queues(log, s).items()
            }
            weekly = weekly_utilisation(log, s, days)
            values |= {f"weekly:{k}": v.astype(float).tolist() for k, v in weekly.items()}
            values |= {f"month:{k}": [float(v)] for k, v in concerns_per_month(log, s).items()}
            out[f"{f.relative_to(ROOT)}:seed{seed}"] = values
            print(f"{f.relative_to(ROOT)} seed {seed}: {len(values)} values", file=sys.stderr)
    return out


def differences(before: dict, after: dict, tolerance: float) -> tuple[list[str], float]:
    """Every value that is missing, new, or moved by more than ``tolerance`` relative, and
    the largest relative move of any."""
    out, largest = [], 0.0
    for run in sorted(set(before) | set(after)):
        a, b = before.get(run, {}), after.get(run, {})
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b or len(a[key]) != len(b[key]):
                out.append(f"{run} {key}: present or sized differently")
                continue
            moves = [_moved(x, y) for x, y in zip(a[key], b[key], strict=True)]
            worst = max(moves, default=0.0)
            largest = max(largest, worst)
            if worst > tolerance:
                k = moves.index(worst)
                out.append(f"{run} {key}: {a[key][k]!r} -> {b[key][k]!r}")
    return out, largest


def _moved(x: float, y: float) -> float:
    """How far y is from x, relative (inf if only one is NaN)."""
    if math.isnan(x) or math.isnan(y):
        return 0.0 if math.isnan(x) and math.isnan(y) else math.inf
    return abs(x - y) / max(abs(x), abs(y)) if x != y else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("action", choices=("save", "compare"))
    parser.add_argument("file", type=Path)
    parser.add_argument(
        "--part-events",
        type=int,
        default=partition.PART_EVENTS,
        help="events in a part of the cases (smaller: many parts)",
    )
    parser.add_argument("--tolerance", type=float, default=1e-12, help="relative")
    args = parser.parse_args()
    partition.PART_EVENTS = args.part_events
    now = snapshot()
    if args.action == "save":
        args.file.write_text(json.dumps(now))
        return
    moved, largest = differences(json.loads(args.file.read_text()), now, args.tolerance)
    numbers = sum(len(v) for values in now.values() for v in values.values())
    print("\n".join(moved) or f"all {numbers:,} numbers equal to {args.tolerance:g} relative")
    print(f"largest relative difference: {largest:.2g}")
    sys.exit(1 if moved else 0)


if __name__ == "__main__":
    main()
