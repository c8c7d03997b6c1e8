"""The shipped council scenarios do what their files say, beyond validating and running."""

from __future__ import annotations

import numpy as np
from helpers import WEST_SUSSEX

from sgsim.model import simulate
from sgsim.model.demand import daily_rates
from sgsim.scenario.loading import build_scenario, load_scenario, read_scenario_raw, with_settings


def test_west_sussex_contacts_grow_9pc_and_the_year_totals_the_reported_new_contacts():
    """growth_per_year gives 2022/23 its 9,210 new contacts (9,265 with the adults coming
    back) and 2021/22 9% fewer, as the report says."""
    s = load_scenario(WEST_SUSSEX).scenario
    # a warm-up a year longer: its last 365 days are 2021/22
    warmup = s.run.warmup_days + 365
    raw = with_settings(read_scenario_raw(WEST_SUSSEX), {"run.warmup_days": warmup})
    rates = daily_rates(build_scenario(raw, str(WEST_SUSSEX)))
    year_before, year = rates[warmup - 365 : warmup].sum(), rates[warmup:].sum()
    assert abs(year - 9210) < 0.002 * 9210
    assert abs(year / year_before - 1.09) < 0.002


def test_west_sussex_provider_concerns_go_to_the_enquiries_team_whoever_raised_them():
    s = load_scenario(WEST_SUSSEX).scenario
    log = simulate(s, seed=3)
    started = log.rows("started")
    case = log.case[started & (log.step == log.steps.index("set_enquiry"))]
    subjects = np.asarray(log.attribute_names["subject"])
    sources = np.asarray(log.attribute_names["source"])
    assert case.size > 200
    assert set(subjects[log.attributes["subject"][case]]) == {"provider"}
    # raised by many kinds of referrer, not only by care providers
    assert len(set(sources[log.attributes["source"][case]])) >= 5
    locality = [log.steps.index("enquiry"), log.steps.index("senior_enquiry")]
    other = log.case[started & np.isin(log.step, locality)]
    assert set(subjects[log.attributes["subject"][other]]) == {"individual"}


def test_west_sussex_care_homes_are_the_most_common_location():
    locations = load_scenario(WEST_SUSSEX).scenario.demand.locations
    ranked = sorted(locations, key=locations.get, reverse=True)
    assert ranked[:2] == ["care_home", "own_home"]
