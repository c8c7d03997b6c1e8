"""Rosters: how many people of a role are on at each moment, for roles that work shifts.

A role on a rota (a 24/7 front door with so many people on each shift, an out-of-hours
team after 6 pm) has, at any moment, the people of the shift then on; a role on the
working calendar with overtime has its people on from opening to closing on working days.
Either is a roster: the times its people come on and go off. The staff pool
(``sgsim.model.pools.ShiftPool``) lets a task start only while someone is free and on.

Work in progress at the end of a shift is **finished** by whoever holds it (nobody starts
a new task after their shift ends): a task is a person's touch time in one piece, minutes
for front-door work, so it runs in real time from when it starts. The time past the end
of the shift counts as hours at work (``overrun_hours_per_year_POOL`` in the metrics).

A rota's people stand for its rostered people at work: each task is stretched by
1 / ((1 - absence_rate) x (1 - other_work_share)), so the hours the pathway gets are the
rostered hours times the share at work, as for every other role
(``sgsim.model.pools.task_stretch``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sgsim.model.calendar import WorkingDays
from sgsim.scenario.schema import Role, Scenario

HOURS_PER_DAY = 24.0


@dataclass(frozen=True)
class Roster:
    """Spans of time, in days from the origin, each with the people on; in time order and
    not overlapping (``sgsim.scenario.rotas`` refuses shifts that overlap)."""

    start: np.ndarray
    end: np.ndarray
    people: np.ndarray

    def changes(self) -> list[tuple[float, int]]:
        """(time, people on from then) at every change, for the pool's shift process."""
        out: list[tuple[float, int]] = []
        for start, end, people in zip(
            self.start.tolist(), self.end.tolist(), self.people.tolist(), strict=True
        ):
            if out and out[-1][0] == start:  # one shift ends as the next starts
                out[-1] = (start, people)
            else:
                out.append((start, people))
            out.append((end, 0))
        return out

    def person_hours(self, t: np.ndarray) -> np.ndarray:
        """Person-hours rostered from time zero to each time t (the utilisation's
        denominator)."""
        return person_hours(self.start, self.end, self.people, t)


def person_hours(
    start: np.ndarray, end: np.ndarray, people: np.ndarray, t: np.ndarray
) -> np.ndarray:
    """Person-hours from time zero to each time t of spans (start, end, people), which may
    overlap: the sum of people x (t - start) over spans started by t, less people x
    (t - end) over spans ended by t, from sorted starts and ends."""
    t = np.asarray(t, dtype=float)
    return (_after(start, people, t) - _after(end, people, t)) * HOURS_PER_DAY


def _after(times: np.ndarray, people: np.ndarray, t: np.ndarray) -> np.ndarray:
    """The sum over times <= t of people x (t - time), for each t."""
    order = np.argsort(times, kind="stable")
    times, people = times[order], people[order]
    k = np.searchsorted(times, t, side="right")
    count = np.concatenate(([0.0], np.cumsum(people)))
    weighted = np.concatenate(([0.0], np.cumsum(people * times)))
    return count[k] * t - weighted[k]


def people_on(start: np.ndarray, end: np.ndarray, people: np.ndarray, t: np.ndarray) -> np.ndarray:
    """The people of spans (start, end, people) on at each time t."""

    def started(times: np.ndarray) -> np.ndarray:
        order = np.argsort(times, kind="stable")
        count = np.concatenate(([0.0], np.cumsum(people[order])))
        return count[np.searchsorted(times[order], t, side="right")]

    return started(start) - started(end)


def overrun_hours(
    busy: tuple[np.ndarray, np.ndarray],
    on: tuple[np.ndarray, np.ndarray, np.ndarray],
    t: np.ndarray,
) -> np.ndarray:
    """Person-hours from time zero to each time t worked by more people than were on:
    tasks (``busy``: starts, ends) finished after their people's shift ended. ``on``
    gives the spans of people on (starts, ends, people): the roster and the overtime."""
    t0, t1 = busy
    edges = np.unique(np.concatenate([t0, t1, on[0], on[1]]))
    if not edges.size:
        return np.zeros_like(t)
    ones = np.ones(t0.size)
    over = np.maximum(people_on(t0, t1, ones, edges) - people_on(*on, edges), 0.0)
    whole = np.concatenate(([0.0], np.cumsum(over[:-1] * np.diff(edges))))
    j = np.searchsorted(edges, t, side="right") - 1
    inside = np.where(j >= 0, whole[j] + over[j] * (t - edges[np.maximum(j, 0)]), 0.0)
    return inside * HOURS_PER_DAY


def roster(s: Scenario, role: Role, days: WorkingDays) -> Roster:
    """The role's roster from the origin to the end of ``days``: its rota's shifts by
    weekday (bank holidays as any other day: a rota says who is on, whatever the date),
    or its working days with every simulated person on from opening to closing."""
    from sgsim.model.pools import staff_count

    n = days.n_days
    if role.rota:
        first = s.origin.weekday()
        spans = [
            (d + shift.start / HOURS_PER_DAY, shift.hours, shift.people)
            for d in range(-1, n)  # the night shift of the day before the origin
            for shift in role.rota.values()
            if (first + d) % 7 in shift.weekdays() and shift.people > 0
        ]
    else:
        people = staff_count(role)
        opening = s.calendar.open_hour / HOURS_PER_DAY
        working = np.flatnonzero(days.is_working).tolist()
        spans = [(d + opening, role.hours_per_day, people) for d in working]
    spans.sort()
    start = np.array([a for a, _, _ in spans], dtype=float)
    end = start + np.array([h for _, h, _ in spans], dtype=float) / HOURS_PER_DAY
    keep = end > 0
    return Roster(
        start=np.maximum(start[keep], 0.0),
        end=end[keep],
        people=np.array([p for _, _, p in spans], dtype=float)[keep],
    )


def rota_words(role: Role) -> str:
    """A rota in words, for describe: 'early every_day 7:00 8 h x 3; night ...'."""
    return "; ".join(
        f"{name} {', '.join(shift.days)} {_clock(shift.start)} {shift.hours:g} h x {shift.people}"
        for name, shift in role.rota.items()
    )


def _clock(hour: float) -> str:
    minutes = round(hour * 60)
    return f"{minutes // 60}:{minutes % 60:02d}"
