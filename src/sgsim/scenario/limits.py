"""What a run can hold, checked when a scenario is loaded, so that ``validate`` accepts
nothing that ``run`` cannot finish.

A run relies on more than each value being of its type: its dates must lie where the
calendar and Python's dates have them, the arrival rate must stay a finite number, each
piece of work must end within the calendar beyond the run, and events that repeat must
come some time apart. The limits (also in ``scenarios/README.md``):

- the run, warm-up included, lies between FIRST_DATE and LAST_DATE, and lasts at most
  MAX_RUN_DAYS (100 years);
- growth changes demand at most MAX_GROWTH_FACTOR-fold over the run, warm-up included,
  and the weights of months and weekdays are at most MAX_WEIGHT and scale to a finite
  rate (schema limits and a check);
- a role on a working calendar ends its working day by midnight;
- a mean task (touch time, stretched for a role of fewer people at work than its pool
  holds, on the role's calendar) takes at most MAX_TASK_WORKING_DAYS, and a mean enquiry
  at most MAX_DURATION_WORKING_DAYS; the calendar runs CALENDAR_MARGIN_DAYS past the run
  for them;
- meetings and bulk transfers are at least MIN_PERIOD_DAYS apart (schema limits);
- an adult who always comes back does not come back at once;
- a role's headcount and caseload cap are at most MAX_STAFF (schema limits), so that
  their product, the caseload places, is a number a pool can count;
- each case attribute (sources, areas, subjects, risk levels, abuse types, locations) has
  at most MAX_CATEGORIES values: a case holds each in two bytes.

Each check names the key to change and says what it accepts. How big a run is, and
whether the machine can hold it, is ``sgsim.scenario.sizes``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

from sgsim.scenario.distributions import Distribution
from sgsim.scenario.errors import ScenarioError

if TYPE_CHECKING:
    from sgsim.scenario.schema import Scenario, Step

FIRST_DATE = dt.date(1900, 1, 1)
LAST_DATE = dt.date(2200, 12, 31)
MAX_RUN_DAYS = 36525  # 100 years, warm-up included
MAX_GROWTH_FACTOR = 1000.0
MAX_TASK_WORKING_DAYS = 250  # a mean task: a working year of one person's time
MAX_DURATION_WORKING_DAYS = 500  # a mean enquiry: two working years
MIN_PERIOD_DAYS = 0.01  # about a quarter of an hour between meetings or transfers
MAX_WEIGHT = 1e6  # a month's or weekday's relative volume (only their ratios matter)
MAX_STAFF = 1e6  # a role's headcount, and its caseload cap: past any council
STANDARD_HOURS = 7.4  # a working day, to tell a long task from a short working day
MAX_CATEGORIES = 2**15 - 1  # values of one case attribute (``sgsim.model.demand.Cases``)

# Calendar days beyond the run holding the longest mean work: five working days a week,
# and 5% more for bank holidays. A task drawn from a distribution's tail may still end
# past it: it is then unfinished at the end of the run, as it would be anyway.
CALENDAR_MARGIN_DAYS = math.ceil(
    max(MAX_TASK_WORKING_DAYS, MAX_DURATION_WORKING_DAYS) * 7 / 5 * 1.05
)


def check_run(s: Scenario, file: str) -> None:
    """Every limit above, on a scenario whose values have each been checked."""
    _check_categories(s, file)
    _check_dates(s, file)
    _check_growth(s, file)
    _check_weights(s, file)
    _check_working_days(s, file)
    for name, step in s.steps.items():
        _check_work(s, name, step, file)
    _check_returns(s, file)


def _check_categories(s: Scenario, file: str) -> None:
    """Each attribute's values fit in the two bytes a case holds it in."""
    from sgsim.model.demand import ATTRIBUTES  # local: the model imports the schema

    for attribute in ATTRIBUTES:
        n = len(s.demand.categories(attribute))
        if n > MAX_CATEGORIES:
            raise ScenarioError(
                file,
                f"demand.{attribute}s",
                f"at most {MAX_CATEGORIES:,} {attribute.replace('_', ' ')}s",
                f"<{n:,} of them>",
            )


