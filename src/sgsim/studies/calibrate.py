"""Calibration: scenario parameters fitted to a council's reported figures.

The objective is the sum over reported figures of ((simulated mean - reported) / spread)^2,
where spread is the year-to-year standard deviation of that figure across a pilot's
replications at the starting point. Every evaluation uses the same seed (common random
numbers), so the objective is a deterministic function of the parameters and a
derivative-free optimiser (Nelder-Mead, scipy.optimize) can follow it. Because each term
is a gap measured in simulated years, a rise of 3.84 above the minimum marks a 95% range
for one parameter (profile), and directions in which the objective hardly rises across the
whole range are ones the reported figures cannot pin down.

Every simulation of the objective counts against one hard budget: the optimiser gets what
the ranges and the flat-direction checks, whose worst cases are known, leave. The fitted
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
from sgsim.studies.runner import run_replications
from sgsim.studies.settings import apply_settings, complete_mixes, resolve_path
from sgsim.studies.sweep.design import base_value

if TYPE_CHECKING:
    from sgsim.studies.calibration_plan import Plan

CHI2_95 = 3.84  # 95% quantile of chi-square with one degree of freedom
BISECTION_STEPS = 10  # each end of a 95% range to 1/1000 of the parameter's span


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
    """The standardised squared gap to the reported figures, counted, capped and cached."""

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
        self.cache: dict[tuple[float, ...], tuple[float, list[dict[str, float]]]] = {}
        self.best: tuple[float, np.ndarray] = (np.inf, np.array([]))

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
            if len(self.cache) >= self.limit:
                raise BudgetSpent
            settings = self.values(np.array(key))
            s = build_scenario(apply_settings(self.raw, settings, self.file), self.file)
            reps = run_replications(
                s, self.plan.seed, self.plan.replications, workers=self.workers, details=False
            ).per_replication
            spread = self.plan.spread
            value = sum(
                ((float(np.nanmean([r[n] for r in reps])) - t) / spread[n]) ** 2
                for n, t in self.targets.items()
            )
            self.cache[key] = (value, reps)
            if value < self.best[0]:
                self.best = (value, np.array(key))
            if self.on_eval:
                self.on_eval(len(self.cache), value)
        return self.cache[key]


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
        res = optimize.minimize(
            f,
            u0,
            method="Nelder-Mead",
            bounds=[(0, 1)] * len(params),
            options={
                "maxfev": plan.fit_evaluations,
                "xatol": 1e-3,
                "fatol": 1e-2,
                "initial_simplex": _simplex(u0),
            },
        )
        converged = bool(res.success)
    except BudgetSpent:
        converged = False
    f.limit = plan.max_evaluations  # the ranges and checks: within their worst case
    best = f.best[1]
    ranges = {p.path: _profile(f, best, i, p) for i, p in enumerate(params)}
    flat = _flat_directions(f, best, params, ranges)
    fitted = f.values(best)
    fresh = build_scenario(apply_settings(raw, fitted, file), file)
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
        fresh_per_replication=run_replications(
            fresh, plan.fresh_seed, plan.replications, workers=workers, details=False
        ).per_replication,
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


def range_evaluations(d: int) -> int:
    """At most, for d parameters' 95% ranges: each end's bound, then its bisection."""
    return d * 2 * (1 + BISECTION_STEPS)


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
        for _ in range(BISECTION_STEPS):
            middle = (inside + outside) / 2
            if above(middle):
                outside = middle
            else:
                inside = middle
        ends.append((inside + outside) / 2)
    return (p.low + ends[0] * (p.high - p.low), p.low + ends[1] * (p.high - p.low))


def flat_evaluations(d: int) -> int:
    """At most, to look for flat directions among d parameters: the centre, two points a
    parameter and four a pair for the Hessian, and both ways along each eigenvector."""
    return 1 + 2 * d + 2 * d * (d - 1) + 2 * d


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
