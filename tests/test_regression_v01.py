"""Pathway v2 gives the same funnel, waits and utilisation as v0.1 did.

``tests/data/v01_reference_metrics.json`` holds 20 replications of each shipped scenario
from sgsim 0.1.0 (the hard-coded pathway), stored before the rewrite; ``tests/data/v01/``
holds the same scenarios written as steps and teams. The two models draw different random
numbers, so each metric is compared by a Welch t-test, and the family of tests is held to
a 1% chance of any false alarm by Holm's method: a failure means a real difference.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from sgsim.scenario.loading import build_scenario, load_scenario, read_scenario_raw, with_settings
from sgsim.studies.runner import run_replications

DATA = Path(__file__).parent / "data"
FAMILY_ALPHA = 0.01

# v0.1 names that v2 spells differently: pools are {team}_{role}, closure outcomes
# are counted per step.
RENAMED = {
    "utilisation_set_practitioner": "utilisation_safeguarding_enquiries_team_practitioner",
    "utilisation_team_manager": "utilisation_locality_team_manager",
    "caseload_mean_set_practitioner": "caseload_mean_safeguarding_enquiries_team_practitioner",
    "utilisation_senior_resource_officer": "utilisation_hscc_senior_resource_officer",
    "utilisation_senior_social_worker": "utilisation_locality_senior_social_worker",
    "utilisation_practice_manager": "utilisation_locality_practice_manager",
    "caseload_mean_senior_social_worker": "caseload_mean_locality_senior_social_worker",
}


def new_name(old: str) -> str:
    return RENAMED.get(old, old.replace("risk_", "closure_", 1) if old.startswith("risk_") else old)


def holm_rejects(p_values: dict[str, float], alpha: float) -> list[str]:
    """Names whose null hypothesis Holm's step-down method rejects at family level alpha."""
    ordered = sorted(p_values.items(), key=lambda item: item[1])
    rejected = []
    for k, (name, p) in enumerate(ordered):
        if p > alpha / (len(ordered) - k):
            break
        rejected.append(name)
    return rejected


@pytest.mark.parametrize("scenario", ["west_sussex_2022_23", "east_sussex_hscc"])
def test_v2_matches_v01_within_noise(scenario):
    reference = json.loads((DATA / "v01_reference_metrics.json").read_text())["metrics"][scenario]
    s = load_scenario(DATA / "v01" / f"{scenario}.toml").scenario
    result = run_replications(s, seed=7, replications=20, workers=2)
    p_values = {}
    for old, before in reference.items():
        after = [r[new_name(old)] for r in result.per_replication]
        if np.std(before) == 0 and np.std(after) == 0:
            assert before[0] == pytest.approx(after[0]), old
            continue
        p_values[old] = float(stats.ttest_ind(before, after, equal_var=False).pvalue)
    assert len(p_values) > 35
    assert holm_rejects(p_values, FAMILY_ALPHA) == [], {
        k: round(v, 5) for k, v in sorted(p_values.items(), key=lambda kv: kv[1])[:5]
    }


def test_the_comparison_notices_a_real_difference():
    """The same comparison flags one triage officer fewer (utilisation 0.65 -> 0.78)."""
    reference = json.loads((DATA / "v01_reference_metrics.json").read_text())["metrics"]
    before = reference["west_sussex_2022_23"]["utilisation_sah_triage_officer"]
    raw_path = DATA / "v01" / "west_sussex_2022_23.toml"

    raw = with_settings(
        read_scenario_raw(raw_path), {"teams.sah.roles.triage_officer.headcount": 5}
    )
    s = build_scenario(raw, str(raw_path))
    result = run_replications(s, seed=7, replications=8, workers=2)
    after = [r["utilisation_sah_triage_officer"] for r in result.per_replication]
    p = float(stats.ttest_ind(before, after, equal_var=False).pvalue)
    assert holm_rejects({"utilisation": p, "other": 0.5}, FAMILY_ALPHA) == ["utilisation"]