def _check_dates(s: Scenario, file: str) -> None:
    run = s.run
    if run.warmup_days + run.run_days > MAX_RUN_DAYS:
        raise ScenarioError(
            file,
            "run.run_days",
            f"warm-up and run of at most {MAX_RUN_DAYS} days together (100 years)",
            f"<{run.warmup_days} + {run.run_days} days>",
        )
    accepted = f"a run, warm-up included, from {FIRST_DATE} to {LAST_DATE}"
    if (run.start_date - FIRST_DATE).days < run.warmup_days:
        got = f"<a warm-up of {run.warmup_days} days before {run.start_date}>"
        raise ScenarioError(file, "run.start_date", accepted, got)
    if (LAST_DATE - run.start_date).days + 1 < run.run_days:
        got = f"<{run.run_days} days from {run.start_date}>"
        raise ScenarioError(file, "run.start_date", accepted, got)


def _check_growth(s: Scenario, file: str) -> None:
    """Growth compounds from the start of the measured period, backwards over the warm-up
    too: demand at the ends of the run lies within MAX_GROWTH_FACTOR of its start."""
    growth = s.demand.growth_per_year
    before = s.run.warmup_days / 365.25
    after = (s.run.run_days - 1) / 365.25
    most = math.log(MAX_GROWTH_FACTOR)
    rate = math.log1p(growth)  # the log of the factor a year
    if max(-before * rate, after * rate) <= most:
        return
    low = math.exp(-most / before) - 1 if before > 0 else -1.0
    high = math.exp(most / after) - 1 if after > 0 else math.inf
    raise ScenarioError(
        file,
        "demand.growth_per_year",
        f"growth that keeps demand within {MAX_GROWTH_FACTOR:g} times its starting rate "
        f"over the run, warm-up included: here above {low:.3g} and at most {high:.3g}",
        growth,
    )


def _check_weights(s: Scenario, file: str) -> None:
    """Weights scaled to a mean of 1 stay finite: all but one zero and that one of 1e-320,
    say, would scale by dividing by zero."""
    from sgsim.model.demand import month_weights, weekday_weights

    for key, scaled in (("month_of_year", month_weights), ("day_of_week", weekday_weights)):
        with np.errstate(all="ignore"):
            finite = bool(np.isfinite(scaled(s.demand)).all())
        if not finite:
            raise ScenarioError(
                file,
                f"demand.{key}",
                "weights whose sum is not vanishingly small",
                list(getattr(s.demand, key)),
            )


def _check_working_days(s: Scenario, file: str) -> None:
    """The working clock keeps each working day within its date: it opens at open_hour
    and is open hours_per_day hours, so the two may not run past midnight."""
    open_hour = s.calendar.open_hour
    for team, role in s.staff_pools():
        r = s.role(team, role)
        if r.calendar == "24/7" or open_hour + r.hours_per_day <= 24:
            continue
        late = open_hour > 24 - STANDARD_HOURS  # a late opening, not a long day
        blamed = "calendar.open_hour" if late else f"teams.{team}.roles.{role}.hours_per_day"
        raise ScenarioError(
            file,
            blamed,
            f"a working day that ends by midnight: open_hour + hours_per_day <= 24 "
            f"(calendar.open_hour is {open_hour:g}, teams.{team}.roles.{role} works "
            f"{r.hours_per_day:g} hours a day)",
            "<a day past midnight>",
        )


def _distributions(step: Step, key: str) -> Iterator[tuple[str, str, Distribution]]:
    """(unit, key, distribution) for each distribution a step gives, alone or by name;
    the unit is the field's ``unit`` or the end of its name (``touch_minutes``)."""
    for f in dataclasses.fields(step):
        value = getattr(step, f.name)
        unit = unit_of(f)
        if isinstance(value, Distribution):
            yield unit, f"{key}.{f.name}", value
        elif isinstance(value, dict):
            for name, item in value.items():
                if isinstance(item, Distribution):
                    yield unit, f"{key}.{f.name}.{name}", item


