"""A national run on an existing Dask cluster against the same run on local processes.

Starts a scheduler and ``--workers`` workers (one thread each) as processes of their own
on free ports, as the README tells a user to (``dask scheduler``, ``dask worker ADDRESS
--nthreads 1``), runs the council table on that cluster through ``--scheduler``, then on
as many local processes; checks that every table written is identical, byte for byte,
and prints both wall times (``--repeats`` runs of each, alternately, as the machine's load
varies). The cluster is stopped however the run ends (an error, Ctrl-C, SIGTERM).

    python benchmarks/national_cluster.py [--table experiments/national/published.csv]
        [--replications 10] [--workers 2] [--repeats 3]
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import time
from pathlib import Path

from sgsim.studies.dask_cluster import process_cluster
from sgsim.studies.national import load_councils, run_national, write_national
from sgsim.studies.sweep.execute import run_dask, run_local

PUBLISHED = Path(__file__).parent.parent / "experiments" / "national" / "published.csv"
SEED = 12345  # sgsim national's default


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--table", type=Path, default=PUBLISHED)
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3, help="runs on each, alternately")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the cluster on kill too
    councils = load_councils(args.table)
    n = args.workers
    seconds: dict[str, list[float]] = {"cluster": [], "local": []}
    tables = set()
    with tempfile.TemporaryDirectory() as folder:
        began = time.perf_counter()
        with process_cluster(n) as address:
            started = time.perf_counter() - began
            runs = {
                "cluster": lambda t: run_dask(t, n, address),
                "local": lambda t: run_local(t, n),
            }
            for repeat in range(args.repeats):  # alternately, so both see the machine's load
                for name, execute in runs.items():
                    began = time.perf_counter()
                    per_council = run_national(councils, SEED, args.replications, execute)
                    seconds[name].append(time.perf_counter() - began)
                    out = Path(folder) / f"{name}{repeat}"
                    written = write_national(out, councils, per_council)
                    tables.add(tuple((f, (out / f).read_bytes()) for f in written))
    print(f"{args.table.name}: {len(councils)} councils, {args.replications} replications each")
    print(f"  cluster of {n} one-thread workers started in {started:.1f} s")
    for name, label in (("cluster", "on it (--scheduler)"), ("local", f"on {n} local processes")):
        print(f"  {label}: {', '.join(f'{s:.1f}' for s in seconds[name])} s wall")
    same = len(tables) == 1
    verdict = "identical" if same else "DIFFERENT"
    print(f"  {len(written)} tables, {verdict} in all {2 * args.repeats} runs")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
