"""Open caseloads at the start (issue #9, item 3): cases already allocated on day 0.

Known answers: an open case allocated ``a`` working days ago with a fixed duration of
``d`` working days holds its place for ``d - a`` more (round-the-clock working days are
calendar days); a cap filled at the start makes the first case waiting for a place wait
until the first open case closes.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import area_teams_raw, backlog_raw, make, rejected

from sgsim.analysis.metrics import compute
from sgsim.model import simulate


def open_raw(open_: int, cap: float = 2, **backlog) -> dict:
    """One round-the-clock practitioner holding up to ``cap`` enquiries of 10 working days."""
    raw = backlog_raw(0)
    raw["teams"]["desk"]["roles"]["officer"]["caseload_cap"] = cap
    raw["steps"] = {
        "enquiry": {
            "kind": "enquiry",
            "team": "desk",
            "role": "officer",
            "duration_working_days": {"dist": "fixed", "value": 10},
            "next": "done",
        },
        "done": {"kind": "exit"},
    }
    raw["backlog"] = {"enquiry": {"open": open_} | backlog}
    return raw


def test_open_cases_close_when_what_is_left_of_their_duration_has_passed():
    raw = open_raw(2, open_age_working_days={"dist": "fixed", "value": 4})
    s = make(raw)
    log = simulate(s, 1)
    closed = log.time[log.rows("finished", step="enquiry")]
    assert closed.tolist() == [6.0, 6.0]  # 10 - 4 working days, round the clock
    m = compute(log, s)
    assert m["enquiry_open_cleared_day"] == 6.0 and m["enquiry_open_end"] == 0
    assert m["contacts"] == 0  # open cases are not contacts of the run
    # the cap is full on day 0: the caseload is 2 places for 6 days of the 60
    assert m["caseload_mean_desk_officer"] == pytest.approx(2 * 6 / 60)


def test_ages_spread_evenly_up_to_the_oldest():
    """Ages uniform on [0, 8): each closes at 10 - age, between day 2 and day 10."""
    s = make(open_raw(500, cap=1000, open_oldest_working_days=8))
    log = simulate(s, 3)
    closed = log.time[log.rows("finished", step="enquiry")]
    assert closed.size == 500 and closed.min() > 2 and closed.max() <= 10
    # uniform ages: the mean time left is 10 - 4 = 6 (standard error 2.3 / sqrt(500) = 0.1;
    # 0.4 is four of them, a false failure about 1 seed in 15,000)
    assert np.mean(closed) == pytest.approx(6, abs=0.4)


def test_a_cap_full_at_the_start_delays_the_first_allocation():
    """Both places held for 4 more days: the case waiting on day 0 is allocated on day 4."""
    raw = open_raw(2, open_age_working_days={"dist": "fixed", "value": 6}, waiting=1)
    log = simulate(make(raw), 1)
    started = log.rows("started", step="enquiry")
    waited = np.isnan(log.attributes["open_age"])[log.case[started]]
    assert log.time[started][waited].tolist() == [4.0]


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (open_raw(3), "backlog.enquiry.open: expected at most the caseload places (2:"),
        (
            open_raw(
                1, open_oldest_working_days=3, open_age_working_days={"dist": "fixed", "value": 1}
            ),
            "either open_oldest_working_days or open_age_working_days",
        ),
    ],
)
def test_bad_open_caseloads_are_refused_in_one_line(raw, words):
    assert words in rejected(lambda: make(raw))


def test_open_cases_only_where_places_are_held():
    raw = backlog_raw(0)
    raw["backlog"] = {"assessment": {"open": 1}}
    assert "open cases only at a step holding caseload places" in rejected(lambda: make(raw))


def test_other_work_open_at_the_start_fills_the_same_caseload():
    """Two assessments open on day 0 with 4 working days left fill both places of the
    practitioner's caseload: the enquiry waiting on day 0 is allocated on day 4, and the
    open assessments count as other work, not as safeguarding cases."""
    raw = open_raw(0, waiting=1)
    raw["steps"]["assessment"] = {
        "kind": "other_work",
        "team": "desk",
        "role": "officer",
        "duration_working_days": {"dist": "fixed", "value": 10},
        "next": "done",
    }
    raw["demand"]["other_work"] = {"assessments": {"per_day": 1e-6, "entry": "assessment"}}
    raw["backlog"]["assessment"] = {
        "open": 2,
        "open_age_working_days": {"dist": "fixed", "value": 6},
    }
    log = simulate(make(raw), 1)
    enquiry = log.rows("started", step="enquiry")
    assert log.time[enquiry].tolist() == [4.0]
    opened = ~np.isnan(log.attributes["open_age"])
    assert np.all(log.attributes["other_work"][opened] == 0)
    m = compute(log, make(raw))
    assert m["assessment_open_cleared_day"] == 4.0


def by_team_raw(counts: dict) -> dict:
    raw = area_teams_raw()
    raw["backlog"] = {"enquiry": {"open_by_team": counts, "open_oldest_working_days": 5}}
    return raw


def test_open_caseloads_by_team_start_in_each_team():
    """Counts given per team of an area-routed step: each team's places are taken on day 0
    by exactly its own count (bookkeeping of the configuration)."""
    log = simulate(make(by_team_raw({"locality_north": 3, "locality_west": 1})), 2)
    started = log.rows("started", step="enquiry") & (log.time == 0)
    pools, counts = np.unique(log.pool[started], return_counts=True)
    assert {log.pools[p]: int(c) for p, c in zip(pools, counts, strict=True)} == {
        "locality_north_practitioner_caseload": 3,
        "locality_west_practitioner_caseload": 1,
    }


@pytest.mark.parametrize(
    ("counts", "words"),
    [
        ({"locality_nort": 1}, "open_by_team.locality_nort: expected one of the teams by area"),
        ({"locality_north": 7}, "open_by_team.locality_north: expected at most the caseload"),
    ],
)
def test_bad_open_caseloads_by_team_are_refused_in_one_line(counts, words):
    assert words in rejected(lambda: make(by_team_raw(counts)))
