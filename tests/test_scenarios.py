"""The shipped council scenarios do what their files say, beyond validating and running."""

from __future__ import annotations

import json

import numpy as np
from helpers import ROOT, SHIPPED, WEST_SUSSEX

from sgsim.cli import main
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


# --------------------------------------------------------------------------- Southampton

SCENARIOS = ROOT / "scenarios"
BEFORE = SCENARIOS / "southampton_2019_before.toml"
AFTER = SCENARIOS / "southampton_2019_after.toml"


def test_the_southampton_files_are_among_the_shipped_scenarios_validated():
    assert {BEFORE, AFTER} <= set(SHIPPED)


def test_southampton_before_and_after_share_their_demand_so_compare_pairs_them(capsys):
    """The same run, calendar and demand tables, so both designs see the same contacts and
    the same decisions (common random numbers): only the design differs."""
    before, after = read_scenario_raw(BEFORE), read_scenario_raw(AFTER)
    for table in ("run", "calendar", "demand"):
        assert before[table] == after[table], table
    assert main(["compare", str(BEFORE), str(AFTER), "-n", "2", "--json"]) == 0
    (diff,) = json.loads(capsys.readouterr().out)["comparisons"].values()
    # the same new contacts; adults coming back after closure differ, as closures do
    new = [diff[m]["difference"] for m in ("contacts", "returning_contacts")]
    assert new[0] == new[1]
    for name in ("concerns", "s42_enquiries"):
        assert abs(diff[name]["difference"]) < 0.01 * diff[name]["baseline_mean"], name


def started_pools(log, step: str) -> tuple[np.ndarray, np.ndarray]:
    """For each case started at ``step``: its case id and the pool that took it."""
    rows = log.rows("started", step=step)
    return log.case[rows], np.asarray(log.pools)[log.pool[rows]]


def test_southampton_before_one_central_team_triages_decides_and_holds_enquiries():
    log = simulate(load_scenario(BEFORE).scenario, seed=4)
    for step in ("triage", "s42_test"):
        _, pools = started_pools(log, step)
        assert pools.size > 500 and set(pools) == {"central_social_worker"}, step
    _, pools = started_pools(log, "enquiry")
    assert pools.size > 300 and set(pools) == {"central_social_worker_caseload"}
    # concerns about a provider: the Quality Assurance Team, in both designs
    case, pools = started_pools(log, "provider_enquiry")
    assert set(pools) == {"quality_assurance_practitioner_caseload"}
    subjects = np.asarray(log.attribute_names["subject"])
    assert set(subjects[log.attributes["subject"][case]]) == {"provider"}


def test_southampton_after_each_area_only_uses_its_own_locality_team():
    """After the move, an adult's s42 decision and enquiry are done by the locality team
    covering their area, never by another area's team; triage is at Social Care Connect."""
    log = simulate(load_scenario(AFTER).scenario, seed=4)
    _, pools = started_pools(log, "triage")
    assert set(pools) == {"scc_triage_officer"}
    areas = np.asarray(log.attribute_names["area"])
    for step, suffix in (("s42_test", ""), ("enquiry", "_caseload")):
        case, pools = started_pools(log, step)
        expected = np.char.add(np.char.add("locality_", areas[log.attributes["area"][case]]),
                               "_social_worker" + suffix)  # fmt: skip
        assert case.size > 300 and (pools == expected).all(), step
        assert set(pools) == {f"locality_{a}_social_worker{suffix}" for a in areas}, step
