"""Enquiry: a case holds a place in a practitioner's caseload for weeks of working days.

Allocation is the wait for a caseload place (urgent first): in the one team, or in the team
covering the contact's area. Once allocated, the case holds the place for an elapsed
duration in working days (by risk level, if given so), during which a practitioner of the
same team and role spends touch hours on it: all at the start, or (an option, as it costs
about a fifth of a run's time in events) in sessions spread over that time, so open
enquiries keep taking hours from the same people's other tasks. The place is freed at
conclusion. Abuse type
and location are what the contact was about (drawn on arrival), counted at conclusion.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import numpy as np

from sgsim.model.blocks import MASK, SHIFT, Streams
from sgsim.model.engine import Call
from sgsim.model.steps.base import (
    Context,
    Count,
    StepKind,
    StepRunner,
    need_team_role,
    pool_ids_of_area,
    pool_of_area,
)
from sgsim.scenario.distributions import Distribution, Fixed
from sgsim.scenario.errors import ScenarioError
from sgsim.scenario.schema import Scenario, StaffedStep, spec

CASELOAD = "_caseload"  # suffix of a caseload pool's name in the event log


@dataclass(frozen=True, kw_only=True)
class EnquiryStep(StaffedStep):
    """Allocation to a caseload place, then elapsed working days holding it."""

    duration_working_days: Distribution | None = spec(
        None, doc="elapsed working days from allocation to conclusion"
    )
    duration_by_risk_level: dict[str, Distribution] = spec(
        {}, unit="working_days", doc="or: elapsed working days for each risk level"
    )
    touch_hours: Distribution = spec(Fixed(0.0), doc="practitioner hours per enquiry")
    session_every_working_days: float = spec(
        0.0, ge=0, doc="touch hours in sessions this far apart, e.g. 5 (0: all at the start)"
    )

    def own_outcomes(self) -> tuple[str, ...]:
        return ("concluded",)

    def caseload(self) -> tuple[tuple[str, str], ...]:
        return self.staff()

    def touch_sessions(self, risk_levels: dict[str, float]) -> float:
        if self.duration_working_days is not None:
            days = self.duration_working_days.mean
        else:
            by_level = self.duration_by_risk_level
            days = sum(share * by_level[level].mean for level, share in risk_levels.items())
        return mean_sessions(days, self.session_every_working_days, self.touch_hours)


def mean_sessions(days: float, every: float, hours: Distribution) -> float:
    """Expected sessions of touch work per case (``EnquiryRunner.sessions``): none without
    touch hours; one; or one per ``every`` working days of the duration, rounded up, which
    is about days / every + 1/2 on average."""
    if hours.mean <= 0:
        return 0.0
    return max(1.0, days / every + 0.5) if every > 0 else 1.0


class EnquiryRunner(StepRunner):
    """Wait for a place, hold it for the duration, with the touch hours inside it."""

    def __init__(self, ctx: Context, index: int, name: str, step: EnquiryStep) -> None:
        super().__init__(ctx, index, name, step)
        self.direct = self.policy is None
        self.places = pool_of_area(ctx, step.team, step.role, caseload=True)
        self.place_ids = pool_ids_of_area(ctx, step.team, step.role, CASELOAD)
        self.staff = pool_of_area(ctx, step.team, step.role)
        self.staff_ids = pool_ids_of_area(ctx, step.team, step.role)

    def draw(self, rng: Streams, cases: Any, n: int) -> dict[str, np.ndarray]:
        step = self.step
        if step.duration_working_days is not None:
            days = step.duration_working_days.sample(rng("duration"), n)
        else:  # a whole draw for each level in turn, from the one stream
            levels = self.ctx.scenario.demand.categories("risk_level")
            samplers = [step.duration_by_risk_level[lv].sample for lv in levels]
            by_level = np.stack(
                [
                    sample(rng.after("duration", samplers[:k]), n)
                    for k, sample in enumerate(samplers)
                ]
            )
            days = by_level[np.asarray(cases.risk_level, dtype=np.int64), np.arange(n)]
        return {"days": days, "hours": step.touch_hours.sample(rng("touch"), n)}

    def run(self, i: int, k: int, j: int) -> Generator[Any, Any, int]:
        env, code, record = self.env, self.code, self.record
        record((i, code["queued"], env.now, -1, 0, 0))
        area = self.ctx.cases.area[i]
        places = self.places[area]
        left = yield from self.wait_for(places, i)
        if left >= 0:
            return left
        return (yield from self.hold(i, area, self.draws["days"][k][j], self.draws["hours"][k][j]))

    def enter(self, i: int) -> None:
        self.record((i, self.code["queued"], self.env._now, -1, 0, 0))
        cases = self.ctx.cases
        call = Enquiry(self._allocated, i)
        if self.places[cases.area[i]].join(cases.priority[i], call):
            self._allocated(call)

    def resume(self, i: int, age: float, rng: np.random.Generator) -> Generator[Any, Any, int]:
        """A case open at the start, allocated ``age`` working days ago: it takes a place at
        once and holds it for what is left of its duration (drawn given that it has lasted
        ``age`` already), with that share of its touch hours."""
        k, j = i >> SHIFT, i & MASK
        days = self.draws["days"][k][j]
        if days <= age:
            days = _longer_than(self.duration_of(i), age, rng)
        left = max(days - age, 0.0)
        area = self.ctx.cases.area[i]
        self.places[area].holding += 1  # validate allows no more open cases than places
        hours = self.draws["hours"][k][j] * (left / days if days > 0 else 0.0)
        return (yield from self.hold(i, area, left, hours))

    def duration_of(self, i: int) -> Distribution:
        """The distribution case ``i``'s duration is drawn from (by its risk level)."""
        step = self.step
        if step.duration_working_days is not None:
            return step.duration_working_days
        level = self.ctx.scenario.demand.categories("risk_level")[self.ctx.cases.risk_level[i]]
        return step.duration_by_risk_level[level]

    def hold(self, i: int, area: int, days: float, hours: float) -> Generator[Any, Any, int]:
        """Hold a place (already taken) for ``days`` working days, with the touch hours."""
        env = self.env
        enquiry = Enquiry(self._allocated, i)
        self._allocate(enquiry, days, hours)
        if hours > 0:
            staff = self.staff[area]
            while enquiry.session < enquiry.sessions:
                at = self._session_time(enquiry)
                if at > env.now:
                    yield env.timeout(at - env.now)
                request = staff.take(enquiry.priority)
                if request is not None:
                    yield request
                yield env.timeout(self._work(enquiry))
                self._worked(enquiry)
        if enquiry.end > env.now:
            yield env.timeout(enquiry.end - env.now)
        self._conclude(enquiry)
        return 0

    # The enquiry's stages, shared by ``hold`` (in a process) and the callbacks (``enter``)

    def _allocate(self, enquiry: Enquiry, days: float, hours: float) -> None:
        """The case takes a place now, for ``days`` working days with ``hours`` of touch
        time in sessions (``sessions``: touch hours spread evenly over the elapsed working
        days, each taking a person of the team's role, urgent first)."""
        i = enquiry.case
        now = self.env.now
        area = self.ctx.cases.area[i]
        enquiry.held = place = self.places[area].free.pop()
        self.record((i, self.code["started"], now, self.place_ids[area], place, 0))
        enquiry.clock = clock = self.staff[area].clock  # as staffed now, for every session
        enquiry.end = clock.add_working_days(now, days)
        enquiry.allocated, enquiry.days = now, days
        if hours > 0:
            every = self.step.session_every_working_days
            enquiry.sessions = n = max(1, math.ceil(days / every)) if every > 0 else 1
            enquiry.each = hours / n * self.staff[area].stretch
            enquiry.start_hours = clock.hours_at(now)
            enquiry.priority = self.ctx.cases.priority[i]

    def _session_time(self, enquiry: Enquiry) -> float:
        """When the next session of touch work is due."""
        k, n, clock = enquiry.session, enquiry.sessions, enquiry.clock
        if not k:
            return enquiry.allocated
        return clock.time_at(enquiry.start_hours + enquiry.days * clock.hours * k / n)

    def _work(self, enquiry: Enquiry) -> float:
        """A person takes the session now (``enquiry.person``); its length."""
        i = enquiry.case
        area = self.ctx.cases.area[i]
        staff = self.staff[area]
        enquiry.person = person = staff.free.pop()
        now = self.env.now
        clock = enquiry.clock
        start = self.code["work_started"]
        self.record((i, start, clock.next_open(now), self.staff_ids[area], person, 0))
        return clock.add_hours(now, enquiry.each) - now

    def _worked(self, enquiry: Enquiry) -> None:
        """The session is done: record it, free the person."""
        i = enquiry.case
        area = self.ctx.cases.area[i]
        staff = self.staff[area]
        done = self.code["work_done"]
        self.record((i, done, self.env.now, self.staff_ids[area], enquiry.person, 0))
        staff.free.append(enquiry.person)
        staff.give_back()
        enquiry.session += 1

    def _conclude(self, enquiry: Enquiry) -> None:
        """The enquiry concludes: record it, free the place."""
        i = enquiry.case
        area = self.ctx.cases.area[i]
        places = self.places[area]
        finished = self.code["finished"]
        self.record(
            (i, finished, self.env.now, self.place_ids[area], enquiry.held, self.outcomes[0])
        )
        places.free.append(enquiry.held)
        places.give_back()

    # The callbacks: each stage, then what it waits for

    def _allocated(self, enquiry: Enquiry) -> None:
        k, j = enquiry.case >> SHIFT, enquiry.case & MASK
        self._allocate(enquiry, self.draws["days"][k][j], self.draws["hours"][k][j])
        self._next_session(enquiry)

    def _next_session(self, enquiry: Enquiry) -> None:
        if enquiry.session >= enquiry.sessions:
            self._wait_to_conclude(enquiry)
            return
        env = self.env
        at = self._session_time(enquiry)
        if at > env.now:
            enquiry.callbacks = (self._session_due,)
            env.call_later(at - env.now, enquiry)  # type: ignore[attr-defined]
        else:
            self._session_due(enquiry)

    def _session_due(self, enquiry: Enquiry) -> None:
        enquiry.callbacks = (self._session_starts,)
        if self.staff[self.ctx.cases.area[enquiry.case]].join(enquiry.priority, enquiry):
            self._session_starts(enquiry)

    def _session_starts(self, enquiry: Enquiry) -> None:
        enquiry.callbacks = (self._session_ends,)
        self.env.call_later(self._work(enquiry), enquiry)  # type: ignore[attr-defined]

    def _session_ends(self, enquiry: Enquiry) -> None:
        self._worked(enquiry)
        self._next_session(enquiry)

    def _wait_to_conclude(self, enquiry: Enquiry) -> None:
        env = self.env
        if enquiry.end > env.now:
            enquiry.callbacks = (self._concluded,)
            env.call_later(enquiry.end - env.now, enquiry)  # type: ignore[attr-defined]
        else:
            self._concluded(enquiry)

    def _concluded(self, enquiry: Enquiry) -> None:
        self._conclude(enquiry)
        self.ctx.passed(enquiry.case, self, 0)


