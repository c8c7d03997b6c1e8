"""The scenarios of the 2018 West Sussex, 2015 Stockton and 2024 East Sussex peer
challenges: behaviours that follow from each file's own configuration or from its report,
read from the file, checked on one seeded replication (so each passes or fails the same
every run). Statistical checks allow 4 binomial standard errors: a correct model fails
one about 6e-5 of the time."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import EAST_SUSSEX, ROOT
from scipy import stats

from sgsim.analysis.metrics import decision_target, metric_names
from sgsim.analysis.summary import compare_reported, summarise_all
from sgsim.model import simulate
from sgsim.model.calendar import scenario_days
from sgsim.model.pools import staff_count
from sgsim.outputs.figures import decision_times
from sgsim.outputs.tables import reported_table
from sgsim.scenario.loading import build_scenario, load_scenario, read_scenario_raw, with_settings
from sgsim.studies.runner import run_replications

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


def within_4_se(successes: int, n: int, p: float) -> bool:
    return abs(successes / n - p) < 4 * np.sqrt(p * (1 - p) / n)


@pytest.fixture(scope="module")
def east_sussex():
    s = load_scenario(EAST_SUSSEX).scenario
    return s, simulate(s, 5)


def test_east_sussex_2024_retriage_confirms_hscc_concerns_as_the_audit_found(east_sussex):
    """The audit found 37 of 38 concerns accurately triaged. The practitioner's re-triage
    of what HSCC passed on confirms a share within 4 standard errors of 37/38, and so
    inside the audit's own 95% (Clopper-Pearson) interval; provider concerns sent directly
    to the team are triaged there once, at HSCC's provider chance times 37/38."""
    s, log = east_sussex
    direct = list(s.demand.sources).index("care_provider_direct")
    done = log.rows("finished", step="retriage")
    concern = log.outcome[done] == log.outcomes.index("concern")
    via_hscc = log.attributes["source"][log.case[done]] != direct
    n, confirmed = int(via_hscc.sum()), int((concern & via_hscc).sum())
    assert n > 3000 and within_4_se(confirmed, n, 37 / 38)
    low, high = stats.beta.ppf([0.025, 0.975], [37, 38], [2, 1])  # Clopper-Pearson, 37/38
    assert low < confirmed / n < high
    n_direct, passed = int((~via_hscc).sum()), int((concern & ~via_hscc).sum())
    assert n_direct > 2000 and within_4_se(passed, n_direct, 0.23 * 37 / 38)
    triaged = log.attributes["source"][log.case[log.rows("started", step="triage")]]
    assert not np.any(triaged == direct)  # never at HSCC


def test_east_sussex_2024_hscc_triages_round_the_clock_and_teams_on_working_days(east_sussex):
    """HSCC is open 24/7: with triage waits of minutes, triage starts on Saturdays and
    Sundays in the weekend's share of contacts (weights 0.5 + 0.5 of 7); the locality
    practitioners' re-triage starts on working days only."""
    s, log = east_sussex
    days = scenario_days(s)
    start = log.time[log.rows("started", step="triage")]
    weekday = np.array([(s.origin.weekday() + int(d)) % 7 for d in start])
    weekend = int(np.count_nonzero(weekday >= 5))
    assert within_4_se(weekend, start.size, 1.0 / 7.0)
    retriage = log.time[log.rows("started", step="retriage")]
    assert np.all(days.is_working[np.floor(retriage).astype(int)])


def test_east_sussex_2024_states_no_decision_target_and_outputs_claim_none(east_sussex):
    """The report gives no target for the s42 decision: no share "within target" is
    computed, and the timeliness figure draws no target line."""
    s, _ = east_sussex
    assert decision_target(s) is None
    assert "decision_within_target_rate" not in metric_names(s)
    result = run_replications(s, 5, 1)
    fig = decision_times(result, s)
    words = " ".join(t.get_text() for ax in fig.axes for t in ax.texts)
    assert "target" not in words.lower()


def test_east_sussex_2024_starts_with_full_caseloads_and_630_waiting():
    """January 2024: the open enquiries and open work fill every practitioner's place
    (round(45 x 0.85 x 25) = 956), so none of the 630 is allocated at time zero; with two
    practitioners more, round(47 x 0.85 x 25) - 956 = 43 are."""
    for extra, at_once in ((0, 0), (2, 43)):
        raw = read_scenario_raw(EAST_SUSSEX)
        path = "teams.locality.roles.practitioner.headcount"
        s = build_scenario(with_settings(raw, {path: 45 + extra}), str(EAST_SUSSEX))
        log = simulate(s, 6)
        started = log.rows("started", step="assessment")
        backlog = ~np.isnan(log.attributes["backlog_age"][log.case[started]])
        assert np.count_nonzero(backlog & (log.time[started] == 0)) == at_once
        assert np.count_nonzero(log.rows("queued", step="assessment") & (log.time == 0)) == 630


def test_east_sussex_2024_reported_caseload_is_shown_and_near_the_simulation():
    """The one figure the report gives that sgsim computes, an average caseload of 22
    (every open case per practitioner), is in the reported-against-simulated table
    (bookkeeping), and the simulated mean is within 1 of it. The casework volume was
    chosen for it (see the file), so this checks that the fit holds: simulated years vary
    by about 0.34 (sd), the mean of 4 by 0.17, and the fit's mean is within 0.25 of 22, so
    a correct model fails this about 1e-5 of the time (4.4 standard errors)."""
    s = load_scenario(EAST_SUSSEX).scenario
    result = run_replications(s, 8, 4, workers=2)
    checks = compare_reported(s.reported, summarise_all(result.per_replication))
    table = reported_table(checks, s.reported.source, wide=True)
    assert [row[0] for row in table.rows] == ["caseload_mean_locality_practitioner"]
    assert checks[0].reported == 22
    assert abs(checks[0].simulated.mean - 22) < 1.0
