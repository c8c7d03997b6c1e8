"""Starting backlogs (issue #9): a run may begin from a council's reported position.

Known answer: with no arrivals, one person working round the clock on one-hour tasks
takes up the last of a backlog of N cases after N - 1 hours and finishes it after N hours;
cases start oldest first.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import backlog_raw, make, minimal_raw

from sgsim.analysis.metrics import compute
from sgsim.model import simulate
from sgsim.scenario.errors import ScenarioError


def test_a_backlog_with_no_arrivals_clears_at_the_rate_staff_time_allows():
    s = make(backlog_raw(500, oldest_days=200))
    log = simulate(s, 1)
    m = compute(log, s)
    assert m["assessment_backlog_cleared_day"] == pytest.approx(499 / 24)
    assert log.time[log.rows("left")].max() == pytest.approx(500 / 24)
    assert m["assessment_backlog_waiting_end"] == 0
    assert m["exit_done"] == 500


def test_the_longest_waiting_are_seen_first():
    s = make(backlog_raw(200, oldest_days=100))
    log = simulate(s, 2)
    started = log.rows("started", step="assessment")
    ages = log.attributes["backlog_age"][log.case[started]]
    order = np.argsort(log.time[started], kind="stable")
    assert np.all(np.diff(ages[order]) <= 0)
    assert ages.min() >= 0 and ages.max() <= 100


def test_a_backlog_too_big_to_clear_says_how_many_are_left():
    s = make(backlog_raw(2000))  # 60 days x 24 one-hour tasks = 1,440 cleared
    m = compute(simulate(s, 3), s)
    assert np.isnan(m["assessment_backlog_cleared_day"])
    assert m["assessment_backlog_waiting_end"] == 2000 - 60 * 24


@pytest.mark.parametrize(
    ("backlog", "key", "words"),
    [
        ({"asessment": {"waiting": 5}}, "backlog.asessment", "did you mean 'assessment'"),
        ({"done": {"waiting": 5}}, "backlog.done", "a step with a queue"),
        ({"assessment": {"waiting": 10**9}}, "backlog", "a run can hold in memory"),
    ],
)
def test_bad_backlogs_are_refused_in_one_line(backlog, key, words):
    raw = backlog_raw(1)
    raw["backlog"] = backlog
    with pytest.raises(ScenarioError) as info:
        make(raw)
    assert f"test.toml: {key}: expected" in str(info.value) and words in str(info.value)


def test_a_backlog_behind_the_front_door_leaves_timeliness_to_new_contacts():
    """Backlog cases have no arrival in the run: they count in no decision time, and the
    run with a backlog at an enquiry step reports as usual."""
    raw = minimal_raw()
    raw["run"]["warmup_days"] = 0
    raw["backlog"] = {"enquiry": {"waiting": 50, "oldest_days": 30}}
    s = make(raw)
    m = compute(simulate(s, 5), s)
    assert m["decision_working_days_mean"] >= 0
    assert m["enquiry_backlog_waiting_end"] == 0
