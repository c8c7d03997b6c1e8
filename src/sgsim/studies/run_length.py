"""Run-length studies: the simulations that warm-up and replication advice are read from.

The analysis itself (Welch, MSER-5, the confidence-interval method) is in
``sgsim.analysis.run_length``; this module says what to simulate for it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from sgsim.analysis.metrics import compute
from sgsim.analysis.run_length import Precision, run_until_precise
from sgsim.model import simulate
from sgsim.model.calendar import scenario_days
from sgsim.scenario.schema import Scenario


def warmup_trial(s: Scenario, days: int | None = None) -> Scenario:
    """The scenario run from empty with no warm-up, for ``days`` (default: long enough).

    It starts on the scenario's first simulated day, so the calendar (weekends, bank
    holidays) is the one the scenario's warm-up would see. By default it runs twice the
    scenario's warm-up and measured days, and at least a year, so a slow queue has time to
    settle and the settled level is seen over every season.
    """
    run = dataclasses.replace(
        s.run,
        start_date=s.origin,
        warmup_days=0,
        run_days=days or max(2 * s.horizon_days, 365),
    )
    return dataclasses.replace(s, run=run)


def run_to_precision(
    s: Scenario,
    seed: int,
    metrics: tuple[str, ...],
    precision: float,
    maximum: int,
    on_done: Callable[[int], None] | None = None,
) -> list[Precision]:
    """Run replications 0, 1, ... of the scenario until every metric reaches the precision.

    One replication at a time, since the study stops as soon as the precision is reached.
    """
    days = scenario_days(s)
    return run_until_precise(
        lambda r: compute(simulate(s, seed, r), s, days), metrics, precision, maximum, on_done
    )
