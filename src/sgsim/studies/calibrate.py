"""Calibration: scenario parameters fitted to a council's reported figures.

The objective is the sum over reported figures of ((simulated mean - reported) / spread)^2,
where spread is the year-to-year standard deviation of that figure across a pilot's
replications at the starting point. Every evaluation uses the same seed (common random
numbers), so the residuals are a deterministic function of the parameters, and the
funnel's counts are near-linear in the chances being fitted: a trust-region Gauss-Newton
(Levenberg-Marquardt-like, ``scipy.optimize.least_squares``) on forward differences
reaches the fit in a few steps of d + 1 simulations each, where Nelder-Mead needed
hundreds. Because each residual is a gap measured in simulated years, a rise of 3.84
above the minimum marks a 95% range for one parameter (profile); the Jacobian at the fit
gives that rise in closed form, and the directions in which it hardly rises are ones the
reported figures cannot pin down.

Every simulation of the objective counts against one hard budget: the optimiser gets what
the Jacobian at the fitted values, if its last step did not run it, leaves. The fitted
values then run once more on a seed the fit never used: the fit chose them on its own
replications, whose noise they absorb, so only fresh replications say how well they fit.

Parameters are set through ``sgsim.studies.settings``: fitting one share of a mix (a
source's chance of a concern at triage) fills in the other shares, and the fitted scenario
file writes them too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import optimize

from sgsim.analysis.summary import ReportedCheck, summarise_all
from sgsim.scenario.errors import ScenarioError
from sgsim.scenario.loading import build_scenario
from sgsim.studies.runner import metrics_of_each
from sgsim.studies.settings import apply_settings, complete_mixes, resolve_path
from sgsim.studies.sweep.design import base_value

if TYPE_CHECKING:
    from sgsim.studies.calibration_plan import Plan

CHI2_95 = 3.84  # 95% quantile of chi-square with one degree of freedom
DIFFERENCE_STEP = 0.05  # of a parameter's span: many cases apart, so the differences
# under common random numbers are far above the staircase's single-case steps


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
    targets: dict[str, float]  # the reported figures fitted to
    fitted: dict[str, float]
    ranges: dict[str, tuple[float, float]]
    objective_start: float
    objective_end: float
    evaluations: int  # simulations of the objective, all phases
    converged: bool  # False: the optimiser stopped at its budget
    flat_directions: list[dict[str, float]]
    seed: int
    replications: int
    per_replication: list[dict[str, float]]  # the fitted values on the fit's own seed
    fresh_seed: int
    fresh_per_replication: list[dict[str, float]]  # and on a seed the fit never used
    rest_of_mixes: dict[str, float] = field(default_factory=dict)  # shares filled in

    def checks(self, fresh: bool) -> list[ReportedCheck]:
        """The reported figures beside the fitted values' runs: fresh, or the fit's own."""
        summaries = summarise_all(self.fresh_per_replication if fresh else self.per_replication)
        return [ReportedCheck(n, t, summaries[n]) for n, t in self.targets.items()]


class BudgetSpent(Exception):
    """The objective may not be simulated again: its evaluations are used up."""


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
    """The standardised gaps to the reported figures, counted, capped and cached.

    The residuals are (simulated mean - reported) / spread, one per figure; the objective
    is the sum of their squares.
    """

    def __init__(
        self,
        raw: dict[str, Any],
        file: str,
        params: list[FitParameter],
        targets: dict[str, float],
        plan: Plan,
        on_eval: Callable[[int, float], None] | None = None,
        workers: int = 1,
    ) -> None:
        self.raw, self.file, self.params = raw, file, params
        self.targets, self.plan = targets, plan
        self.on_eval, self.workers = on_eval, workers
        self.limit = plan.max_evaluations  # new simulations allowed in all
        self.cache: dict[tuple[float, ...], tuple[np.ndarray, list[dict[str, float]]]] = {}
        self.best: tuple[float, np.ndarray] = (np.inf, np.array([]))

    def values(self, u: np.ndarray) -> dict[str, float]:
        """Unit-cube coordinates to parameter values."""
        return {
            p.path: p.low + float(np.clip(x, 0, 1)) * (p.high - p.low)
            for p, x in zip(self.params, u, strict=True)
        }

    def runs(self, u: np.ndarray) -> list[dict[str, float]]:
        return self._evaluate([u])[0][1]

    def residuals(self, u: np.ndarray) -> np.ndarray:
        return self._evaluate([u])[0][0]

    def __call__(self, u: np.ndarray) -> float:
        return float(np.sum(self.residuals(u) ** 2))

    def jacobian(self, u: np.ndarray) -> np.ndarray:
        """Forward differences of the residuals, a step of DIFFERENCE_STEP of each
        parameter's span (backwards at the upper bound), simulated together."""
        steps = [DIFFERENCE_STEP if x + DIFFERENCE_STEP <= 1 else -DIFFERENCE_STEP for x in u]
        points = [u] + [u + h * e for h, e in zip(steps, np.eye(u.size), strict=True)]
        (r0, _), *moved = self._evaluate(points)
        return np.column_stack([(r - r0) / h for (r, _), h in zip(moved, steps, strict=True)])

    def _evaluate(self, points: list[np.ndarray]) -> list[tuple[np.ndarray, list]]:
        keys = [tuple(np.round(np.clip(u, 0, 1), 10)) for u in points]
        new = list(dict.fromkeys(k for k in keys if k not in self.cache))
        if len(self.cache) + len(new) > self.limit:
            raise BudgetSpent
        scenarios = [
            build_scenario(apply_settings(self.raw, self.values(np.array(k)), self.file), self.file)
            for k in new
        ]
        runs = metrics_of_each(scenarios, self.plan.seed, self.plan.replications, self.workers)
        for key, reps in zip(new, runs, strict=True):
            r = np.array(
                [
                    (float(np.nanmean([x[n] for x in reps])) - t) / self.plan.spread[n]
                    for n, t in self.targets.items()
                ]
            )
            self.cache[key] = (r, reps)
            value = float(np.sum(r**2))
            if value < self.best[0]:
                self.best = (value, np.array(key))
            if self.on_eval:
                self.on_eval(len(self.cache), value)
        return [self.cache[k] for k in keys]


