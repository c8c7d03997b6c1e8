"""The panel step kind: decisions made together at meetings every so many days.

Known answers: with Poisson arrivals and a meeting every T days that decides everyone
waiting, a case's wait is uniform on (0, T) (a Kolmogorov-Smirnov test at the 1% level,
seeded, so it passes or fails the same every run); with a cap of k a meeting decides
exactly min(k, cases waiting) cases, a count that follows from the configuration.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import make, minimal_raw
from scipy import stats

from sgsim.analysis.metrics import compute
from sgsim.model import simulate
from sgsim.outputs.describe import assumptions
from sgsim.scenario.errors import ScenarioError


def panel_raw(every: float, capacity: int = 0, per_day: float = 3.0) -> dict:
    raw = minimal_raw()
    raw["calendar"] = {"bank_holidays": "none"}
    raw["demand"] = {"contacts_per_day": per_day, "sources": {"all": {"share": 1.0}}}
    raw["teams"] = {}
    raw["steps"] = {
        "funding_panel": {
            "kind": "panel",
            "every_days": every,
            "first_day": 0.5,
            "capacity": capacity,
            "outcomes": {"agreed": 0.8, "declined": 0.2},
            "routes": [{"outcome": "agreed", "to": "funded"}, {"to": "declined"}],
        },
        "funded": {"kind": "exit"},
        "declined": {"kind": "exit"},
    }
    raw["reported"] = {}
    return raw


def waits(log) -> np.ndarray:
    queued = np.full(log.n_cases, np.nan)
    rows = log.rows("queued", step="funding_panel")
    queued[log.case[rows]] = log.time[rows]
    started = log.rows("started", step="funding_panel")
    return log.time[started] - queued[log.case[started]]


def test_waits_for_a_panel_every_fortnight_are_uniform_over_the_fortnight():
    s = make(panel_raw(every=14))
    wait = waits(simulate(s, 1))
    first_meetings = wait[: 3 * 14]  # cases before the first meeting wait less than T
    wait = wait[first_meetings.size :]
    assert wait.size > 500
    assert stats.kstest(wait, stats.uniform(0, 14).cdf).pvalue > 0.01
    assert wait.max() <= 14


def test_a_capped_panel_decides_at_most_its_capacity_and_the_rest_wait():
    s = make(panel_raw(every=7, capacity=15, per_day=3.0))  # 21 a week arrive, 15 decided
    log = simulate(s, 2)
    started = log.time[log.rows("started", step="funding_panel")]
    meetings, decided = np.unique(np.round(started, 6), return_counts=True)
    assert (decided <= 15).all()
    assert (decided[5:] == 15).all()  # once a backlog has built, every meeting is full
    assert np.allclose(np.diff(meetings), 7)


def test_a_panel_is_described_and_counted_with_no_code_outside_its_module():
    s = make(panel_raw(every=14))
    sections = dict(assumptions(s))
    assert any("funding_panel" in title for title in sections)
    m = compute(simulate(s, 3), s)
    assert m["funding_panel_agreed"] + m["funding_panel_declined"] > 0
    assert m["funding_panel_wait_days_mean"] == pytest.approx(7, rel=0.1)


def test_a_panel_has_no_waiting_list():
    raw = panel_raw(every=14)
    raw["steps"]["funding_panel"]["waiting_list"] = {"max_wait_days": 10}
    with pytest.raises(ScenarioError, match=r"funding_panel\.waiting_list"):
        make(raw)
