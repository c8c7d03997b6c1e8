"""Other work as its own demand (issue #9): assessments arriving for the same people,
holding places in the same caseload and taking hours from the same people. The checks are
counts and shares that follow from the configuration (4 binomial or Poisson standard
errors: a correct model fails about 6e-5 of the time; seeds are fixed).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from helpers import make, minimal_raw, rejected

from sgsim.analysis.metrics import compute
from sgsim.model import simulate


def with_assessments(per_day: float = 2.0) -> dict:
    """The minimal scenario, with assessments for the same locality practitioners."""
    raw = minimal_raw()
    raw["demand"]["other_work"] = {"assessments": {"per_day": per_day, "entry": "assessment"}}
    raw["steps"]["assessment"] = {
        "kind": "other_work",
        "team": "locality",
        "role": "practitioner",
        "duration_working_days": {"dist": "fixed", "value": 10},
        "touch_hours": {"dist": "fixed", "value": 3},
        "session_every_working_days": 5,
        "next": "assessed",
    }
    raw["steps"]["assessed"] = {"kind": "exit"}
    return raw


def test_other_work_is_not_counted_as_contacts_but_fills_the_same_caseload():
    plain, busy = make(minimal_raw()), make(with_assessments())
    a, b = compute(simulate(plain, 1), plain), compute(simulate(busy, 1), busy)
    # the same new contacts (common random numbers); adults coming back may differ
    assert a["contacts"] - a["returning_contacts"] == b["contacts"] - b["returning_contacts"]
    n = b["other_work_assessments"]
    assert abs(n - 2.0 * plain.run.run_days) < 4 * math.sqrt(2.0 * plain.run.run_days)
    assert b["caseload_mean_locality_practitioner"] > a["caseload_mean_locality_practitioner"]
    assert b["enquiry_wait_days_mean"] > a["enquiry_wait_days_mean"]  # places are shared
    assert b["utilisation_total_locality_practitioner"] > b["utilisation_locality_practitioner"]


def test_utilisation_splits_into_safeguarding_and_other_work_exactly():
    """Each 10-working-day assessment takes 3 hours in two sessions of 1.5 h (one every
    5 working days), so the other work's share of the people's hours in the period is
    1.5 h x sessions begun in it / (people x 7.4 h x working days), to within the
    sessions that straddle the period's edges."""
    raw = with_assessments(per_day=1.0)
    raw["calendar"] = {"bank_holidays": "none"}
    s = make(raw)
    log = simulate(s, 2)
    m = compute(log, s)
    starts = log.time[log.rows("work_started", step="assessment")]
    sessions = np.count_nonzero((starts >= s.run.warmup_days) & (starts < s.horizon_days))
    end = s.run.start_date + dt.timedelta(days=s.run.run_days)
    working_days = np.busday_count(s.run.start_date, end)
    people = s.role("locality", "practitioner").effective_staff
    expected = 1.5 * sessions / (people * 7.4 * working_days)
    share = m["utilisation_total_locality_practitioner"] - m["utilisation_locality_practitioner"]
    assert share == pytest.approx(expected, rel=0.03)


def test_other_work_given_low_priority_never_takes_a_place_an_enquiry_waits_for():
    """Allocation is urgent first, then first come (``pools.py``). With every assessment
    and every case of a starting backlog of assessments "low", and no contact "low", a
    place freed while an enquiry waits goes to the enquiry: no assessment starts while an
    enquiry is waiting for a place. Places are kept scarce (a cap of 6 for 4 people, 60
    assessments waiting at the start), so the rule is exercised many times."""
    raw = with_assessments(per_day=1.0)
    raw["demand"]["other_work"]["assessments"]["priority"] = "low"
    raw["demand"]["priority"] = {"urgent": 0.2, "normal": 0.8}
    raw["teams"]["locality"]["roles"]["practitioner"]["caseload_cap"] = 6
    raw["backlog"] = {"assessment": {"waiting": 60, "priority": "low"}}
    s = make(raw)
    log = simulate(s, 4)
    low = 2
    assert set(log.attributes["priority"][log.case[log.rows("arrived", step="assessment")]]) == {
        low
    }
    waiting = log.rows("queued", step="enquiry")
    taken = log.rows("started", step="enquiry") | log.rows("left_queue", step="enquiry")
    events = sorted(
        [(t, 1) for t in log.time[waiting]] + [(t, -1) for t in log.time[taken]],
        key=lambda e: (e[0], e[1]),  # at a tie, an enquiry taking a place is counted first
    )
    times = np.array([t for t, _ in events])
    line = np.cumsum([d for _, d in events])
    starts = log.time[log.rows("started", step="assessment")]
    behind = np.searchsorted(times, starts, side="right") - 1
    busy = line[behind[behind >= 0]]
    assert starts.size > 100 and np.all(busy == 0)
    assert np.any(line > 0)  # enquiries did wait for places at times


@pytest.mark.parametrize("where", ["demand.other_work.assessments", "backlog.assessment"])
def test_a_priority_not_urgent_normal_or_low_is_refused_in_one_line(where):
    raw = with_assessments()
    raw["backlog"] = {"assessment": {"waiting": 5}}
    table = raw["demand"]["other_work"]["assessments"] if "demand" in where else raw["backlog"]
    table = table if "demand" in where else table["assessment"]
    table["priority"] = "hgh"
    message = rejected(lambda: make(raw))
    assert f"{where}.priority" in message and "'urgent', 'normal', 'low'" in message
