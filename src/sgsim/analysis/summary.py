"""Across replications: means with 95% confidence intervals, and reported vs simulated.

A confidence interval says where the model's *mean* lies; a council's reported figure is a
single year, which varies from year to year even when the model is right. So each reported
figure is judged twice: against the 95% interval of the mean, and against the spread of
simulated years (the 2.5th to 97.5th percentile of replications). The plain verdict says
which holds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from sgsim.analysis.metrics import RATE_FROM_COUNTS
from sgsim.scenario.schema import Reported

# A published rate and the rate its own counts give "differ" beyond this (half a point).
RATE_MISMATCH = 0.005


@dataclass(frozen=True)
class Summary:
    """One metric over replications."""

    mean: float
    ci95: tuple[float, float]
    range95: tuple[float, float]  # 2.5th and 97.5th percentiles of replications
    n: int


@dataclass(frozen=True)
class ReportedCheck:
    """A reported figure beside the simulation."""

    name: str
    reported: float
    simulated: Summary

    @property
    def within_ci(self) -> bool | None:
        lo, hi = self.simulated.ci95
        return None if math.isnan(lo) else bool(lo <= self.reported <= hi)

    @property
    def within_range(self) -> bool | None:
        lo, hi = self.simulated.range95
        return None if math.isnan(lo) else bool(lo <= self.reported <= hi)

    @property
    def verdict(self) -> str:
        """Plain words: 'matches', 'plausible' or 'differs' (see the module docstring)."""
        if self.within_ci:
            return "matches (in CI)"
        if self.within_range:
            return "plausible (in spread)"
        if self.within_range is None:
            return "too few replications"
        side = "above" if self.reported > self.simulated.mean else "below"
        return f"differs ({side})"


@dataclass(frozen=True)
class RateCheck:
    """A published conversion rate beside the rate its own counts give, and the model's."""

    name: str
    published: float
    from_counts: float | None
    simulated: Summary | None

    @property
    def mismatch(self) -> bool:
        return (
            self.from_counts is not None
            and not math.isnan(self.published)
            and abs(self.published - self.from_counts) > RATE_MISMATCH
        )

    @property
    def note(self) -> str:
        if math.isnan(self.published):
            return f"not published; the reported counts give {self.from_counts:.1%}"
        if self.from_counts is None:
            return "the report gives no counts to check it against"
        if self.mismatch:
            return (
                f"published {self.published:.1%} but the reported counts give "
                f"{self.from_counts:.1%}"
            )
        return "published rate agrees with the counts"


def summarise(values: list[float], upper: float = math.inf, lower: float = 0.0) -> Summary:
    """Mean, t-based 95% CI and 95% spread of one metric's replication values.

    Every metric is >= 0: the interval is clipped there, since a symmetric t-interval on a
    few skewed values can otherwise reach impossible values. Differences between scenarios
    pass ``lower=-inf``.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = x.size
    if n == 0:
        return Summary(math.nan, (math.nan, math.nan), (math.nan, math.nan), 0)
    mean = float(x.mean())
    if n < 2:
        return Summary(mean, (math.nan, math.nan), (math.nan, math.nan), n)
    half = half_width95(x)
    lo, hi = np.percentile(x, [2.5, 97.5])
    ci = (max(mean - half, lower), min(mean + half, upper))
    return Summary(mean, ci, (float(lo), float(hi)), n)


def half_width95(x: np.ndarray) -> float:
    """Half-width of the t-based 95% confidence interval of the mean of ``x`` (n >= 2).

    One formula for every interval sgsim reports, and for the replications a precision needs.
    """
    n = x.size
    return float(stats.t.ppf(0.975, n - 1) * x.std(ddof=1) / math.sqrt(n))


def summarise_all(per_replication: list[dict[str, float]]) -> dict[str, Summary]:
    """Summaries of every metric, in the order the metrics were computed."""
    names = per_replication[0].keys() if per_replication else ()
    # Rates are not clipped at 1: they are cohort rates that cannot pass 1 (sgsim's own
    # check), so an interval reaching past it shows only that the replications are few.
    return {k: summarise([rep[k] for rep in per_replication]) for k in names}


def compare_reported(reported: Reported, summaries: dict[str, Summary]) -> list[ReportedCheck]:
    return [ReportedCheck(name, value, summaries[name]) for name, value in reported.figures.items()]


def check_rates(reported: Reported, summaries: dict[str, Summary]) -> list[RateCheck]:
    """Published rates, and the rates the reported counts give (even when none is published)."""
    out = []
    for name, (numerators, denominator) in RATE_FROM_COUNTS.items():
        counts = reported.figures
        have = denominator in counts and all(n in counts for n in numerators)
        from_counts = (
            sum(counts[n] for n in numerators) / counts[denominator]
            if have and counts[denominator]
            else None
        )
        published = reported.published_rates.get(name)
        if published is None and from_counts is None:
            continue
        out.append(
            RateCheck(
                name,
                published if published is not None else math.nan,
                from_counts,
                summaries.get(name),
            )
        )
    return out
