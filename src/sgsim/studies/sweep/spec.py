"""The sweep file: base scenario, parameters by dotted path, design, replications.

A parameter's path is checked by ``sgsim.studies.settings``, which also says how setting
one share of a mix (a decision's outcomes for a source, say) fills in the others. A
parameter may set the same value at more paths with ``also`` (three enquiry steps that
share one duration, as the one ``[enquiry]`` table of the first format did).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sgsim.scenario.errors import ScenarioError
from sgsim.scenario.loading import build_scenario, read_scenario_raw
from sgsim.scenario.suggest import nearest
from sgsim.studies.settings import apply_settings, resolve_path

DESIGNS = ("grid", "oat", "lhs", "sobol", "morris")
PARAMETER_KEYS = ("path", "values", "low", "high", "integer", "also")


@dataclass(frozen=True)
class Parameter:
    """One scenario setting to vary: explicit values, or a range [low, high]."""

    path: str
    values: tuple[float, ...] | None = None
    low: float | None = None
    high: float | None = None
    integer: bool = False
    also: tuple[str, ...] = ()  # more paths set to the same value

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.path, *self.also)

    @property
    def bounds(self) -> tuple[float, float]:
        if self.values is not None:
            return (min(self.values), max(self.values))
        return (float(self.low), float(self.high))  # type: ignore[arg-type]

    def cast(self, x: float) -> float | int:
        return round(float(x)) if self.integer else float(x)


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep file."""

    file: Path
    base_file: Path
    base_raw: dict[str, Any]  # the merged base scenario, as parsed
    parameters: tuple[Parameter, ...]
    design: str
    samples: int  # LHS points, Sobol base samples N, Morris trajectories
    replications: int
    seed: int
    plot_metrics: tuple[str, ...]  # metrics drawn in the sweep's figures
    text: str  # the sweep file as written

    def settings(self, point: Mapping[str, float]) -> dict[str, float]:
        """A design point's scenario settings: each parameter's value at each of its paths."""
        return {path: point[p.path] for p in self.parameters for path in p.paths}


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and check a sweep file; every error names the file and the key."""
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise ScenarioError(file, "", "an existing sweep file (.toml)", "<no such file>")
    text = path.read_text(encoding="utf-8")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(file, "", "valid TOML", f"<{exc}>") from None
    known = {"base", "replications", "seed", "plot_metric", "design", "parameters"}
    for key in raw:
        if key not in known:
            raise ScenarioError(
                file,
                key,
                "a known key (" + ", ".join(sorted(known)) + ")",
                "<an unknown key>",
                hint=nearest(key, known),
            )
    base = raw.get("base")
    if not isinstance(base, str):
        raise ScenarioError(file, "base", "the path of the base scenario file", base)
    base_file = (path.parent / base).resolve()
    base_raw = read_scenario_raw(base_file)
    base_scenario = build_scenario(base_raw, str(base_file))

    design_raw = raw.get("design", {"type": "grid"})
    if not isinstance(design_raw, dict):
        raise ScenarioError(
            file, "design", "a table with type = one of " + ", ".join(DESIGNS), design_raw
        )
    design = design_raw.get("type", "grid")
    if design not in DESIGNS:
        raise ScenarioError(
            file,
            "design.type",
            "one of " + ", ".join(DESIGNS),
            design,
            hint=nearest(str(design), DESIGNS),
        )
    samples = _int(
        design_raw.get("samples", 0 if design in ("grid", "oat") else 64),
        file,
        "design.samples",
        minimum=0,
    )
    if design in ("lhs", "morris") and samples < 2:
        raise ScenarioError(file, "design.samples", "at least 2", samples)
    if design == "sobol" and (samples < 2 or samples & (samples - 1)):
        raise ScenarioError(file, "design.samples", "a power of 2 (Sobol base samples)", samples)

    params_raw = raw.get("parameters")
    if not isinstance(params_raw, list) or not params_raw:
        raise ScenarioError(file, "parameters", "a list of [[parameters]] tables", params_raw)
    parameters = tuple(_parameter(p, i, file, design, base_raw) for i, p in enumerate(params_raw))
    paths = [path for p in parameters for path in p.paths]
    if len(set(paths)) != len(paths):
        raise ScenarioError(file, "parameters", "each path once", "<a repeated path>")

    from sgsim.analysis.metrics import metric_names

    names = metric_names(base_scenario)
    # by default the share decided within target, or where the council has no target the
    # working days to decision (a scenario without a decision step: its contacts)
    wanted = ("decision_within_target_rate", "decision_working_days_mean", "contacts")
    default = next(name for name in wanted if name in names)
    plot_metrics = raw.get("plot_metric", default)
    if isinstance(plot_metrics, str):
        plot_metrics = [plot_metrics]
    if not isinstance(plot_metrics, list) or not plot_metrics:
        raise ScenarioError(file, "plot_metric", "a metric name or a list of them", plot_metrics)
    for metric in plot_metrics:
        if metric not in names:
            raise ScenarioError(
                file,
                "plot_metric",
                "a metric sgsim computes",
                metric,
                hint=nearest(str(metric), names),
            )
    spec = SweepSpec(
        file=path,
        base_file=base_file,
        base_raw=base_raw,
        parameters=parameters,
        design=design,
        samples=samples,
        replications=_int(raw.get("replications", 10), file, "replications", 1),
        seed=_int(raw.get("seed", 12345), file, "seed", 0),
        plot_metrics=tuple(plot_metrics),
        text=text,
    )
    for p in parameters:  # both ends of every range must make a valid scenario
        for value in map(p.cast, p.bounds):
            where = f"{file}: parameter {p.path} = {value}"
            build_scenario(apply_settings(base_raw, dict.fromkeys(p.paths, value), where), where)
    return spec


def _int(value: Any, file: str, key: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ScenarioError(file, key, f"a whole number >= {minimum}", value)
    return value


def _parameter(raw: Any, i: int, file: str, design: str, base_raw: dict) -> Parameter:
    key = f"parameters[{i}]"
    if not isinstance(raw, dict):
        raise ScenarioError(file, key, "a table with path and values (or low and high)", raw)
    for k in raw:
        if k not in PARAMETER_KEYS:
            raise ScenarioError(
                file,
                f"{key}.{k}",
                ", ".join(PARAMETER_KEYS[:-1]) + " or " + PARAMETER_KEYS[-1],
                "<an unknown key>",
                hint=nearest(k, PARAMETER_KEYS),
            )
    path = raw.get("path")
    if not isinstance(path, str):
        raise ScenarioError(
            file, f"{key}.path", "a dotted scenario path like teams.TEAM.roles.ROLE.headcount", path
        )
    resolve_path(path, base_raw, file, f"{key}.path")
    also = _also(raw.get("also", []), file, f"{key}.also", base_raw)
    values = raw.get("values")
    # values written as whole numbers (run_days = [60, 90]) stay whole unless told otherwise
    whole = isinstance(values, list) and bool(values) and all(type(v) is int for v in values)
    integer = raw.get("integer", whole)
    if not isinstance(integer, bool):
        raise ScenarioError(file, f"{key}.integer", "true or false", integer)
    if values is not None:
        if not isinstance(values, list) or not values or not all(_is_number(v) for v in values):
            raise ScenarioError(file, f"{key}.values", "a non-empty list of numbers", values)
        return Parameter(path, values=tuple(float(v) for v in values), integer=integer, also=also)
    low, high = raw.get("low"), raw.get("high")
    if not (_is_number(low) and _is_number(high)):
        raise ScenarioError(file, key, "values = [...], or low and high", "<neither>")
    if not low < high:
        raise ScenarioError(
            file, f"{key}.high", f"a number > low ({low:g}): a non-empty range", high
        )
    if design == "grid":
        raise ScenarioError(
            file, f"{key}.values", "a list of values for a grid design", "<only low and high>"
        )
    return Parameter(path, low=float(low), high=float(high), integer=integer, also=also)


def _also(raw: Any, file: str, key: str, base_raw: dict) -> tuple[str, ...]:
    """The further paths a parameter sets, each checked like its own path."""
    if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
        raise ScenarioError(file, key, "a list of dotted scenario paths", raw)
    for i, path in enumerate(raw):
        resolve_path(path, base_raw, file, f"{key}[{i}]")
    return tuple(raw)


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
