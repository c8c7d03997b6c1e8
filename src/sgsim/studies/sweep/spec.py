"""The sweep file: base scenario, parameters by dotted path, design, replications."""

from __future__ import annotations

import dataclasses
import math
import tomllib
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sgsim.scenario import schema as sc
from sgsim.scenario.distributions import _PARAMS as _DIST_PARAMS
from sgsim.scenario.distributions import Distribution
from sgsim.scenario.errors import ScenarioError
from sgsim.scenario.loading import build_scenario, read_scenario_raw, with_settings
from sgsim.scenario.suggest import nearest

DESIGNS = ("grid", "oat", "lhs", "sobol", "morris")


@dataclass(frozen=True)
class Parameter:
    """One scenario setting to vary: explicit values, or a range [low, high]."""

    path: str
    values: tuple[float, ...] | None = None
    low: float | None = None
    high: float | None = None
    integer: bool = False

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
    paths = [p.path for p in parameters]
    if len(set(paths)) != len(paths):
        raise ScenarioError(file, "parameters", "each path once", "<a repeated path>")

    from sgsim.analysis.metrics import metric_names

    plot_metrics = raw.get("plot_metric", "decision_within_target_rate")
    if isinstance(plot_metrics, str):
        plot_metrics = [plot_metrics]
    names = metric_names(base_scenario)
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
        lo, hi = p.bounds
        for value in (lo, hi):
            build_scenario(
                with_settings(base_raw, {p.path: p.cast(value)}),
                f"{file}: parameter {p.path} = {p.cast(value)}",
            )
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
        if k not in ("path", "values", "low", "high", "integer"):
            raise ScenarioError(
                file,
                f"{key}.{k}",
                "path, values, low, high or integer",
                "<an unknown key>",
                hint=nearest(k, ("path", "values", "low", "high", "integer")),
            )
    path = raw.get("path")
    if not isinstance(path, str):
        raise ScenarioError(
            file, f"{key}.path", "a dotted scenario path like staffing.ROLE.headcount", path
        )
    check_path(path, base_raw, file, f"{key}.path")
    integer = raw.get("integer", False)
    if not isinstance(integer, bool):
        raise ScenarioError(file, f"{key}.integer", "true or false", integer)
    values = raw.get("values")
    if values is not None:
        if not isinstance(values, list) or not values or not all(_is_number(v) for v in values):
            raise ScenarioError(file, f"{key}.values", "a non-empty list of numbers", values)
        return Parameter(path, values=tuple(float(v) for v in values), integer=integer)
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
    return Parameter(path, low=float(low), high=float(high), integer=integer)


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def check_path(path: str, base_raw: dict, file: str, key: str) -> None:
    """The path must lead through the scenario's tables to a number setting.

    Tables keyed by name (staffing.ROLE, demand.sources.SOURCE...) need the name to exist in
    the base scenario; a distribution's parameters can be reached too
    (``triage.touch_minutes.mean``).
    """
    parts = path.split(".")
    cls: Any = sc.Scenario
    node: Any = base_raw
    walked: list[str] = []

    def fail(expected: str, choices: Any = ()) -> ScenarioError:
        at = parts[min(len(walked), len(parts) - 1)]
        return ScenarioError(file, key, expected, path, hint=nearest(at, choices))

    i = 0
    while i < len(parts):
        part = parts[i]
        if cls == Distribution or cls == Distribution | None:
            kind = node.get("dist") if isinstance(node, dict) else None
            _, required, optional = _DIST_PARAMS.get(kind, (None, (), ()))
            params = required + optional
            if part not in params:
                raise fail(f"a parameter of {'.'.join(walked)} ({', '.join(params)})", params)
            cls = float
        elif dataclasses.is_dataclass(cls):
            fields = {f.name for f in dataclasses.fields(cls)}
            if part not in fields:
                where = ".".join(walked) or "the scenario"
                raise fail(f"a setting of {where} ({', '.join(sorted(fields))})", fields)
            hint = typing.get_type_hints(cls)[part]
            cls = _unwrap_optional(hint)
        else:
            raise fail(f"a path ending at {'.'.join(walked)}")
        walked.append(part)
        node = node.get(part, {}) if isinstance(node, dict) else {}
        if typing.get_origin(cls) is dict:  # a table keyed by name: the next part is a name
            if i + 1 == len(parts):
                raise fail("a path to a number, not to a table")
            i += 1
            names = list(node) if isinstance(node, dict) else []
            if parts[i] not in names:
                raise fail(f"one of {'.'.join(walked)}'s names ({', '.join(names)})", names)
            walked.append(parts[i])
            node = node[parts[i]]
            cls = _unwrap_optional(typing.get_args(cls)[1])
        i += 1
    if cls not in (int, float):
        raise ScenarioError(file, key, "a path ending at a number setting", path)


def _unwrap_optional(hint: Any) -> Any:
    if hint == Distribution | None:
        return Distribution
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if typing.get_origin(hint) in (types.UnionType, typing.Union) and len(args) == 1:
        return args[0]
    return hint
