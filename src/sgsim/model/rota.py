"""Rosters: how many people of a role are on at each moment, for roles that work shifts.

A role on a rota (a 24/7 front door with so many people on each shift, an out-of-hours
team after 6 pm) has, at any moment, the people of the shift then on; a role on the
working calendar with overtime has its people on from opening to closing on working days.
Either is a roster: the times its people come on and go off. The staff pool
(``sgsim.model.pools.ShiftPool``) lets a task start only while someone is free and on.

Work in progress at the end of a shift is **finished** by whoever holds it (nobody starts
a new task after their shift ends): a task is a person's touch time in one piece, minutes
for front-door work, so it runs in real time from when it starts. A rota's people stand
for its rostered people at work: each task is stretched by 1 / ((1 - absence_rate) x
(1 - other_work_share)), so the hours the pathway gets are the rostered hours times the
share at work, as for every other role (``sgsim.model.pools.task_stretch``).
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
        denominator): a sum over spans of people x their hours before t."""
        t = np.asarray(t, dtype=float)
        k = np.searchsorted(self.start, t, side="right")  # spans started by t
        whole = np.concatenate(([0.0], np.cumsum(self.people * (self.end - self.start))))
        last = np.maximum(k - 1, 0)
        partial = np.clip(t - self.start[last], 0.0, self.end[last] - self.start[last])
        partial = np.where(k > 0, partial * self.people[last], 0.0)
        return (whole[last] + partial) * HOURS_PER_DAY if self.start.size else t * 0.0


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
