"""Rotas and overtime: a role's people by shift and weekday, extra hours when its queue is long.

Known answers, each worked out by hand from the configuration, not from the code:

- work arriving when nobody is on starts exactly when the next shift starts (weekday and
  hour arithmetic on the calendar);
- with k people on for h hours a day and a queue that never empties, deterministic tasks
  of t minutes give exactly k x ceil(h x 60 / t) tasks a day: everyone starts tasks while
  on and finishes the one in hand (the rule for work in progress at a shift's end); every
  rostered hour is busy, so utilisation (over rostered hours) is exactly 1 when t divides
  the shift;
- an M/M/c queue whose c changes by shift has, in the middle of each shift, the Erlang C
  mean wait of that shift's c;
- overtime with a queue that never falls below its threshold is exactly min(max_people,
  people going off) x extra_hours on every working day; with a threshold never reached,
  none.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import erlang_c_wait, make, minimal_raw
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sgsim.analysis.metrics import compute
from sgsim.model import simulate
from sgsim.scenario.errors import ScenarioError
from sgsim.scenario.schema import DAYS_PER_YEAR

MONDAY = "2023-01-02"


def one_step(role: dict, touch: dict, per_day: float = 0.001, days: int = 28) -> dict:
    """One triage step by ``role`` (team front_door), Poisson contacts, nothing after; the
    run starts on a Monday with no warm-up and no bank holidays."""
    raw = minimal_raw()
    raw["run"] = {"start_date": MONDAY, "run_days": days, "warmup_days": 0}
    raw["calendar"] = {"bank_holidays": "none"}
    del raw["demand"]["contacts_per_year"]
    raw["demand"]["contacts_per_day"] = per_day
    raw["demand"]["sources"] = {"all": {"share": 1.0}}
    raw["demand"]["priority"] = {"normal": 1.0}
    raw["reported"] = {}
    raw["teams"] = {"front_door": {"roles": {"triage_officer": role}}}
    raw["steps"] = {
        "triage": {
            "kind": "decision",
            "team": "front_door",
            "role": "triage_officer",
            "touch_minutes": touch,
            "outcomes": {"done": 1.0},
            "next": "out",
        },
        "out": {"kind": "exit"},
    }
    return raw


def fixed(minutes: float) -> dict:
    return {"dist": "fixed", "value": minutes}


def starts_and_arrivals(log) -> tuple[np.ndarray, np.ndarray]:
    queued = np.full(log.n_cases, np.nan)
    rows = log.rows("queued", step="triage")
    queued[log.case[rows]] = log.time[rows]
    started = log.rows("started", step="triage")
    return log.time[started], queued[log.case[started]]


def next_shift_start(t: float, weekdays: set[int], hour: float, hours: float) -> float:
    """By hand: t itself if a shift (weekday in ``weekdays``, from ``hour`` for ``hours``)
    is on at t, else when the next one starts. Day 0 is a Monday."""
    day = math.floor(t)
    if day % 7 in weekdays and day + hour / 24 <= t < day + (hour + hours) / 24:
        return t
    for d in range(day, day + 8):
        if d % 7 in weekdays and d + hour / 24 >= t:
            return d + hour / 24
    raise AssertionError("no shift within a week")


def test_work_arriving_when_nobody_is_on_waits_exactly_for_the_next_shift():
    # 100 people on 9:00-17:00 on weekdays, 1-minute tasks, 10 contacts a day: nobody
    # waits for a person (a weekend brings about 25), only for the shift
    shift = {"days": "weekdays", "start": 9, "hours": 8, "people": 100}
    s = make(one_step({"rota": {"day": shift}}, fixed(1), per_day=10))
    start, arrived = starts_and_arrivals(simulate(s, 1))
    expected = np.array([next_shift_start(t, {0, 1, 2, 3, 4}, 9, 8) for t in arrived])
    off_shift = expected > arrived
    assert off_shift.sum() > 150 and (~off_shift).sum() > 50
    assert np.allclose(start, expected, rtol=0, atol=1e-9)


@pytest.mark.parametrize(
    ("people", "hours", "minutes", "per_day"),
    [
        (3, 8, 30, 48),  # 30 minutes divides 8 hours: 16 each
        (2, 8, 50, 20),  # 9.6 a shift: the 10th is started and finished after the shift ends
        (1, 12, 45, 16),
    ],
)
def test_throughput_per_day_is_people_times_tasks_a_shift(people, hours, minutes, per_day):
    assert per_day == people * math.ceil(hours * 60 / minutes)  # the hand computation
    shift = {"days": "every_day", "start": 8, "hours": hours, "people": people}
    raw = one_step({"rota": {"day": shift}}, fixed(minutes), days=14)
    raw["backlog"] = {"triage": {"waiting": 2000}}  # a queue that never empties
    log = simulate(make(raw), 2)
    done = log.time[log.rows("finished", step="triage")]
    per = np.bincount(np.floor(done).astype(int), minlength=14)[:14]
    assert (per == per_day).all(), per


def test_utilisation_over_rostered_hours_is_one_when_every_rostered_hour_is_busy():
    rota = {
        "early": {"days": "weekdays", "start": 7, "hours": 8, "people": 3},
        "late": {"days": "weekdays", "start": 15, "hours": 8, "people": 1},
        "weekend": {"days": ["sat", "sun"], "start": 10, "hours": 6, "people": 2},
    }
    raw = one_step({"rota": rota}, fixed(30), days=28)
    raw["backlog"] = {"triage": {"waiting": 5000}}
    s = make(raw)
    m = compute(simulate(s, 3), s)
    assert m["utilisation_front_door_triage_officer"] == pytest.approx(1.0, abs=1e-9)
    # bookkeeping: 4 weeks of (3 x 8 + 8) x 5 + 2 x 6 x 2 = 184 hours, two tasks an hour
    done = simulate(s, 3).rows("finished", step="triage").sum()
    assert done == 4 * 184 * 2


def test_absence_stretches_tasks_so_the_hours_at_work_are_the_rostered_share():
    # 2 people on 8 hours with 20% absence: 12.8 hours of work a day; 32-minute tasks
    # stretched to 40 minutes: 12 a shift each, 24 a day (12.8 h / 32 min = 24)
    shift = {"days": "every_day", "start": 8, "hours": 8, "people": 2}
    raw = one_step({"rota": {"day": shift}, "absence_rate": 0.2}, fixed(32), days=7)
    raw["backlog"] = {"triage": {"waiting": 1000}}
    s = make(raw)
    log = simulate(s, 4)
    done = log.time[log.rows("finished", step="triage")]
    assert (np.bincount(np.floor(done).astype(int), minlength=7)[:7] == 24).all()
    assert compute(log, s)["utilisation_front_door_triage_officer"] == pytest.approx(1.0)


def test_mmc_with_c_changing_by_shift_matches_erlang_c_in_the_middle_of_each_shift():
    """Poisson arrivals at 12 an hour, exponential 6-minute tasks; 4 people on 8:00-20:00
    and 2 on 20:00-8:00 (rho 0.3 and 0.6). Arrivals from 3 to 9 hours into a shift, well
    after the change (relaxation time about 2 hours at rho 0.6), wait on average Erlang C's
    wait for that c. Each 95% interval over replications would miss the true mean one time
    in 20 by chance; the seed is fixed, so the test passes or fails the same every run."""
    rota = {
        "day": {"days": "every_day", "start": 8, "hours": 12, "people": 4},
        "night": {"days": "every_day", "start": 20, "hours": 12, "people": 2},
    }
    raw = one_step({"rota": rota, "calendar": "24/7"}, {"dist": "exponential", "mean": 6})
    raw["demand"]["contacts_per_day"] = 288
    raw["run"]["run_days"] = 60
    s = make(raw)
    means: dict[int, list[float]] = {4: [], 2: []}
    for rep in range(20):
        start, arrived = starts_and_arrivals(simulate(s, 5, rep))
        hour = (arrived % 1) * 24
        day_middle = (hour >= 11) & (hour < 17)
        night_middle = (hour >= 23) | (hour < 5)
        means[4].append(float(np.mean((start - arrived)[day_middle])))
        means[2].append(float(np.mean((start - arrived)[night_middle])))
    for c, values in means.items():
        expected = erlang_c_wait(12 * 24, 10 * 24, c)
        mean, half = np.mean(values), 2.093 * np.std(values, ddof=1) / np.sqrt(len(values))
        assert mean - half <= expected <= mean + half, (c, expected, mean, half)


# --------------------------------------------------------------------------- overtime


def saturated_with_overtime(overtime: dict, headcount: int = 2) -> dict:
    """A working-day role (9:00 for 8 hours) with a queue that never empties."""
    role = {"headcount": headcount, "hours_per_day": 8, "overtime": overtime}
    raw = one_step(role, fixed(30), days=28)
    raw["backlog"] = {"triage": {"waiting": 5000}}
    return raw


@pytest.mark.parametrize(
    ("max_people", "staying"),
    [(1, 1), (2, 2), (5, 2)],  # at most those going off stay
)
def test_overtime_with_a_queue_always_over_the_threshold_is_the_configured_hours(
    max_people, staying
):
    over = {"when_queue_over": 30, "extra_hours": 2, "max_people": max_people}
    s = make(saturated_with_overtime(over))
    log = simulate(s, 6)
    m = compute(log, s)
    working_days = 20  # four weeks from a Monday, no bank holidays
    hours = working_days * 2 * staying
    assert m["overtime_hours_per_year_front_door_triage_officer"] == pytest.approx(
        hours * DAYS_PER_YEAR / 28
    )
    # the extra hours are worked: 16 tasks a person-day, and 4 more for each person staying
    done = log.time[log.rows("finished", step="triage")]
    per = np.bincount(np.floor(done).astype(int), minlength=28)[:28]
    assert (per[np.arange(28) % 7 < 5] == 2 * 16 + 4 * staying).all()
    # utilisation's denominator counts the overtime: every hour at work is busy
    assert m["utilisation_front_door_triage_officer"] == pytest.approx(1.0)


def test_no_overtime_below_the_threshold():
    over = {"when_queue_over": 10_000, "extra_hours": 2, "max_people": 2}
    s = make(saturated_with_overtime(over))
    m = compute(simulate(s, 7), s)
    assert m["overtime_hours_per_year_front_door_triage_officer"] == 0


def test_overtime_after_the_last_shift_of_a_rota():
    # one person 9:00-17:00 on weekdays stays 1.5 hours each weekday; the weekend shift
    # ends with the queue just as long, so its person stays too
    rota = {
        "week": {"days": "weekdays", "start": 9, "hours": 8, "people": 1},
        "weekend": {"days": "weekends", "start": 10, "hours": 4, "people": 3},
    }
    over = {"when_queue_over": 0, "extra_hours": 1.5, "max_people": 1}
    raw = one_step({"rota": rota, "overtime": over}, fixed(30), days=28)
    raw["backlog"] = {"triage": {"waiting": 5000}}
    s = make(raw)
    m = compute(simulate(s, 8), s)
    assert m["overtime_hours_per_year_front_door_triage_officer"] == pytest.approx(
        28 * 1.5 * DAYS_PER_YEAR / 28
    )


def test_time_past_a_shifts_end_finishing_a_task_is_counted_as_hours_at_work():
    # 2 people on 8 hours with 50-minute tasks and a queue that never empties: each starts
    # a 10th task 450 minutes in and finishes it 20 minutes after going off
    shift = {"days": "every_day", "start": 8, "hours": 8, "people": 2}
    raw = one_step({"rota": {"day": shift}}, fixed(50), days=14)
    raw["backlog"] = {"triage": {"waiting": 2000}}
    s = make(raw)
    m = compute(simulate(s, 2), s)
    assert m["overrun_hours_per_year_front_door_triage_officer"] == pytest.approx(
        2 * 20 / 60 * DAYS_PER_YEAR
    )
    assert m["utilisation_front_door_triage_officer"] == pytest.approx(1.0)


SHIFTS = st.fixed_dictionaries(
    {
        "days": st.one_of(
            st.sampled_from(["every_day", "weekdays", "weekends", "sun"]),
            st.lists(st.sampled_from(["mon", "wed", "sat", "sun"]), min_size=1, max_size=3),
        ),
        "start": st.sampled_from([0, 6.5, 8, 17, 23]),
        "hours": st.sampled_from([0.5, 4, 8, 12, 24]),
        "people": st.integers(0, 4),
    }
)


@settings(max_examples=60, suppress_health_check=list(HealthCheck))
@given(
    shifts=st.lists(SHIFTS, min_size=1, max_size=4),
    always=st.booleans(),
    overtime=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_a_rota_is_refused_in_one_line_or_runs_with_its_hours_accounted(
    shifts, always, overtime, seed
):
    """Any rota is either refused with a one-line error or runs; when it runs, the hours
    at work are at least the busy hours (utilisation at most 1)."""
    role: dict = {"rota": {f"s{k}": shift for k, shift in enumerate(shifts)}}
    if always:
        role["calendar"] = "24/7"
    if overtime:
        role["overtime"] = {"when_queue_over": 2, "extra_hours": 3, "max_people": 2}
    raw = one_step(role, {"dist": "exponential", "mean": 40}, per_day=30, days=10)
    try:
        s = make(raw)
    except ScenarioError as exc:
        assert len(str(exc).splitlines()) == 1
        return
    m = compute(simulate(s, seed), s)
    assert m["utilisation_front_door_triage_officer"] <= 1 + 1e-9
    assert m["overrun_hours_per_year_front_door_triage_officer"] >= 0