def calibrate(
    raw: dict[str, Any],
    file: str,
    params: list[FitParameter],
    targets: dict[str, float],
    plan: Plan,
    on_eval: Callable[[int, float], None] | None = None,
    workers: int = 1,
) -> Calibration:
    """Fit the parameters within the plan's budget, find each one's 95% range and any flat
    directions, and run the fitted values on fresh seeds."""
    f = Objective(raw, file, params, targets, plan, on_eval, workers)
    u0 = np.array([(p.start - p.low) / (p.high - p.low) for p in params])
    f.limit = plan.fit_evaluations
    start_value = f(u0)
    try:
        res = optimize.least_squares(
            f.residuals,
            u0,
            jac=f.jacobian,
            bounds=(0, 1),
            method="trf",
            xtol=1e-3,
            ftol=1e-3,
            max_nfev=plan.fit_evaluations,
        )
        converged = bool(res.success)
    except BudgetSpent:
        converged = False
    f.limit = plan.max_evaluations  # the Jacobian at the fitted values, if not yet run
    best = f.best[1]
    jac, r = f.jacobian(best), f.residuals(best)
    ranges = {p.path: _range(jac[:, i], r, best[i], p) for i, p in enumerate(params)}
    flat = _flat_directions(jac, r, params, ranges)
    fitted = f.values(best)
    fresh = build_scenario(apply_settings(raw, fitted, file), file)
    (fresh_runs,) = metrics_of_each([fresh], plan.fresh_seed, plan.replications, workers)
    return Calibration(
        parameters=params,
        targets=targets,
        fitted=fitted,
        ranges=ranges,
        objective_start=start_value,
        objective_end=f(best),
        evaluations=len(f.cache),
        converged=converged,
        flat_directions=flat,
        seed=plan.seed,
        replications=plan.replications,
        per_replication=f.runs(best),
        fresh_seed=plan.fresh_seed,
        fresh_per_replication=fresh_runs,
        rest_of_mixes={
            k: v for k, v in complete_mixes(raw, fitted, file).items() if k not in fitted
        },
    )


def range_evaluations(d: int) -> int:
    """At most, for d parameters' 95% ranges and flat directions: the Jacobian at the
    fitted values (none when the fit's last step already simulated it)."""
    return d


