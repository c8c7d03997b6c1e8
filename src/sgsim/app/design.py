"""A design: a scenario with the app's changes made, and the steps they switch off.

Changes are of two sorts. Settings by dotted path (numbers: demand, staff, run length,
chances, shares of a step's outcomes) are made as sweeps make them
(``sgsim.studies.settings``: checked paths, mixes completed). A change of route sends the
cases a route carries to another step; a step no case reaches any more is then switched
off, with the roles no step uses and the reported figures of metrics that no longer exist,
so that "send concerns straight to the s42 test" removes a second triage step whole.

Where a step's outcome shares are also given per source (``outcomes_by_source``), a new
overall share scales each source's share of that outcome by the same factor: the sources
keep their differences, and the step finds, say, a tenth more concerns from every source.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sgsim.analysis.metrics import metric_names
from sgsim.scenario.loading import build_scenario
from sgsim.scenario.schema import Scenario
from sgsim.studies.settings import apply_settings, value_at

RouteKey = tuple[str, int]  # (step, index of its route); index -1: the step's ``next``
BY_SOURCE = "_by_source"  # a mix field's per-source tables: ``outcomes_by_source``


@dataclass(frozen=True)
class Changes:
    """What the app's controls set, different from the scenario."""

    settings: Mapping[str, float] = field(default_factory=dict)
    routes: Mapping[RouteKey, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.settings or self.routes)


@dataclass(frozen=True)
class Design:
    """A scenario as changed: its parsed tables (to write out) and the built Scenario."""

    raw: dict[str, Any]
    scenario: Scenario
    switched_off: tuple[str, ...]  # steps no case reaches any more, and roles no step uses


def make_design(raw: Mapping[str, Any], changes: Changes, file: str) -> Design:
    """The scenario with the changes made, validated (ScenarioError if it is not valid)."""
    out = apply_settings(raw, with_sources(raw, changes.settings), file)
    for (step, index), to in changes.routes.items():
        table = out["steps"][step]
        if index < 0:
            table["next"] = to
        else:
            table["routes"][index] = {**table["routes"][index], "to": to}
    off = switch_off_unreached(out)
    if off:
        _drop_lost_figures(out, file)
    return Design(out, build_scenario(out, file), tuple(off))


def with_sources(raw: Mapping[str, Any], settings: Mapping[str, float]) -> dict[str, float]:
    """The settings, plus each source's share for every overall outcome share they set."""
    out = dict(settings)
    for path, value in settings.items():
        parts = path.split(".")
        if len(parts) != 4 or parts[0] != "steps":
            continue
        _, step, mix, outcome = parts
        per_source = value_at(raw, f"steps.{step}.{mix}{BY_SOURCE}")
        old = value_at(raw, path)
        if not isinstance(per_source, Mapping) or not isinstance(old, int | float):
            continue
        for source, shares in per_source.items():
            if isinstance(shares, Mapping) and outcome in shares:
                scaled = shares[outcome] * value / old if old > 0 else value
                path = f"steps.{step}.{mix}{BY_SOURCE}.{source}.{outcome}"
                out[path] = min(round(scaled, 4), 1.0)
    return out


def _targets(step: Mapping[str, Any]) -> list[str]:
    if step.get("next", "none") != "none":  # "none": switched off in a file that extends
        return [step["next"]]
    return [route.get("to") for route in step.get("routes", []) if isinstance(route, Mapping)]


def _teams(step: Mapping[str, Any]) -> Iterable[str]:
    team = step.get("team", ())
    return [team] if isinstance(team, str) else team


def switch_off_unreached(raw: dict[str, Any]) -> list[str]:
    """Remove the steps no case reaches (from the first step, a source's entry, other
    work's entry or a backlog), then
    the roles and teams no remaining step uses, and backlogs at removed steps; say which."""
    steps = {n: st for n, st in raw["steps"].items() if isinstance(st, Mapping)}
    sources = raw.get("demand", {}).get("sources", {}).values()
    entries = [src["entry"] for src in sources if isinstance(src, Mapping) and "entry" in src]
    other = raw.get("demand", {}).get("other_work", {}).values()
    entries += [w["entry"] for w in other if isinstance(w, Mapping) and "entry" in w]
    entries += list(raw.get("backlog", {}))  # cases start there too
    todo = [next(iter(steps)), *entries]
    reached: set[str] = set()
    while todo:
        name = todo.pop()
        if name in steps and name not in reached:
            reached.add(name)
            todo.extend(_targets(steps[name]))
    off = [name for name in steps if name not in reached]
    for name in off:
        del raw["steps"][name]
        raw.get("backlog", {}).pop(name, None)
    used = {(team, steps[n].get("role")) for n in reached for team in _teams(steps[n])}
    for team_name, team in list(raw.get("teams", {}).items()):
        roles = team.get("roles", {}) if isinstance(team, Mapping) else {}
        for role in [r for r in roles if (team_name, r) not in used]:
            del roles[role]
            off.append(f"{role} ({team_name})")
        if not roles:
            del raw["teams"][team_name]
    return off


def _drop_lost_figures(raw: dict[str, Any], file: str) -> None:
    """Reported figures of metrics the changed pathway no longer has are set aside."""
    figures = raw.get("reported", {}).get("figures", {})
    if figures:
        raw["reported"]["figures"] = {}
        known = metric_names(build_scenario(raw, file))
        raw["reported"]["figures"] = {k: v for k, v in figures.items() if k in known}


def change_lines(raw: Mapping[str, Any], changes: Changes, design: Design) -> list[str]:
    """What the changes did, one line each, as dotted paths with old and new values."""
    lines = [
        f"{path} = {value:g} (was {_was(value_at(raw, path))})"
        for path, value in changes.settings.items()
    ]
    for (step, index), to in changes.routes.items():
        table = raw["steps"][step]
        if index < 0:
            where, old = f"steps.{step}.next", table.get("next")
        else:
            where, old = f"steps.{step}.routes[{index}].to", table["routes"][index].get("to")
        lines.append(f'{where} = "{to}" (was "{old}")')
    if design.switched_off:
        lines.append("switched off, as no case reaches them: " + ", ".join(design.switched_off))
    return lines


def _was(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float) else "not set"
