"""The Scenario: every assumption about one council's safeguarding pathway, validated once.

Plain frozen dataclasses, one per part of the pathway. ``sgsim.scenario.loading`` builds them from a
TOML file and checks every value; nothing downstream re-validates or re-reads the file.
Field metadata carries the checks (``prob``, ``ge``, ``gt``, ``mix``, ``length``, ``choices``)
and a one-line ``doc`` used in error messages and ``sgsim validate``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sgsim.scenario.distributions import Distribution, Fixed

PRIORITIES = ("urgent", "normal", "low")
DAYS_PER_YEAR = 365.25
CALENDARS = ("working", "24/7")
BANK_HOLIDAYS = ("england", "none")


def spec(default: Any = ..., **checks: Any) -> Any:
    """A dataclass field carrying its validation rules as metadata."""
    if default is ...:
        return field(metadata=checks)
    if isinstance(default, dict | list):
        return field(default_factory=lambda: type(default)(default), metadata=checks)
    return field(default=default, metadata=checks)


@dataclass(frozen=True)
class RunSpec:
    """How long to simulate: a warm-up before ``start_date``, then ``run_days`` measured."""

    start_date: dt.date = spec(doc="first day of the measured period")
    run_days: int = spec(gt=0, doc="length of the measured period in days")
    warmup_days: int = spec(0, ge=0, doc="days simulated before start_date and ignored")


@dataclass(frozen=True)
class CalendarSpec:
    """Which days are working days and when the working day opens."""

    bank_holidays: str = spec("england", choices=BANK_HOLIDAYS)
    open_hour: float = spec(9.0, ge=0, lt=24, doc="hour the working day opens")
    closed_days: tuple[dt.date, ...] = spec((), doc="extra non-working dates")


@dataclass(frozen=True)
class Source:
    """Where contacts come from, and how often a contact from there is a concern."""

    share: float = spec(prob=True, doc="share of all contacts")
    concern_probability: float = spec(prob=True, doc="chance triage records a concern")


@dataclass(frozen=True)
class PriorityMix:
    """The RAG priority given on receipt (West Sussex: urgent / normal / low)."""

    urgent: float = spec(0.0, prob=True)
    normal: float = spec(1.0, prob=True)
    low: float = spec(0.0, prob=True)

    def shares(self) -> tuple[float, float, float]:
        return (self.urgent, self.normal, self.low)


@dataclass(frozen=True)
class Demand:
    """Contacts reaching the front door: volume, growth, seasonality, sources, priority."""

    sources: dict[str, Source] = spec(doc="mix of referral sources")
    contacts_per_year: float | None = spec(None, gt=0, doc="new contacts a year at the start")
    contacts_per_day: float | None = spec(None, gt=0, doc="or: new contacts a day")
    growth_per_year: float = spec(0.0, gt=-1, doc="yearly growth, e.g. 0.09 for +9%")
    month_of_year: tuple[float, ...] = spec(
        (1.0,) * 12, length=12, ge=0, doc="relative volume Jan..Dec"
    )
    day_of_week: tuple[float, ...] = spec(
        (1.0,) * 7, length=7, ge=0, doc="relative volume Mon..Sun"
    )
    priority: PriorityMix = spec(PriorityMix())

    @property
    def daily_contacts(self) -> float:
        """Mean new contacts a day at the start, however the volume was given."""
        if self.contacts_per_day is not None:
            return self.contacts_per_day
        return (self.contacts_per_year or 0.0) / DAYS_PER_YEAR


@dataclass(frozen=True)
class Role:
    """A staff role: how many people, for how many hours, on which calendar."""

    headcount: float = spec(ge=0, doc="people in post")
    fte: float = spec(1.0, gt=0, le=1, doc="mean full-time equivalent per person")
    absence_rate: float = spec(0.0, ge=0, lt=1, doc="share of time lost to absence/vacancy")
    hours_per_day: float = spec(7.4, gt=0, le=24, doc="working hours a day")
    calendar: str = spec("working", choices=CALENDARS)
    caseload_cap: float = spec(0.0, ge=0, doc="open enquiries a practitioner may hold")

    @property
    def effective_staff(self) -> float:
        """Whole-time people actually at work on an average day."""
        return self.headcount * self.fte * (1 - self.absence_rate)


@dataclass(frozen=True)
class SecondTriage:
    """A practitioner in the receiving team re-triages each concern (East Sussex)."""

    role: str = spec(doc="staff role doing the second triage")
    touch_minutes: Distribution = spec(doc="minutes of work per contact")
    confirm_probability: float = spec(prob=True, doc="chance the concern is confirmed")


@dataclass(frozen=True)
class NfaSignoff:
    """A qualified practitioner signs off every 'not a concern' decision."""

    role: str = spec(doc="qualified role signing off")
    touch_minutes: Distribution = spec(doc="minutes of work per sign-off")
    overturn_probability: float = spec(prob=True, doc="chance the NFA becomes a concern")


@dataclass(frozen=True)
class Triage:
    """The front-door decision: is this contact a safeguarding concern?"""

    role: str = spec(doc="staff role doing front-door triage")
    touch_minutes: Distribution = spec(doc="minutes of work per contact")
    second: SecondTriage | None = spec(None)
    nfa_signoff: NfaSignoff | None = spec(None)


@dataclass(frozen=True)
class CriteriaOverride:
    """Source-specific chances of the three s42(1) criteria; unset ones use the default."""

    needs_care_and_support: float | None = spec(None, prob=True)
    abuse_or_neglect: float | None = spec(None, prob=True)
    unable_to_protect: float | None = spec(None, prob=True)


@dataclass(frozen=True)
class S42Test:
    """The Care Act s42(1) three-stage test applied to each concern."""

    role: str = spec(doc="staff role making the s42 decision")
    touch_minutes: Distribution = spec(doc="minutes of work per decision")
    needs_care_and_support: float = spec(prob=True, doc="chance of criterion 1")
    abuse_or_neglect: float = spec(prob=True, doc="chance of criterion 2")
    unable_to_protect: float = spec(prob=True, doc="chance of criterion 3")
    other_enquiry_probability: float = spec(
        0.0, prob=True, doc="chance of an other enquiry when not all three"
    )
    decision_target_working_days: int = spec(5, ge=0, doc="target from contact to decision")
    by_source: dict[str, CriteriaOverride] = spec({})

    def criteria(self, source: str) -> tuple[float, float, float]:
        over = self.by_source.get(source, CriteriaOverride())
        return (
            _first(over.needs_care_and_support, self.needs_care_and_support),
            _first(over.abuse_or_neglect, self.abuse_or_neglect),
            _first(over.unable_to_protect, self.unable_to_protect),
        )


def _first(value: float | None, default: float) -> float:
    return default if value is None else value


@dataclass(frozen=True)
class Team:
    """A team taking enquiries: its practitioners' role, a senior role, the sources it takes."""

    role: str = spec(doc="practitioner role holding the caseload")
    senior_role: str | None = spec(None, doc="role for high-risk or complex enquiries")
    sources: tuple[str, ...] = spec((), doc="referral sources routed to this team")


