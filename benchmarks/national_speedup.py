"""Speed-up of a national run from 1 to 2 local workers, measured in one run.

Runs the first ``--councils`` councils of the synthetic England
(``experiments/national/england_synthetic.csv``), ``--replications`` each, on one worker
and then on two, and prints both wall times and their ratio. Each council is one task
(all its replications), as in ``sgsim national``.

    python benchmarks/national_speedup.py [--councils 16] [--replications 3]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sgsim.studies.national import load_councils, run_national
from sgsim.studies.sweep.execute import run_local

ENGLAND = Path(__file__).parent.parent / "experiments" / "national" / "england_synthetic.csv"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--councils", type=int, default=16)
    parser.add_argument("--replications", type=int, default=3)
    args = parser.parse_args()
    councils = load_councils(ENGLAND)[: args.councils]
    seconds = {}
    for workers in (1, 2):
        began = time.perf_counter()
        run_national(councils, 1, args.replications, lambda t, w=workers: run_local(t, w))
        seconds[workers] = time.perf_counter() - began
    contacts = sum(c.scenario.demand.contacts_per_year for c in councils)
    print(
        f"{len(councils)} synthetic councils ({contacts:,.0f} contacts a year), "
        f"{args.replications} replications each"
    )
    for workers, s in seconds.items():
        print(f"  {workers} worker{'s' * (workers > 1)}: {s:.1f} s wall")
    print(f"speed-up from 1 to 2 workers: {seconds[1] / seconds[2]:.2f}")


if __name__ == "__main__":
    main()
