"""Waiting-list reviews: every N working days a role reviews each case still waiting.

Known answers that follow from the configuration: one person busy for the whole run with
a task far longer than the run and a backlog of 30 behind it leaves 29 cases waiting at
every review date; reviews every 5 working days over 8 weeks from a Monday (no bank
holidays) fall on the 8 Fridays, so 8 x 29 reviews, each the configured touch time. A
review raising every case's priority moves each normal case up once (urgent cannot go
higher); lowering, each down once (low cannot go lower).
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import make, minimal_raw

from sgsim.analysis.metrics import compute
from sgsim.model import simulate

WAITING = 29  # the backlog of 30, less the one case in service all run


def reviewed_raw(raise_share: float = 0.0, lower_share: float = 0.0, every: int = 5) -> dict:
    raw = minimal_raw()
    raw["run"] = {"start_date": "2023-01-02", "run_days": 56, "warmup_days": 0}  # a Monday
    raw["calendar"] = {"bank_holidays": "none"}
    del raw["demand"]["contacts_per_year"]
    raw["demand"]["contacts_per_day"] = 1e-9  # no contacts but the backlog, in practice
    raw["demand"]["sources"] = {"all": {"share": 1.0}}
    raw["demand"]["priority"] = {"normal": 1.0}
    raw["reported"] = {}
    raw["teams"] = {
        "front_door": {"roles": {"triage_officer": {"headcount": 1}}},
        "managers": {"roles": {"manager": {"headcount": 1}}},
    }
    raw["steps"] = {
        "triage": {
            "kind": "decision",
            "team": "front_door",
            "role": "triage_officer",
            "touch_minutes": {"dist": "fixed", "value": 60 * 1000},  # 135 working days
            "outcomes": {"done": 1.0},
            "next": "out",
            "waiting_list": {
                "review": {
                    "every_working_days": every,
                    "team": "managers",
                    "role": "manager",
                    "minutes": {"dist": "fixed", "value": 12},
                    "raise_share": raise_share,
                    "lower_share": lower_share,
                }
            },
        },
        "out": {"kind": "exit"},
    }
    raw["backlog"] = {"triage": {"waiting": 30}}
    return raw


def waiting_at(log, times: np.ndarray) -> np.ndarray:
    """Cases waiting at triage at each time, from the log's queue events alone."""
    joined = np.sort(log.time[log.rows("queued", step="triage")])
    left = np.sort(log.time[log.rows("started", step="triage")])
    return np.searchsorted(joined, times, "right") - np.searchsorted(left, times, "right")


def test_reviews_are_the_waiting_cases_at_each_review_date_and_cost_their_touch_time():
    s = make(reviewed_raw())
    log = simulate(s, 1)
    fridays = np.arange(4, 56, 7) + 9 / 24  # the 5th, 10th... working day, at opening
    assert (waiting_at(log, fridays) == WAITING).all()  # the configuration holds
    m = compute(log, s)
    assert m["triage_reviews"] == 8 * WAITING
    assert m["triage_review_hours"] == pytest.approx(8 * WAITING * 12 / 60)
    assert m["triage_priority_raised"] == m["triage_priority_lowered"] == 0
    started = log.time[log.rows("review_started", step="triage")]
    assert np.allclose(np.unique(np.floor(started)), np.arange(4, 56, 7))
    # the manager's hours: 8 reviews days of 29 x 12 minutes, over 40 working days of 7.4 h
    assert m["utilisation_managers_manager"] == pytest.approx(8 * WAITING * 0.2 / (40 * 7.4))


@pytest.mark.parametrize(
    ("raise_share", "lower_share", "raised", "lowered"),
    [(1.0, 0.0, WAITING, 0), (0.0, 1.0, 0, WAITING), (0.0, 0.0, 0, 0)],
)
def test_every_review_raising_or_lowering_moves_each_case_one_level_once(
    raise_share, lower_share, raised, lowered
):
    s = make(reviewed_raw(raise_share, lower_share))
    m = compute(simulate(s, 2), s)
    assert m["triage_reviews"] == 8 * WAITING
    assert m["triage_priority_raised"] == raised
    assert m["triage_priority_lowered"] == lowered


def test_cases_raised_by_a_review_are_served_before_those_left_at_normal():
    """One review, on the 30th working day, raises about half of the 25 cases then
    waiting (by chance, seeded); tasks of 40 hours (5.4 working days) let 2 or 3 more start
    in the 13 working days left: each of them is a raised case."""
    raw = reviewed_raw(raise_share=0.5, every=30)
    raw["steps"]["triage"]["touch_minutes"]["value"] = 60 * 40
    raw["run"]["run_days"] = 60
    s = make(raw)
    log = simulate(s, 3)
    raised = log.case[log.rows("reviewed", step="triage", outcome="priority_raised")]
    review = log.time[log.rows("reviewed", step="triage")].max()
    after = log.case[log.rows("started", step="triage") & (log.time > review)]
    assert 5 < raised.size < 20 and after.size >= 2
    assert np.isin(after, raised).all()
