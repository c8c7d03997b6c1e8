"""Read a scenario TOML file into a validated, immutable Scenario.

Each value is checked against the type hints and field metadata of ``sgsim.scenario.schema``;
then cross-references (roles, sources, teams, risk levels, reported metric names) are
checked. Every failure is a ScenarioError naming the file, the dotted key, what was
expected and what was found, with a suggestion for a misspelt key. Files that extend
others are read and merged by ``sgsim.scenario.reading``.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sgsim.scenario import schema as sc
from sgsim.scenario.changes import build_with_changes
from sgsim.scenario.distributions import Distribution, finite_number, parse_distribution
from sgsim.scenario.errors import ScenarioError
from sgsim.scenario.limits import check_run
from sgsim.scenario.reading import check_depth, read_scenario_files
from sgsim.scenario.rotas import check_overtime_used, check_reviews, check_rotas
from sgsim.scenario.routes import check_routes
from sgsim.scenario.sizes import check_route_cells, check_size
from sgsim.scenario.suggest import nearest

MIX_TOLERANCE = 1e-3


@dataclasses.dataclass(frozen=True)
class LoadedScenario:
    """A validated Scenario with the text it came from, for reproducible outputs."""

    scenario: sc.Scenario
    path: Path
    text: str  # the file as written (plus the files it extends), for the run record


def load_scenario(path: str | Path) -> LoadedScenario:
    """Load, merge ``extends`` chains, validate and build a Scenario. An error in a value
    inherited from a file this one extends names that file too."""
    path = Path(path)
    files = read_scenario_files(path)
    try:
        scenario = build_scenario(files.raw, str(path))
        _check_removals(scenario, files.raw, str(path))
    except ScenarioError as exc:
        changed = exc.key.startswith("changes[")  # an error in a change: its file holds it
        holder = files.origins.holder("changes" if changed else exc.key)
        exc.holder = holder if holder != exc.file else None  # a value the file inherits
        if exc.got == "<nothing>" and not exc.hint and not changed:  # a table a file adds
            exc.hint = files.origins.misspelling(exc.key)
        raise
    return LoadedScenario(scenario=scenario, path=path, text="\n".join(files.texts))


def _check_removals(s: sc.Scenario, raw: Mapping[str, Any], file: str) -> None:
    """A "none" left in a file's table of names (steps, teams, roles, sources...) removed
    nothing: merging a file removes the entries it sets to "none" from the file it
    extends, so that file had none by that name. Most likely a misspelt name, whose entry
    stays. (A "none" for a field, such as a waiting list, is that field's default.)"""
    todo: list[tuple[Any, Any, str]] = [(s, raw, "")]  # built object, raw table, its key
    while todo:
        built, table, key = todo.pop()
        for name, value in table.items():
            child = built.get(name) if isinstance(built, dict) else getattr(built, name, None)
            if value == "none" and isinstance(built, dict):
                raise ScenarioError(
                    file,
                    _join(key, name),
                    'a table ("none" removes only what a file this one extends defines)',
                    "<'none', which removes nothing>",
                    hint=nearest(str(name), built),
                )
            if isinstance(value, Mapping) and child is not None:
                todo.append((child, value, _join(key, name)))


def with_settings(raw: Mapping[str, Any], settings: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a parsed scenario with settings given by dotted path, e.g.
    ``{"teams.sah.roles.triage_officer.headcount": 5}`` (for sweeps, calibration and checks)."""
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
    return read_scenario_files(Path(path)).raw


def build_scenario(raw: Mapping[str, Any], file: str) -> sc.Scenario:
    """Validate a parsed mapping (already merged) and build the Scenario: with
    ``[[changes]]``, the scenario of each period (``sgsim.scenario.changes``)."""
    check_depth(raw, file)
    return build_with_changes(raw, file, _build_one)


def _build_one(raw: Mapping[str, Any], file: str) -> sc.Scenario:
    data = {k: v for k, v in raw.items() if k != "extends"}
    scenario = _build(sc.Scenario, data, "", file)
    _cross_check(scenario, file)
    return scenario


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
    if meta.get("steps"):
        return _convert_steps(value, key, file)
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
    for name in value:
        _check_name(name, key, file)
    out = {
        k: _convert(inner, v, _join(key, k), file, meta)
        for k, v in value.items()
        if not (v == "none" and dataclasses.is_dataclass(inner))  # a table switched off
    }
    if meta.get("mix") and inner is float:
        if not out:
            raise ScenarioError(file, key, "at least one share", "an empty table")
        total = sum(out.values())
        if abs(total - 1) > MIX_TOLERANCE:
            raise ScenarioError(file, key, "shares that sum to 1", f"<a sum of {total:g}>")
    return out


def _check_name(name: object, key: str, file: str) -> None:
    """A name the user gives (a team, role, step, source, category) holds no control
    characters: a newline or a terminal escape in it would do nothing but break the lines
    every table and message prints it in."""
    if isinstance(name, str) and not name.isprintable():
        raise ScenarioError(
            file,
            _join(key, name),
            "a name without control characters (newlines, tabs, terminal escapes)",
            name,
        )


def _convert_steps(value: Any, key: str, file: str) -> dict[str, sc.Step]:
    """Each step is built by the schema of its kind (``sgsim.model.steps``)."""
    from sgsim.model.steps import KINDS

    if not isinstance(value, Mapping):
        raise ScenarioError(file, key, "a table of steps", value)
    steps = {}
    for name, raw in value.items():
        _check_name(name, key, file)
        where = _join(key, name)
        if raw == "none":
            continue  # a step switched off, e.g. in a file that extends another
        if not isinstance(raw, Mapping):
            raise ScenarioError(file, where, "a table describing the step", raw)
        kind = raw.get("kind")
        if not isinstance(kind, str) or kind not in KINDS:
            raise ScenarioError(
                file,
                f"{where}.kind",
                "one of " + ", ".join(KINDS),
                kind if kind is not None else "<nothing>",
                hint=nearest(kind, KINDS) if isinstance(kind, str) else "",
            )
        steps[str(name)] = _build(KINDS[kind].schema, raw, where, file)
    if not steps:
        raise ScenarioError(file, key, "at least one step", "<none>")
    return steps


def _convert_tuple(
    inner: Any, value: Any, key: str, file: str, meta: Mapping[str, Any]
) -> tuple[Any, ...]:
    if meta.get("one_or_many") and isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ScenarioError(file, key, "a list", value)
    if dataclasses.is_dataclass(inner):
        return tuple(_build(inner, v, f"{key}[{i}]", file) for i, v in enumerate(value))
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
    number = _convert_int(value, key, file) if hint is int else _convert_float(value, key, file)
    _check_bounds(number, key, file, meta)
    if hint is int and not -(2**63) <= number < 2**63:  # a hex literal may be any length
        raise ScenarioError(file, key, "a whole number that fits in 64 bits", number)
    return number


def _convert_int(value: Any, key: str, file: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScenarioError(file, key, "a whole number", value)
    return value


def _convert_float(value: Any, key: str, file: str) -> float:
    number = finite_number(value)
    if number is None:
        raise ScenarioError(file, key, "a number", value)
    return number


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
    bounds = [(sign, ok, meta[name]) for name, sign, ok in _BOUNDS if meta.get(name) is not None]
    if all(ok(value, bound) for _, ok, bound in bounds):
        return
    what = "a count" if meta.get("ge") == 0 else "a number"
    accepted = " and ".join(f"{sign} {bound:g}" for sign, _, bound in bounds)
    raise ScenarioError(file, key, f"{what} {accepted}", value)


# A field's bounds (``spec(ge=..., le=...)``): an error says every bound, the range accepted.
_BOUNDS = (
    ("ge", ">=", lambda v, b: v >= b),
    ("gt", ">", lambda v, b: v > b),
    ("le", "<=", lambda v, b: v <= b),
    ("lt", "<", lambda v, b: v < b),
)


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


# --------------------------------------------------------------------------- cross-checks


def _cross_check(s: sc.Scenario, file: str) -> None:
    """Check that names used in one part of the scenario exist in another."""
    from sgsim.model.steps import KINDS

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
    _check_teams(s, file)
    check_rotas(s, file)
    for name, step in s.steps.items():
        check = KINDS[step.kind].check
        if check is not None:
            check(name, step, s, file)
        if isinstance(step, sc.StaffedStep):
            _check_area_teams(s, name, step, file)
    check_reviews(s, file)
    check_overtime_used(s, file)
    _check_waiting_lists(s, file)
    check_run(s, file)
    _check_backlog(s, file)
    _check_other_work(s, file)
    check_route_cells(s, file)
    tables = check_routes(s, file)
    check_size(s, tables, file)
    _check_roles_used(s, file)
    _check_reported(s, file)


def _check_waiting_lists(s: sc.Scenario, file: str) -> None:
    """A bulk transfer needs both how often and how many: either alone does nothing."""
    for name, step in s.steps.items():
        policy = step.waiting_list
        if policy is None:
            continue
        key = f"steps.{name}.waiting_list"
        if policy.transfer_oldest > 0 and policy.transfer_every_days is None:
            raise ScenarioError(
                file,
                f"{key}.transfer_every_days",
                f"days between transfers (transfer_oldest moves {policy.transfer_oldest} "
                "cases each time)",
                "<nothing>",
            )
        if policy.transfer_every_days is not None and policy.transfer_oldest == 0:
            raise ScenarioError(
                file,
                f"{key}.transfer_oldest",
                f"a count > 0 of the oldest cases each transfer moves (every "
                f"{policy.transfer_every_days:g} days)",
                policy.transfer_oldest,
            )


def _check_teams(s: sc.Scenario, file: str) -> None:
    for name, team in s.teams.items():
        if team.area is not None and team.area not in s.demand.areas:
            raise ScenarioError(
                file,
                f"teams.{name}.area",
                "an area named in demand.areas (" + ", ".join(s.demand.areas) + ")",
                team.area,
                hint=nearest(team.area, s.demand.areas),
            )


def _check_area_teams(s: sc.Scenario, name: str, step: sc.StaffedStep, file: str) -> None:
    """A step done by several teams needs exactly one of them covering each area."""
    if not step.team:
        raise ScenarioError(file, f"steps.{name}.team", "a team, or a list of teams", [])
    if len(step.team) < 2 and s.teams[step.team[0]].area is None:
        return  # one team for every area
    covering: dict[str, str] = {}
    for team in step.team:
        area = s.teams[team].area
        if area is None:
            raise ScenarioError(
                file,
                f"teams.{team}.area",
                f"an area (step {name} picks one of its teams by the contact's area)",
                "<nothing>",
            )
        if area in covering:
            raise ScenarioError(
                file,
                f"steps.{name}.team",
                "one team per area",
                f"<teams {covering[area]} and {team} both cover {area!r}>",
            )
        covering[area] = team
    for area in s.demand.areas:
        if area not in covering:
            raise ScenarioError(
                file,
                f"steps.{name}.team",
                f"a team covering every area in demand.areas (none covers {area!r})",
                list(step.team),
            )


MAX_BACKLOG = 1_000_000  # cases: about a gigabyte of case processes and events


def _check_backlog(s: sc.Scenario, file: str) -> None:
    """A backlog waits at a step that has a queue, in numbers a run can hold."""
    from sgsim.model.steps import KINDS

    for name, backlog in s.backlog.items():
        if name not in s.steps:
            raise ScenarioError(
                file,
                f"backlog.{name}",
                "a step under [steps] (" + ", ".join(s.steps) + ")",
                name,
                hint=nearest(name, s.steps),
            )
        if KINDS[s.steps[name].kind].terminal:
            raise ScenarioError(file, f"backlog.{name}", "a step with a queue (not an exit)", name)
        if backlog.oldest_days > 0 and backlog.age_days is not None:
            raise ScenarioError(
                file,
                f"backlog.{name}.age_days",
                "either oldest_days or age_days",
                "<both>",
            )
        _check_open(s, name, backlog, file)
    total = sum(b.starting_cases for b in s.backlog.values())
    if total > MAX_BACKLOG:
        raise ScenarioError(
            file,
            "backlog",
            f"backlogs a run can hold in memory (at most {MAX_BACKLOG:,} cases in all)",
            f"<{total:,} cases>",
        )


def _check_open(s: sc.Scenario, name: str, backlog: sc.Backlog, file: str) -> None:
    """Open cases hold caseload places, at most as many as the step's teams have."""
    from sgsim.model.pools import caseload_places
    from sgsim.model.steps import KINDS

    key = f"backlog.{name}"
    if backlog.open_oldest_working_days > 0 and backlog.open_age_working_days is not None:
        raise ScenarioError(
            file,
            f"{key}.open_age_working_days",
            "either open_oldest_working_days or open_age_working_days",
            "<both>",
        )
    if backlog.open and backlog.open_by_team:
        raise ScenarioError(file, f"{key}.open_by_team", "either open or open_by_team", "<both>")
    if not (backlog.open or backlog.open_by_team):
        return
    field = "open" if backlog.open else "open_by_team"
    step = s.steps[name]
    if not KINDS[step.kind].place_span:
        raise ScenarioError(
            file,
            f"{key}.{field}",
            "open cases only at a step holding caseload places (enquiry, other_work)",
            f"<a {step.kind} step>",
        )
    places = {team: caseload_places(s.role(team, role)) for team, role in step.caseload()}
    counts = backlog.open_by_team or {"": backlog.open}
    for team, n in counts.items():
        where = f"{key}.open_by_team.{team}" if team else f"{key}.open"
        if team and (len(places) < 2 or team not in places):
            raise ScenarioError(
                file,
                where,
                f"one of the teams by area doing step {name} (" + ", ".join(places) + ")",
                team,
                hint=nearest(team, places),
            )
        most = places[team] if team else sum(places.values())
        if n > most:
            raise ScenarioError(
                file,
                where,
                f"at most the caseload places ({most}: practitioners at work x caseload_cap)",
                n,
            )


def _check_other_work(s: sc.Scenario, file: str) -> None:
    """Other work enters at a step that exists and is not an exit."""
    from sgsim.model.steps import KINDS

    for name, work in s.demand.other_work.items():
        key = f"demand.other_work.{name}.entry"
        if work.entry not in s.steps:
            raise ScenarioError(
                file,
                key,
                "a step under [steps] (" + ", ".join(s.steps) + ")",
                work.entry,
                hint=nearest(work.entry, s.steps),
            )
        if KINDS[s.steps[work.entry].kind].terminal:
            raise ScenarioError(file, key, "a step with work to do (not an exit)", work.entry)


def _check_roles_used(s: sc.Scenario, file: str) -> None:
    """A team or role no step uses is most likely a misspelling: say so."""
    used = set(s.staff_pools()) | set(s.caseload_pools())
    used_teams = {team for team, _ in used}
    for team_name, team in s.teams.items():
        if team_name not in used_teams:
            raise ScenarioError(
                file,
                f"teams.{team_name}",
                "a team some step names",
                "<a team no step uses>",
                hint=nearest(
                    team_name,
                    sorted({t for st in s.steps.values() for t in getattr(st, "team", ())}),
                ),
            )
        for role in team.roles:
            if (team_name, role) not in used:
                wanted = sorted({r for t, r in used if t == team_name})
                raise ScenarioError(
                    file,
                    f"teams.{team_name}.roles.{role}",
                    "a role some step of this team names (" + ", ".join(wanted) + ")",
                    "<a role no step uses>",
                    hint=nearest(role, wanted),
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
