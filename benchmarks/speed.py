"""Speed of sgsim against bare SimPy, measured in one run on this machine.

Times one replication of the West Sussex scenario (contacts simulated per second, and the
time for one simulated year) and a bare SimPy M/M/c loop with the same number of
customers, then prints both and their ratio. Targets (issue #2): one West Sussex year in
under 0.5 s on one core, and at least a third of bare SimPy's customers per second.

    python benchmarks/speed.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from pathlib import Path

import numpy as np
import simpy

from sgsim.analysis.metrics import compute
from sgsim.model import simulate
from sgsim.scenario.loading import load_scenario

SCENARIO = Path(__file__).parent.parent / "scenarios" / "west_sussex_2022_23.toml"


def bare_mmc(n: int, pause_gc: bool, servers: int = 6) -> None:
    """The simplest SimPy model with n customers: Poisson arrivals, c servers, exp service."""
    rng = np.random.default_rng(1)
    gaps = rng.exponential(1.0, n).tolist()
    service = rng.exponential(0.8 * servers, n).tolist()
    env = simpy.Environment()
    desk = simpy.Resource(env, servers)

    def customer(i: int):
        with desk.request() as req:
            yield req
            yield env.timeout(service[i])

    def arrivals():
        for i in range(n):
            yield env.timeout(gaps[i])
            env.process(customer(i))

    env.process(arrivals())
    if pause_gc:  # as sgsim.simulate does
        gc.disable()
    try:
        env.run()
    finally:
        gc.enable()


def best_of(repeats: int, fn) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    s = load_scenario(SCENARIO).scenario
    log = simulate(s, 1)  # warm caches (bank holidays) and count the contacts
    contacts = int(np.count_nonzero(log.mask("contact_received")))

    sim_best, sim_median = best_of(args.repeats, lambda: simulate(s, 1))
    full_best, _ = best_of(args.repeats, lambda: compute(simulate(s, 1), s))
    # the bare loop's faster variant (collector on or paused) is the baseline: conservative
    bare_best, bare_median = min(
        best_of(args.repeats, lambda: bare_mmc(contacts, False)),
        best_of(args.repeats, lambda: bare_mmc(contacts, True)),
    )
    sgsim_rate = contacts / sim_best
    bare_rate = contacts / bare_best
    print(
        f"West Sussex: {contacts} contacts over {s.horizon_days} days "
        f"({s.run.warmup_days} warm-up + {s.run.run_days} measured)"
    )
    print(f"  sgsim simulate, one replication : best {sim_best:.3f} s, median {sim_median:.3f} s")
    print(f"  sgsim simulate + metrics        : best {full_best:.3f} s")
    print(
        f"  one simulated year              : {sim_best * 365 / s.horizon_days:.3f} s "
        f"(target < 0.5 s)"
    )
    print(f"  sgsim contacts per second       : {sgsim_rate:,.0f}")
    print(
        f"bare SimPy M/M/c, {contacts} customers: best {bare_best:.3f} s, "
        f"median {bare_median:.3f} s"
    )
    print(f"  bare SimPy customers per second : {bare_rate:,.0f}")
    print(f"ratio sgsim / bare SimPy          : {sgsim_rate / bare_rate:.2f} (target >= 0.33)")


if __name__ == "__main__":
    main()
