"""How long a run will take, said before it starts.

A run's time is close to proportional to the contacts it simulates. So one short
replication of the scenario (``PROBE_DAYS`` from empty, no backlog) is timed on this
machine, giving seconds per contact, and a run is that times the contacts of its warm-up
and measured period (with growth, plus any starting backlog) in each replication, divided
among the worker processes. A workshop wants to know "seconds or minutes", not more.
"""

from __future__ import annotations

import dataclasses
import math
import time

from sgsim.scenario.schema import DAYS_PER_YEAR, Scenario
from sgsim.studies.runner import run_replications

PROBE_DAYS = 90
STARTUP_SECONDS = 2.0  # starting worker processes, drawing the figures
SLOW_SECONDS = 60  # from here a run "takes minutes": say so and ask first


def seconds_per_contact(s: Scenario) -> float:
    """Time one short replication of the scenario on this machine, per contact."""
    run = dataclasses.replace(s.run, warmup_days=0, run_days=PROBE_DAYS)
    probe = dataclasses.replace(s, run=run, backlog={})
    start = time.perf_counter()
    run_replications(probe, seed=0, replications=1)
    return (time.perf_counter() - start) / max(contacts(probe), 1.0)


def contacts(s: Scenario) -> float:
    """Expected contacts one replication simulates, warm-up included, and its backlog."""
    years = s.horizon_days / DAYS_PER_YEAR
    g = math.log1p(s.demand.growth_per_year)
    growth = (math.expm1(g * years) / (g * years)) if abs(g * years) > 1e-9 else 1.0
    backlog = sum(b.starting_cases for b in s.backlog.values())
    return s.demand.daily_contacts * s.horizon_days * growth + backlog


def estimate_seconds(s: Scenario, replications: int, workers: int, per_contact: float) -> float:
    """Seconds a run of ``replications`` on ``workers`` processes should take."""
    rounds = math.ceil(replications / max(1, min(workers, replications)))
    return STARTUP_SECONDS + per_contact * contacts(s) * rounds


def in_words(seconds: float) -> str:
    """'about 4 seconds', 'about 3 minutes'."""
    if seconds < 1.5:
        return "about a second"
    if seconds < 90:
        return f"about {seconds:.0f} seconds"
    return f"about {seconds / 60:.0f} minutes"
