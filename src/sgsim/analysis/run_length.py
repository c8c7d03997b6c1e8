"""How long to warm up, and how many replications to run.

Warm-up: the model starts empty, so its queues start too short. A long trial gives each
stage's daily queue over several replications; Welch's method smooths their mean with a
moving average for the eye, and MSER-5 (White 1997) picks the truncation point that
minimises the standard error of what remains, on 5-day batch means.

Replications: the confidence-interval method adds replications until each key metric's
95% interval is within the asked relative half-width of its mean.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from sgsim.analysis.steady_state import still_growing
from sgsim.analysis.summary import half_width95

KEY_METRICS = (
    "contacts",
    "concerns",
    "s42_enquiries",
    "decision_within_target_rate",
    "allocation_wait_days_mean",
    "open_enquiries_mean",
)


def welch_moving_average(y: np.ndarray, window: int) -> np.ndarray:
    """Welch's centred moving average; near the start the window shrinks to fit."""
    y = np.asarray(y, dtype=float)
    out = np.empty(y.size)
    for i in range(y.size):
        half = min(window, i, y.size - 1 - i)
        out[i] = y[i - half : i + half + 1].mean()
    return out


def mser(y: np.ndarray, batch: int = 5) -> int:
    """MSER-b truncation point, in observations (a multiple of the batch size).

    Batch means Z_1..Z_k; for each d <= k/2 the statistic is the variance of Z_{d+1..k}
    divided by its count; the d that minimises it is the truncation.
    """
    y = np.asarray(y, dtype=float)
    k = y.size // batch
    if k < 4:
        return 0
    z = y[: k * batch].reshape(k, batch).mean(axis=1)
    best, best_d = math.inf, 0
    for d in range(k // 2 + 1):
        rest = z[d:]
        value = rest.var() / rest.size
        if value < best:
            best, best_d = value, d
    return best_d * batch


def fills_from_empty(y: np.ndarray, cut: int, batch: int = 5, ratio: float = 0.5) -> bool:
    """Whether a queue starts well below its settled level (its first batch under half the
    mean after the truncation point). Queues that settle within days need no warm-up; an
    MSER point for them reflects seasonality (bank holidays, a December dip), which MSER,
    assuming a settled series, reads as bias."""
    y = np.asarray(y, dtype=float)
    settled = settled_level(y, cut)
    return bool(settled > 0 and y[:batch].mean() < ratio * settled)


def settled_level(y: np.ndarray, cut: int) -> float:
    """The mean after the truncation point: the level a warmed-up run starts from."""
    y = np.asarray(y, dtype=float)
    return float(y[cut:].mean() if cut < y.size else y.mean())


@dataclass(frozen=True)
class StageWarmup:
    """One queue's daily length from an empty start, and where MSER-5 would cut it."""

    mean: np.ndarray  # end-of-day length, mean over replications
    smoothed: np.ndarray  # Welch's moving average of the mean
    cut: int  # MSER-5 truncation point, days
    settled: float  # mean length after the cut
    fills_from_empty: bool
    settles: bool = True  # False: still growing over the trial's last two thirds


@dataclass(frozen=True)
class WarmupSuggestion:
    """A warm-up in days, and the evidence for it stage by stage."""

    days: int | None  # None: some queue does not settle, so no warm-up can be suggested
    stages: dict[str, StageWarmup]


def suggest_warmup(
    daily: Sequence[Mapping[str, np.ndarray]],
    window: int,
    queues: Iterable[str],
) -> WarmupSuggestion:
    """Suggest a warm-up from each replication's daily queues over a trial from empty.

    Only the stages that fill from empty count: MSER-5 on a queue that settles within days
    reads seasonality as bias and would ask for a needless warm-up. The longest of their
    truncation points, rounded up to ten days, is the suggestion (0 if none fills). A queue
    still growing over the trial's last two thirds (``analysis.steady_state``) never
    settles, and no warm-up is suggested.
    """
    stages = {}
    queues = list(queues)
    length = len(daily[0][queues[0]]) if queues else 0
    growing = {g.queue for g in still_growing(daily, length // 3, length, queues)}
    for name in queues:
        mean = np.mean([d[name] for d in daily], axis=0)
        cut = mser(mean)
        stages[name] = StageWarmup(
            mean=mean,
            smoothed=welch_moving_average(mean, window),
            cut=cut,
            settled=settled_level(mean, cut),
            fills_from_empty=fills_from_empty(mean, cut),
            settles=name not in growing,
        )
    if growing:
        return WarmupSuggestion(days=None, stages=stages)
    longest = max((st.cut for st in stages.values() if st.fills_from_empty), default=0)
    return WarmupSuggestion(days=math.ceil(longest / 10) * 10, stages=stages)


def relative_half_width(values: Sequence[float]) -> float:
    """The 95% interval's half-width over |mean|: the precision replications are added for.

    NaN when it is undefined (fewer than two values, or a mean of zero or NaN), so that it
    never counts as precise enough.
    """
    x = np.asarray(values, dtype=float)
    if x.size < 2:
        return math.nan
    mean = x.mean()
    if not np.isfinite(mean) or mean == 0:
        return math.nan
    return half_width95(x) / abs(mean)


def replications_needed(
    values: dict[str, list[float]], precision: float, minimum: int = 3
) -> dict[str, int | None]:
    """For each metric, the first n (>= minimum) whose 95% half-width / |mean| <= precision."""
    out: dict[str, int | None] = {}
    for name, xs in values.items():
        out[name] = next(
            (n for n in range(minimum, len(xs) + 1) if relative_half_width(xs[:n]) <= precision),
            None,
        )
    return out


@dataclass(frozen=True)
class Precision:
    """Where the confidence-interval method left one metric."""

    metric: str
    needed: int | None  # replications that first reached the precision; None: not reached
    mean: float  # over every replication run
    relative_half_width: float  # over every replication run


def replications_to_run(precisions: Sequence[Precision]) -> int | None:
    """Replications every metric needs (the most any one needed); None if one never got there."""
    reached = [p.needed for p in precisions if p.needed is not None]
    return max(reached) if len(reached) == len(precisions) else None


def run_until_precise(
    simulate_one: Callable[[int], dict[str, float]],
    metrics: tuple[str, ...],
    precision: float,
    maximum: int,
    on_done: Callable[[int], None] | None = None,
) -> list[Precision]:
    """Add replications until every metric reaches the precision (or ``maximum``)."""
    values: dict[str, list[float]] = {m: [] for m in metrics}
    needed: dict[str, int | None] = dict.fromkeys(metrics)
    for r in range(maximum):
        result = simulate_one(r)
        for m in metrics:
            values[m].append(result[m])
        if on_done:
            on_done(r)
        needed = replications_needed(values, precision)
        if all(n is not None for n in needed.values()):
            break
    return [
        Precision(m, needed[m], float(np.mean(values[m])), relative_half_width(values[m]))
        for m in metrics
    ]
