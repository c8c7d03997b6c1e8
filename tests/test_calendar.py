"""Working-day arithmetic around weekends and England's bank holidays."""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sgsim.model.calendar import WorkingClock, WorkingDays, bank_holidays

ORIGIN = dt.date(2023, 1, 2)  # a Monday
DAYS = WorkingDays(ORIGIN, 800, bank_holidays("england", 2023, 2025))
CLOCK = WorkingClock(DAYS, open_hour=9.0, hours_per_day=7.4)


def day(d: dt.date) -> int:
    return (d - ORIGIN).days


def at(d: dt.date, hour: float) -> float:
    return day(d) + hour / 24


def test_bank_holidays_of_england_2023():
    h = bank_holidays("england", 2023, 2023)
    assert dt.date(2023, 4, 7) in h  # Good Friday
    assert dt.date(2023, 4, 10) in h  # Easter Monday
    assert dt.date(2023, 5, 8) in h  # coronation of King Charles III
    assert dt.date(2023, 3, 17) not in h  # St Patrick's Day is not an English holiday
    assert bank_holidays("none", 2023, 2023) == ()


def test_five_working_days_skip_weekend_and_easter():
    thursday = dt.date(2023, 4, 6)  # before Good Friday and Easter Monday
    start = np.array([at(thursday, 10)])
    # working days after: Tue 11, Wed 12, Thu 13, Fri 14, Mon 17
    assert DAYS.elapsed(start, np.array([at(dt.date(2023, 4, 14), 12)]))[0] == 4
    assert DAYS.elapsed(start, np.array([at(dt.date(2023, 4, 17), 15)]))[0] == 5
    assert DAYS.elapsed(start, np.array([at(thursday, 16)]))[0] == 0


def test_saturday_contact_decided_monday_is_one_working_day():
    sat, mon = dt.date(2023, 1, 7), dt.date(2023, 1, 9)
    assert DAYS.elapsed(np.array([at(sat, 12)]), np.array([at(mon, 11)]))[0] == 1


def test_task_carries_over_the_weekend():
    friday = dt.date(2023, 1, 6)
    # opens 09:00, closes 16:24; 2 h from Friday 16:00 = 0.4 h Friday + 1.6 h Monday
    end = CLOCK.add_hours(at(friday, 16), 2.0)
    assert np.isclose(end, at(dt.date(2023, 1, 9), 10.6))


def test_task_taken_out_of_hours_waits_for_opening():
    saturday = dt.date(2023, 1, 7)
    end = CLOCK.add_hours(at(saturday, 3), 1.0)
    assert np.isclose(end, at(dt.date(2023, 1, 9), 10.0))


def test_task_over_christmas_skips_bank_holidays():
    # 2023-12-22 is a Friday; 25 and 26 December are bank holidays; next opening Wed 27th
    end = CLOCK.add_hours(at(dt.date(2023, 12, 22), 16.0), 1.0)
    assert np.isclose(end, at(dt.date(2023, 12, 27), 9.6))


def test_always_open_clock_is_wall_clock():
    clock = WorkingClock(None, 9.0, 24.0)
    assert clock.add_hours(1.25, 6.0) == 1.5
    assert clock.hours_at(2.0) == 48.0


def test_add_working_days_spans_whole_days():
    monday = dt.date(2023, 1, 9)
    end = CLOCK.add_working_days(at(monday, 9), 5)
    assert np.isclose(end, at(dt.date(2023, 1, 13), 16.4))  # Friday at closing


times = st.floats(min_value=0, max_value=600, allow_nan=False)
hours = st.floats(min_value=0.01, max_value=200, allow_nan=False)


@given(times, hours)
def test_clock_adds_exactly_the_hours_asked(t, h):
    end = CLOCK.add_hours(t, h)
    assert end > t
    assert np.isclose(CLOCK.hours_at(end) - CLOCK.hours_at(t), h, atol=1e-6)


@given(times, hours)
def test_tasks_end_in_working_time(t, h):
    end = CLOCK.add_hours(t, h)
    d = int(end)
    assert DAYS.is_working[d]
    hour = (end - d) * 24
    assert 9.0 - 1e-6 < hour <= 16.4 + 1e-6