@dataclass(frozen=True)
class Allocation:
    """Who takes each enquiry: team by source, senior practitioner by risk level."""

    teams: dict[str, Team] = spec()
    default_team: str = spec(doc="team for sources no team names")
    risk_levels: dict[str, float] = spec(mix=True, doc="risk/complexity mix")
    senior_risk_levels: tuple[str, ...] = spec(("high",), doc="levels that go to a senior")


@dataclass(frozen=True)
class Enquiry:
    """Enquiry work: elapsed time holding a caseload place, plus practitioner touch time."""

    duration_working_days: dict[str, Distribution] = spec(doc="elapsed duration by risk level")
    touch_hours: Distribution = spec(Fixed(0.0), doc="practitioner hours per enquiry")
    abuse_types: dict[str, float] = spec({"unrecorded": 1.0}, mix=True)
    locations: dict[str, float] = spec({"unrecorded": 1.0}, mix=True)


@dataclass(frozen=True)
class Closure:
    """Concluding an enquiry: sign-off, the risk outcome, and adults who come back."""

    risk_outcomes: dict[str, float] = spec(mix=True, doc="risk outcome mix at closure")
    signoff_role: str | None = spec(None, doc="manager role signing off closures")
    signoff_touch_minutes: Distribution | None = spec(None)
    return_probability: float = spec(0.0, prob=True, doc="chance of a new contact later")
    return_after_days: Distribution | None = spec(None, doc="days from closure to new contact")


@dataclass(frozen=True)
class Reported:
    """Figures a council published, to set beside the simulation."""

    source: str = spec("", doc="where the figures come from")
    figures: dict[str, float] = spec({}, doc="reported values by metric name")
    published_rates: dict[str, float] = spec({}, prob=True, doc="rates as published")


@dataclass(frozen=True)
class Scenario:
    """One council's pathway, staffing and reported figures."""

    name: str = spec(doc="a short title")
    run: RunSpec = spec()
    demand: Demand = spec()
    staffing: dict[str, Role] = spec(doc="staff roles by name")
    triage: Triage = spec()
    s42_test: S42Test = spec()
    allocation: Allocation = spec()
    enquiry: Enquiry = spec()
    closure: Closure = spec()
    description: str = spec("")
    calendar: CalendarSpec = spec(CalendarSpec())
    reported: Reported = spec(Reported())

    @property
    def horizon_days(self) -> int:
        """Simulated days in all: warm-up plus the measured period."""
        return self.run.warmup_days + self.run.run_days

    @property
    def origin(self) -> dt.date:
        """The calendar date at simulated time zero (the start of the warm-up)."""
        return self.run.start_date - dt.timedelta(days=self.run.warmup_days)

    def task_roles(self) -> tuple[str, ...]:
        """Roles whose people do touch-time tasks, in pathway order, without repeats."""
        names = [self.triage.role]
        if self.triage.second:
            names.append(self.triage.second.role)
        if self.triage.nfa_signoff:
            names.append(self.triage.nfa_signoff.role)
        names.append(self.s42_test.role)
        names.extend(self.caseload_roles())
        if self.closure.signoff_role:
            names.append(self.closure.signoff_role)
        return tuple(dict.fromkeys(names))

    def caseload_roles(self) -> tuple[str, ...]:
        """Roles that hold enquiries in a caseload."""
        names: list[str] = []
        for team in self.allocation.teams.values():
            names.append(team.role)
            if team.senior_role:
                names.append(team.senior_role)
        return tuple(dict.fromkeys(names))
