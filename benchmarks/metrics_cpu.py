"""CPU seconds of the metrics of one England-sized replication, two ways, on one log.

Simulates one replication of ``england.py``'s England-sized West Sussex once, its log on
disk in parts as a run of that size keeps it (``sgsim.analysis.partition.on_disk``), and
then times, taking turns ``--rounds`` times:

- one pass: ``replication_results``, what a replication computes, each part of the log
  read once for every result, with the masks and pairings it keeps (``MeasuredPart``);
- five passes: ``samples``, ``compute``, ``daily_queues``, ``concerns_per_month`` and
  ``weekly_utilisation`` called one after another, each reading every part again and
  computing its masks again (as a replication did before the one pass; each function
  now keeps masks within its own pass, so this is faster than that code was).

It checks that both give every value the same, bit for bit, and prints each round's CPU
seconds and the medians, and the most memory each way held at once over what the process
held before it (resident memory, sampled every 10 ms). The simulation is not timed
(``england.py`` times the whole run and its peak).

    python benchmarks/metrics_cpu.py [--contacts 1e6] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from collections.abc import Callable

import numpy as np
from england import england

from sgsim.analysis.metrics import (
    compute,
    concerns_per_month,
    daily_queues,
    replication_results,
    samples,
    weekly_utilisation,
)
from sgsim.analysis.partition import on_disk
from sgsim.model import simulate
from sgsim.model.calendar import WorkingDays, scenario_days
from sgsim.model.eventlog import RunLog
from sgsim.scenario.schema import Scenario
from sgsim.studies.runner import paused_gc


def one_pass(log: RunLog, s: Scenario, days: WorkingDays) -> tuple:
    metrics, (daily, monthly, each, weekly) = replication_results(log, s, days, details=True)
    return metrics, daily, monthly, each, weekly


def five_passes(log: RunLog, s: Scenario, days: WorkingDays) -> tuple:
    each = samples(log, s, days)
    metrics = compute(log, s, days, each)
    daily, monthly = daily_queues(log, s), concerns_per_month(log, s)
    return metrics, daily, monthly, each, weekly_utilisation(log, s, days)


def resident_mb() -> float:
    """This process's resident memory now, in MB."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20


def cpu(how: Callable[..., tuple], *args: object) -> tuple[float, float, tuple]:
    """CPU seconds of ``how(*args)``, the most resident memory over that before it (MB),
    and what it returned."""
    before, highest, done = resident_mb(), [0.0], threading.Event()

    def sample() -> None:
        while not done.wait(0.01):
            highest[0] = max(highest[0], resident_mb())

    sampler = threading.Thread(target=sample)
    sampler.start()
    t0 = time.process_time()
    try:
        out = how(*args)
    finally:
        seconds = time.process_time() - t0
        done.set()
        sampler.join()
    return seconds, max(highest[0], resident_mb()) - before, out


def same(a: tuple, b: tuple) -> bool:
    """Every value equal, bit for bit (NaN equal to NaN)."""
    for x, y in zip(a, b, strict=True):
        if x.keys() != y.keys():
            return False
        for key in x:
            u, v = np.asarray(x[key]), np.asarray(y[key])
            if u.shape != v.shape or not np.array_equal(u, v, equal_nan=u.dtype.kind == "f"):
                return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contacts", type=float, default=1e6, help="contacts a year")
    parser.add_argument("--rounds", type=int, default=3, help="turns of each way")
    args = parser.parse_args()
    s = england(args.contacts)
    days = scenario_days(s)
    parts = on_disk(s)
    if parts is None:
        parser.error("that size keeps its log in memory: ask for more contacts")
    with paused_gc():
        log = simulate(s, 1, 0, days, cases_per_part=parts)
    try:
        times: dict[str, list[float]] = {"five passes": [], "one pass": []}
        memory: dict[str, list[float]] = {"five passes": [], "one pass": []}
        first = None
        for k in range(args.rounds):
            for name, how in (("five passes", five_passes), ("one pass", one_pass)):
                seconds, mb, out = cpu(how, log, s, days)
                times[name].append(seconds)
                memory[name].append(mb)
                first = first or out
                if not same(first, out):
                    raise SystemExit(f"round {k + 1}: {name} gave other values")
                print(f"round {k + 1}: {name:12} {seconds:6.2f} s, {mb:5.0f} MB at most")
                del out
    finally:
        log.remove()
    print(
        f"{len(log):,} events in {-(-log.n_cases // parts)} parts; every value the same both ways"
    )
    for name, seconds in times.items():
        print(
            f"metrics, {name:12}: {statistics.median(seconds):6.2f} s CPU (median), "
            f"{max(memory[name]):.0f} MB at most over what was held before"
        )


if __name__ == "__main__":
    main()
