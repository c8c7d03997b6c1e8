"""The scenarios of the 2018 West Sussex, 2015 Stockton and 2019 Southampton (one run)
peer challenges: one behaviour
each that follows from the file's own configuration, read from the file, checked on one
seeded replication (so each passes or fails the same every run)."""

from __future__ import annotations

import numpy as np
from helpers import ROOT

from sgsim.model import simulate
from sgsim.model.pools import staff_count
from sgsim.scenario.loading import load_scenario

WEST_SUSSEX_2018 = ROOT / "scenarios" / "west_sussex_2018.toml"
STOCKTON_2015 = ROOT / "scenarios" / "stockton_2015.toml"


def waiting_before(log, step: str, t: float) -> int:
    """Cases that joined the step's queue before time t and had not left it by the log."""
    at = log.step == log.steps.index(step)
    joined = np.count_nonzero(log.rows("queued") & at & (log.time < t))
    left = np.count_nonzero((log.rows("started") | log.rows("left_queue")) & at & (log.time < t))
    return joined - left


def test_west_sussex_2018_bulk_transfer_moves_transfer_oldest_whenever_enough_wait():
    """Contact Point 2's list is bulk-transferred every transfer_every_days: each transfer
    moves transfer_oldest cases when at least that many are waiting (else all of them),
    and every one of them leaves at occupational therapy at once.

    A practitioner freed at the end of a day takes the next referral then, but the log
    dates its start at the next opening, so by the log up to one referral per practitioner
    may look as if it were still waiting at a transfer (which falls at midnight)."""
    s = load_scenario(WEST_SUSSEX_2018).scenario
    policy = s.steps["cp2_followup"].waiting_list
    every, oldest = policy.transfer_every_days, policy.transfer_oldest
    people = staff_count(s.role("contact_point", "practitioner"))
    log = simulate(s, 11)
    moved = log.rows("left_queue", step="cp2_followup", outcome="transferred")
    times, counts = np.unique(np.round(log.time[moved], 9), return_counts=True)
    assert np.allclose(times / every, np.round(times / every))  # on the schedule only
    full = 0
    for t, n in zip(times, counts, strict=True):
        waiting = waiting_before(log, "cp2_followup", t)
        assert min(oldest, waiting - people) <= n <= min(oldest, waiting), (t, n, waiting)
        full += n == oldest
    assert full >= 3  # the case the rule is about (enough waiting) happens in the year
    # each transferred referral leaves at occupational therapy at the moment it is moved
    left = log.rows("left", step="occupational_therapy")
    when_left = dict(zip(log.case[left], log.time[left], strict=True))
    for case, t in zip(log.case[moved], log.time[moved], strict=True):
        assert when_left[case] == t


def test_stockton_2015_validation_forum_and_health_handoff_keep_their_limits():
    """The Direct Payment validation forum meets every every_days from first_day and
    decides min(capacity, waiting) adults at each meeting; the hand-off to health never
    holds more than its capacity at once, and only senior practitioners hold enquiries."""
    s = load_scenario(STOCKTON_2015).scenario
    forum = s.steps["dp_validation_forum"]
    log = simulate(s, 12)
    decided = log.rows("started", step="dp_validation_forum")
    times, counts = np.unique(np.round(log.time[decided], 9), return_counts=True)
    assert len(times) > 20
    assert np.allclose(
        (times - forum.first_day) / forum.every_days,
        np.round((times - forum.first_day) / forum.every_days),
    )
    for t, n in zip(times, counts, strict=True):
        assert n == min(forum.capacity, waiting_before(log, "dp_validation_forum", t))
    assert max(counts) == forum.capacity  # a backlog formed at least once

    at = log.step == log.steps.index("health_via_spa")
    start, end = log.rows("started") & at, log.rows("finished") & at
    t = np.concatenate([log.time[start], log.time[end]])
    step = np.concatenate([np.ones(start.sum()), -np.ones(end.sum())])
    order = np.lexsort((step, t))  # at a tie, a place is freed before it is taken
    holding = np.cumsum(step[order])
    assert holding.max() == s.steps["health_via_spa"].capacity  # full at times, never over

    holders = {log.pools[p] for p in np.unique(log.pool[log.rows("started", kind="enquiry")])}
    assert holders == {"safeguarding_senior_practitioner_caseload"}


SOUTHAMPTON_2019 = ROOT / "scenarios" / "southampton_2019.toml"


def test_southampton_2019_moves_every_stage_to_its_new_team_on_the_date():
    """From the file's one change (hand_over on 1 October 2018): triage, the s42 decision
    and closure sign-off start only with the central team before the date and only with
    the new teams after it; enquiries already open finish with the central team; cases
    waiting on the date leave the old queue then, with the outcome handed_over, and every
    one of them is taken up by a new team. (A task taken out of hours before the date is
    dated at the next opening, so "after" is checked from the day after the date.)"""
    s = load_scenario(SOUTHAMPTON_2019).scenario
    day = s.periods[1].start_day
    log = simulate(s, 5)
    central = [k for k, name in enumerate(log.pools) if name.startswith("central_")]
    for step in ("triage", "s42_test", "closure"):
        started = log.rows("started", step=step)
        with_central = np.isin(log.pool[started], central)
        t = log.time[started]
        assert with_central[t < day].all() and not with_central[t >= day + 1].any(), step
    enquiry = log.rows("started", step="enquiry")
    assert not np.isin(log.pool[enquiry], central)[log.time[enquiry] >= day].any()
    finished = log.rows("finished", step="enquiry")
    assert np.isin(log.pool[finished], central)[log.time[finished] > day].any()
    handed = log.rows("left_queue", outcome="handed_over")
    assert handed.any() and np.all(log.time[handed] == day)
    again = log.rows("started") & np.isin(log.case, log.case[handed]) & (log.time >= day)
    assert set(log.case[handed]) <= set(log.case[again])
