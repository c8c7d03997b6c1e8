"""Probability distributions for touch times and durations, with validated parameters.

Every distribution is written in a scenario as an inline table naming ``dist`` and its
parameters, e.g. ``{ dist = "lognormal", mean = 45, sd = 30 }``. Parameters are given in
the units users think in (a mean and a standard deviation, not log-space mu and sigma),
and are checked once, when the scenario is loaded. All durations are non-negative, and
no parameter or mean exceeds MAX_PARAMETER (a billion minutes is 1,900 years): past it,
sums and draws overflow to infinity and a run would give nonsense silently.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from sgsim.scenario.errors import ScenarioError

MAX_PARAMETER = 1e9
MAX_CV = 100.0  # a lognormal's sd over its mean: beyond, its log-space parameters overflow


@dataclass(frozen=True)
class Fixed:
    """Always the same value: for deterministic steps and for teaching."""

    value: float

    @property
    def mean(self) -> float:
        return self.value

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(n, self.value, dtype=float)


@dataclass(frozen=True)
class Exponential:
    """Memoryless durations: the textbook M/M/c service time."""

    mean: float

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.exponential(self.mean, n)


@dataclass(frozen=True)
class Uniform:
    """Equally likely anywhere between low and high."""

    low: float
    high: float

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, n)


@dataclass(frozen=True)
class Triangular:
    """Three-point estimate (least, most likely, most), as practitioners give them."""

    low: float
    mode: float
    high: float

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        if self.low == self.high:
            return np.full(n, self.low, dtype=float)
        return rng.triangular(self.low, self.mode, self.high, n)


@dataclass(frozen=True)
class Lognormal:
    """Right-skewed durations given by their own mean and standard deviation."""

    mean: float
    sd: float

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        if self.sd == 0:
            return np.full(n, self.mean, dtype=float)
        sigma2 = math.log(1 + (self.sd / self.mean) ** 2)
        mu = math.log(self.mean) - sigma2 / 2
        return rng.lognormal(mu, math.sqrt(sigma2), n)


@dataclass(frozen=True)
class Gamma:
    """Gamma by shape and scale (mean = shape x scale)."""

    shape: float
    scale: float

    @property
    def mean(self) -> float:
        return self.shape * self.scale

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.gamma(self.shape, self.scale, n)


@dataclass(frozen=True)
class Empirical:
    """Resample observed values (e.g. from a case-management extract), optionally weighted."""

    values: tuple[float, ...]
    weights: tuple[float, ...] | None = None

    @property
    def mean(self) -> float:
        return float(np.average(self.values, weights=self.weights))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        p = None
        if self.weights is not None:
            w = np.asarray(self.weights, dtype=float)
            p = w / w.sum()
        return rng.choice(np.asarray(self.values, dtype=float), size=n, p=p)


Distribution = Fixed | Exponential | Uniform | Triangular | Lognormal | Gamma | Empirical

_PARAMS: dict[str, tuple[type, tuple[str, ...], tuple[str, ...]]] = {
    # name: (class, required parameters, optional parameters)
    "fixed": (Fixed, ("value",), ()),
    "exponential": (Exponential, ("mean",), ()),
    "uniform": (Uniform, ("low", "high"), ()),
    "triangular": (Triangular, ("low", "mode", "high"), ()),
    "lognormal": (Lognormal, ("mean", "sd"), ()),
    "gamma": (Gamma, ("shape", "scale"), ()),
    "empirical": (Empirical, ("values",), ("weights",)),
}
LIST_PARAMS = ("values", "weights")  # parameters that are lists of numbers; the rest are one

DISTRIBUTION_NAMES = tuple(_PARAMS)


def parse_distribution(raw: object, key: str, file: str) -> Distribution:
    """Build a distribution from its scenario table, or raise a ScenarioError naming the key."""
    from sgsim.scenario.suggest import (
        nearest,  # local import: suggest is tiny, keeps this module leaf
    )

    if not isinstance(raw, Mapping):
        raise ScenarioError(
            file, key, 'a distribution table like { dist = "exponential", mean = 30 }', raw
        )
    name = raw.get("dist")
    if not isinstance(name, str) or name not in _PARAMS:
        raise ScenarioError(
            file,
            f"{key}.dist",
            "one of " + ", ".join(DISTRIBUTION_NAMES),
            name if name is not None else "<nothing>",
            hint=nearest(name, DISTRIBUTION_NAMES) if isinstance(name, str) else "",
        )
    cls, required, optional = _PARAMS[name]
    for extra in raw:
        if extra != "dist" and extra not in required + optional:
            raise ScenarioError(
                file,
                f"{key}.{extra}",
                f"a parameter of {name}: " + ", ".join(required + optional),
                "<an unknown key>",
                hint=nearest(extra, required + optional),
            )
    values: dict[str, object] = {}
    for p in required:
        if p not in raw:
            raise ScenarioError(file, f"{key}.{p}", f"a value (required by {name})", "<nothing>")
    for p in required + optional:
        if p in raw:
            values[p] = _parse_param(raw[p], f"{key}.{p}", file, many=p in LIST_PARAMS)
    dist = cls(**values)
    _check(dist, key, file)
    return dist


def _parse_param(value: object, key: str, file: str, many: bool) -> float | tuple[float, ...]:
    """One number, or (``many``) a non-empty list of numbers."""
    if not many:
        return _number(value, key, file)
    if not isinstance(value, list) or not value:
        raise ScenarioError(file, key, "a non-empty list of numbers", value)
    return tuple(_number(v, f"{key}[{i}]", file) for i, v in enumerate(value))


def finite_number(value: object) -> float | None:
    """``value`` as a float if it is a finite number (not a boolean), else None.

    A whole number too large for a float (TOML allows any length) is not one."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _number(value: object, key: str, file: str) -> float:
    number = finite_number(value)
    if number is None or number > MAX_PARAMETER:
        raise ScenarioError(file, key, f"a finite number <= {MAX_PARAMETER:g}", value)
    return number


