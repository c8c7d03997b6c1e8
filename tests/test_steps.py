"""Pathway v2: each step kind alone against a known answer, routes, areas, entry points,
named streams and pools.

Statistical checks use fixed seeds and bands of 4 standard errors (or a 95% interval of
replication means for the queueing formulas); the error rates are stated per test.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import simpy
from helpers import area_teams_raw, erlang_c_wait, make, minimal_raw, set_path

from sgsim.analysis.metrics import compute, samples
from sgsim.model import simulate
from sgsim.model.calendar import scenario_days
from sgsim.model.pathway import Pathway
from sgsim.model.pools import Pool
from sgsim.studies.runner import run_replications

# ----------------------------------------------------------------------------- helpers


def bare(steps: dict[str, Any], teams: dict[str, Any] | None = None, **demand: Any) -> dict:
    """A scenario with only the given steps and teams, Poisson arrivals every day."""
    raw = minimal_raw()
    raw["run"] = {"start_date": raw["run"]["start_date"], "run_days": 300, "warmup_days": 20}
    raw["calendar"] = {"bank_holidays": "none"}
    raw["demand"] = {"contacts_per_day": 20.0, "sources": {"all": {"share": 1.0}}} | demand
    raw["teams"] = teams or {}
    raw["steps"] = steps
    raw["reported"] = {}
    return raw


EXIT = {"kind": "exit"}


# ----------------------------------------------------------------------------- each kind


def test_handoff_with_capacity_is_an_mmc_queue():
    """A partner with c places and exponential delays: the wait for a place is Erlang C.
    Ten replications; the formula lies outside a 95% interval 5% of the time."""
    lam, mean_delay, c = 20.0, 0.12, 3  # rho = 0.8
    raw = bare(
        {
            "health": {
                "kind": "handoff",
                "partner": "health",
                "capacity": c,
                "delay_days": {"dist": "exponential", "mean": mean_delay},
                "next": "done",
            },
            "done": EXIT,
        },
        contacts_per_day=lam,
    )
    result = run_replications(make(raw), seed=2024, replications=10)
    wait = result.summaries()["health_wait_days_mean"]
    expected = erlang_c_wait(lam, 1 / mean_delay, c)
    lo, hi = wait.ci95
    assert lo <= expected <= hi, (expected, wait)
    assert hi - lo < 0.3 * expected


def test_handoff_without_capacity_takes_exactly_its_delay():
    raw = bare(
        {
            "police": {
                "kind": "handoff",
                "partner": "police",
                "delay_days": {"dist": "fixed", "value": 2.5},
                "next": "done",
            },
            "done": EXIT,
        }
    )
    s = make(raw)
    log = simulate(s, 1)
    assert np.all(samples(log, s, scenario_days(s))["police_wait_days"] == 0)
    start = np.full(log.n_cases, np.nan)
    end = np.full(log.n_cases, np.nan)
    start[log.case[log.rows("started", step="police")]] = log.time[log.rows("started")]
    end[log.case[log.rows("finished", step="police")]] = log.time[log.rows("finished")]
    done = ~np.isnan(end)
    assert done.sum() > 5000
    assert np.allclose(end[done] - start[done], 2.5)


def test_enquiry_of_five_working_days_lasts_a_calendar_week():
    """Hand-computed calendar case: five working days of 7.4 h from any working time, with
    no bank holidays, end at the same time of day a week later."""
    raw = minimal_raw()
    raw["calendar"] = {"bank_holidays": "none"}
    enquiry = raw["steps"]["enquiry"]
    del enquiry["duration_by_risk_level"]
    enquiry["duration_working_days"] = {"dist": "fixed", "value": 5}
    enquiry["touch_hours"] = {"dist": "fixed", "value": 0}
    set_path(raw, "teams.locality.roles.practitioner.caseload_cap", 50)  # no waiting
    raw["steps"]["s42_test"]["routes"] = [
        {"outcome": "no_enquiry", "to": "no_enquiry"},
        {"to": "enquiry"},
    ]
    raw["steps"]["senior_enquiry"] = "none"
    del raw["teams"]["locality"]["roles"]["senior"]
    s = make(raw)
    each = samples(simulate(s, 3), s, scenario_days(s))
    assert each["enquiry_duration_days"].size > 100
    assert np.allclose(each["enquiry_duration_days"], 7.0)


def test_exit_brings_back_the_configured_share_after_the_configured_delay():
    """Binomial share within 4 standard errors (false alarm about 6e-5)."""
    raw = bare(
        {
            "done": {
                "kind": "exit",
                "return_probability": 0.3,
                "return_after_days": {"dist": "fixed", "value": 10},
            }
        }
    )
    s = make(raw)
    log = simulate(s, 4)
    parents = log.attributes["returning_from"]
    arrived = np.full(log.n_cases, np.nan)
    arrived[log.case[log.rows("arrived")]] = log.time[log.rows("arrived")]
    children = np.flatnonzero(parents >= 0)
    assert np.allclose(arrived[children], arrived[parents[children]] + 10)
    left_early = np.flatnonzero(arrived < s.horizon_days - 10)
    share = np.isin(left_early, parents[children]).mean()
    assert abs(share - 0.3) < 4 * math.sqrt(0.3 * 0.7 / left_early.size)


# ----------------------------------------------------------------------------- routes


def test_routing_shares_equal_the_configured_mixes():
    """Routes by priority, subject and area send each share where configured (each share
    within 4 binomial standard errors: the nine checks together false-alarm < 1e-3)."""
    raw = bare(
        {
            "sort": {
                "kind": "handoff",
                "partner": "sorting office",
                "delay_days": {"dist": "fixed", "value": 0},
                "routes": [
                    {"priority": "urgent", "to": "urgent"},
                    {"subject": "provider", "to": "provider"},
                    {"area": ["north", "south"], "to": "north_or_south"},
                    {"to": "rest"},
                ],
            },
            "urgent": EXIT,
            "provider": EXIT,
            "north_or_south": EXIT,
            "rest": EXIT,
        },
        contacts_per_day=60.0,
        priority={"urgent": 0.1, "normal": 0.7, "low": 0.2},
        subjects={"individual": 0.8, "provider": 0.2},
        areas={"north": 0.3, "south": 0.3, "west": 0.4},
    )
    s = make(raw)
    m = compute(simulate(s, 5), s)
    n = m["contacts"]
    expected = {
        "urgent": 0.1,
        "provider": 0.9 * 0.2,
        "north_or_south": 0.9 * 0.8 * 0.6,
        "rest": 0.9 * 0.8 * 0.4,
    }
    for exit_name, p in expected.items():
        share = m[f"exit_{exit_name}"] / n
        assert abs(share - p) < 4 * math.sqrt(p * (1 - p) / n), (exit_name, share, p)


def test_contacts_of_one_area_never_use_another_areas_team():
    s = make(area_teams_raw())
    log = simulate(s, 6)
    areas = s.demand.categories("area")
    taken = np.flatnonzero(log.pool >= 0)
    assert taken.size > 1000
    for row in taken.tolist():
        pool = log.pools[log.pool[row]]
        if pool.startswith("locality_"):
            assert pool.split("_")[1] == areas[log.attributes["area"][log.case[row]]]
    # and each area team has its own waits
    m = compute(log, s)
    assert m["caseload_mean_locality_west_practitioner"] > 0
    assert m["caseload_mean_locality_north_senior"] > 0


def test_a_source_with_an_entry_point_never_appears_at_the_skipped_steps():
    raw = minimal_raw()
    set_path(raw, "demand.sources.care_provider.entry", "s42_test")
    raw["steps"]["triage"]["outcomes_by_source"].pop("care_provider")
    s = make(raw)
    log = simulate(s, 7)
    provider = log.attributes["source"] == s.demand.categories("source").index("care_provider")
    at_triage = log.step == list(s.steps).index("triage")
    assert not np.any(provider[log.case[at_triage]])
    at_test = log.rows("queued", step="s42_test")
    assert np.any(provider[log.case[at_test]])  # they do arrive, further on


# ----------------------------------------------------------------------------- streams


def test_adding_a_step_leaves_other_steps_draws_unchanged():
    """Streams are keyed by step and stream names, not by position."""
    base = make(minimal_raw())
    raw = minimal_raw()
    raw["steps"] = {
        "police_check": {
            "kind": "handoff",
            "partner": "police",
            "delay_days": {"dist": "exponential", "mean": 1},
            "next": "triage",
        },
        **raw["steps"],
    }
    longer = make(raw)

    def draws(s) -> Pathway:
        pathway = Pathway(simpy.Environment(), s, 11, 2, lambda row: None)
        pathway.add_cases(500)
        pathway.draws.need(499)  # every step's draws for all 500 (drawn as cases arrive)
        return pathway

    a, b = draws(base), draws(longer)
    assert a.cases == b.cases
    by_name_a = {r.name: r.draws for r in a.runners}
    by_name_b = {r.name: r.draws for r in b.runners}
    assert by_name_b.keys() - by_name_a.keys() == {"police_check"}
    for name, values in by_name_a.items():
        assert values == by_name_b[name], name


# ----------------------------------------------------------------------------- pools


def test_pool_serves_by_priority_then_arrival_and_a_cancelled_request_leaves_the_line():
    env = simpy.Environment()
    pool = Pool(env, 1)
    served: list[str] = []

    def holder():
        assert pool.take(1) is None
        yield env.timeout(2)
        pool.give_back()

    def waiter(name: str, priority: int, arrive: float, leave_at: float | None = None):
        yield env.timeout(arrive)
        request = pool.take(priority)
        if leave_at is not None:
            outcome = yield request | env.timeout(leave_at - arrive)
            if request not in outcome:
                request.cancel()
                return
        else:
            yield request
        served.append(name)
        yield env.timeout(1)
        pool.give_back()

    env.process(holder())
    env.process(waiter("normal", 1, 0.1))
    env.process(waiter("impatient urgent", 0, 0.2, leave_at=1.0))
    env.process(waiter("urgent", 0, 0.3))
    env.run()
    assert served == ["urgent", "normal"]
    assert pool.count == 0 and len(pool.put_queue) == 0


def test_enquiry_touch_hours_come_in_weekly_sessions_over_its_course():
    """Twenty working days and eight touch hours with sessions every five working days:
    four sessions of two hours, starting 0, 5, 10 and 15 working days after allocation
    (a calendar week apart when there are no bank holidays)."""
    raw = minimal_raw()
    raw["calendar"] = {"bank_holidays": "none"}
    enquiry = raw["steps"]["enquiry"]
    del enquiry["duration_by_risk_level"]
    enquiry["duration_working_days"] = {"dist": "fixed", "value": 20}
    enquiry["touch_hours"] = {"dist": "fixed", "value": 8}
    enquiry["session_every_working_days"] = 5
    set_path(raw, "teams.locality.roles.practitioner.headcount", 30)
    set_path(raw, "teams.locality.roles.practitioner.caseload_cap", 50)
    s = make(raw)
    log = simulate(s, 12)
    allocated = log.rows("started", step="enquiry")
    sessions = log.rows("work_started", step="enquiry")
    case = log.case[allocated][10]
    at = log.time[allocated][10]
    starts = np.sort(log.time[sessions & (log.case == case)])
    assert starts.size == 4
    assert np.allclose(starts - starts[0], [0, 7, 14, 21], atol=0.5)  # a week apart
    assert starts[0] - at < 1  # the first at once (or at the next opening)
    done = log.rows("work_done", step="enquiry") & (log.case == case)
    worked = log.time[done] - np.sort(log.time[sessions & (log.case == case)])
    assert np.allclose(worked * 24, 2.0)  # two hours each, within a working day