def _range(column: np.ndarray, r: np.ndarray, at: float, p: FitParameter) -> tuple[float, float]:
    """Where, moving this parameter alone, the objective rises by 3.84 (or the bound).

    The residuals are near-linear in these parameters (the funnel's counts are sums of
    chances), so along the parameter the objective is the parabola
    |r + t J_i|^2 = |r|^2 + 2 t J_i.r + t^2 |J_i|^2, whose rise of 3.84 has a closed form:
    no simulation beyond the Jacobian.
    """
    a, b = float(column @ column), float(column @ r)
    if a == 0:
        ends = (0.0, 1.0)
    else:
        root = np.sqrt(b * b + CHI2_95 * a)
        ends = (max(at + (-b - root) / a, 0.0), min(at + (-b + root) / a, 1.0))
    return (p.low + ends[0] * (p.high - p.low), p.low + ends[1] * (p.high - p.low))


def _flat_directions(
    jac: np.ndarray,
    r: np.ndarray,
    params: list[FitParameter],
    ranges: dict[str, tuple[float, float]],
) -> list[dict[str, float]]:
    """Combinations of parameters the reported figures cannot separate.

    Each parameter's own 95% range (moving it alone) sets its scale, w. The Gauss-Newton
    Hessian J'J in those units proposes directions; a direction is flat when moving 3 w
    along it, either way, still raises the linearised objective by less than 3.84: the
    figures allow at least three times the spread each parameter alone suggests, because
    others can compensate (two sources' concern chances feeding one count; criteria of
    which only the product is seen).
    """
    w = np.array(
        [max((ranges[p.path][1] - ranges[p.path][0]) / (p.high - p.low) / 2, 0.01) for p in params]
    )
    scaled = jac * w
    flat = []
    for v in np.linalg.eigh(scaled.T @ scaled)[1].T:
        v = v / v[np.argmax(np.abs(v))]
        move = scaled @ (3 * v)
        rise = float(move @ move) + 2 * abs(float(move @ r))
        if rise < CHI2_95:  # report one w step in each parameter's own units
            step = v * w * np.array([p.high - p.low for p in params])
            flat.append(
                {
                    p.path: float(f"{x:.2g}")
                    for p, x, vi in zip(params, step, v, strict=True)
                    if abs(vi) > 0.05
                }
            )
    return flat


def fitted_file_text(
    calibration: Calibration, extends: str, name: str, command: list[str], version: str
) -> str:
    """A scenario that extends the original and sets the fitted values, saying how."""
    c = calibration
    fresh = c.checks(fresh=True)
    lines = [
        f"# Calibrated by sgsim {version}: {' '.join(command)}",
        "# Fitted to the reported figures: "
        + ", ".join(f"{k} = {v:g}" for k, v in c.targets.items()),
        f"# Objective (sum of squared gaps in simulated-year spreads): "
        f"{c.objective_start:.3g} before, {c.objective_end:.3g} after, "
        f"{c.evaluations} evaluations of {c.replications} replications, seed {c.seed}"
        + ("." if c.converged else "; the optimiser stopped at its budget."),
        "# 95% ranges: where moving one parameter alone raises the objective by 3.84.",
        f"# On fresh seeds (seed {c.fresh_seed}, {c.replications} replications): "
        f"{sum(bool(x.within_ci) for x in fresh)} of {len(fresh)} reported figures inside "
        "the 95% CI of the simulated mean.",
    ]
    for flat in c.flat_directions:
        lines.append(
            "# Not pinned down by these figures (can move together): "
            + " with ".join(f"{k} {v:+g}" for k, v in flat.items())
        )
    lines += [f'extends = "{extends}"', f'name = "{name} (calibrated)"', ""]
    for p in c.parameters:
        value = c.fitted[p.path]
        lo, hi = c.ranges[p.path]
        lines.append(
            f"{p.path} = {value:.6g}  # 95% range {lo:.4g} to {hi:.4g}; started at {p.start:.4g}"
        )
    for path, value in c.rest_of_mixes.items():
        lines.append(f"{path} = {value:.6g}  # the rest of its mix, so the shares sum to 1")
    return "\n".join(lines) + "\n"
