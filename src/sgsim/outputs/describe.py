"""A scenario's assumptions in plain words, for the HTML report, STRESS and ``validate``.

Nothing here names a step or a kind of step. Each step's paragraph is built from what every
step has (its kind's one-line summary, the team and role doing it, the caseload places it
holds, its outcomes and their chances, its routes, the sources entering at it) and from its
own parameters, read off its schema: a field's name says what it is, its unit is read from
its name or its ``doc``, and its ``prob`` check says it is a chance. So a new kind of step
is described as soon as it is declared.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from sgsim.model.demand import ATTRIBUTES
from sgsim.model.pools import caseload_places, staff_count
from sgsim.model.rota import rota_words
from sgsim.model.steps import KINDS, StepKind
from sgsim.scenario.distributions import Distribution, Fixed
from sgsim.scenario.schema import ROUTE_ATTRIBUTES, Role, Route, Scenario, StaffedStep, Step

# Fields every step's paragraph says in its own words (kind, routes, team, role), and the
# outcome chances, which are said from ``Step.outcome_shares`` for every kind alike.
SAID_ELSEWHERE = frozenset(f.name for f in dataclasses.fields(StaffedStep)) | {
    "outcomes",
    "outcomes_by_source",
}
# Units a parameter's name or doc may carry, most specific first.
UNITS = ("working days", "calendar days", "minutes", "hours", "days")


def words(name: str) -> str:
    """An identifier as words: ``not_a_concern`` -> ``not a concern``."""
    return name.replace("_", " ")


def pct(x: float) -> str:
    """A share as a percentage, with a decimal only where it is needed."""
    return f"{x:.0%}" if abs(x * 100 - round(x * 100)) < 1e-9 else f"{x:.1%}"


def _either(values: Iterable[str]) -> str:
    return " or ".join(words(v) for v in values)


def _listed(values: Iterable[str]) -> str:
    items = [words(v) for v in values]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _shares(mix: dict[str, float]) -> str:
    return ", ".join(f"{words(k)} {pct(v)}" for k, v in mix.items())


def _a(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def kinds_in(s: Scenario) -> list[StepKind]:
    """The kinds of step the scenario uses, in pathway order, each once."""
    return [KINDS[k] for k in dict.fromkeys(step.kind for step in s.steps.values())]


def assumptions(s: Scenario) -> list[tuple[str, list[str]]]:
    """Sections of sentences: the period, the contacts, then one section per step in order."""
    return [
        ("Period", _period(s)),
        ("Contacts", _contacts(s)),
        *((f"Step {name} ({step.kind})", step_lines(s, name)) for name, step in s.steps.items()),
    ]


def _period(s: Scenario) -> list[str]:
    holidays = ", less England's bank holidays." if s.calendar.bank_holidays == "england" else "."
    return [
        f"The measured period is {s.run.run_days} days from {s.run.start_date:%d %B %Y}, "
        f"after a warm-up of {s.run.warmup_days} days that is simulated and ignored.",
        f"Working days are Monday to Friday{holidays} The working day opens at "
        f"{s.calendar.open_hour:g}:00.",
    ]


def _contacts(s: Scenario) -> list[str]:
    d = s.demand
    lines = [
        f"About {d.daily_contacts * 365.25:,.0f} new contacts a year "
        f"({d.daily_contacts:.1f} a day), growing {pct(d.growth_per_year)} a year.",
        f"Sources: {_shares(d.mix('source'))}.",
        f"Priority on receipt: {_shares(d.mix('priority'))}; urgent work is taken first at "
        "every step.",
    ]
    for attribute in ATTRIBUTES:
        mix = d.mix(attribute)
        if attribute not in ("source", "priority") and len(mix) > 1:
            lines.append(f"{words(attribute).capitalize()}: {_shares(mix)}.")
    return lines


def step_lines(s: Scenario, name: str) -> list[str]:
    """One step in plain words, from its kind's declaration and its own parameters."""
    step = s.steps[name]
    kind = KINDS[step.kind]
    lines = [kind.summary[:1].upper() + kind.summary[1:] + "."]
    lines += _entries(s, name)
    lines += _who(s, step)
    lines += _parameters(step)
    lines += _outcomes(s, step)
    if kind.decides:
        lines.append("Its end is the front-door decision: timeliness counts from the contact.")
    if kind.wait_name:
        lines.append(f"Waiting for it counts as waiting for {kind.wait_name}.")
    if kind.totals:
        lines.append("Counted here: " + _listed(c.label for c in kind.totals.values()) + ".")
    lines.append("Cases leave the pathway here." if kind.terminal else _next(step))
    return lines


def _entries(s: Scenario, name: str) -> list[str]:
    sources = [src for src in s.demand.sources if s.entry_step(src) == name]
    if not sources:
        return []
    if len(sources) == len(s.demand.sources):
        return ["Every contact enters the pathway here."]
    return [f"Contacts from {_listed(sources)} enter the pathway here."]


def _who(s: Scenario, step: Step) -> list[str]:
    lines = []
    staff = step.staff()
    if staff:
        role = words(staff[0][1])
        lines.append(f"Done by {_a(role)} of {_teams(s, staff)}, urgent work first.")
    places = step.caseload()
    if places:
        held = "; ".join(
            f"{team}: {s.role(team, role).caseload_cap:g} each, "
            f"{caseload_places(s.role(team, role))} places"
            for team, role in places
        )
        lines.append(
            f"Each case waits for a place in {_a(words(places[0][1]))}'s caseload ({held}) "
            "and holds it until the step ends."
        )
    return lines


