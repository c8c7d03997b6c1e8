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
from collections.abc import Callable

import numpy as np
from scipy import stats

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
    settled = y[cut:].mean() if cut < y.size else y.mean()
    return bool(settled > 0 and y[:batch].mean() < ratio * settled)


def replications_needed(
    values: dict[str, list[float]], precision: float, minimum: int = 3
) -> dict[str, int | None]:
    """For each metric, the first n (>= minimum) whose 95% half-width / |mean| <= precision."""
    out: dict[str, int | None] = {}
    for name, xs in values.items():
        out[name] = None
        for n in range(minimum, len(xs) + 1):
            x = np.asarray(xs[:n], dtype=float)
            mean = x.mean()
            if not np.isfinite(mean) or mean == 0:
                continue
            half = stats.t.ppf(0.975, n - 1) * x.std(ddof=1) / math.sqrt(n)
            if half / abs(mean) <= precision:
                out[name] = n
                break
    return out


def run_until_precise(
    simulate_one: Callable[[int], dict[str, float]],
    metrics: tuple[str, ...],
    precision: float,
    maximum: int,
    on_done: Callable[[int], None] | None = None,
) -> tuple[dict[str, int | None], dict[str, list[float]]]:
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
    return needed, values
