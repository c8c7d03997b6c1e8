"""Working time: which days are working days, and how many working hours lie between times.

Simulated time is in days from the scenario's origin (the start of the warm-up). A working
calendar opens at ``open_hour`` on Mon-Fri that are not bank holidays (England's, from the
``holidays`` package) and stays open ``hours_per_day`` hours. It gives each instant a
*working clock* W(t), the working hours elapsed since time zero; a task of h touch hours
started at t ends at the first instant where W = W(t) + h. A task picked up out of hours
thus waits for the next opening and may carry over a night or a weekend: one timeout per
task, no shift events. A 24/7 calendar has W(t) = 24 t.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from functools import lru_cache

import holidays
import numpy as np

from sgsim.scenario.limits import CALENDAR_MARGIN_DAYS
from sgsim.scenario.schema import Scenario


@lru_cache(maxsize=64)
def bank_holidays(region: str, first_year: int, last_year: int) -> tuple[dt.date, ...]:
    """Bank holidays of the region over the years, or none."""
    if region == "none":
        return ()
    days = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    return tuple(sorted(days))


class WorkingDays:
    """Which simulated days are working days, for targets counted in working days."""

    def __init__(self, origin: dt.date, n_days: int, closed: tuple[dt.date, ...]) -> None:
        self.origin = origin
        self.n_days = n_days
        first = np.datetime64(origin, "D")
        dates = first + np.arange(n_days)
        self.is_working = np.is_busday(dates, holidays=np.array(closed, dtype="datetime64[D]"))
        # working_before[d] = number of working days among days 0..d-1
        self.working_before = np.concatenate(([0], np.cumsum(self.is_working)))

    def elapsed(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Working days in (start day, end day]: 0 for a same-day decision, 5 a week later.

        This is how a '5 working day' target is counted: the day a contact arrives is day
        zero and each following working day counts one.
        """
        s = np.floor(start).astype(np.int64) + 1
        e = np.floor(end).astype(np.int64) + 1
        return self.working_before[e] - self.working_before[s]

    def deadline(self, start: np.ndarray, target: int) -> np.ndarray:
        """The end of the ``target``-th working day after each start's day (a time).

        A decision before it is within a target of ``target`` working days, counted as in
        ``elapsed``; a target of 0 means by the end of the same day.
        """
        day = np.floor(np.nan_to_num(start, nan=0)).astype(np.int64)
        if target == 0:
            end = day + 1.0
        else:
            working = np.flatnonzero(self.is_working)
            k = self.working_before[day + 1] + target - 1
            end = working[np.minimum(k, working.size - 1)] + 1.0
        return np.where(np.isnan(start), np.nan, end)