@given(times, times)
def test_working_clock_is_monotone(a, b):
    lo, hi = min(a, b), max(a, b)
    assert CLOCK.hours_at(lo) <= CLOCK.hours_at(hi)
    assert np.allclose(
        CLOCK.hours_at_many(np.array([lo, hi])), [CLOCK.hours_at(lo), CLOCK.hours_at(hi)]
    )


def test_next_open():
    monday, saturday = dt.date(2023, 1, 9), dt.date(2023, 1, 7)
    assert CLOCK.next_open(at(monday, 10)) == at(monday, 10)
    assert np.isclose(CLOCK.next_open(at(monday, 7)), at(monday, 9))
    assert np.isclose(CLOCK.next_open(at(monday, 17)), at(dt.date(2023, 1, 10), 9))
    assert np.isclose(CLOCK.next_open(at(saturday, 12)), at(monday, 9))


def test_deadline_is_the_end_of_the_fifth_working_day():
    thursday = dt.date(2023, 4, 6)  # Good Friday and Easter Monday follow
    d = DAYS.deadline(np.array([at(thursday, 10), np.nan]), 5)
    assert d[0] == day(dt.date(2023, 4, 17)) + 1  # end of Monday 17 April
    assert np.isnan(d[1])
    assert DAYS.deadline(np.array([at(thursday, 10)]), 0)[0] == day(thursday) + 1
    # consistent with elapsed(): just before the deadline is 5 working days, after is 6
    assert DAYS.elapsed(np.array([at(thursday, 10)]), np.array([d[0] - 0.01]))[0] == 5
    assert DAYS.elapsed(np.array([at(thursday, 10)]), np.array([d[0] + 0.01]))[0] == 6


@given(
    start=st.floats(min_value=0, max_value=700),
    hours=st.one_of(st.floats(min_value=0, max_value=1e-6), st.floats(min_value=0, max_value=50)),
)
def test_work_never_ends_before_it_can_begin(start, hours):
    """Found by the loader's fuzz test (#13): a task too short to move the working clock
    (a gamma draw of 1e-30 hours), taken up after closing, ended at that day's close,
    before it was taken up. It ends no earlier than the next opening."""
    assert CLOCK.add_hours(start, hours) >= (CLOCK.next_open(start) if hours > 0 else start)


def test_task_begins_at_the_next_opening_and_carries_over_the_weekend():
    """Hand-computed on the 9:00-16:24 calendar: 1.5 touch hours stretched twice, taken up
    on Friday at 15:00, work 1.4 h on Friday and 1.6 h on Monday (ending 10:36); taken up
    on Saturday, they begin at Monday's opening and end at 12:00."""
    friday, saturday, monday = dt.date(2023, 1, 6), dt.date(2023, 1, 7), dt.date(2023, 1, 9)
    begin, end = CLOCK.task(at(friday, 15), 1.5, 2.0)
    assert begin == at(friday, 15)
    assert np.isclose(end, at(monday, 10.6))
    begin, end = CLOCK.task(at(saturday, 12), 1.5, 2.0)
    assert np.isclose(begin, at(monday, 9)) and np.isclose(end, at(monday, 12))
    assert CLOCK.task(at(saturday, 12), 0.0, 2.0) == (at(saturday, 12), at(saturday, 12))
    always = WorkingClock(None, open_hour=9.0, hours_per_day=24.0)
    assert np.allclose(
        always.task(at(saturday, 12), 3.0, 2.0), (at(saturday, 12), at(saturday, 18))
    )


@given(
    start=st.floats(min_value=0, max_value=700),
    hours=st.one_of(st.floats(min_value=0, max_value=1e-6), st.floats(min_value=0, max_value=50)),
    stretch=st.floats(min_value=0.5, max_value=3),
)
def test_task_is_next_open_and_add_hours_in_one_call(start, hours, stretch):
    """Bookkeeping: ``task`` gives, to the last bit, what the event loop used to compute
    with ``next_open`` and ``add_hours`` (so no event moves)."""
    for clock in (CLOCK, WorkingClock(None, open_hour=9.0, hours_per_day=24.0)):
        begin = clock.next_open(start) if hours > 0 else start
        assert clock.task(start, hours, stretch) == (begin, clock.add_hours(start, hours * stretch))
