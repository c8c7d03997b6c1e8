"""Scenario settings by dotted path, as sweeps, calibration and notebooks (``sgsim.api``) give
them.

A path such as ``teams.sah.roles.triage_officer.headcount`` or
``steps.triage.outcomes_by_source.police.concern`` is checked against the scenario schema
(``sgsim.scenario.schema``; below ``steps.NAME``, the schema of that step's kind in
``sgsim.model.steps``) and against the names the base scenario defines, so a misspelt path
fails before anything runs, with a suggestion.

Mixes: a table of shares that must sum to 1 (a step's ``outcomes``, its outcomes for one
source, ``demand.areas``, ``demand.risk_levels``...) cannot take one new share alone.
Setting some shares of a mix scales the shares no setting names so that the mix still sums
to 1, keeping their proportions to each other (equally, if they are all zero). In a
two-outcome mix the other outcome takes the remainder: ``...police.concern = 0.3`` makes
``...police.not_a_concern`` 0.7. Set shares that are no valid shares (outside 0 to 1, or
summing to more than 1) leave the mix as it is, so the scenario's own checks report them.
``demand.sources.SOURCE.share`` and ``demand.priority`` are not mixes in this sense: their
shares are checked as a whole, and a setting there must keep them summing to 1.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import reduce
from typing import Any

from sgsim.model.steps import KINDS
from sgsim.scenario import schema as sc
from sgsim.scenario.distributions import _PARAMS as _DIST_PARAMS
from sgsim.scenario.distributions import Distribution
from sgsim.scenario.errors import ScenarioError
from sgsim.scenario.loading import MIX_TOLERANCE, with_settings
from sgsim.scenario.suggest import nearest

Fail = Callable[..., ScenarioError]


@dataclass(frozen=True)
class Target:
    """What a checked path leads to."""

    mix: str | None  # the mix table whose share this is (see the module docstring), if any
    unit: bool  # the value must lie between 0 and 1: a probability, share or rate


@dataclass(frozen=True)
class _At:
    """How far a path has been followed: schema type, base value there, the field's checks."""

    hint: Any
    node: Any  # the base scenario's value here ({} where it sets none)
    meta: Mapping[str, Any]
    entry: bool = False  # reached as an entry of a table keyed by name


def resolve_path(
    path: str, raw: Mapping[str, Any], file: str, key: str, numbers_only: bool = True
) -> Target:
    """Check that ``path`` leads through the scenario's tables to a number setting (or,
    without ``numbers_only``, to any setting or table).

    Tables keyed by name (``teams.TEAM``, ``teams.TEAM.roles.ROLE``, ``steps.STEP``,
    ``demand.sources.SOURCE``...) need the name in the base scenario; a step's settings are
    those of its kind; a distribution's parameters can be reached too
    (``steps.triage.touch_minutes.mean``). Raise a ScenarioError under ``key`` otherwise.
    """

    def fail(expected: str, part: str = "", choices: Iterable[str] = ()) -> ScenarioError:
        return ScenarioError(file, key, expected, path, hint=nearest(part, choices))

    at = _At(sc.Scenario, raw, {})
    walked: list[str] = []
    for part in path.split("."):
        at = _follow(at, part, ".".join(walked) or "the scenario", fail)
        walked.append(part)
    if numbers_only and at.hint not in (int, float):
        if _is_table(at.hint):
            raise fail("a path to a number, not to a table")
        raise fail("a path ending at a number setting")
    mix = ".".join(walked[:-1]) if at.entry and at.meta.get("mix") else None
    return Target(mix=mix, unit=_in_unit_interval(at.meta))


def _follow(at: _At, part: str, where: str, fail: Fail) -> _At:
    """One step down the path, by what kind of table ``where`` is."""
    if at.hint is Distribution:
        return _distribution_parameter(at, part, where, fail)
    if dataclasses.is_dataclass(at.hint):
        return _field(at, part, where, fail)
    if _is_dict(at.hint):
        return _entry(at, part, where, fail)
    raise fail(f"a path ending at {where}")


def _distribution_parameter(at: _At, part: str, where: str, fail: Fail) -> _At:
    kind = at.node.get("dist") if isinstance(at.node, Mapping) else None
    _, required, optional = _DIST_PARAMS.get(kind, (None, (), ()))
    params = required + optional
    if part not in params:
        raise fail(f"a parameter of {where} ({', '.join(params)})", part, params)
    return _At(float, at.node.get(part), {})


