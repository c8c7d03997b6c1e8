"""The Scenario: every assumption about one council's safeguarding pathway, validated once.

Plain frozen dataclasses. ``sgsim.scenario.loading`` builds them from a TOML file and checks
every value; nothing downstream re-validates or re-reads the file. Field metadata carries
the checks (``prob``, ``ge``, ``gt``, ``mix``, ``length``, ``choices``, ``one_or_many``) and a
one-line ``doc`` used in error messages and ``sgsim validate``.

A pathway is a set of **teams** (each with staff roles) and a list of **steps**. Each step
is of a kind (``sgsim.model.steps``): it names the team and role doing it and, by its
**routes**, where each case goes next. Contacts carry a source, area, subject, priority,
risk level, abuse type and location drawn on arrival; routes may depend on any of the first
five and on the step's outcome.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sgsim.scenario.distributions import Distribution
from sgsim.scenario.limits import MAX_RUN_DAYS, MAX_STAFF, MAX_WEIGHT, MIN_PERIOD_DAYS

PRIORITIES = ("urgent", "normal", "low")
DAYS_PER_YEAR = 365.25
CALENDARS = ("working", "24/7")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Names for several weekdays at once, in a shift's ``days``.
DAY_GROUPS = {"every_day": WEEKDAYS, "weekdays": WEEKDAYS[:5], "weekends": WEEKDAYS[5:]}
BANK_HOLIDAYS = ("england", "none")
# Case attributes drawn on arrival that a route may test, in the order of the route key.
ROUTE_ATTRIBUTES = ("source", "subject", "area", "priority", "risk_level")


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
    run_days: int = spec(gt=0, le=MAX_RUN_DAYS, doc="length of the measured period in days")
    warmup_days: int = spec(
        0, ge=0, le=MAX_RUN_DAYS, doc="days simulated before start_date and ignored"
    )


@dataclass(frozen=True)
class CalendarSpec:
    """Which days are working days and when the working day opens."""

    bank_holidays: str = spec("england", choices=BANK_HOLIDAYS)
    open_hour: float = spec(9.0, ge=0, lt=24, doc="hour the working day opens")
    closed_days: tuple[dt.date, ...] = spec((), doc="extra non-working dates")


@dataclass(frozen=True)
class Source:
    """Where contacts come from, and the step they enter the pathway at."""

    share: float = spec(prob=True, doc="share of all contacts")
    entry: str | None = spec(None, doc="step these contacts enter at (default: the first)")


@dataclass(frozen=True)
class PriorityMix:
    """The RAG priority given on receipt (West Sussex: urgent / normal / low)."""

    urgent: float = spec(0.0, prob=True)
    normal: float = spec(1.0, prob=True)
    low: float = spec(0.0, prob=True)

    def shares(self) -> tuple[float, float, float]:
        return (self.urgent, self.normal, self.low)


@dataclass(frozen=True)
class OtherWork:
    """Non-safeguarding work arriving for the same people: assessments, reviews, DoLS.

    It enters the pathway at a step of its own (``entry``), typically an ``other_work``
    step holding a place in the same caseload, and shares the same people's hours; it is
    not counted as contacts.
    """

    per_day: float = spec(gt=0, doc="new pieces of work a day")
    entry: str = spec(doc="the step it starts at")
    priority: str | None = spec(
        None, choices=PRIORITIES, doc="the priority of every piece (default: drawn as contacts')"
    )


@dataclass(frozen=True)
class Demand:
    """Contacts reaching the pathway: volume, growth, seasonality and what each is about."""

    sources: dict[str, Source] = spec(doc="mix of referral sources")
    contacts_per_year: float | None = spec(None, gt=0, doc="new contacts a year at the start")
    contacts_per_day: float | None = spec(None, gt=0, doc="or: new contacts a day")
    growth_per_year: float = spec(0.0, gt=-1, doc="yearly growth, e.g. 0.09 for +9%")
    month_of_year: tuple[float, ...] = spec(
        (1.0,) * 12, length=12, ge=0, le=MAX_WEIGHT, doc="relative volume Jan..Dec"
    )
    day_of_week: tuple[float, ...] = spec(
        (1.0,) * 7, length=7, ge=0, le=MAX_WEIGHT, doc="relative volume Mon..Sun"
    )
    priority: PriorityMix = spec(PriorityMix())
    areas: dict[str, float] = spec({"all": 1.0}, mix=True, doc="mix of the council's areas")
    subjects: dict[str, float] = spec(
        {"individual": 1.0}, mix=True, doc="what a contact is about: an adult, a provider..."
    )
    risk_levels: dict[str, float] = spec(
        {"standard": 1.0}, mix=True, doc="risk/complexity mix (routes, enquiry durations)"
    )
    abuse_types: dict[str, float] = spec({"unrecorded": 1.0}, mix=True)
    locations: dict[str, float] = spec({"unrecorded": 1.0}, mix=True)
    other_work: dict[str, OtherWork] = spec({}, doc="other work for the same people")

    @property
    def daily_contacts(self) -> float:
        """Mean new contacts a day at the start, however the volume was given."""
        if self.contacts_per_day is not None:
            return self.contacts_per_day
        return (self.contacts_per_year or 0.0) / DAYS_PER_YEAR

    def mix(self, attribute: str) -> dict[str, float]:
        """The shares of each value a case attribute can take, in code order."""
        if attribute == "source":
            return {name: src.share for name, src in self.sources.items()}
        if attribute == "priority":
            return dict(zip(PRIORITIES, self.priority.shares(), strict=True))
        return getattr(self, _PLURAL[attribute])

    def categories(self, attribute: str) -> tuple[str, ...]:
        """The names a case attribute can take, in code order."""
        return tuple(self.mix(attribute))


_PLURAL = {
    "area": "areas",
    "subject": "subjects",
    "risk_level": "risk_levels",
    "abuse_type": "abuse_types",
    "location": "locations",
}


@dataclass(frozen=True)
class Shift:
    """One shift of a rota: on these weekdays, from ``start`` for ``hours``, so many people
    on. A shift may run past midnight (a night shift belongs to the day it starts)."""

    days: tuple[str, ...] = spec(
        one_or_many=True, doc="weekdays it runs (mon..sun, weekdays, weekends, every_day)"
    )
    start: float = spec(ge=0, lt=24, doc="hour it starts")
    hours: float = spec(gt=0, le=24, doc="how long it lasts")
    people: int = spec(ge=0, le=MAX_STAFF, doc="people on the shift")

    def weekdays(self) -> tuple[int, ...]:
        """The weekdays it runs, Monday 0 (names already checked)."""
        names = [d for name in self.days for d in DAY_GROUPS.get(name, (name,))]
        return tuple(sorted({WEEKDAYS.index(d) for d in names}))


@dataclass(frozen=True)
class Overtime:
    """Extra hours: at the end of a working day or shift, when more than
    ``when_queue_over`` cases wait for the role's people, up to ``max_people`` of those
    going off stay ``extra_hours`` more (Southampton: "reliant on staff working extra
    hours")."""

    when_queue_over: int = spec(ge=0, doc="cases waiting for the role that bring overtime")
    extra_hours: float = spec(gt=0, le=24, doc="hours each stays on")
    max_people: int = spec(ge=1, le=MAX_STAFF, doc="at most this many stay")


@dataclass(frozen=True)
class Role:
    """A staff role in a team: how many people, for how many hours, on which calendar."""

    headcount: float | None = spec(None, ge=0, le=MAX_STAFF, doc="people in post")
    fte: float = spec(1.0, gt=0, le=1, doc="mean full-time equivalent per person")
    absence_rate: float = spec(0.0, ge=0, lt=1, doc="share of time lost to absence/vacancy")
    hours_per_day: float = spec(7.4, gt=0, le=24, doc="working hours a day")
    calendar: str = spec("working", choices=CALENDARS)
    caseload_cap: float = spec(
        0.0, ge=0, le=MAX_STAFF, doc="open enquiries a practitioner may hold"
    )
    other_work_share: float = spec(
        0.0, ge=0, lt=1, doc="share of hours at work spent on other work (reviews, DoLS...)"
    )
    rota: dict[str, Shift] = spec({}, doc="shifts by name, instead of a headcount")
    overtime: Overtime | None = spec(None, doc="extra hours when the role's queue is long")

    @property
    def works_shifts(self) -> bool:
        """Its people start work only when on: by a rota, or by the working day with
        overtime after it (``sgsim.model.rota``)."""
        return bool(self.rota) or self.overtime is not None

    @property
    def rostered_per_week(self) -> float:
        """Person-hours a week the rota puts on."""
        return sum(sh.people * sh.hours * len(sh.weekdays()) for sh in self.rota.values())

    @property
    def effective_staff(self) -> float:
        """Whole-time people actually at work on an average day (with a rota: people on
        at an average moment, less absence)."""
        if self.rota:
            return self.rostered_per_week / (7 * 24) * (1 - self.absence_rate)
        return (self.headcount or 0.0) * self.fte * (1 - self.absence_rate)

    @property
    def pathway_staff(self) -> float:
        """Whole-time people at work on the pathway: effective staff less other work."""
        return self.effective_staff * (1 - self.other_work_share)


@dataclass(frozen=True)
class Team:
    """A team: the roles working in it, and the area it covers (for area-routed steps)."""

    roles: dict[str, Role] = spec(doc="staff roles in the team")
    area: str | None = spec(None, doc="the area this team covers")


@dataclass(frozen=True)
class Route:
    """Where cases go after a step: the first route whose conditions all match is taken.

    An empty condition matches anything; a condition lists the values it accepts.
    """

    to: str = spec(doc="the next step")
    outcome: tuple[str, ...] = spec((), one_or_many=True, doc="the step's outcomes")
    source: tuple[str, ...] = spec((), one_or_many=True, doc="referral sources")
    subject: tuple[str, ...] = spec((), one_or_many=True, doc="subjects")
    area: tuple[str, ...] = spec((), one_or_many=True, doc="areas")
    priority: tuple[str, ...] = spec((), one_or_many=True, doc="priorities")
    risk_level: tuple[str, ...] = spec((), one_or_many=True, doc="risk levels")

    def condition(self, name: str) -> tuple[str, ...]:
        return getattr(self, name)


@dataclass(frozen=True)
class Review:
    """Every so many working days a person of a role reviews each case still waiting:
    touch time per case, and a chance of raising or lowering its priority one level."""

    every_working_days: int = spec(ge=1, le=MAX_RUN_DAYS, doc="working days between reviews")
    team: str = spec(doc="the team of the reviewers")
    role: str = spec(doc="the role reviewing, in that team")
    minutes: Distribution = spec(doc="touch time per case reviewed")
    raise_share: float = spec(0.0, prob=True, doc="share of reviews raising the priority")
    lower_share: float = spec(0.0, prob=True, doc="share of reviews lowering the priority")

    @property
    def team_role(self) -> tuple[str, str]:
        return (self.team, self.role)


@dataclass(frozen=True)
class WaitingList:
    """How a step's waiting list is managed; every part is optional.

    A case that withdraws or is transferred leaves the line with the outcome
    ``withdrawn`` or ``transferred``, routed like any other outcome (to an exit, perhaps
    coming back as a repeat contact, or to another team's step).
    """

    withdraw_after_days: Distribution | None = spec(
        None, doc="how long a case will wait before it withdraws (its patience), in days"
    )
    escalate_after_days: float | None = spec(
        None, gt=0, doc="a case waiting this many days is raised one priority level"
    )
    transfer_every_days: float | None = spec(
        None, ge=MIN_PERIOD_DAYS, doc="days between bulk transfers of the oldest waiting cases"
    )
    transfer_oldest: int = spec(0, ge=0, doc="how many of the oldest cases each transfer moves")
    max_wait_days: float | None = spec(None, gt=0, doc="a wait longer than this is a breach")
    review: Review | None = spec(None, doc="reviews of the waiting cases by a role")

    def outcome_names(self) -> tuple[str, ...]:
        out = ("withdrawn",) if self.withdraw_after_days is not None else ()
        return out + (("transferred",) if self.transfer_every_days is not None else ())


@dataclass(frozen=True, kw_only=True)
class Step:
    """What every step has: its kind, its routes, its waiting list. Kinds add their own."""

    kind: str = spec(doc="the kind of step")
    routes: tuple[Route, ...] = spec((), doc="where cases go next, first match wins")
    next: str | None = spec(None, doc="the next step for every case (instead of routes)")
    waiting_list: WaitingList | None = spec(None, doc="how the step's waiting list is managed")

    def own_outcomes(self) -> tuple[str, ...]:
        """The outcomes the step's own work gives."""
        return ("done",)

    def outcome_names(self) -> tuple[str, ...]:
        """The outcomes a case can leave this step with, in code order."""
        waiting = self.waiting_list.outcome_names() if self.waiting_list else ()
        return self.own_outcomes() + waiting

    def outcome_shares(self, source: str) -> dict[str, float]:
        """The chance of each outcome for a contact from ``source`` (for route checks)."""
        return {name: 1.0 for name in self.outcome_names()}

    def staff(self) -> tuple[tuple[str, str], ...]:
        """The (team, role) pairs whose people this step takes time from."""
        return ()

    def caseload(self) -> tuple[tuple[str, str], ...]:
        """The (team, role) pairs whose caseload places this step holds."""
        return ()

    def all_routes(self) -> tuple[Route, ...]:
        return (Route(to=self.next),) if self.next is not None else self.routes

    def touch_sessions(self, risk_levels: dict[str, float]) -> float:
        """Expected sessions of each span of touch work inside the step, per case reaching
        it with these chances of each risk level (for the size of a run): one, unless a
        kind spreads its work over several."""
        return 1.0


@dataclass(frozen=True, kw_only=True)
class StaffedStep(Step):
    """A step done by people of one role: in one team, or in the team covering each area."""

    team: tuple[str, ...] = spec(
        one_or_many=True, doc="the team doing it, or a list of teams, one per area"
    )
    role: str = spec(doc="the role doing it, in that team")

    def staff(self) -> tuple[tuple[str, str], ...]:
        return tuple((team, self.role) for team in self.team)


@dataclass(frozen=True)
class Backlog:
    """Cases already at a step when the run starts (a council's reported position, such
    as "630 people waiting"): waiting in its queue, and how long they have waited; and, at
    a step holding caseload places, open cases already allocated, and how long ago."""

    waiting: int = spec(0, ge=0, doc="cases waiting in the step's queue at the start")
    oldest_days: float = spec(0.0, ge=0, doc="the longest wait so far; ages spread evenly to it")
    age_days: Distribution | None = spec(None, doc="or: a distribution of each case's wait so far")
    priority: str | None = spec(
        None, choices=PRIORITIES, doc="the priority of every case (default: drawn as contacts')"
    )
    open: int = spec(0, ge=0, doc="cases holding a caseload place at the step at the start")
    open_by_team: dict[str, int] = spec(
        {}, ge=0, doc="or: open cases in each of the step's teams (teams by area)"
    )
    open_oldest_working_days: float = spec(
        0.0, ge=0, doc="the longest an open case has been open; ages spread evenly to it"
    )
    open_age_working_days: Distribution | None = spec(
        None, doc="or: a distribution of how long each open case has been open"
    )

    @property
    def starting_cases(self) -> int:
        """Cases the backlog starts: waiting and open."""
        return self.waiting + self.open + sum(self.open_by_team.values())


OPEN_CASES = ("stay", "hand_over")


@dataclass(frozen=True)
class Period:
    """One stretch of a run with changes: the whole design in force from ``start_day``
    (simulated days from time zero) until the next period, validated as a scenario of its
    own. ``open_cases`` says what happens, at its start, to cases queued at a step the
    change redefines: they ``stay`` in the old queue, or are handed over (``hand_over``)
    to the queue of the step as redefined."""

    start_day: float
    scenario: Scenario
    on: dt.date | None = None  # the change's date (None for the first period)
    open_cases: str = "stay"
    description: str = ""


@dataclass(frozen=True)
class Reported:
    """Figures a council published, to set beside the simulation."""

    source: str = spec("", doc="where the figures come from")
    figures: dict[str, float] = spec({}, doc="reported values by metric name")
    published_rates: dict[str, float] = spec({}, prob=True, doc="rates as published")


@dataclass(frozen=True)
class Scenario:
    """One council's pathway: demand, teams, steps, and reported figures."""

    name: str = spec(doc="a short title")
    run: RunSpec = spec()
    demand: Demand = spec()
    steps: dict[str, Step] = spec(steps=True, doc="the pathway's steps, in order")
    teams: dict[str, Team] = spec({}, doc="teams by name, each with its staff roles")
    description: str = spec("")
    backlog: dict[str, Backlog] = spec({}, doc="cases waiting at steps when the run starts")
    calendar: CalendarSpec = spec(CalendarSpec())
    reported: Reported = spec(Reported())
    # With [[changes]]: the design in force in each period, the first being the file's own
    # (empty without changes). The steps and teams above are then every period's, each
    # with its latest definition, so that outputs name every step and pool of the run.
    periods: tuple[Period, ...] = ()

    @property
    def horizon_days(self) -> int:
        """Simulated days in all: warm-up plus the measured period."""
        return self.run.warmup_days + self.run.run_days

    @property
    def origin(self) -> dt.date:
        """The calendar date at simulated time zero (the start of the warm-up)."""
        return self.run.start_date - dt.timedelta(days=self.run.warmup_days)

    @property
    def first_step(self) -> str:
        return next(iter(self.steps))

    def entry_step(self, source: str) -> str:
        """The step contacts from ``source`` enter at."""
        return self.demand.sources[source].entry or self.first_step

    def staff_pools(self) -> tuple[tuple[str, str], ...]:
        """(team, role) pairs doing touch-time work, in pathway order, without repeats
        (of every period, in a run with changes)."""
        if self.periods:
            return tuple(dict.fromkeys(x for p in self.periods for x in p.scenario.staff_pools()))
        pairs = [pair for step in self.steps.values() for pair in step.staff()]
        pairs += [pair for review in self.reviews().values() for pair in [review.team_role]]
        return tuple(dict.fromkeys(pairs))

    def reviews(self) -> dict[str, Review]:
        """The waiting-list reviews, by step."""
        return {
            name: step.waiting_list.review
            for name, step in self.steps.items()
            if step.waiting_list is not None and step.waiting_list.review is not None
        }

    def caseload_pools(self) -> tuple[tuple[str, str], ...]:
        """(team, role) pairs holding enquiries in a caseload, in pathway order (of every
        period, in a run with changes)."""
        if self.periods:
            pairs = [x for p in self.periods for x in p.scenario.caseload_pools()]
            return tuple(dict.fromkeys(pairs))
        pairs = [pair for step in self.steps.values() for pair in step.caseload()]
        return tuple(dict.fromkeys(pairs))

    def role(self, team: str, role: str) -> Role:
        return self.teams[team].roles[role]

    def steps_of(self, kind: str) -> dict[str, Step]:
        return {name: step for name, step in self.steps.items() if step.kind == kind}


def pool_name(team: str, role: str) -> str:
    """How a (team, role) pool is named in metrics and outputs: ``sah_triage_officer``."""
    return f"{team}_{role}"
