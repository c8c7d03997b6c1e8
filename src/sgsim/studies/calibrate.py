"""Calibration: scenario parameters fitted to a council's reported figures.

The objective is the sum over reported figures of ((simulated mean - reported) / spread)^2,
where spread is the year-to-year standard deviation of that figure across replications at
the starting point. Every evaluation uses the same seed (common random numbers), so the
objective is a deterministic function of the parameters and a derivative-free optimiser
(Nelder-Mead, scipy.optimize) can follow it. Because each term is a gap measured in
simulated years, a rise of 3.84 above the minimum marks a 95% range for one parameter
(profile), and directions in which the objective hardly rises across the whole range are
ones the reported figures cannot pin down.

Parameters are set through ``sgsim.studies.settings``: fitting one share of a mix (a
source's chance of a concern at triage) fills in the other shares, and the fitted scenario
file writes them too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import optimize

from sgsim.scenario.errors import ScenarioError
from sgsim.scenario.loading import build_scenario
from sgsim.studies.runner import run_replications
from sgsim.studies.settings import apply_settings, complete_mixes, resolve_path
from sgsim.studies.sweep.design import base_value

CHI2_95 = 3.84  # 95% quantile of chi-square with one degree of freedom


@dataclass(frozen=True)
class FitParameter:
    path: str
    low: float
    high: float
    start: float


@dataclass
class Calibration:
    """What a calibration found."""

    parameters: list[FitParameter]
    fitted: dict[str, float]
    ranges: dict[str, tuple[float, float]]
    objective_start: float
    objective_end: float
    evaluations: int
    flat_directions: list[dict[str, float]]
    per_replication: list[dict[str, float]] = field(default_factory=list)
    rest_of_mixes: dict[str, float] = field(default_factory=dict)  # shares filled in


def parse_fit(text: str, raw: dict[str, Any], file: str) -> FitParameter:
    """'path' or 'path=low:high'; the start is the scenario's own value.

    Without bounds, a probability, share or rate (by the schema's checks) may take any
    value from 0 to 1; any other positive setting, half to twice its value.
    """
    path, _, bounds = text.partition("=")
    target = resolve_path(path, raw, file, f"--fit {path}")
    start = base_value(raw, path)
    if bounds:
        try:
            low, high = (float(x) for x in bounds.split(":"))
        except ValueError:
            raise ScenarioError(
                file, f"--fit {text}", "PATH=LOW:HIGH with two numbers", bounds
            ) from None
    elif start is not None and 0 <= start <= 1 and target.unit:
        low, high = 0.0, 1.0
    elif start is not None and start > 0:
        low, high = start / 2, start * 2
    else:
        raise ScenarioError(
            file,
            f"--fit {path}",
            "bounds as PATH=LOW:HIGH (the scenario gives no positive value to start from)",
            text,
        )
    if not low < high:
        raise ScenarioError(file, f"--fit {text}", "LOW < HIGH", bounds)
    if start is None or not low <= start <= high:
        start = (low + high) / 2
    return FitParameter(path, low, high, start)


class Objective:
    """The standardised squared gap to the reported figures, counted and cached."""

    def __init__(
        self,
        raw: dict[str, Any],
        file: str,
        params: list[FitParameter],
        targets: dict[str, float],
        seed: int,
        replications: int,
        on_eval: Callable[[int, float], None] | None = None,
        workers: int = 1,
    ) -> None:
        self.raw, self.file, self.params = raw, file, params
        self.workers = workers
        self.targets, self.seed, self.replications = targets, seed, replications
        self.on_eval = on_eval
        self.cache: dict[tuple[float, ...], tuple[float, list[dict[str, float]]]] = {}
        self.spread: dict[str, float] = {}

    def values(self, u: np.ndarray) -> dict[str, float]:
        """Unit-cube coordinates to parameter values."""
        return {
            p.path: p.low + float(np.clip(x, 0, 1)) * (p.high - p.low)
            for p, x in zip(self.params, u, strict=True)
        }

    def runs(self, u: np.ndarray) -> list[dict[str, float]]:
        return self._evaluate(u)[1]

    def __call__(self, u: np.ndarray) -> float:
        return self._evaluate(u)[0]

    def _evaluate(self, u: np.ndarray) -> tuple[float, list[dict[str, float]]]:
        key = tuple(np.round(np.clip(u, 0, 1), 10))
        if key not in self.cache:
            settings = self.values(np.array(key))
            s = build_scenario(apply_settings(self.raw, settings, self.file), self.file)
            reps = run_replications(
                s, self.seed, self.replications, workers=self.workers
            ).per_replication
            if not self.spread:  # fixed at the start, so the objective stays smooth
                for name, target in self.targets.items():
                    sd = float(np.nanstd([r[name] for r in reps], ddof=1))
                    self.spread[name] = sd if sd > 0 else max(abs(target) * 0.01, 1e-9)
            value = sum(
                ((float(np.nanmean([r[n] for r in reps])) - t) / self.spread[n]) ** 2
                for n, t in self.targets.items()
            )
            self.cache[key] = (value, reps)
            if self.on_eval:
                self.on_eval(len(self.cache), value)
        return self.cache[key]


def calibrate(
    raw: dict[str, Any],
    file: str,
    params: list[FitParameter],
    targets: dict[str, float],
    seed: int,
    replications: int,
    max_evaluations: int = 120,
    on_eval: Callable[[int, float], None] | None = None,
    workers: int = 1,
) -> Calibration:
    """Fit the parameters, then find each one's 95% range and any flat directions."""
    f = Objective(raw, file, params, targets, seed, replications, on_eval, workers)
    u0 = np.array([(p.start - p.low) / (p.high - p.low) for p in params])
    start_value = f(u0)
    res = optimize.minimize(
        f,
        u0,
        method="Nelder-Mead",
        bounds=[(0, 1)] * len(params),
        options={
            "maxfev": max_evaluations,
            "xatol": 1e-3,
            "fatol": 1e-2,
            "initial_simplex": _simplex(u0),
        },
    )
    best = np.clip(res.x, 0, 1)
    fitted = f.values(best)
    ranges = {p.path: _profile(f, best, i, p) for i, p in enumerate(params)}
    return Calibration(
        parameters=params,
        fitted=fitted,
        ranges=ranges,
        objective_start=start_value,
        objective_end=f(best),
        evaluations=len(f.cache),
        flat_directions=_flat_directions(f, best, params, ranges),
        per_replication=f.runs(best),
        rest_of_mixes={
            k: v for k, v in complete_mixes(raw, fitted, file).items() if k not in fitted
        },
    )


def _simplex(u0: np.ndarray, step: float = 0.15) -> np.ndarray:
    """A starting simplex of 15% steps, turned inwards at the bounds."""
    pts = [u0]
    for i in range(u0.size):
        p = u0.copy()
        p[i] = p[i] + step if p[i] + step <= 1 else p[i] - step
        pts.append(p)
    return np.array(pts)


def _profile(f: Objective, best: np.ndarray, i: int, p: FitParameter) -> tuple[float, float]:
    """Where, moving this parameter alone, the objective rises by 3.84 (or the bound).

    Bisection between the optimum (below the threshold) and the bound (above it): with
    common random numbers the objective is a fine staircase, on which root-finders that
    assume smoothness can fail to converge, while bisection always narrows the bracket.
    """
    base = f(best)

    def above(x: float) -> bool:
        u = best.copy()
        u[i] = x
        return f(u) - base > CHI2_95

    ends = []
    for bound in (0.0, 1.0):
        if not above(bound):
            ends.append(bound)
            continue
        inside, outside = float(best[i]), bound
        for _ in range(10):  # the range to 1/1000 of the parameter's span
            middle = (inside + outside) / 2
            if above(middle):
                outside = middle
            else:
                inside = middle
        ends.append((inside + outside) / 2)
    return (p.low + ends[0] * (p.high - p.low), p.low + ends[1] * (p.high - p.low))


def _flat_directions(
    f: Objective,
    best: np.ndarray,
    params: list[FitParameter],
    ranges: dict[str, tuple[float, float]],
) -> list[dict[str, float]]:
    """Combinations of parameters the reported figures cannot separate.

    Each parameter's own 95% range (moving it alone) sets its scale, w. The Hessian in those
    units proposes directions; a direction is flat when moving 3 w along it, either way,
    still raises the objective by less than 3.84: the figures allow at least three times
    the spread each parameter alone suggests, because others can compensate (two sources'
    concern chances feeding one count; criteria of which only the product is seen).
    Measuring at the scale of w also keeps the differences far above the small jitter that
    common random numbers give a finely stepped objective.
    """
    d = best.size
    w = np.array(
        [max((ranges[p.path][1] - ranges[p.path][0]) / (p.high - p.low) / 2, 0.01) for p in params]
    )
    centre = np.clip(best, w, 1 - w)
    f0 = f(centre)
    hess = np.zeros((d, d))
    for i in range(d):
        e_i = np.eye(d)[i] * w[i]
        hess[i, i] = f(centre + e_i) - 2 * f0 + f(centre - e_i)
        for j in range(i):
            e_j = np.eye(d)[j] * w[j]
            hess[i, j] = hess[j, i] = (
                f(centre + e_i + e_j)
                - f(centre + e_i - e_j)
                - f(centre - e_i + e_j)
                + f(centre - e_i - e_j)
            ) / 4
    flat = []
    base = f(best)
    for v in np.linalg.eigh(hess)[1].T:
        v = v / v[np.argmax(np.abs(v))]
        rises = [f(_step_inside(best, sign * 3 * w * v)) - base for sign in (1, -1)]
        if max(rises) < CHI2_95:  # report one w step in each parameter's own units
            step = v * w * np.array([p.high - p.low for p in params])
            flat.append(
                {
                    p.path: float(f"{x:.2g}")
                    for p, x, vi in zip(params, step, v, strict=True)
                    if abs(vi) > 0.05
                }
            )
    return flat


def _step_inside(u: np.ndarray, step: np.ndarray) -> np.ndarray:
    """u + t * step with the largest t <= 1 that stays inside the unit box."""
    t = 1.0
    for x, dx in zip(u, step, strict=True):
        if dx > 0:
            t = min(t, (1 - x) / dx)
        elif dx < 0:
            t = min(t, x / -dx)
    return u + t * step


def fitted_file_text(
    calibration: Calibration,
    extends: str,
    name: str,
    targets: dict,
    seed: int,
    replications: int,
    command: list[str],
    version: str,
) -> str:
    """A scenario that extends the original and sets the fitted values, saying how."""
    lines = [
        f"# Calibrated by sgsim {version}: {' '.join(command)}",
        "# Fitted to the reported figures: "
        + ", ".join(f"{k} = {v:g}" for k, v in targets.items()),
        f"# Objective (sum of squared gaps in simulated-year spreads): "
        f"{calibration.objective_start:.3g} before, {calibration.objective_end:.3g} after, "
        f"{calibration.evaluations} evaluations of {replications} replications, seed {seed}.",
        "# 95% ranges: where moving one parameter alone raises the objective by 3.84.",
    ]
    for flat in calibration.flat_directions:
        lines.append(
            "# Not pinned down by these figures (can move together): "
            + " with ".join(f"{k} {v:+g}" for k, v in flat.items())
        )
    lines += [f'extends = "{extends}"', f'name = "{name} (calibrated)"', ""]
    for p in calibration.parameters:
        value = calibration.fitted[p.path]
        lo, hi = calibration.ranges[p.path]
        lines.append(
            f"{p.path} = {value:.6g}  # 95% range {lo:.4g} to {hi:.4g}; started at {p.start:.4g}"
        )
    for path, value in calibration.rest_of_mixes.items():
        lines.append(f"{path} = {value:.6g}  # the rest of its mix, so the shares sum to 1")
    return "\n".join(lines) + "\n"
