"""Checks of rotas, overtime and waiting-list reviews: each fault a one-line ScenarioError.

A rota's shifts are placed on the week (hours 0-168 from Monday 0:00, a shift past
midnight running into the next day, Sunday's into Monday): they may not overlap, someone
must be on at some time, and on a role whose ``calendar`` is ``"24/7"`` someone must be on
at every hour. Rotas and overtime are for people's touch time: a role holding caseload
places keeps its working calendar (its enquiry durations are counted in working days).
"""

from __future__ import annotations

import dataclasses
import itertools

from sgsim.scenario.errors import ScenarioError
from sgsim.scenario.limits import check_task
from sgsim.scenario.schema import DAY_GROUPS, WEEKDAYS, Role, Scenario
from sgsim.scenario.sizes import BYTES_PER_EVENT, machine_memory
from sgsim.scenario.suggest import nearest

WEEK_HOURS = 168.0
DAY_NAMES = (*WEEKDAYS, *DAY_GROUPS)


def check_rotas(s: Scenario, file: str) -> None:
    """Every role's rota and overtime make sense (run before the steps' checks, which
    need a role's staff)."""
    holding = set(s.caseload_pools())
    for team_name, team in s.teams.items():
        for role_name, role in team.roles.items():
            key = f"teams.{team_name}.roles.{role_name}"
            _check_staffing(role, key, file)
            if role.rota:
                _check_shifts(role, key, file)
            if (role.rota or role.overtime) and (team_name, role_name) in holding:
                what = "rota" if role.rota else "overtime"
                raise ScenarioError(
                    file,
                    f"{key}.{what}",
                    "a rota or overtime only for a role doing touch work (this role holds "
                    "caseload places, whose durations count its working days)",
                    f"<a {what}>",
                )


def check_overtime_used(s: Scenario, file: str) -> None:
    """Overtime lets more people take tasks from a queue: some step must queue for them."""
    working = set(s.staff_pools())
    for team_name, team in s.teams.items():
        for role_name, role in team.roles.items():
            if role.overtime is None:
                continue
            key = f"teams.{team_name}.roles.{role_name}.overtime"
            if (team_name, role_name) not in working:
                raise ScenarioError(
                    file, key, "overtime for a role some step takes touch time from", "<a table>"
                )
            if role.calendar == "24/7" and not role.rota:
                raise ScenarioError(
                    file,
                    key,
                    'a working day or a rota to stay on after (calendar "24/7" never goes off)',
                    "<a table>",
                )


def check_reviews(s: Scenario, file: str) -> None:
    """Each review names a team and role with people, and shares that add up to at most 1
    (run before anything that reads the staff pools, which include the reviewers)."""
    from sgsim.model.steps.base import need_team_role

    for name, review in s.reviews().items():
        key = f"steps.{name}.waiting_list.review"
        need_team_role(file, key, s, (review.team,), review.role, caseload=False)
        check_task(
            s, name, f"{key}.minutes", "minutes", review.minutes.mean / 60, *review.team_role, file
        )
        backlog = s.backlog[name].waiting if name in s.backlog else 0
        events = 2 * backlog * s.horizon_days * 5 / 7 / review.every_working_days
        if events * BYTES_PER_EVENT > machine_memory():
            raise ScenarioError(
                file,
                f"{key}.every_working_days",
                "reviews whose events fit in this machine's memory (2 events a review; "
                f"the starting backlog of {backlog:,} alone needs {events:.3g})",
                review.every_working_days,
            )
        if review.raise_share + review.lower_share > 1:
            raise ScenarioError(
                file,
                f"{key}.lower_share",
                "raise_share + lower_share at most 1 (shares of the same reviews)",
                f"<a sum of {review.raise_share + review.lower_share:g}>",
            )


def _check_staffing(role: Role, key: str, file: str) -> None:
    """People come from a headcount or from a rota: exactly one of them."""
    if role.headcount is None and not role.rota:
        raise ScenarioError(
            file, f"{key}.headcount", "a value (people in post), or a rota", "<nothing>"
        )
    if role.headcount is not None and role.rota:
        raise ScenarioError(
            file,
            f"{key}.headcount",
            'either a headcount or a rota, not both (set headcount = "none" in a file '
            "that extends another)",
            role.headcount,
        )
    if not role.rota:
        return
    defaults = {f.name: f.default for f in dataclasses.fields(Role)}
    for name in ("fte", "hours_per_day"):
        if getattr(role, name) != defaults[name]:
            raise ScenarioError(
                file,
                f"{key}.{name}",
                f"no {name} with a rota (its shifts give the people on and their hours)",
                getattr(role, name),
            )


def _check_shifts(role: Role, key: str, file: str) -> None:
    spans: list[tuple[float, float, str, str]] = []  # from, to (week hours), shift, when
    for name, shift in role.rota.items():
        for day in shift.days:
            if day not in DAY_NAMES:
                raise ScenarioError(
                    file,
                    f"{key}.rota.{name}.days",
                    "weekday names: " + ", ".join(DAY_NAMES),
                    day,
                    hint=nearest(day, DAY_NAMES),
                )
        if shift.people == 0:
            continue
        for weekday in shift.weekdays():
            begin = weekday * 24 + shift.start
            end = begin + shift.hours
            when = f"{_when(begin)} to {_when(end)}"
            spans.append((begin, min(end, WEEK_HOURS), name, when))
            if end > WEEK_HOURS:  # Sunday's late hours run into Monday
                spans.append((0.0, end - WEEK_HOURS, name, when))
    if not spans:
        raise ScenarioError(
            file, f"{key}.rota", "shifts with someone on at some time", "<nobody ever on>"
        )
    spans.sort()
    for (_, e0, first, when), (b1, _, second, _) in itertools.pairwise(spans):
        if b1 < e0:
            raise ScenarioError(
                file,
                f"{key}.rota.{second}",
                f"shifts that do not overlap (shift {first} runs {when})",
                f"<shift {second} from {_when(b1)}>",
            )
    if role.calendar == "24/7":
        gap = _first_gap(spans)
        if gap is not None:
            raise ScenarioError(
                file,
                f"{key}.rota",
                'someone on at every hour (calendar = "24/7")',
                f"<nobody on {_when(gap[0])} to {_when(gap[1])}>",
            )


def _first_gap(spans: list[tuple[float, float, str, str]]) -> tuple[float, float] | None:
    """The first time in the week nobody is on, as (from, to) in week hours; or None."""
    reached = 0.0
    for begin, end, _, _ in spans:
        if begin > reached:
            return (reached, begin)
        reached = max(reached, end)
    return (reached, WEEK_HOURS) if reached < WEEK_HOURS else None


def _when(week_hour: float) -> str:
    """A week hour in words: 'tue 7:30'."""
    minutes = round(week_hour * 60) % round(WEEK_HOURS * 60)
    day, minute = divmod(minutes, 24 * 60)
    return f"{WEEKDAYS[day]} {minute // 60}:{minute % 60:02d}"
