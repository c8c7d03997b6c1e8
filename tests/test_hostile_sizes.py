"""Scenarios bigger than the machine (issue #13): the size of a run is estimated before it
starts and refused in one line, and no pool allocates an object per person or place."""

from __future__ import annotations

import time

import pytest
import simpy
from helpers import make, minimal_raw, rejected, set_path, settings_rejected, short

from sgsim.model import simulate
from sgsim.model.pools import Pool


def test_a_run_too_big_for_memory_is_refused_at_once_with_its_size():
    start = time.perf_counter()
    message = settings_rejected({"demand.contacts_per_year": 1e8 * 365.25})
    assert "GB of events" in message and "shorter run" in message
    assert time.perf_counter() - start < 10


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("teams.locality.roles.practitioner.caseload_cap", 1e12),
        ("teams.locality.roles.practitioner.headcount", 1e9),
    ],
)
def test_staff_and_caseloads_past_any_council_are_refused(path, value):
    assert settings_rejected({path: value}).startswith(f"test.toml: {path}: expected")


def test_a_pool_hands_out_ids_without_a_list_of_every_place():
    pool = Pool(simpy.Environment(), 10**15)
    assert [pool.free.pop(), pool.free.pop(), pool.free.pop()] == [1, 2, 3]
    pool.free.append(2)
    pool.free.append(1)
    assert [pool.free.pop(), pool.free.pop(), pool.free.pop()] == [1, 2, 4]


def test_the_largest_staff_and_caseloads_accepted_run_in_little_memory():
    raw = short(minimal_raw())
    set_path(raw, "teams.locality.roles.practitioner.headcount", 1e6)
    set_path(raw, "teams.locality.roles.practitioner.caseload_cap", 1e6)
    start = time.perf_counter()
    simulate(make(raw), seed=1)
    assert time.perf_counter() - start < 30


def test_a_handoff_to_a_partner_of_unlimited_capacity_runs():
    raw = short(minimal_raw())
    set_path(
        raw,
        "steps.triage.routes",
        [{"outcome": "concern", "to": "police"}, {"to": "not_a_concern"}],
    )
    police = {"kind": "handoff", "partner": "police", "capacity": 2**62, "next": "s42_test"}
    police["delay_days"] = {"dist": "fixed", "value": 1}
    steps = raw["steps"]
    raw["steps"] = {"triage": steps.pop("triage"), "police": police, **steps}
    simulate(make(raw), seed=1)


def test_route_combinations_past_counting_are_refused_at_once():
    raw = minimal_raw()
    names = [f"n{i}" for i in range(200)]
    for mix in ("areas", "subjects", "risk_levels"):
        set_path(raw, f"demand.{mix}", dict.fromkeys(names, 1 / 200))
    del raw["steps"]["enquiry"]["duration_by_risk_level"]
    set_path(raw, "steps.enquiry.duration_working_days", {"dist": "fixed", "value": 5})
    start = time.perf_counter()
    assert "combinations" in rejected(lambda: make(raw))
    assert time.perf_counter() - start < 10


def test_a_chain_of_two_thousand_steps_is_checked_without_recursion():
    raw = short(minimal_raw())
    chain = {f"s{i}": {"kind": "panel", "every_days": 1, "next": f"s{i + 1}"} for i in range(2000)}
    chain["s2000"] = {"kind": "exit"}
    raw["steps"] = chain
    raw["teams"] = {}
    raw["reported"] = {}
    make(raw)
