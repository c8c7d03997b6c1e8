"""Sensitivity from a finished sweep: Sobol and Morris indices (SALib), one-at-a-time swings.

Indices are computed on each point's mean over replications; with common random numbers
the replications of every point share their random numbers, so what differs between
points is the inputs, not the luck.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from sgsim.studies.sweep.design import salib_problem
from sgsim.studies.sweep.spec import SweepSpec


def point_means(per_point: list[list[dict[str, float]]]) -> dict[str, np.ndarray]:
    """metric -> array over points of the mean over replications."""
    names = list(per_point[0][0])
    return {
        m: np.array([np.nanmean([rep[m] for rep in reps]) for reps in per_point]) for m in names
    }


def sobol_indices(spec: SweepSpec, means: dict[str, np.ndarray]) -> list[dict[str, object]]:
    """First-order and total Sobol indices with 95% intervals, for every metric that varies."""
    from SALib.analyze import sobol

    return _indices(
        spec,
        means,
        ("S1", "S1_conf", "ST", "ST_conf"),
        lambda problem, y: sobol.analyze(problem, y, calc_second_order=False, seed=spec.seed),
    )


def morris_indices(
    spec: SweepSpec, x: np.ndarray, means: dict[str, np.ndarray]
) -> list[dict[str, object]]:
    """Morris elementary effects: mu* (importance), its interval, sigma (interaction)."""
    from SALib.analyze import morris

    return _indices(
        spec,
        means,
        ("mu_star", "mu_star_conf", "sigma"),
        lambda problem, y: morris.analyze(problem, x, y, seed=spec.seed),
    )


def _indices(
    spec: SweepSpec,
    means: dict[str, np.ndarray],
    columns: tuple[str, ...],
    analyze: Callable[[dict, np.ndarray], dict],
) -> list[dict[str, object]]:
    """One row per metric and parameter with SALib's indices; constant metrics are skipped."""
    problem = salib_problem(spec.parameters)
    rows: list[dict[str, object]] = []
    for metric, y in means.items():
        if not np.all(np.isfinite(y)) or np.ptp(y) == 0:
            continue
        res = analyze(problem, y)
        for i, p in enumerate(spec.parameters):
            rows.append({"metric": metric, "parameter": p.path, **{c: res[c][i] for c in columns}})
    return rows


def one_at_a_time(
    spec: SweepSpec, points: list[dict[str, float]], means: dict[str, np.ndarray]
) -> list[dict[str, object]]:
    """For each parameter and metric: the metric at its lowest and highest value tried."""
    base = points[0]
    rows = []
    for metric, y in means.items():
        for p in spec.parameters:
            tried = [
                (pt[p.path], y[i])
                for i, pt in enumerate(points)
                if all(pt[q.path] == base[q.path] for q in spec.parameters if q is not p)
            ]
            lo = min(tried, key=lambda t: t[0])
            hi = max(tried, key=lambda t: t[0])
            rows.append(
                {
                    "metric": metric,
                    "parameter": p.path,
                    "base_value": base[p.path],
                    "base_metric": y[0],
                    "low_value": lo[0],
                    "metric_at_low": lo[1],
                    "high_value": hi[0],
                    "metric_at_high": hi[1],
                    "swing": abs(hi[1] - lo[1]) if math.isfinite(hi[1] - lo[1]) else None,
                }
            )
    return rows
