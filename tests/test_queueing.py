"""Where the model reduces to a known queue, it matches the known answer."""

from __future__ import annotations

from helpers import erlang_c_wait, make, minimal_raw, set_path

from sgsim.studies.runner import run_replications


def mmc_scenario(lam_per_day: float, mean_minutes: float, c: int):
    """One 24/7 triage stage, Poisson arrivals, exponential touch time, nothing after."""
    raw = minimal_raw()
    set_path(
        raw, "run", {"start_date": raw["run"]["start_date"], "run_days": 300, "warmup_days": 20}
    )
    set_path(raw, "calendar.bank_holidays", "none")
    del raw["demand"]["contacts_per_year"]
    set_path(raw, "demand.contacts_per_day", lam_per_day)
    set_path(raw, "demand.sources", {"all": {"share": 1.0}})
    set_path(raw, "demand.priority", {"normal": 1.0})
    set_path(raw, "reported", {})
    raw["teams"] = {
        "front_door": {
            "roles": {"triage_officer": {"headcount": c, "calendar": "24/7", "hours_per_day": 24}}
        }
    }
    raw["steps"] = {
        "triage": raw["steps"]["triage"]
        | {
            "touch_minutes": {"dist": "exponential", "mean": mean_minutes},
            "outcomes": {"not_a_concern": 1.0},
            "outcomes_by_source": {},
            "routes": [{"to": "not_a_concern"}],
        },
        "not_a_concern": raw["steps"]["not_a_concern"],
    }
    return make(raw)


def test_single_247_triage_stage_matches_erlang_c():
    lam, minutes, c = 60.0, 57.6, 3  # rho = 0.8
    s = mmc_scenario(lam, minutes, c)
    result = run_replications(s, seed=2024, replications=10)
    wait = result.summaries()["triage_wait_days_mean"]
    expected = erlang_c_wait(lam, 24 * 60 / minutes, c)
    lo, hi = wait.ci95
    assert lo <= expected <= hi, (expected, wait)
    # and the interval is tight enough to mean something (within 15% of the answer)
    assert hi - lo < 0.3 * expected
    util = result.summaries()["utilisation_front_door_triage_officer"].mean
    assert abs(util - 0.8) < 0.02
