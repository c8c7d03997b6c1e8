"""Queues that never settle: a warning, not a mean.

A queue that is still growing over the measured period has no steady-state mean: its
average depends on how long the run is, and its waits on when a case happened to arrive.
Each replication's daily queue is split into the first and second half of the period;
a queue is *still growing* when the second half is longer than the first in every sense
that matters: the 95% interval of the paired difference over replications lies above
zero, and the rise is material (at least one case and a tenth of the first half's level).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from sgsim.analysis.summary import half_width95

MATERIAL_RISE = 0.10  # a tenth of the first half's level...
MATERIAL_CASES = 1.0  # ...and at least one case


@dataclass(frozen=True)
class Growth:
    """A queue's mean length in the first and second half of a period, over replications."""

    queue: str
    first_half: float
    second_half: float
    low: float  # 95% interval of the rise (second - first), over replications
    high: float

    @property
    def words(self) -> str:
        return (
            f"{self.queue.replace('_', ' ')} is still growing: {self.first_half:.1f} on "
            f"average in the first half of the period, {self.second_half:.1f} in the second "
            "(its mean and waits depend on the run's length; add staff, or start from a "
            "backlog and report when it clears)"
        )


def still_growing(
    daily: Sequence[Mapping[str, np.ndarray]], start: int, end: int, queues: Iterable[str]
) -> list[Growth]:
    """The queues whose daily length rises over days [start, end) in every replication's
    mean, by the rule in the module's docstring."""
    middle = (start + end) // 2
    out = []
    for name in queues:
        first = np.array([np.mean(d[name][start:middle]) for d in daily], dtype=float)
        second = np.array([np.mean(d[name][middle:end]) for d in daily], dtype=float)
        rise = second - first
        mean_rise = float(rise.mean())
        half = half_width95(rise) if rise.size >= 2 else math.inf
        material = max(MATERIAL_CASES, MATERIAL_RISE * float(first.mean()))
        if mean_rise - half > 0 and mean_rise > material:
            out.append(
                Growth(
                    name,
                    float(first.mean()),
                    float(second.mean()),
                    mean_rise - half,
                    mean_rise + half,
                )
            )
    return out