def _teams(s: Scenario, pairs: tuple[tuple[str, str], ...]) -> str:
    if len(pairs) == 1:
        return f"team {pairs[0][0]}"
    covering = ", ".join(f"{team} for {s.teams[team].area}" for team, _ in pairs)
    return f"the team covering the contact's area ({covering})"


def _parameters(step: Step) -> list[str]:
    """The step's own fields, each as 'name: value', skipping those not set or zero."""
    lines = []
    for f in dataclasses.fields(step):
        value = getattr(step, f.name)
        if f.name in SAID_ELSEWHERE or not value:
            continue
        unit = _unit(f.name, f.metadata.get("doc", ""))
        lines.append(f"{words(f.name).capitalize()}: {_value(value, unit, f.metadata)}.")
    return lines


def _unit(name: str, doc: str) -> str:
    text = f"{words(name)} {doc}"
    return next((unit for unit in UNITS if unit in text), "")


def _value(value: Any, unit: str, meta: Any) -> str:
    """One parameter value in words: a distribution by its mean, a chance as a percentage."""
    if isinstance(value, Distribution):
        return _distribution(value, unit)
    if isinstance(value, dict):
        return "; ".join(f"{words(k)} {_value(v, unit, meta)}" for k, v in value.items())
    if dataclasses.is_dataclass(value):
        return ", ".join(
            f"{words(f.name)} {_value(v, unit, f.metadata)}"
            for f in dataclasses.fields(value)
            if (v := getattr(value, f.name)) is not None
        )
    if isinstance(value, float) and meta.get("prob"):
        return pct(value)
    if isinstance(value, int | float):
        return _in(f"{value:g}", unit)
    return str(value)


def _in(number: str, unit: str) -> str:
    return f"{number} {unit}" if unit else number


def _distribution(d: Distribution, unit: str) -> str:
    if isinstance(d, Fixed):
        return _in(f"{d.value:g}", unit) + ", always"
    return _in(f"{d.mean:.3g}", unit) + f" on average ({type(d).__name__.lower()})"


def _outcomes(s: Scenario, step: Step) -> list[str]:
    """The chance of each outcome, one list per group of sources that share them."""
    if len(step.outcome_names()) < 2:
        return []
    by_shares: dict[tuple[tuple[str, float], ...], list[str]] = {}
    for source in s.demand.sources:
        by_shares.setdefault(tuple(step.outcome_shares(source).items()), []).append(source)
    if len(by_shares) == 1:
        return [f"Outcomes: {_shares(dict(next(iter(by_shares))))}."]
    groups = [f"from {_listed(srcs)}: {_shares(dict(sh))}" for sh, srcs in by_shares.items()]
    return ["Outcomes, by source of the contact: " + "; ".join(groups) + "."]


def conditions(route: Route) -> list[tuple[str, tuple[str, ...]]]:
    """The conditions a route tests, as (attribute, accepted values), outcome first."""
    tested = [("outcome", route.outcome)]
    tested += [(name, route.condition(name)) for name in ROUTE_ATTRIBUTES]
    return [(name, values) for name, values in tested if values]


def _next(step: Step) -> str:
    """Where cases go next, in words: 'Next: if the outcome is concern, to s42_test; ...'."""
    routes = step.all_routes()
    if step.next is not None:
        return f"Next, every case goes to {step.next}."
    parts = []
    for route in routes:
        tested = conditions(route)
        if not tested:
            parts.append(f"otherwise to {route.to}")
            break
        said = " and ".join(f"the {words(a)} is {_either(v)}" for a, v in tested)
        parts.append(f"if {said}, to {route.to}")
    return "Next (the first that applies): " + "; ".join(parts) + "."


def _calendar(r: Role) -> str:
    """When a role's people work: its calendar or rota, and any overtime."""
    when = rota_words(r) if r.rota else r.calendar
    if r.overtime is None:
        return when
    o = r.overtime
    return (
        f"{when}; overtime: up to {o.max_people} stay {o.extra_hours:g} h when more than "
        f"{o.when_queue_over} wait"
    )


def staffing_rows(s: Scenario) -> list[dict[str, str]]:
    """The staffing table: one row per role of each team, with the steps it works on."""
    rows = []
    for team_name, team in s.teams.items():
        for role_name, r in team.roles.items():
            pair = (team_name, role_name)
            rows.append(
                {
                    "team": team_name,
                    "role": words(role_name),
                    "headcount": "rota" if r.headcount is None else f"{r.headcount:g}",
                    "FTE": f"{r.fte:g}",
                    "absence": pct(r.absence_rate),
                    "at work": f"{r.effective_staff:.1f}",
                    "people simulated": "by shift" if r.rota else str(staff_count(r)),
                    "hours a day": "by shift" if r.rota else f"{r.hours_per_day:g}",
                    "calendar": _calendar(r),
                    "caseload cap": (
                        f"{r.caseload_cap:g} ({caseload_places(r)} places)"
                        if r.caseload_cap
                        else "-"
                    ),
                    "steps": ", ".join(_steps_of(s, pair)) or "-",
                }
            )
    return rows


def _steps_of(s: Scenario, pair: tuple[str, str]) -> list[str]:
    return [n for n, step in s.steps.items() if pair in step.staff() or pair in step.caseload()]


def outline(s: Scenario) -> list[str]:
    """What ``sgsim validate`` lists of a valid scenario: teams with their roles, steps."""
    teams = "; ".join(f"{name} ({', '.join(team.roles)})" for name, team in s.teams.items())
    steps = ", ".join(f"{name} ({step.kind})" for name, step in s.steps.items())
    return [f"teams: {teams}", f"steps: {steps}"]
