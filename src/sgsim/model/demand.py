"""Contacts: when they arrive and everything about them that chance decides.

Arrivals are a non-homogeneous Poisson process: each day's count is Poisson with a rate set
by the yearly volume, growth, month of year and day of week; times within the day are
uniform. Every chance outcome of a contact (its source, priority, touch times, the triage
and s42 results, its enquiry's risk level and duration...) is drawn here, vectorised, from
its own random stream, when the contact is created. The pathway then only *uses* these
values, so changing staffing never changes who arrives or what they need (common random
numbers), and the event loop does no random number generation.
"""

from __future__ import annotations

import calendar as pycal
import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from sgsim.model.streams import stream
from sgsim.scenario.distributions import Distribution
from sgsim.scenario.schema import DAYS_PER_YEAR, Scenario


def daily_rates(s: Scenario) -> np.ndarray:
    """Expected contacts on each simulated day (warm-up included)."""
    d = s.demand
    n = s.horizon_days
    dates = [s.origin + dt.timedelta(days=i) for i in range(n)]
    month = np.array([x.month - 1 for x in dates])
    weekday = np.array([x.weekday() for x in dates])
    month_w = np.asarray(d.month_of_year, dtype=float)
    month_len = np.array([pycal.monthrange(2023, m + 1)[1] for m in range(12)], dtype=float)
    month_w = month_w / (month_w @ month_len / month_len.sum())
    dow_w = np.asarray(d.day_of_week, dtype=float)
    dow_w = dow_w / dow_w.mean()
    years_from_start = (np.arange(n) - s.run.warmup_days) / DAYS_PER_YEAR
    growth = (1 + d.growth_per_year) ** years_from_start
    return d.daily_contacts * growth * month_w[month] * dow_w[weekday]


def arrival_times(s: Scenario, seed: int, replication: int) -> np.ndarray:
    """Sorted arrival times (days) of the new contacts over the whole run."""
    rng = stream(seed, replication, "arrivals")
    counts = rng.poisson(daily_rates(s))
    day = np.repeat(np.arange(s.horizon_days), counts)
    return np.sort(day + rng.random(day.size))


@dataclass
class Cases:
    """Per-contact attributes as Python lists (fast scalar access in the event loop)."""

    source: list[int]
    priority: list[int]
    triage_minutes: list[float]
    concern: list[bool]
    second_minutes: list[float]
    second_confirms: list[bool]
    signoff_minutes: list[float]
    overturned: list[bool]
    decision_minutes: list[float]
    s42: list[bool]
    other_enquiry: list[bool]
    risk_level: list[int]
    team: list[int]
    caseload_role: list[int]
    duration_days: list[float]
    enquiry_hours: list[float]
    abuse_type: list[int]
    location: list[int]
    closure_minutes: list[float]
    risk_outcome: list[int]
    returns: list[bool]
    return_delay: list[float]

    def __len__(self) -> int:
        return len(self.source)

    def extend(self, other: Cases) -> None:
        for name in self.__dataclass_fields__:
            getattr(self, name).extend(getattr(other, name))


def pick(rng: np.random.Generator, shares: Any, n: int) -> np.ndarray:
    """Categorical draws by inverting the cumulative shares of one uniform each."""
    cum = np.cumsum(np.asarray(list(shares), dtype=float))
    cum /= cum[-1]
    return np.minimum(np.searchsorted(cum, rng.random(n), side="right"), len(cum) - 1)


def draw_cases(
    s: Scenario, seed: int, replication: int, n: int, return_block: int | None = None
) -> Cases:
    """Draw everything chance decides for ``n`` contacts, one stream per kind of draw.

    ``return_block`` numbers a block of contacts from adults coming back after closure.
    """

    def rng(name: str) -> np.random.Generator:
        return stream(seed, replication, name, return_block)

    def durations(dist: Distribution | None, name: str) -> np.ndarray:
        return dist.sample(rng(name), n) if dist is not None else np.zeros(n)

    source_names = list(s.demand.sources)
    sources = list(s.demand.sources.values())
    source = pick(rng("source"), (x.share for x in sources), n)
    p_concern = np.array([x.concern_probability for x in sources])[source]

    criteria = np.array([s.s42_test.criteria(name) for name in source_names])[source]
    s42 = (rng("criteria").random((n, 3)) < criteria).all(axis=1)

    alloc = s.allocation
    levels = list(alloc.risk_levels)
    risk_level = pick(rng("risk_level"), alloc.risk_levels.values(), n)
    duration_rng = rng("duration")
    by_level = np.stack(
        [s.enquiry.duration_working_days[lv].sample(duration_rng, n) for lv in levels]
    )
    team_of_source = _team_of_source(s)
    team = np.array([team_of_source[name] for name in source_names])[source]
    caseload_role = _caseload_role(s, team, risk_level)

    tri = s.triage
    second = tri.second
    signoff = tri.nfa_signoff
    closure = s.closure
    cases = Cases(
        source=source,
        priority=pick(rng("priority"), s.demand.priority.shares(), n),
        triage_minutes=tri.touch_minutes.sample(rng("triage_touch"), n),
        concern=rng("concern").random(n) < p_concern,
        second_minutes=durations(second.touch_minutes if second else None, "second_touch"),
        second_confirms=rng("second").random(n) < (second.confirm_probability if second else 1),
        signoff_minutes=durations(signoff.touch_minutes if signoff else None, "signoff_touch"),
        overturned=rng("signoff").random(n) < (signoff.overturn_probability if signoff else 0),
        decision_minutes=s.s42_test.touch_minutes.sample(rng("decision_touch"), n),
        s42=s42,
        other_enquiry=rng("other_enquiry").random(n) < s.s42_test.other_enquiry_probability,
        risk_level=risk_level,
        team=team,
        caseload_role=caseload_role,
        duration_days=by_level[risk_level, np.arange(n)],
        enquiry_hours=s.enquiry.touch_hours.sample(rng("enquiry_touch"), n),
        abuse_type=pick(rng("abuse_type"), s.enquiry.abuse_types.values(), n),
        location=pick(rng("location"), s.enquiry.locations.values(), n),
        closure_minutes=durations(closure.signoff_touch_minutes, "closure_touch"),
        risk_outcome=pick(rng("risk_outcome"), closure.risk_outcomes.values(), n),
        returns=rng("return").random(n) < closure.return_probability,
        return_delay=durations(closure.return_after_days, "return_delay"),
    )
    for name in Cases.__dataclass_fields__:
        setattr(cases, name, np.asarray(getattr(cases, name)).tolist())
    return cases


def _team_of_source(s: Scenario) -> dict[str, int]:
    teams = list(s.allocation.teams)
    routed = {
        src: teams.index(name) for name, team in s.allocation.teams.items() for src in team.sources
    }
    default = teams.index(s.allocation.default_team)
    return {src: routed.get(src, default) for src in s.demand.sources}


def _caseload_role(s: Scenario, team: np.ndarray, risk_level: np.ndarray) -> np.ndarray:
    """Index into ``Scenario.caseload_roles()`` of the role that will hold each enquiry."""
    roles = s.caseload_roles()
    levels = list(s.allocation.risk_levels)
    senior_level = np.isin(risk_level, [levels.index(x) for x in s.allocation.senior_risk_levels])
    out = np.empty(team.size, dtype=np.int64)
    for i, t in enumerate(s.allocation.teams.values()):
        standard = roles.index(t.role)
        senior = roles.index(t.senior_role) if t.senior_role else standard
        mask = team == i
        out[mask] = np.where(senior_level[mask], senior, standard)
    return out
