"""Contacts: when they arrive and everything about them that chance decides.

Arrivals are a non-homogeneous Poisson process: each day's count is Poisson with a rate set
by the yearly volume, growth, month of year and day of week; times within the day are
uniform. What a contact *is* (its source, area, subject, priority, risk level, abuse type
and location) is drawn here, vectorised, each from its own named stream, when the contact
is created; each step draws what *it* decides in the same way (``sgsim.model.steps``). The
pathway then only uses these values, so changing staffing never changes who arrives or
what they need (common random numbers), and the event loop draws no random numbers.
"""

from __future__ import annotations

import calendar as pycal
import datetime as dt
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from sgsim.model.streams import stream
from sgsim.scenario.schema import DAYS_PER_YEAR, PRIORITIES, ROUTE_ATTRIBUTES, Demand, Scenario


def daily_rates(s: Scenario) -> np.ndarray:
    """Expected contacts on each simulated day (warm-up included)."""
    d = s.demand
    n = s.horizon_days
    dates = [s.origin + dt.timedelta(days=i) for i in range(n)]
    month = np.array([x.month - 1 for x in dates])
    weekday = np.array([x.weekday() for x in dates])
    years_from_start = (np.arange(n) - s.run.warmup_days) / DAYS_PER_YEAR
    growth = (1 + d.growth_per_year) ** years_from_start
    return d.daily_contacts * growth * month_weights(d)[month] * weekday_weights(d)[weekday]


def month_weights(d: Demand) -> np.ndarray:
    """Each month's relative volume, scaled so that a year's days average 1."""
    month_w = np.asarray(d.month_of_year, dtype=float)
    month_len = np.array([pycal.monthrange(2023, m + 1)[1] for m in range(12)], dtype=float)
    return month_w / (month_w @ month_len / month_len.sum())


def weekday_weights(d: Demand) -> np.ndarray:
    """Each weekday's relative volume, scaled so that a week's days average 1."""
    dow_w = np.asarray(d.day_of_week, dtype=float)
    return dow_w / dow_w.mean()


def arrival_times(s: Scenario, seed: int, replication: int) -> np.ndarray:
    """Sorted arrival times (days) of the new contacts over the whole run."""
    rng = stream(seed, replication, "demand", "arrivals")
    counts = rng.poisson(daily_rates(s))
    day = np.repeat(np.arange(s.horizon_days), counts)
    return np.sort(day + rng.random(day.size))


# Case attributes drawn on arrival, each from its own stream named after it.
ATTRIBUTES = ("source", "area", "subject", "priority", "risk_level", "abuse_type", "location")


TYPECODES = {"route_key": "i"}  # each field's ``array`` typecode if not "h"


@dataclass
class Cases:
    """Per-contact attributes as ``array``s (scalar access in the event loop as fast as a
    list's): two bytes a category (``validate`` allows at most
    ``sgsim.scenario.limits.MAX_CATEGORIES`` of each), four a route key (at most
    ``sgsim.scenario.sizes.MAX_ROUTE_CELLS``).

    ``route_key`` combines the attributes routes may test into one index, so a step finds
    a case's next step with two list look-ups.
    """

    source: array[int]
    area: array[int]
    subject: array[int]
    priority: array[int]
    risk_level: array[int]
    abuse_type: array[int]
    location: array[int]
    route_key: array[int]

    @classmethod
    def empty(cls) -> Cases:
        return cls(*(array(TYPECODES.get(name, "h")) for name in cls.__dataclass_fields__))

    def __len__(self) -> int:
        return len(self.source)

    def extend(self, other: Cases) -> None:
        for name in self.__dataclass_fields__:
            getattr(self, name).extend(getattr(other, name))


def pick(rng: np.random.Generator, shares: Iterable[float], n: int) -> np.ndarray:
    """Categorical draws by inverting the cumulative shares of one uniform each."""
    cum = np.cumsum(np.asarray(list(shares), dtype=float))
    cum /= cum[-1]
    return np.minimum(np.searchsorted(cum, rng.random(n), side="right"), len(cum) - 1)


def route_key(s: Scenario, values: dict[str, np.ndarray]) -> np.ndarray:
    """One index over the attributes routes test (mixed radix, ``ROUTE_ATTRIBUTES`` order)."""
    key = np.zeros(values["source"].size, dtype=np.int64)
    for name in ROUTE_ATTRIBUTES:
        key = key * len(s.demand.categories(name)) + values[name]
    return key


def route_key_count(s: Scenario) -> int:
    """How many different route keys a contact can have."""
    return int(np.prod([len(s.demand.categories(name)) for name in ROUTE_ATTRIBUTES]))


def draw_cases(
    s: Scenario, streams: Mapping[str, np.random.Generator], n: int, priority: str | None = None
) -> Cases:
    """Draw what ``n`` contacts are about, one stream per attribute (``attribute_streams``),
    continuing where the last draw from ``streams`` left them; ``priority`` gives every case
    that priority instead (other work or a backlog ranked on its own). The priority stream
    is drawn either way, so no other draw moves."""
    values = {name: pick(streams[name], s.demand.mix(name).values(), n) for name in ATTRIBUTES}
    if priority is not None:
        values["priority"] = np.full(n, PRIORITIES.index(priority))
    values["route_key"] = route_key(s, values)
    codes = {name: TYPECODES.get(name, "h") for name in values}
    return Cases(
        **{name: array(codes[name], v.astype(codes[name]).tobytes()) for name, v in values.items()}
    )


def attribute_streams(
    seed: int, replication: int, block: int | None = None
) -> dict[str, np.random.Generator]:
    """The stream of each attribute drawn on arrival, for the contacts of ``block``."""
    return {name: stream(seed, replication, "demand", name, block) for name in ATTRIBUTES}
