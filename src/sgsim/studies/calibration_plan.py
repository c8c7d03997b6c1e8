"""Before a calibration: how many replications, how many evaluations, and how long.

A pilot at the starting values measures each reported figure's year-to-year spread (which
scales the objective) and how long a replication takes. The replications per evaluation
are then the fewest that pin every figure's simulated mean to within a tolerance: a 95%
t-interval with the pilot's standard deviation (the confidence-interval method of Law and
Kelton), up to a cap. The tolerance is a fraction of the reported figure or one
year-to-year standard deviation, whichever is wider: the reported figure is itself one
year's draw with that spread, so pinning the mean more closely buys little, while a
small count (69 closures with risk remaining, sd about 8) could never be pinned to 5% by
an affordable number of replications. At one standard deviation the fit's own noise
(sd / sqrt(7) at most) widens the uncertainty of a fitted value by at most
sqrt(1 + 1/7) - 1 = 7%. Fewer replications would let the fitted values absorb more of
the noise of the fit's own replications. The evaluations are capped in all; the
optimiser gets what the Jacobian at the fitted values, at worst, leaves.
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
from sgsim.studies.calibrate import FitParameter, range_evaluations
from sgsim.studies.runner import metrics_of_each
from sgsim.studies.settings import apply_settings

PILOT_REPLICATIONS = 10
MIN_REPLICATIONS = 3  # at 2, the t-interval's multiplier is 12.7: it matches anything
DEFAULT_TOLERANCE = 0.05  # of each reported figure
DEFAULT_MAX_REPLICATIONS = 30
FIT_STEPS = 4  # the optimiser's default: the start and this many Gauss-Newton steps,
# each a point and its d differences; the funnel's near-linear counts need two or three


@dataclass(frozen=True)
class Plan:
    """The replications and the evaluation budget of a calibration, and what set them."""

    seed: int
    replications: int
    spread: dict[str, float]  # each figure's year-to-year standard deviation, from the pilot
    fit_evaluations: int
    range_evaluations: int
    seconds_per_replication: float
    needed: dict[str, int | None]  # per figure for the tolerance (None: above the cap);
    # empty when the replications were given
    tolerance: float
    max_replications: int

    @property
    def max_evaluations(self) -> int:
        return self.fit_evaluations + self.range_evaluations

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
    t(0.975, n-1) * sd / sqrt(n) <= max(tolerance * |reported|, sd); None when more than
    ``cap``."""
    out: dict[str, int | None] = {}
    for name, target in targets.items():
        sd = _sd(pilot, name)
        allowed = max(tolerance * abs(target), sd)
        out[name] = next(
            (
                n
                for n in range(MIN_REPLICATIONS, cap + 1)
                if stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n) <= allowed
            ),
            None,
        )
    return out


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
    ranges = range_evaluations(d)
    least = ranges + d + 1
    if max_evaluations is None:
        max_evaluations = (FIT_STEPS + 1) * (d + 1) + ranges
    if max_evaluations < least:
        raise ScenarioError(
            "command line",
            "--max-evaluations",
            f"at least {least} for {d} parameter{'s' * (d > 1)} ({d + 1} for the "
            f"optimiser's start and its differences, {ranges} for the differences at the "
            "fitted values that give the 95% ranges)",
            max_evaluations,
        )
    start = build_scenario(apply_settings(raw, {p.path: p.start for p in params}, file), file)
    began = perf_counter()
    pilot = metrics_of_each([start], seed, PILOT_REPLICATIONS, workers)[0]
    seconds = (perf_counter() - began) / PILOT_REPLICATIONS
    needed = {} if replications else replications_for(pilot, targets, tolerance, max_replications)
    if not replications:
        counts = list(needed.values())
        replications = max_replications if None in counts else max([MIN_REPLICATIONS, *counts])
    return Plan(
        seed=seed,
        replications=replications,
        spread={n: _spread(pilot, n, t) for n, t in targets.items()},
        fit_evaluations=max_evaluations - ranges,
        range_evaluations=ranges,
        seconds_per_replication=seconds,
        needed=needed,
        tolerance=tolerance,
        max_replications=max_replications,
    )


def _spread(pilot: list[dict[str, float]], name: str, target: float) -> float:
    """A figure's year-to-year standard deviation; 1% of the figure if it never varies."""
    sd = _sd(pilot, name)
    return sd if sd > 0 else max(abs(target) * 0.01, 1e-9)


def _sd(pilot: list[dict[str, float]], name: str) -> float:
    return float(np.nanstd([r[name] for r in pilot], ddof=1))
