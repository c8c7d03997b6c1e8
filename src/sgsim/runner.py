"""Replications: run a scenario N times with independent streams and collect the results."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from sgsim.calendar import scenario_days
from sgsim.metrics import (
    compute,
    concerns_per_month,
    daily_queues,
    samples,
    weekly_utilisation,
)
from sgsim.model import EventLog, simulate
from sgsim.scenario import Scenario
from sgsim.summary import Summary, summarise_all


@dataclass
class RunResult:
    """Everything a run produced: per-replication metrics, daily queues, optionally logs."""

    seed: int
    per_replication: list[dict[str, float]] = field(default_factory=list)
    daily: list[dict[str, np.ndarray]] = field(default_factory=list)
    monthly_concerns: list[dict[str, int]] = field(default_factory=list)
    samples: list[dict[str, np.ndarray]] = field(default_factory=list)
    weekly_utilisation: list[dict[str, np.ndarray]] = field(default_factory=list)
    logs: list[EventLog] = field(default_factory=list)

    @property
    def replications(self) -> int:
        return len(self.per_replication)

    def summaries(self) -> dict[str, Summary]:
        return summarise_all(self.per_replication)


def run_replications(
    s: Scenario,
    seed: int,
    replications: int,
    keep_logs: int = 0,
    on_done: Callable[[int], None] | None = None,
) -> RunResult:
    """Run replications 0..N-1 of the scenario with the seed; call ``on_done`` after each.

    The event logs of the first ``keep_logs`` replications are kept for output files.
    """
    days = scenario_days(s)
    result = RunResult(seed=seed)
    for r in range(replications):
        log = simulate(s, seed, r)
        each = samples(log, s, days)
        result.per_replication.append(compute(log, s, days, each))
        result.daily.append(daily_queues(log, s))
        result.monthly_concerns.append(concerns_per_month(log, s))
        result.samples.append(each)
        result.weekly_utilisation.append(weekly_utilisation(log, s, days))
        if r < keep_logs:
            result.logs.append(log)
        if on_done:
            on_done(r)
    return result
