"""Properties that hold for any valid scenario, not just the shipped ones."""

from __future__ import annotations

import numpy as np
from helpers import make, minimal_raw, set_path
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sgsim.analysis.metrics import compute
from sgsim.model import simulate

probability = st.floats(min_value=0.0, max_value=1.0)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    p_concern=probability,
    p_needs=probability,
    p_other=probability,
    triage_staff=st.floats(min_value=0.6, max_value=6),
    cap=st.floats(min_value=0.3, max_value=5),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_conservation_for_any_scenario(p_concern, p_needs, p_other, triage_staff, cap, seed):
    raw = minimal_raw()
    set_path(raw, "run.run_days", 60)
    set_path(
        raw,
        "steps.triage.outcomes_by_source.police",
        {"concern": p_concern, "not_a_concern": 1 - p_concern},
    )
    set_path(raw, "steps.s42_test.needs_care_and_support", p_needs)
    set_path(raw, "steps.s42_test.other_enquiry_probability", p_other)
    set_path(raw, "teams.front_door.roles.triage_officer.headcount", triage_staff)
    set_path(raw, "teams.locality.roles.practitioner.caseload_cap", cap)
    s = make(raw)
    log = simulate(s, seed)
    n_cases = log.n_cases
    received = np.bincount(log.case[log.rows("arrived")], minlength=n_cases)
    left = np.bincount(log.case[log.rows("left")], minlength=n_cases)
    assert (received == 1).all() and (left <= 1).all()
    # every event belongs to a case that was received
    assert np.isin(log.case, np.flatnonzero(received)).all()
    m = compute(log, s)
    assert m["open_cases_end"] == n_cases - left.sum() >= 0
    assert all(v >= 0 for v in m.values() if not np.isnan(v))
    for name, value in m.items():
        if name.endswith("_rate") and not np.isnan(value):
            assert 0 <= value <= 1


def test_hypothesis_draws_the_same_examples_on_every_run():
    """CI must not pass or fail by chance (issue #11): the examples are derandomised.

    Undrandomised, two runs of 100 unbounded integers agree with a probability far below
    one in a billion, so this fails every time without the profile in conftest.py.
    """
    drawn: list[int] = []

    @given(st.integers())
    def record(x: int) -> None:
        drawn.append(x)

    record()
    first = drawn.copy()
    drawn.clear()
    record()
    assert drawn == first and len(first) > 1
