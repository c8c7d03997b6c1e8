"""Before a calibration: how many replications, how many evaluations, and how long.

A pilot at the starting values measures each reported figure's year-to-year spread (which
scales the objective) and how long a replication takes. The replications per evaluation
are then the fewest that pin every figure's simulated mean to within a tolerance of its
reported value: a 95% t-interval with the pilot's standard deviation (the confidence-
interval method of Law and Kelton), up to a cap. Fewer let the fitted values absorb the
noise of the fit's own replications. A small count whose tolerance is less than one
case (5% of West Sussex's 5 other enquiries) is left out of that choice: its mean could
not be pinned so closely by any affordable number of replications, and it is still fitted
and compared. The evaluations are capped in all; the optimiser gets what the 95% ranges
and flat-direction checks, at their worst, leave.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from time import perf_counter
from typing import Any

import numpy as np
from scipy import stats

from sgsim.scenario.errors import ScenarioError
from sgsim.scenario.loading import build_scenario
from sgsim.studies.calibrate import FitParameter, flat_evaluations, range_evaluations
from sgsim.studies.runner import run_replications
from sgsim.studies.settings import apply_settings

PILOT_REPLICATIONS = 10
MIN_REPLICATIONS = 3  # at 2, the t-interval's multiplier is 12.7: it matches anything
DEFAULT_TOLERANCE = 0.05  # of each reported figure
DEFAULT_MAX_REPLICATIONS = 30
FIT_EVALUATIONS_PER_DIMENSION = 30  # the optimiser's default: this times (parameters + 1)


@dataclass(frozen=True)
class Plan:
    """The replications and the evaluation budget of a calibration, and what set them."""

    seed: int
    replications: int
    spread: dict[str, float]  # each figure's year-to-year standard deviation, from the pilot
    fit_evaluations: int
    range_evaluations: int
    flat_evaluations: int
    seconds_per_replication: float
    needed: dict[str, int | None]  # per figure for the tolerance (None: above the cap);
    # empty when the replications were given
    tolerance: float
    max_replications: int
    small_counts: tuple[str, ...] = ()  # figures left out of the choice of replications

    @property
    def max_evaluations(self) -> int:
        return self.fit_evaluations + self.range_evaluations + self.flat_evaluations

    @property
    def fresh_seed(self) -> int:
        """The out-of-sample check's seed: its replications share no stream with the fit's."""
        return self.seed + 1

    @property
    def seconds(self) -> float:
        """At most: every evaluation, then the check on fresh seeds."""
        return (self.max_evaluations + 1) * self.replications * self.seconds_per_replication


def replications_for(
    pilot: list[dict[str, float]], targets: dict[str, float], tolerance: float, cap: int
) -> dict[str, int | None]:
    """Per figure, the fewest replications n (at least MIN_REPLICATIONS) with
    t(0.975, n-1) * sd / sqrt(n) <= tolerance * |reported|; None when more than ``cap``."""
    out: dict[str, int | None] = {}
    for name, target in targets.items():
        sd = _sd(pilot, name)
        allowed = tolerance * abs(target)
        out[name] = next(
            (
                n
                for n in range(MIN_REPLICATIONS, cap + 1)
                if stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n) <= allowed
            ),
            None,
        )
    return out


def small_counts(
    pilot: list[dict[str, float]], targets: dict[str, float], tolerance: float
) -> tuple[str, ...]:
    """Figures that count cases (whole numbers in every pilot replication) whose tolerance
    is less than one case: left out of the choice of replications."""
    return tuple(
        name
        for name, target in targets.items()
        if tolerance * abs(target) < 1 and all(float(r[name]).is_integer() for r in pilot)
    )


def plan_calibration(
    raw: dict[str, Any],
    file: str,
    params: list[FitParameter],
    targets: dict[str, float],
    seed: int,
    replications: int | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    max_replications: int = DEFAULT_MAX_REPLICATIONS,
    max_evaluations: int | None = None,
    workers: int = 1,
) -> Plan:
    """Run the pilot and set the budget; ``replications`` None chooses them from the noise."""
    d = len(params)
    ranges, flat = range_evaluations(d), flat_evaluations(d)
    least = ranges + flat + d + 1
    if max_evaluations is None:
        max_evaluations = FIT_EVALUATIONS_PER_DIMENSION * (d + 1) + ranges + flat
    if max_evaluations < least:
        raise ScenarioError(
            "command line",
            "--max-evaluations",
            f"at least {least} for {d} parameter{'s' * (d > 1)} ({ranges} for the 95% "
            f"ranges, {flat} for the flat-direction checks, {d + 1} for the optimiser)",
            max_evaluations,
        )
    start = build_scenario(apply_settings(raw, {p.path: p.start for p in params}, file), file)
    began = perf_counter()
    pilot = run_replications(
        start, seed, PILOT_REPLICATIONS, workers=workers, details=False
    ).per_replication
    seconds = (perf_counter() - began) / PILOT_REPLICATIONS
    small = () if replications else small_counts(pilot, targets, tolerance)
    chosen_by = {n: t for n, t in targets.items() if n not in small}
    needed = {} if replications else replications_for(pilot, chosen_by, tolerance, max_replications)
    if not replications:
        counts = list(needed.values())
        replications = max_replications if None in counts else max([MIN_REPLICATIONS, *counts])
    return Plan(
        seed=seed,
        replications=replications,
        spread={n: _spread(pilot, n, t) for n, t in targets.items()},
        fit_evaluations=max_evaluations - ranges - flat,
        range_evaluations=ranges,
        flat_evaluations=flat,
        seconds_per_replication=seconds,
        needed=needed,
        tolerance=tolerance,
        max_replications=max_replications,
        small_counts=small,
    )


def _spread(pilot: list[dict[str, float]], name: str, target: float) -> float:
    """A figure's year-to-year standard deviation; 1% of the figure if it never varies."""
    sd = _sd(pilot, name)
    return sd if sd > 0 else max(abs(target) * 0.01, 1e-9)


def _sd(pilot: list[dict[str, float]], name: str) -> float:
    return float(np.nanstd([r[name] for r in pilot], ddof=1))
