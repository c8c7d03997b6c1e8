"""The controls a scenario offers, read from the scenario itself.

No team, role, step or outcome is named here: the demand controls follow how the scenario
gives its volume, there is a headcount and an absence rate for every role of every team, a
share for every outcome of every step whose outcomes are a mix, a slider for every chance a
step's kind declares (``prob`` in its schema), and a choice of next step for every route.
Each control carries the dotted path it sets (``sgsim.studies.settings``), so a new kind of
step or a renamed team needs no change here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from sgsim.outputs.describe import conditions, words
from sgsim.scenario.schema import Role, Scenario, Step

MAX_RUN_DAYS = 5 * 365  # a workshop run, not a sweep: at most five years measured...
MAX_WARMUP_DAYS = 2 * 365  # ...after at most two of warm-up
MAX_REPLICATIONS = 100


@dataclass(frozen=True)
class Control:
    """One number a workshop may change: a slider or a field."""

    path: str  # the dotted scenario path it sets
    label: str
    value: float
    low: float
    high: float
    step: float
    percent: bool = False  # a share, shown as a percentage
    slider: bool = True  # False: a field to type in (exact values such as a year's contacts)
    help: str = ""

    @property
    def whole(self) -> bool:
        return float(self.step).is_integer() and float(self.value).is_integer()


@dataclass(frozen=True)
class RouteChoice:
    """Where one route of a step sends its cases, and where else it could."""

    step: str
    index: int  # of the route in the step's routes; -1 for the step's ``next``
    label: str  # which cases: "if the outcome is concern", "every case"...
    current: str
    options: tuple[str, ...]


def run_controls(s: Scenario) -> list[Control]:
    """Warm-up and measured days."""
    return [
        Control(
            "run.warmup_days",
            "warm-up (days, simulated and ignored)",
            s.run.warmup_days,
            0,
            max(MAX_WARMUP_DAYS, s.run.warmup_days),
            10,
            help="Days simulated before the measured period so queues and caseloads are "
            "full when measuring starts, as in a real service.",
        ),
        Control(
            "run.run_days",
            "measured period (days)",
            s.run.run_days,
            30,
            max(MAX_RUN_DAYS, s.run.run_days),
            5,
        ),
    ]


def demand_controls(s: Scenario) -> list[Control]:
    """The yearly (or daily) volume of new contacts, as the scenario gives it, and growth."""
    d = s.demand
    per_year = d.contacts_per_year is not None
    volume = d.contacts_per_year if per_year else d.contacts_per_day
    unit = "year" if per_year else "day"
    return [
        Control(
            f"demand.contacts_per_{unit}",
            f"new contacts a {unit}",
            volume,
            _nice(volume * 0.25),
            _nice(volume * 3),
            10 if per_year else 0.5,
            slider=False,
            help="New contacts reaching the front door, before growth.",
        ),
        Control(
            "demand.growth_per_year",
            "growth in contacts a year",
            d.growth_per_year,
            min(-0.2, d.growth_per_year),
            max(0.5, d.growth_per_year),
            0.01,
            percent=True,
        ),
    ]


def staff_controls(s: Scenario) -> dict[str, list[Control]]:
    """Headcount (or the people on each shift of a rota) and absence of every role, by team."""
    out: dict[str, list[Control]] = {}
    for team_name, team in s.teams.items():
        for role_name, role in team.roles.items():
            where = f"teams.{team_name}.roles.{role_name}"
            out.setdefault(team_name, []).extend(
                [
                    *_people_controls(where, role_name, role),
                    Control(
                        f"{where}.absence_rate",
                        f"{words(role_name)}: time lost to absence and vacancy",
                        role.absence_rate,
                        0,
                        max(0.6, role.absence_rate),
                        0.01,
                        percent=True,
                    ),
                ]
            )
    return out


def _people_controls(where: str, role_name: str, role: Role) -> list[Control]:
    """A role's people in post, or the people on each shift of its rota."""
    if role.headcount is not None:
        return [
            Control(
                f"{where}.headcount",
                f"{words(role_name)}: people in post",
                role.headcount,
                0.5 if role.headcount >= 0.5 else 0,
                max(2 * role.headcount, role.headcount + 5),
                0.5,
                slider=False,
            )
        ]
    return [
        Control(
            f"{where}.rota.{shift_name}.people",
            f"{words(role_name)}: people on the {words(shift_name)} shift",
            shift.people,
            min(1, shift.people),
            max(2 * shift.people, shift.people + 5),
            1,
            slider=False,
        )
        for shift_name, shift in role.rota.items()
    ]


def step_controls(s: Scenario) -> dict[str, list[Control]]:
    """For each step: the share of each outcome of its outcome mixes (the last takes what
    is left) and each chance its kind declares."""
    out: dict[str, list[Control]] = {}
    for name, step in s.steps.items():
        controls = [*_mix_controls(name, step), *_chance_controls(name, step)]
        if controls:
            out[name] = controls
    return out


def _mix_controls(name: str, step: Step) -> list[Control]:
    controls = []
    for f in dataclasses.fields(step):
        mix = getattr(step, f.name)
        if not f.metadata.get("mix") or not isinstance(mix, dict) or len(mix) < 2:
            continue
        if not all(isinstance(v, float) for v in mix.values()):
            continue  # per-source mixes follow the overall one (``design.with_sources``)
        last = list(mix)[-1]
        controls += [
            Control(
                f"steps.{name}.{f.name}.{outcome}",
                f"{words(f.name)}: {words(outcome)}",
                share,
                0,
                1,
                0.005,
                percent=True,
                help=f"The rest of the cases end '{words(last)}'"
                + (" (with the other outcomes in proportion)." if len(mix) > 2 else "."),
            )
            for outcome, share in list(mix.items())[:-1]
        ]
    return controls


def _chance_controls(name: str, step: Step) -> list[Control]:
    return [
        Control(
            f"steps.{name}.{f.name}",
            words(f.name),
            value,
            0,
            1,
            0.005,
            percent=True,
            help=f.metadata.get("doc", ""),
        )
        for f in dataclasses.fields(step)
        if f.metadata.get("prob") and isinstance(value := getattr(step, f.name), float)
    ]


def route_choices(s: Scenario) -> list[RouteChoice]:
    """Every route of every step, with the steps it could send its cases to instead: any
    step but the step itself and the steps that lead to it (which would make a loop)."""
    follows = {name: {r.to for r in step.all_routes()} for name, step in s.steps.items()}
    choices = []
    for name, step in s.steps.items():
        before = {other for other in s.steps if name in _reach(other, follows)}
        options = tuple(n for n in s.steps if n != name and n not in before)
        if step.next is not None:
            choices.append(RouteChoice(name, -1, "every case", step.next, options))
            continue
        for k, route in enumerate(step.routes):
            tested = conditions(route)
            label = (
                "if "
                + " and ".join(
                    f"the {words(a)} is {' or '.join(words(x) for x in v)}" for a, v in tested
                )
                if tested
                else "otherwise"
            )
            choices.append(RouteChoice(name, k, label, route.to, options))
    return choices


def _reach(start: str, follows: dict[str, set[str]]) -> set[str]:
    """The steps a case at ``start`` can go on to."""
    seen: set[str] = set()
    todo = list(follows.get(start, ()))
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(follows.get(name, ()))
    return seen


def _nice(x: float) -> float:
    """A bound for a field: whole above 10, otherwise to one decimal."""
    return float(round(x)) if x >= 10 else round(x, 1)