class WorkingClock:
    """Working hours as a clock: W(t) and its inverse, O(1) per call for the event loop."""

    def __init__(self, days: WorkingDays | None, open_hour: float, hours_per_day: float) -> None:
        self.always_open = days is None
        self.hours = hours_per_day
        self.open = open_hour / 24.0
        self.length = hours_per_day / 24.0
        if days is not None:
            self._working_array = days.is_working
            self._before_array = days.working_before[:-1] * hours_per_day
            self.is_working = days.is_working.tolist()
            self.before = (days.working_before * hours_per_day).tolist()
            self.working_index = np.flatnonzero(days.is_working).tolist()
            self.n_days = days.n_days
            # for ``task``: each working day's opening time, and per day (working?, hours
            # before it, its opening, the next opening after its close)
            self.openings = [k + self.open for k in self.working_index]
            self.closing = self.open + self.length
            after = np.searchsorted(self.working_index, np.arange(days.n_days), side="right")
            self.day = [
                (w, b, d + self.open, self.openings[k] if k < len(self.openings) else math.inf)
                for d, (w, b, k) in enumerate(
                    zip(self.is_working, self.before[:-1], after.tolist(), strict=True)
                )
            ]

    def hours_at(self, t: float) -> float:
        """W(t): working hours elapsed from time zero to t."""
        if self.always_open:
            return t * 24.0
        d = int(t)
        if d >= self.n_days:
            raise ValueError(f"time {t:.1f} is past the calendar's {self.n_days} days")
        if not self.is_working[d]:
            return self.before[d]
        x = t - d - self.open
        if x <= 0:
            return self.before[d]
        if x >= self.length:
            return self.before[d] + self.hours
        return self.before[d] + x * 24.0

    def time_at(self, w: float) -> float:
        """The first instant t with W(t) = w (a task ending at close ends that evening).

        Work ending past the calendar's last day ends at infinity: the calendar runs a
        margin past the end of the run that holds the longest mean work validation
        accepts, so only a draw from a distribution's tail gets there, and that work is
        unfinished at the end of the run either way.
        """
        if self.always_open:
            return w / 24.0
        k = math.ceil(w / self.hours) - 1 if w > 0 else 0
        if k >= len(self.working_index):
            return math.inf
        rem = w - k * self.hours
        return self.working_index[k] + self.open + rem / 24.0

    def next_open(self, t: float) -> float:
        """t if the calendar is open at t, else the next opening time."""
        if self.always_open:
            return t
        d = int(t)
        if self.is_working[d]:
            x = t - d
            if x < self.open:
                return d + self.open
            if x < self.open + self.length:
                return t
        k = bisect.bisect_right(self.working_index, d)
        return self.working_index[k] + self.open

    def add_hours(self, t: float, hours: float) -> float:
        """When work of ``hours`` touch hours taken up at ``t`` is finished: no earlier than
        the next opening, when it begins, even if it is too short to move the working clock
        (taken up after closing, it would otherwise end at that day's close)."""
        if hours <= 0:
            return t
        end = self.time_at(self.hours_at(t) + hours)
        return end if end > t else self.next_open(t)

    def task(self, t: float, hours: float, stretch: float) -> tuple[float, float]:
        """When a task of ``hours`` touch hours (each taking ``stretch`` hours) taken up at
        ``t`` begins (``next_open``, or t itself for no work) and ends (``add_hours``): the
        same values, in one call with one look-up of the day, for the event loop."""
        h = hours * stretch
        if self.always_open:
            if h <= 0:
                return t, t
            end = (t * 24.0 + h) / 24.0
            return t, (end if end > t else t)
        d = int(t)
        if d >= self.n_days:
            raise ValueError(f"time {t:.1f} is past the calendar's {self.n_days} days")
        working, before, opening, after = self.day[d]
        begin = after
        if working:
            x = t - d
            if x < self.open:
                begin = opening
            elif x < self.closing:
                begin = t
            x -= self.open
            if x > 0:
                before += self.hours if x >= self.length else x * 24.0
        if h <= 0:
            return (begin if hours > 0 else t), t
        w = before + h  # time_at(w), written out
        k = math.ceil(w / self.hours) - 1 if w > 0 else 0
        openings = self.openings
        end = openings[k] + (w - k * self.hours) / 24.0 if k < len(openings) else math.inf
        return (begin if hours > 0 else t), (end if end > t else begin)

    def add_working_days(self, t: float, days: float) -> float:
        """Elapsed time of ``days`` working days from t (enquiry durations)."""
        return self.add_hours(t, days * self.hours)

    def hours_at_many(self, t: np.ndarray) -> np.ndarray:
        """W(t) for an array of times (metrics)."""
        t = np.asarray(t, dtype=float)
        if self.always_open:
            return t * 24.0
        d = np.floor(t).astype(np.int64)
        x = np.clip(t - d - self.open, 0.0, self.length) * 24.0
        return self._before_array[d] + np.where(self._working_array[d], x, 0.0)


def scenario_days(s: Scenario) -> WorkingDays:
    """The scenario's working days, from its origin to well past the end of the run (a
    day more for each extra closed day, which could otherwise fall in the margin)."""
    n = s.horizon_days + CALENDAR_MARGIN_DAYS + len(s.calendar.closed_days)
    last = s.origin + dt.timedelta(days=n)
    closed = bank_holidays(s.calendar.bank_holidays, s.origin.year, last.year)
    return WorkingDays(s.origin, n, closed + tuple(s.calendar.closed_days))


def team_clock(s: Scenario, team: str, role: str, days: WorkingDays) -> WorkingClock:
    """The working clock the people of a role in a team work to."""
    r = s.role(team, role)
    always = r.calendar == "24/7" or r.works_shifts  # shifts: a task starts when someone is on
    return WorkingClock(None if always else days, s.calendar.open_hour, r.hours_per_day)
