"""Speed of sgsim against bare SimPy, measured in one run on this machine.

Times one replication of the West Sussex scenario (contacts simulated per second, and the
time for one simulated year) and a bare SimPy M/M/c loop with the same number of
customers, then prints both and their ratio. It also measures the three speed settings the
model keeps, each against the run without it: pausing the garbage collector during a
replication (``sgsim.studies.runner.paused_gc``), the pools' fast path that hands a
free server over without a SimPy request event (``sgsim.model.pools``), and the event
loop (``sgsim.model.engine``) against SimPy's own.

Targets: one West Sussex year in under 0.5 s on one core (issue #2), and at least 0.6 of
bare SimPy's customers per second (issue #14; 0.45 for issue #8).

    python benchmarks/speed.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import simpy

from sgsim.analysis.metrics import compute
from sgsim.model import simulate
from sgsim.model.engine import SimPyEngine
from sgsim.scenario.loading import load_scenario
from sgsim.studies.runner import paused_gc

SCENARIO = Path(__file__).parent.parent / "scenarios" / "west_sussex_2022_23.toml"


def bare_mmc(n: int, servers: int = 6) -> None:
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
    env.run()


def timed(repeats: int, fn: Callable[[], object], pause_gc: bool) -> tuple[float, float]:
    """Best and median CPU time of ``fn`` over ``repeats`` runs.

    CPU time of this process, not wall time: another busy process on the machine then
    slows both sides less unevenly, so their ratio holds better.
    """
    times = []
    for _ in range(repeats):
        t = time.process_time()
        with paused_gc(pause_gc):
            fn()
        times.append(time.process_time() - t)
    return min(times), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    s = load_scenario(SCENARIO).scenario
    log = simulate(s, 1)  # warm caches (bank holidays) and count the contacts
    contacts = int(np.count_nonzero(log.rows("arrived")))
    runs = {
        "sgsim (collector paused, fast path)": (lambda: simulate(s, 1), True),
        "sgsim, collector running": (lambda: simulate(s, 1), False),
        "sgsim, no fast path": (lambda: simulate(s, 1, fast_path=False), True),
        "sgsim on SimPy's own loop": (lambda: simulate(s, 1, engine=SimPyEngine), True),
        "sgsim simulate + metrics": (lambda: compute(simulate(s, 1), s), True),
        # the bare loop's faster variant is the baseline: conservative
        "bare SimPy M/M/c, collector running": (lambda: bare_mmc(contacts), False),
        "bare SimPy M/M/c, collector paused": (lambda: bare_mmc(contacts), True),
    }
    best, middle = {}, {}
    print(
        f"West Sussex: {contacts} contacts over {s.horizon_days} days "
        f"({s.run.warmup_days} warm-up + {s.run.run_days} measured); "
        f"CPU seconds, best of {args.repeats}"
    )
    for name, (fn, pause) in runs.items():
        best[name], middle[name] = timed(args.repeats, fn, pause)
        print(f"  {name:38s}: best {best[name]:.3f} s, median {middle[name]:.3f} s")
    sgsim = best["sgsim (collector paused, fast path)"]
    bare = min(v for k, v in best.items() if k.startswith("bare"))
    print(
        f"one simulated year                      : {sgsim * 365 / s.horizon_days:.3f} s "
        "(target < 0.5 s)"
    )
    print(f"sgsim contacts per second               : {contacts / sgsim:,.0f}")
    print(f"bare SimPy customers per second         : {contacts / bare:,.0f}")
    print(f"ratio sgsim / bare SimPy                : {bare / sgsim:.2f} (target >= 0.6)")
    print(
        f"pausing the collector saves             : "
        f"{1 - sgsim / best['sgsim, collector running']:.0%}"
    )
    print(
        f"the pools' fast path saves              : {1 - sgsim / best['sgsim, no fast path']:.0%}"
    )
    engine = 1 - sgsim / best["sgsim on SimPy's own loop"]
    print(f"the engine saves over SimPy's own loop  : {engine:.0%}")


if __name__ == "__main__":
    main()
