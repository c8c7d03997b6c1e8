"""Read a scenario TOML file into a validated, immutable Scenario.

Each value is checked against the type hints and field metadata of ``sgsim.scenario.schema``;
then cross-references (roles, sources, teams, risk levels, reported metric names) are
checked. Every failure is a ScenarioError naming the file, the dotted key, what was
expected and what was found, with a suggestion for a misspelt key.

A file may say ``extends = "base.toml"`` (relative to itself) and give only what differs:
tables are merged key by key, anything else is replaced.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import math
import tomllib
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sgsim.scenario import schema as sc
from sgsim.scenario.distributions import Distribution, parse_distribution
from sgsim.scenario.errors import ScenarioError
from sgsim.scenario.suggest import nearest

MIX_TOLERANCE = 1e-3


@dataclasses.dataclass(frozen=True)
class LoadedScenario:
    """A validated Scenario with the text it came from, for reproducible outputs."""

    scenario: sc.Scenario
    path: Path
    text: str  # the file as written (plus the files it extends), for the run record


def load_scenario(path: str | Path) -> LoadedScenario:
    """Load, merge ``extends`` chains, validate and build a Scenario."""
    path = Path(path)
    raw, texts = _read_with_extends(path, seen=())
    scenario = build_scenario(raw, str(path))
    return LoadedScenario(scenario=scenario, path=path, text="\n".join(texts))


def with_settings(raw: Mapping[str, Any], settings: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a parsed scenario with settings given by dotted path, e.g.
    ``{"staffing.triage_officer.headcount": 5}`` (for sweeps, calibration and checks)."""
    out = copy.deepcopy(dict(raw))
    for path, value in settings.items():
        *parents, last = path.split(".")
        node = out
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = value
    return out


def read_scenario_raw(path: str | Path) -> dict[str, Any]:
    """The parsed scenario with its ``extends`` chain merged, not yet validated."""
    raw, _ = _read_with_extends(Path(path), seen=())
    return raw


def build_scenario(raw: Mapping[str, Any], file: str) -> sc.Scenario:
    """Validate a parsed mapping (already merged) and build the Scenario."""
    data = {k: v for k, v in raw.items() if k != "extends"}
    scenario = _build(sc.Scenario, data, "", file)
    _cross_check(scenario, file)
    return scenario


# --------------------------------------------------------------------------- reading


def _read_with_extends(path: Path, seen: tuple[Path, ...]) -> tuple[dict[str, Any], list[str]]:
    file = str(path)
    if not path.is_file():
        raise ScenarioError(file, "", "an existing scenario file (.toml)", "<no such file>")
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except UnicodeDecodeError:
        raise ScenarioError(file, "", "a UTF-8 text file", "<undecodable bytes>") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(file, "", "valid TOML", f"<{exc}>") from None
    parent = raw.get("extends")
    if parent is None:
        return raw, [f"# --- {path.name}\n{text}"]
    if not isinstance(parent, str):
        raise ScenarioError(file, "extends", "a path to another scenario file", parent)
    parent_path = (path.parent / parent).resolve()
    if parent_path in seen or parent_path == path.resolve():
        raise ScenarioError(file, "extends", "a chain without loops", parent)
    if not parent_path.is_file():
        raise ScenarioError(file, "extends", "an existing scenario file", parent)
    base, texts = _read_with_extends(parent_path, (*seen, path.resolve()))
    merged = _merge(base, raw)
    if "reported" in raw:  # replaced whole: one council's figures never mix with another's
        merged["reported"] = raw["reported"]
    return merged, [*texts, f"# --- {path.name}\n{text}"]


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if (
            isinstance(value, Mapping)
            and isinstance(merged.get(key), Mapping)
            and "dist" not in value
        ):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


# --------------------------------------------------------------------------- building


def _build(cls: type, raw: object, path: str, file: str) -> Any:
    if not isinstance(raw, Mapping):
        raise ScenarioError(file, path or "(top level)", "a table", raw)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    hints = typing.get_type_hints(cls)
    for key in raw:
        if key not in fields:
            raise ScenarioError(
                file,
                _join(path, key),
                "a known key (" + ", ".join(fields) + ")",
                "<an unknown key>",
                hint=nearest(str(key), fields),
            )
    values: dict[str, Any] = {}
    for name, f in fields.items():
        key = _join(path, name)
        if name not in raw:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ScenarioError(
                    file, key, "a value (" + f.metadata.get("doc", "required") + ")", "<nothing>"
                )
            continue
        values[name] = _convert(hints[name], raw[name], key, file, f.metadata)
    return cls(**values)