def _check(dist: Distribution, key: str, file: str) -> None:
    """Reject parameters that make no sense for a duration."""

    def need(ok: bool, param: str, expected: str, got: object) -> None:
        if not ok:
            raise ScenarioError(file, f"{key}.{param}", expected, got)

    checks: dict[type, Callable[[], None]] = {
        Fixed: lambda: need(dist.value >= 0, "value", "a number >= 0", dist.value),
        Exponential: lambda: need(dist.mean > 0, "mean", "a number > 0", dist.mean),
        Uniform: lambda: (
            need(dist.low >= 0, "low", "a number >= 0", dist.low),
            need(dist.high >= dist.low, "high", f"a number >= low ({dist.low:g})", dist.high),
        ),
        Triangular: lambda: (
            need(dist.low >= 0, "low", "a number >= 0", dist.low),
            need(dist.low <= dist.mode, "mode", f"a number >= low ({dist.low:g})", dist.mode),
            need(dist.mode <= dist.high, "high", f"a number >= mode ({dist.mode:g})", dist.high),
        ),
        Lognormal: lambda: (
            need(dist.mean > 0, "mean", "a number > 0", dist.mean),
            need(
                0 <= dist.sd <= MAX_CV * dist.mean,
                "sd",
                f"a number >= 0 and <= {MAX_CV:g} times the mean ({MAX_CV * dist.mean:g})",
                dist.sd,
            ),
        ),
        Gamma: lambda: (
            need(dist.shape > 0, "shape", "a number > 0", dist.shape),
            need(dist.scale > 0, "scale", "a number > 0", dist.scale),
            need(
                dist.mean <= MAX_PARAMETER,
                "scale",
                f"a number with shape x scale <= {MAX_PARAMETER:g} (the mean)",
                dist.scale,
            ),
        ),
        Empirical: lambda: _check_empirical(dist, key, file),
    }
    checks[type(dist)]()


def _check_empirical(dist: Empirical, key: str, file: str) -> None:
    if min(dist.values) < 0:
        raise ScenarioError(file, f"{key}.values", "numbers >= 0", min(dist.values))
    if dist.weights is None:
        return
    if len(dist.weights) != len(dist.values):
        raise ScenarioError(
            file,
            f"{key}.weights",
            f"a list of {len(dist.values)} weights, one per value",
            dist.weights,
        )
    if min(dist.weights) < 0 or sum(dist.weights) <= 0:
        raise ScenarioError(
            file, f"{key}.weights", "weights >= 0 with a positive sum", dist.weights
        )
