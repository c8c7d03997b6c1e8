"""Where the model reduces to a known queue, it matches the known answer."""

from __future__ import annotations

from helpers import erlang_c_wait, make, mmc_raw

from sgsim.studies.runner import run_replications


def mmc_scenario(lam_per_day: float, mean_minutes: float, c: int):
    return make(mmc_raw(lam_per_day, mean_minutes, c))


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