def unit_of(f: dataclasses.Field) -> str:
    """The unit of a field's values: its ``unit``, or the end of its name."""
    units = ("working_days", "minutes", "hours", "days")
    return f.metadata.get("unit") or next((u for u in units if f.name.endswith(u)), "")


def _check_work(s: Scenario, name: str, step: Step, file: str) -> None:
    """Touch time is work on a person's calendar, durations are elapsed working days:
    either may run at most so long on average."""
    for unit, key, dist in _distributions(step, f"steps.{name}"):
        if unit == "working_days" and dist.mean > MAX_DURATION_WORKING_DAYS:
            raise ScenarioError(
                file,
                key,
                f"a mean of at most {MAX_DURATION_WORKING_DAYS} working days",
                f"<a mean of {dist.mean:.4g}>",
            )
        if unit in ("minutes", "hours"):
            hours = dist.mean / 60 if unit == "minutes" else dist.mean
            for team, role in step.staff():
                check_task(s, name, key, unit, hours, team, role, file)


def check_task(
    s: Scenario, step: str, key: str, unit: str, hours: float, team: str, role: str, file: str
) -> None:
    """A mean task of ``hours`` of touch time ends within MAX_TASK_WORKING_DAYS of the
    role's working days. The pool stretches each task when it holds more people than are
    at work on the pathway (``sgsim.model.pools``), so too few staff, too short a working
    day and too long a task are each told apart and named."""
    from sgsim.model.pools import staff_count

    r = s.role(team, role)
    day = 24.0 if r.calendar == "24/7" or r.rota else r.hours_per_day
    stretch = staff_count(r) / r.pathway_staff
    if hours * stretch / day <= MAX_TASK_WORKING_DAYS:
        return
    where = f"teams.{team}.roles.{role}"
    why = f"so that a mean task of step {step} ({hours:.3g} hours) takes at most "
    why += f"{MAX_TASK_WORKING_DAYS} working days"
    if hours / day <= MAX_TASK_WORKING_DAYS:
        need = hours * staff_count(r) / (MAX_TASK_WORKING_DAYS * day)
        field = "headcount" if r.other_work_share < 0.5 else "other_work_share"
        raise ScenarioError(
            file,
            f"{where}.{field}",
            f"enough time on the pathway {why}: at least {need:.3g} whole-time people "
            "(headcount x fte x (1 - absence_rate) x (1 - other_work_share))",
            f"<{r.pathway_staff:.3g}>",
        )
    if day < STANDARD_HOURS and hours / STANDARD_HOURS <= MAX_TASK_WORKING_DAYS:
        need = hours * stretch / MAX_TASK_WORKING_DAYS
        raise ScenarioError(
            file, f"{where}.hours_per_day", f"at least {need:.3g} hours a day {why}", day
        )
    most = MAX_TASK_WORKING_DAYS * day / stretch * (60 if unit == "minutes" else 1)
    raise ScenarioError(
        file,
        key,
        f"a mean of at most {most:.4g} {unit}: {MAX_TASK_WORKING_DAYS} working days of "
        f"{day:g} hours for a person of {team}.{role}",
        f"<a mean of {hours * (60 if unit == 'minutes' else 1):.4g}>",
    )


def _check_returns(s: Scenario, file: str) -> None:
    """An adult who always comes back, at once, would come back for ever at one instant."""
    for name, step in s.steps.items():
        probability = getattr(step, "return_probability", 0.0)
        delay = getattr(step, "return_after_days", None)
        if probability >= 1 and delay is not None and delay.mean <= 0:
            raise ScenarioError(
                file,
                f"steps.{name}.return_after_days",
                "a mean > 0 when return_probability is 1 (else the adult comes back for "
                "ever at one instant)",
                f"<a mean of {delay.mean:g}>",
            )
