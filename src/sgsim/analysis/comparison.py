"""Scenario against scenario with common random numbers: paired differences per metric.

Replication r of every scenario uses the same random streams, so replication r's
contacts and decisions are the same wherever the designs agree. The difference of each
metric is then taken replication by replication, and its 95% interval is far tighter than
comparing two independent intervals would give.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sgsim.analysis.summary import Summary, summarise


@dataclass(frozen=True)
class Difference:
    """One metric: the baseline, the alternative, and their paired difference."""

    metric: str
    baseline: Summary
    other: Summary
    diff: Summary  # of (other - baseline), replication by replication

    @property
    def clear(self) -> bool:
        lo, hi = self.diff.ci95
        return not math.isnan(lo) and (lo > 0 or hi < 0)

    @property
    def verdict(self) -> str:
        if self.diff.n < 2:
            return "too few replications"
        if self.clear:
            return "clearly higher" if self.diff.mean > 0 else "clearly lower"
        return "within noise"


def paired_differences(
    baseline: list[dict[str, float]], other: list[dict[str, float]]
) -> list[Difference]:
    """Differences for every metric both runs have, in the baseline's order."""
    out = []
    for name in baseline[0]:
        if name not in other[0]:
            continue
        a = np.array([rep[name] for rep in baseline], dtype=float)
        b = np.array([rep[name] for rep in other], dtype=float)
        upper = 1.0 if name.endswith("_rate") else math.inf
        out.append(
            Difference(
                name,
                summarise(a.tolist(), upper=upper),
                summarise(b.tolist(), upper=upper),
                summarise((b - a).tolist(), lower=-math.inf),
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