def _convert(hint: Any, value: Any, key: str, file: str, meta: Mapping[str, Any]) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if hint == Distribution | None and value == "none":
        return None
    if hint == Distribution or hint == Distribution | None:
        return parse_distribution(value, key, file)
    if origin in (types.UnionType, typing.Union):
        if value == "none" and type(None) in args:
            return None  # an optional step switched off, e.g. in a file that extends another
        inner = [a for a in args if a is not type(None)]
        return _convert(inner[0], value, key, file, meta)
    if dataclasses.is_dataclass(hint):
        return _build(hint, value, key, file)
    if origin is dict:
        return _convert_dict(args[1], value, key, file, meta)
    if origin is tuple:
        return _convert_tuple(args[0], value, key, file, meta)
    return _convert_scalar(hint, value, key, file, meta)


def _convert_dict(
    inner: Any, value: Any, key: str, file: str, meta: Mapping[str, Any]
) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ScenarioError(file, key, "a table", value)
    out = {k: _convert(inner, v, _join(key, k), file, meta) for k, v in value.items()}
    if meta.get("mix"):
        if not out:
            raise ScenarioError(file, key, "at least one share", "an empty table")
        total = sum(out.values())
        if abs(total - 1) > MIX_TOLERANCE:
            raise ScenarioError(file, key, "shares that sum to 1", f"<a sum of {total:g}>")
    return out


def _convert_tuple(
    inner: Any, value: Any, key: str, file: str, meta: Mapping[str, Any]
) -> tuple[Any, ...]:
    if not isinstance(value, list):
        raise ScenarioError(file, key, "a list", value)
    length = meta.get("length")
    if length is not None and len(value) != length:
        raise ScenarioError(file, key, f"a list of {length} numbers", f"<{len(value)} items>")
    items = tuple(_convert_scalar(inner, v, f"{key}[{i}]", file, meta) for i, v in enumerate(value))
    if length is not None and inner is float and sum(items) <= 0:
        raise ScenarioError(file, key, "weights with a positive sum", value)
    return items


def _convert_scalar(hint: Any, value: Any, key: str, file: str, meta: Mapping[str, Any]) -> Any:
    if hint is str:
        if not isinstance(value, str):
            raise ScenarioError(file, key, "a string", value)
        choices = meta.get("choices")
        if choices and value not in choices:
            raise ScenarioError(
                file,
                key,
                "one of " + ", ".join(repr(c) for c in choices),
                value,
                hint=nearest(value, choices),
            )
        return value
    if hint is dt.date:
        return _convert_date(value, key, file)
    if hint is bool:
        if not isinstance(value, bool):
            raise ScenarioError(file, key, "true or false", value)
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ScenarioError(file, key, "a whole number", value)
    elif hint is float:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise ScenarioError(file, key, "a number", value)
        value = float(value)
    _check_bounds(value, key, file, meta)
    return value


