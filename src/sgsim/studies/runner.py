"""Replications: run a scenario N times with independent streams and collect the results."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from sgsim.analysis.metrics import (
    compute,
    concerns_per_month,
    daily_queues,
    queue_names,
    samples,
    weekly_utilisation,
)
from sgsim.analysis.partition import on_disk
from sgsim.analysis.steady_state import Growth, still_growing
from sgsim.analysis.summary import Summary, summarise_all
from sgsim.model import EventLog, simulate
from sgsim.model.calendar import scenario_days
from sgsim.model.eventlog import PartedLog
from sgsim.scenario.schema import Scenario
from sgsim.studies.workers import worker_pool


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

    def unsettled(self, s: Scenario) -> list[Growth]:
        """The queues still growing over the measured period (``analysis.steady_state``)."""
        return still_growing(self.daily, s.run.warmup_days, s.horizon_days, queue_names(s))


def run_replications(
    s: Scenario,
    seed: int,
    replications: int,
    keep_logs: int = 0,
    on_done: Callable[[int], None] | None = None,
    workers: int = 1,
    pause_gc: bool = True,
    details: bool = True,
) -> RunResult:
    """Run replications 0..N-1 of the scenario with the seed; call ``on_done`` after each.

    The event logs of the first ``keep_logs`` replications are kept for output files.
    ``details``: also compute what tables and figures show beyond the metrics (daily
    queues, monthly concerns, per-case samples, weekly utilisation); sweeps and
    calibration keep only the metrics, and leave those lists empty. With
    ``workers`` > 1 replications run in parallel processes; the result is the same, in the
    same order, since each replication's random streams depend only on the seed and its
    index. ``pause_gc``: see ``paused_gc``.
    """
    result = RunResult(seed=seed)
    parts = on_disk(s)
    jobs = [
        Job(s, seed, r, r < keep_logs, None if r < keep_logs else parts, pause_gc, details)
        for r in range(replications)
    ]
    with ExitStack() as stack:
        if workers <= 1 or replications < 2:
            outcomes: Iterator[tuple] = map(_one_replication, jobs)
        else:
            pool = stack.enter_context(worker_pool(min(workers, replications)))
            outcomes = pool.map(_one_replication, jobs)
        for r, (metrics, extra, log) in enumerate(outcomes):
            result.per_replication.append(metrics)
            if extra is not None:
                daily, monthly, each, weekly = extra
                result.daily.append(daily)
                result.monthly_concerns.append(monthly)
                result.samples.append(each)
                result.weekly_utilisation.append(weekly)
            if log is not None:
                result.logs.append(log)
            if on_done:
                on_done(r)
    return result


def metrics_of_each(
    scenarios: list[Scenario], seed: int, replications: int, workers: int = 1
) -> list[list[dict[str, float]]]:
    """The per-replication metrics of several scenarios on the same seed (common random
    numbers), all their replications shared among one pool's workers: a calibration's
    finite differences keep both cores busy where one scenario's few replications would not.
    """
    jobs = [
        Job(s, seed, r, False, parts, True, False)
        for s in scenarios
        for parts in [on_disk(s)]
        for r in range(replications)
    ]
    with ExitStack() as stack:
        if workers <= 1 or len(jobs) < 2:
            outcomes: Iterator[tuple] = map(_one_replication, jobs)
        else:
            pool = stack.enter_context(worker_pool(min(workers, len(jobs))))
            outcomes = pool.map(_one_replication, jobs)
        metrics = [m for m, _, _ in outcomes]
    return [metrics[i : i + replications] for i in range(0, len(metrics), replications)]


@contextmanager
def paused_gc(pause: bool = True) -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a replication runs.

    A run allocates many small objects that live long (case processes, SimPy events,
    event-log rows until they are packed); the collector would scan them again and
    again. ``benchmarks/speed.py`` measures what pausing it saves. Cycles are collected
    as soon as it is resumed.
    """
    collecting = gc.isenabled()
    if pause:
        gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


class Job(NamedTuple):
    """One replication to run: ``cases_per_part``, its log's on disk in parts of that many
    cases (``sgsim.analysis.partition.on_disk``), or None: in memory."""

    scenario: Scenario
    seed: int
    replication: int
    keep_log: bool
    cases_per_part: int | None
    pause_gc: bool
    details: bool


def _one_replication(job: Job) -> tuple:
    """What one replication contributes: its metrics, the details asked for (or None) and
    its log if kept (top level, so worker processes can run it)."""
    s, seed, r, keep_log, cases_per_part, pause_gc, details = job
    days = scenario_days(s)
    with paused_gc(pause_gc):
        log = simulate(s, seed, r, days, cases_per_part=cases_per_part)
    try:
        each = samples(log, s, days)
        metrics = compute(log, s, days, each)
        extra = None
        if details:
            extra = (
                daily_queues(log, s),
                concerns_per_month(log, s),
                each,
                weekly_utilisation(log, s, days),
            )
    finally:
        if isinstance(log, PartedLog):
            log.remove()
    return metrics, extra, log if keep_log else None