def _field(at: _At, part: str, where: str, fail: Fail) -> _At:
    fields = {f.name: f for f in dataclasses.fields(at.hint)}
    if part not in fields:
        raise fail(f"a setting of {where} ({', '.join(sorted(fields))})", part, fields)
    node = at.node.get(part, {}) if isinstance(at.node, Mapping) else {}
    hint = _unwrap_optional(typing.get_type_hints(at.hint)[part])
    return _At(hint, node, fields[part].metadata)


def _entry(at: _At, part: str, where: str, fail: Fail) -> _At:
    """A name in a table keyed by name; a step's name leads to its kind's schema."""
    names = list(at.node) if isinstance(at.node, Mapping) else []
    if part not in names:
        raise fail(f"one of {where}'s names ({', '.join(names)})", part, names)
    node = at.node[part]
    if at.meta.get("steps"):
        kind = node.get("kind") if isinstance(node, Mapping) else None
        if kind not in KINDS:
            raise fail(f"a step of a known kind at {where}.{part} ({', '.join(KINDS)})")
        return _At(KINDS[kind].schema, node, {})
    return _At(_unwrap_optional(typing.get_args(at.hint)[1]), node, at.meta, entry=True)


def _is_dict(hint: Any) -> bool:
    return typing.get_origin(hint) is dict


def _is_table(hint: Any) -> bool:
    return hint is Distribution or dataclasses.is_dataclass(hint) or _is_dict(hint)


def _in_unit_interval(meta: Mapping[str, Any]) -> bool:
    return bool(meta.get("prob") or meta.get("mix") or 1 in (meta.get("le"), meta.get("lt")))


def _unwrap_optional(hint: Any) -> Any:
    if hint == Distribution | None:
        return Distribution
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if typing.get_origin(hint) in (types.UnionType, typing.Union) and len(args) == 1:
        return args[0]
    return hint


def value_at(raw: Mapping[str, Any], path: str) -> Any:
    """The value the parsed scenario gives at a dotted path, or None if it gives none."""
    try:
        return reduce(lambda node, key: node[key], path.split("."), raw)
    except (KeyError, TypeError):
        return None


def complete_mixes(
    raw: Mapping[str, Any], settings: Mapping[str, float], file: str
) -> dict[str, float]:
    """The settings, plus the new shares of every mix they touch (see the module docstring)."""
    chosen: dict[str, dict[str, float]] = {}
    for path, value in settings.items():
        mix = resolve_path(path, raw, file, path).mix
        if mix is not None:
            chosen.setdefault(mix, {})[path.rsplit(".", 1)[1]] = value
    out = dict(settings)
    for mix, shares in chosen.items():
        rest = _rest_of_mix(value_at(raw, mix), shares)
        out |= {f"{mix}.{name}": share for name, share in rest.items()}
    return out


def _rest_of_mix(base: Mapping[str, float], chosen: Mapping[str, float]) -> dict[str, float]:
    """New shares for the entries of ``base`` not chosen, filling what the chosen leave."""
    others = {name: share for name, share in base.items() if name not in chosen}
    left = 1 - sum(chosen.values())
    valid = all(0 <= v <= 1 for v in chosen.values()) and left >= -MIX_TOLERANCE
    if not others or not valid:
        return {}
    left, total = max(left, 0.0), sum(others.values())
    return {
        name: left * (share / total if total > 0 else 1 / len(others))
        for name, share in others.items()
    }


def apply_settings(
    raw: Mapping[str, Any], settings: Mapping[str, float], file: str
) -> dict[str, Any]:
    """A copy of the parsed scenario with the settings made and their mixes completed."""
    return with_settings(raw, complete_mixes(raw, settings, file))


def apply_any_settings(
    raw: Mapping[str, Any], settings: Mapping[str, Any], file: str
) -> dict[str, Any]:
    """``apply_settings`` for numbers; any other value (a word, a list of routes, a
    distribution's table, "none" to switch a step off) is set as given where its path
    leads through the scenario's names, and checked with the rest when it is built."""
    numbers = {k: v for k, v in settings.items() if _is_number(v)}
    others = {k: v for k, v in settings.items() if k not in numbers}
    for path in others:
        resolve_path(path, raw, file, path, numbers_only=False)
    return with_settings(apply_settings(raw, numbers, file), others)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
