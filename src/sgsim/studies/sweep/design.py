"""Design points: grid, one-at-a-time, Latin hypercube (scipy.stats.qmc), Sobol and Morris
(SALib). Every design returns a list of points, each a dict of parameter path -> value."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from scipy.stats import qmc

from sgsim.studies.settings import value_at
from sgsim.studies.sweep.spec import Parameter, SweepSpec


def base_value(raw: dict[str, Any], path: str) -> float | None:
    """The value a parameter has in the base scenario file, if it sets one."""
    value = value_at(raw, path)
    return float(value) if isinstance(value, int | float) else None


def salib_problem(params: tuple[Parameter, ...]) -> dict[str, Any]:
    return {
        "num_vars": len(params),
        "names": [p.path for p in params],
        "bounds": [list(p.bounds) for p in params],
    }


def design_points(spec: SweepSpec) -> list[dict[str, float]]:
    """The points of the sweep's design, in a fixed order (point i is always the same)."""
    params = spec.parameters
    if spec.design == "grid":
        axes = [p.values if p.values is not None else p.bounds for p in params]
        rows = [list(combo) for combo in itertools.product(*axes)]
    elif spec.design == "oat":
        rows = _one_at_a_time(spec)
    elif spec.design == "lhs":
        unit = qmc.LatinHypercube(d=len(params), seed=spec.seed).random(spec.samples)
        lows = [p.bounds[0] for p in params]
        highs = [p.bounds[1] for p in params]
        rows = qmc.scale(unit, lows, highs).tolist()
    elif spec.design == "sobol":
        from SALib.sample import sobol

        rows = sobol.sample(
            salib_problem(params), spec.samples, calc_second_order=False, seed=spec.seed
        ).tolist()
    else:  # morris
        from SALib.sample import morris

        rows = morris.sample(salib_problem(params), spec.samples, seed=spec.seed).tolist()
    return [{p.path: p.cast(x) for p, x in zip(params, row, strict=True)} for row in rows]


def _one_at_a_time(spec: SweepSpec) -> list[list[float]]:
    """The base point, then each parameter at each of its values with the rest at base."""
    base = []
    for p in spec.parameters:
        value = base_value(spec.base_raw, p.path)
        base.append(value if value is not None else float(np.mean(p.bounds)))
    rows = [list(base)]
    for i, p in enumerate(spec.parameters):
        for value in p.values if p.values is not None else p.bounds:
            if value != base[i]:
                row = list(base)
                row[i] = value
                rows.append(row)
    return rows
