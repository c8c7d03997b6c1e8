"""Scenario against scenario with common random numbers: paired differences per metric.

Replication r of every scenario uses the same random streams, so replication r's
contacts and decisions are the same wherever the designs agree. The difference of each
metric is then taken replication by replication, and its 95% interval is far tighter than
comparing two independent intervals would give.

Two verdicts. Statistically, a difference is clear when its interval excludes zero; with
common random numbers even a change of a fraction of a contact can be. In practice, it
is material only beyond a threshold: by default 5% of the baseline's mean, but never less
than one percentage point for a rate or utilisation, half a day for a wait or duration, or
one case for a count, queue or caseload. When the whole interval lies inside the threshold
there is no material difference; when it lies wholly beyond, the difference is material;
otherwise the run cannot tell (more replications narrow the interval).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sgsim.analysis.summary import Summary, summarise
from sgsim.analysis.units import Unit, unit

DEFAULT_MATERIAL = 0.05  # of the baseline's mean
FLOORS: dict[Unit, float] = {"share": 0.01, "days": 0.5, "cases": 1.0}


def material_threshold(metric: str, baseline_mean: float, relative: float) -> float:
    """The smallest difference that matters, in the metric's own units."""
    floor = FLOORS[unit(metric)]
    return floor if math.isnan(baseline_mean) else max(relative * abs(baseline_mean), floor)


@dataclass(frozen=True)
class Difference:
    """One metric: the baseline, the alternative, and their paired difference."""

    metric: str
    baseline: Summary
    other: Summary
    diff: Summary  # of (other - baseline), replication by replication
    threshold: float  # a difference smaller than this is not material

    @property
    def clear(self) -> bool:
        lo, hi = self.diff.ci95
        return not math.isnan(lo) and (lo > 0 or hi < 0)

    @property
    def verdict(self) -> str:
        """The statistical verdict: does the interval exclude zero?"""
        if self.diff.n < 2:
            return "too few replications"
        if self.clear:
            return "clearly higher" if self.diff.mean > 0 else "clearly lower"
        return "within noise"

    @property
    def material(self) -> bool:
        lo, hi = self.diff.ci95
        return lo > self.threshold or hi < -self.threshold

    @property
    def practical(self) -> str:
        """The practical verdict: where the interval lies against the threshold."""
        if self.diff.n < 2:
            return "too few replications"
        lo, hi = self.diff.ci95
        if -self.threshold <= lo and hi <= self.threshold:
            return "no material difference"
        if self.material:
            return "materially higher" if lo > 0 else "materially lower"
        return "inconclusive"


def paired_differences(
    baseline: list[dict[str, float]],
    other: list[dict[str, float]],
    material: float = DEFAULT_MATERIAL,
) -> list[Difference]:
    """Differences for every metric both runs have, in the baseline's order; ``material``
    is the relative threshold (a fraction of the baseline's mean)."""
    out = []
    for name in baseline[0]:
        if name not in other[0]:
            continue
        a = np.array([rep[name] for rep in baseline], dtype=float)
        b = np.array([rep[name] for rep in other], dtype=float)
        upper = 1.0 if name.endswith("_rate") else math.inf
        base = summarise(a.tolist(), upper=upper)
        out.append(
            Difference(
                name,
                base,
                summarise(b.tolist(), upper=upper),
                summarise((b - a).tolist(), lower=-math.inf),
                material_threshold(name, base.mean, material),
            )
        )
    return out


def unique_labels(names: list[str]) -> list[str]:
    """Labels for scenarios side by side: their names, a repeated name taking a prime."""
    labels: list[str] = []
    for name in names:
        label = name
        while label in labels:
            label += "'"
        labels.append(label)
    return labels
