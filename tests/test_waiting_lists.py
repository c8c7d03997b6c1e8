"""Waiting-list policies on a step's queue (issue #9): withdrawal, escalation, bulk
transfer and breaches, each against an answer found without the model.

The statistical checks use a 95% interval of replication means against a formula (a
correct model fails one 5% of the time; seeds are fixed, so each passes or fails the same
every run) or 4 binomial standard errors.
"""

from __future__ import annotations

import math

import numpy as np
from helpers import make, minimal_raw

from sgsim.analysis.metrics import compute
from sgsim.model import simulate
from sgsim.studies.runner import run_replications
from sgsim.studies.verify import erlang_a


def one_queue(servers: int, minutes: float, lam: float, waiting_list: dict, **more) -> dict:
    """Poisson arrivals to one 24/7 decision step with exponential touch time; then out."""
    raw = minimal_raw()
    raw["run"] = {"start_date": raw["run"]["start_date"], "run_days": 300, "warmup_days": 20}
    raw["calendar"] = {"bank_holidays": "none"}
    raw["demand"] = {
        "contacts_per_day": lam,
        "sources": {"all": {"share": 1.0}},
    } | more
    raw["teams"] = {
        "desk": {
            "roles": {"officer": {"headcount": servers, "calendar": "24/7", "hours_per_day": 24}}
        }
    }
    outcomes = ["done", *(["withdrawn"] if "withdraw_after_days" in waiting_list else [])]
    outcomes += ["transferred"] if "transfer_every_days" in waiting_list else []
    raw["steps"] = {
        "desk": {
            "kind": "decision",
            "team": "desk",
            "role": "officer",
            "touch_minutes": {"dist": "exponential", "mean": minutes},
            "waiting_list": waiting_list,
            "routes": [{"outcome": o, "to": o} for o in outcomes],
        },
        **{o: {"kind": "exit"} for o in outcomes},
    }
    raw["reported"] = {}
    return raw


def test_withdrawal_after_exponential_patience_matches_erlang_a():
    lam, minutes, c, patience = 60.0, 28.8, 1, 0.05  # offered load 1.2
    raw = one_queue(
        c, minutes, lam, {"withdraw_after_days": {"dist": "exponential", "mean": patience}}
    )
    result = run_replications(make(raw), seed=31, replications=10)
    shares = [m["desk_withdrawn"] / m["contacts"] for m in result.per_replication]
    expected, _ = erlang_a(lam, 24 * 60 / minutes, 1 / patience, c)
    mean = float(np.mean(shares))
    half = 2.262 * np.std(shares, ddof=1) / math.sqrt(len(shares))  # t(9), 95%
    assert abs(mean - expected) < half, (mean, expected, half)
    assert 0.1 < expected < 0.4  # a regime where withdrawal matters


def test_escalation_helps_low_priority_and_leaves_the_mean_wait_alone():
    """Raising a case one level after 0.1 days only reorders the queue. With one server
    and the same touch-time distribution for everyone, Kleinrock's conservation law says
    the mean wait over all cases is the same under any such order: the paired difference
    of the overall mean wait must be within its 95% interval of zero, while low-priority
    cases wait clearly less."""
    base = {"priority": {"urgent": 0.0, "normal": 0.5, "low": 0.5}}
    plain = make(one_queue(1, 30, 44.0, {}, **base))
    raised = make(one_queue(1, 30, 44.0, {"escalate_after_days": 0.1}, **base))

    def waits(s, seed: int) -> tuple[float, float]:
        log = simulate(s, seed)
        queued = log.rows("queued", step="desk")
        started = log.rows("started", step="desk") & (log.time > s.run.warmup_days)
        t0 = np.full(log.n_cases, np.nan)
        t0[log.case[queued]] = log.time[queued]
        wait = log.time[started] - t0[log.case[started]]
        low = log.attributes["priority"][log.case[started]] == 2
        return float(wait.mean()), float(wait[low].mean())

    pairs = [(waits(plain, seed), waits(raised, seed)) for seed in range(8)]
    overall = [b[0] - a[0] for a, b in pairs]
    low = [b[1] - a[1] for a, b in pairs]
    half = 2.365 * np.std(overall, ddof=1) / math.sqrt(len(overall))  # t(7), 95%
    assert abs(np.mean(overall)) < half
    assert max(low) < 0  # every seed: low-priority cases wait less


def test_bulk_transfer_moves_the_oldest_cases_on_schedule():
    """With no staff to speak of, every 10 days exactly the 25 oldest waiting cases are
    moved on: a count that follows from the configuration."""
    raw = one_queue(1, 60 * 24 * 50, 5.0, {"transfer_every_days": 10, "transfer_oldest": 25})
    s = make(raw)
    log = simulate(s, 9)
    moved = log.rows("left_queue", step="desk", outcome="transferred")
    times = np.unique(np.round(log.time[moved], 9))
    assert np.allclose(times, np.arange(10, s.horizon_days, 10))
    counts = np.unique(np.round(log.time[moved], 9), return_counts=True)[1]
    assert (counts == 25).all()
    # the oldest first: each transfer moves cases that queued before every case left behind
    queued = np.full(log.n_cases, np.nan)
    rows = log.rows("queued", step="desk")
    queued[log.case[rows]] = log.time[rows]
    first = log.time[moved] == times[0]
    moved_cases = log.case[moved][first]
    left_behind = log.case[rows][(log.time[rows] < times[0])]
    left_behind = np.setdiff1d(left_behind, moved_cases)
    served_before = log.case[log.rows("started", step="desk") & (log.time <= times[0])]
    left_behind = np.setdiff1d(left_behind, served_before)
    assert queued[moved_cases].max() <= queued[left_behind].min()


def test_breaches_count_waits_past_the_maximum_including_cases_still_waiting():
    raw = one_queue(1, 60 * 24 * 50, 5.0, {"max_wait_days": 30})
    s = make(raw)
    m = compute(simulate(s, 10), s)
    # one server on 50-day tasks: almost nobody is served; everyone who has waited over
    # 30 days by the end counts, which is about (horizon - 30) days of arrivals
    expected = 5.0 * (s.horizon_days - 30)
    assert abs(m["desk_breaches"] - expected) < 4 * math.sqrt(expected)
