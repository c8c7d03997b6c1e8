"""Speed-up of a 200-point sweep on all local workers against one, measured in one run.

Each design point runs its replications in one task, so worker start-up and result
transfer should not dominate: the speed-up should be close to the number of cores.

    python benchmarks/sweep_speedup.py [--points 200] [--replications 2]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from sgsim.studies.sweep.execute import run_local
from sgsim.studies.sweep.run import run_sweep
from sgsim.studies.sweep.spec import load_sweep

BASE = Path(__file__).parent.parent / "scenarios" / "teaching" / "01_balanced.toml"

SWEEP = """
base = "{base}"
replications = {replications}
seed = 1
[design]
type = "lhs"
samples = {points}
[[parameters]]
path = "teams.hub.roles.triage_officer.headcount"
low = 3.2
high = 6
[[parameters]]
path = "demand.contacts_per_year"
low = 5000
high = 7000
"""


def timed(spec, workers: int) -> float:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        run_sweep(spec, Path(out) / "sweep", lambda tasks: run_local(tasks, workers))
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--points", type=int, default=200)
    parser.add_argument("--replications", type=int, default=2)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sweep.toml"
        path.write_text(SWEEP.format(base=BASE, points=args.points, replications=args.replications))
        spec = load_sweep(path)
        one = timed(spec, 1)
        many = timed(spec, cores)
    runs = args.points * args.replications
    print(f"{args.points}-point sweep x {args.replications} replications of {BASE.name}")
    print(f"  1 worker       : {one:6.1f} s  ({runs / one:5.1f} replications/s)")
    print(f"  {cores} workers      : {many:6.1f} s  ({runs / many:5.1f} replications/s)")
    print(
        f"  speed-up       : {one / many:.2f} on {cores} cores "
        f"(parallel efficiency {one / many / cores:.0%})"
    )


if __name__ == "__main__":
    main()