class Enquiry(Call):
    """An enquiry under way: its place (``held``), its end, and its sessions of touch work."""

    __slots__ = (
        "allocated",
        "clock",
        "days",
        "each",
        "end",
        "person",
        "priority",
        "session",
        "sessions",
        "start_hours",
    )

    def __init__(self, then: Callable[[Enquiry], None], i: int) -> None:
        super().__init__((then,), i, 0)  # type: ignore[arg-type]
        self.session = self.sessions = 0


def _longer_than(dist: Distribution, age: float, rng: np.random.Generator) -> float:
    """A duration drawn from ``dist`` given that it exceeds ``age`` (by rejection, 64 at a
    time); ``age`` itself (the case closes at once) if 1,024 draws give none longer."""
    for _ in range(16):
        draws = dist.sample(rng, 64)
        longer = draws[draws > age]
        if longer.size:
            return float(longer[0])
    return age


def check(name: str, step: EnquiryStep, scenario: Scenario, file: str) -> None:
    key = f"steps.{name}"
    need_team_role(file, key, scenario, step.team, step.role, caseload=True)
    given = (step.duration_working_days is not None, bool(step.duration_by_risk_level))
    if sum(given) != 1:
        raise ScenarioError(
            file,
            f"{key}.duration_working_days",
            "exactly one of duration_working_days and duration_by_risk_level",
            "<both>" if all(given) else "<neither>",
        )
    levels = scenario.demand.risk_levels
    if step.duration_by_risk_level and set(step.duration_by_risk_level) != set(levels):
        missing = sorted(set(levels) - set(step.duration_by_risk_level))
        extra = sorted(set(step.duration_by_risk_level) - set(levels))
        raise ScenarioError(
            file,
            f"{key}.duration_by_risk_level",
            "one duration per risk level in demand.risk_levels (" + ", ".join(levels) + ")",
            f"<missing {missing}, unexpected {extra}>",
        )


KIND = StepKind(
    name="enquiry",
    summary="allocation to a caseload place, held for working days of enquiry work",
    schema=EnquiryStep,
    runner=EnquiryRunner,
    streams=("duration", "touch"),
    touch_spans=(("work_started", "work_done"),),
    place_span=("started", "finished"),
    totals={
        "enquiries_concluded": Count("finished", None, "funnel", "enquiries concluded"),
    },
    wait_name="allocation",
    check=check,
)