def _convert_date(value: Any, key: str, file: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ScenarioError(file, key, "a date like 2022-04-01", value)


def _check_bounds(value: float, key: str, file: str, meta: Mapping[str, Any]) -> None:
    if (meta.get("prob") or meta.get("mix")) and not 0 <= value <= 1:
        raise ScenarioError(file, key, "a probability between 0 and 1", value)
    rules = (
        ("ge", lambda v, b: v >= b, ">="),
        ("gt", lambda v, b: v > b, ">"),
        ("le", lambda v, b: v <= b, "<="),
        ("lt", lambda v, b: v < b, "<"),
    )
    for name, ok, sign in rules:
        bound = meta.get(name)
        if bound is not None and not ok(value, bound):
            what = "a count" if name == "ge" and bound == 0 else "a number"
            raise ScenarioError(file, key, f"{what} {sign} {bound:g}", value)


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


# --------------------------------------------------------------------------- cross-checks


def _cross_check(s: sc.Scenario, file: str) -> None:
    """Check that names used in one part of the scenario exist in another."""
    volumes = (s.demand.contacts_per_year, s.demand.contacts_per_day)
    if sum(v is not None for v in volumes) != 1:
        raise ScenarioError(
            file,
            "demand.contacts_per_year",
            "exactly one of contacts_per_year and contacts_per_day",
            "<both>" if all(v is not None for v in volumes) else "<neither>",
        )
    sources = s.demand.sources
    if not sources:
        raise ScenarioError(file, "demand.sources", "at least one source", "an empty table")
    total = sum(src.share for src in sources.values())
    if abs(total - 1) > MIX_TOLERANCE:
        raise ScenarioError(
            file, "demand.sources", "source shares that sum to 1", f"<a sum of {total:g}>"
        )
    if abs(sum(s.demand.priority.shares()) - 1) > MIX_TOLERANCE:
        raise ScenarioError(
            file,
            "demand.priority",
            "urgent + normal + low = 1",
            f"<a sum of {sum(s.demand.priority.shares()):g}>",
        )

    def need_role(name: str, key: str) -> None:
        if name not in s.staffing:
            raise ScenarioError(
                file,
                key,
                "a role defined under [staffing] (" + ", ".join(s.staffing) + ")",
                name,
                hint=nearest(name, s.staffing),
            )
        if s.staffing[name].effective_staff <= 0:
            raise ScenarioError(
                file,
                f"staffing.{name}.headcount",
                f"staff > 0 (the role does {key})",
                s.staffing[name].headcount,
            )

    need_role(s.triage.role, "triage.role")
    if s.triage.second:
        need_role(s.triage.second.role, "triage.second.role")
    if s.triage.nfa_signoff:
        need_role(s.triage.nfa_signoff.role, "triage.nfa_signoff.role")
    need_role(s.s42_test.role, "s42_test.role")
    for name in s.s42_test.by_source:
        if name not in sources:
            raise ScenarioError(
                file,
                f"s42_test.by_source.{name}",
                "a source named in [demand.sources]",
                name,
                hint=nearest(name, sources),
            )
    _check_allocation(s, file, need_role)
    levels = s.allocation.risk_levels
    if set(s.enquiry.duration_working_days) != set(levels):
        missing = sorted(set(levels) - set(s.enquiry.duration_working_days))
        extra = sorted(set(s.enquiry.duration_working_days) - set(levels))
        raise ScenarioError(
            file,
            "enquiry.duration_working_days",
            "one duration per risk level (" + ", ".join(levels) + ")",
            f"<missing {missing}, unexpected {extra}>",
        )
    if s.closure.signoff_role:
        need_role(s.closure.signoff_role, "closure.signoff_role")
        if s.closure.signoff_touch_minutes is None:
            raise ScenarioError(
                file,
                "closure.signoff_touch_minutes",
                "a distribution when closure.signoff_role is set",
                "<nothing>",
            )
    if s.closure.return_probability > 0 and s.closure.return_after_days is None:
        raise ScenarioError(
            file,
            "closure.return_after_days",
            "a distribution when closure.return_probability > 0",
            "<nothing>",
        )
    _check_reported(s, file)


def _check_allocation(s: sc.Scenario, file: str, need_role: Any) -> None:
    alloc = s.allocation
    if not alloc.teams:
        raise ScenarioError(file, "allocation.teams", "at least one team", "an empty table")
    if alloc.default_team not in alloc.teams:
        raise ScenarioError(
            file,
            "allocation.default_team",
            "a team under [allocation.teams]",
            alloc.default_team,
            hint=nearest(alloc.default_team, alloc.teams),
        )
    claimed: dict[str, str] = {}
    for name, team in alloc.teams.items():
        for role_key, role in (("role", team.role), ("senior_role", team.senior_role)):
            if role is None:
                continue
            need_role(role, f"allocation.teams.{name}.{role_key}")
            if s.staffing[role].caseload_cap <= 0:
                raise ScenarioError(
                    file,
                    f"staffing.{role}.caseload_cap",
                    f"a cap > 0 (the role holds team {name}'s enquiries)",
                    s.staffing[role].caseload_cap,
                )
        for src in team.sources:
            if src not in s.demand.sources:
                raise ScenarioError(
                    file,
                    f"allocation.teams.{name}.sources",
                    "sources named in [demand.sources]",
                    src,
                    hint=nearest(src, s.demand.sources),
                )
            if src in claimed:
                raise ScenarioError(
                    file,
                    f"allocation.teams.{name}.sources",
                    "each source routed to one team",
                    f"<{src!r} also in team {claimed[src]}>",
                )
            claimed[src] = name
    for level in alloc.senior_risk_levels:
        if level not in alloc.risk_levels:
            raise ScenarioError(
                file,
                "allocation.senior_risk_levels",
                "levels named in allocation.risk_levels",
                level,
                hint=nearest(level, alloc.risk_levels),
            )


def _check_reported(s: sc.Scenario, file: str) -> None:
    from sgsim.analysis.metrics import PUBLISHED_RATE_NAMES, metric_names

    known = metric_names(s)
    for name in s.reported.figures:
        if name not in known:
            raise ScenarioError(
                file,
                f"reported.figures.{name}",
                "a metric sgsim computes",
                "<an unknown metric>",
                hint=nearest(name, known),
            )
    for name in s.reported.published_rates:
        if name not in PUBLISHED_RATE_NAMES:
            raise ScenarioError(
                file,
                f"reported.published_rates.{name}",
                "one of " + ", ".join(PUBLISHED_RATE_NAMES),
                "<an unknown rate>",
                hint=nearest(name, PUBLISHED_RATE_NAMES),
            )
