"""Memory per replication for 1, 10 and 100 replications: flat as the count grows.

Each count runs in a fresh process (so a peak is that run's own), once as sweeps and
calibration run replications (metrics only, ``details=False``) and once as ``sgsim run``
does (daily queues, per-case samples and weekly utilisation kept for tables and figures).
Printed per count: the process's peak resident memory over what it held before the run,
and the bytes of results kept per replication (their pickled size, what a worker sends
back). A replication's event log is freed when its metrics are computed, so the peak
should not grow with the count, and what is kept per replication should not either.

    python benchmarks/replication_memory.py [--counts 1 10 100]
"""

from __future__ import annotations

import argparse
import json
import pickle
import resource
import subprocess
import sys
from pathlib import Path

SCENARIO = Path(__file__).parent.parent / "scenarios" / "west_sussex_2022_23.toml"


def peak_mb() -> float:
    """This process's peak resident memory so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(replications: int, details: bool) -> dict[str, float]:
    from sgsim.scenario.loading import load_scenario
    from sgsim.studies.runner import run_replications

    s = load_scenario(SCENARIO).scenario
    before = peak_mb()
    result = run_replications(s, seed=1, replications=replications, details=details)
    return {
        "peak_mb": peak_mb() - before,
        "kept_kb": len(pickle.dumps(result)) / replications / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--counts", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(int(args.child[0]), args.child[1] == "details")))
        return
    print(f"{SCENARIO.stem}, one process, replications one after another")
    print(f"{'replications':>12} {'kept':>8} {'peak over start':>16} {'results kept each':>18}")
    for details in ("metrics", "details"):
        for n in args.counts:
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(n), details],
                check=True,
                text=True,
                stdout=subprocess.PIPE,
            ).stdout
            row = json.loads(out)
            print(f"{n:>12} {details:>8} {row['peak_mb']:>13.0f} MB {row['kept_kb']:>15.1f} kB")


if __name__ == "__main__":
    main()
