"""Changes on a date (issue #9, item 4): a run whose design changes part way through.

Known answers: a backlog worked by people on round-the-clock one-day tasks finishes at
times that follow from the headcount before and after the date (worked by hand below);
with ``stay`` a redefined step's old team serves its whole queue, with ``hand_over`` the
new team takes every case still waiting on the date; doubling the servers of an M/M/c
queue on a date gives each period the Erlang C wait of its own staffing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from helpers import ROOT, backlog_raw, erlang_c_wait, extending, make, mmc_raw, rejected

from sgsim.analysis.metrics import compute, metric_names
from sgsim.model import simulate
from sgsim.scenario.loading import load_scenario
from sgsim.studies.runner import run_replications


def day_tasks(raw: dict, waiting: int) -> dict:
    """The backlog scenario with one-day tasks (24 hours of a round-the-clock officer)."""
    raw["steps"]["assessment"]["touch_minutes"] = {"dist": "fixed", "value": 0.7 * 1440}
    raw["backlog"] = {"assessment": {"waiting": waiting}}
    return raw


def on(raw: dict, days: int) -> dt.date:
    start = raw["run"]["start_date"]
    start = start if isinstance(start, dt.date) else dt.date.fromisoformat(start)
    return start + dt.timedelta(days=days)


def finish_times(log, step: str = "assessment") -> list[float]:
    return sorted(np.round(log.time[log.rows("finished", step=step)], 6).tolist())


def test_a_headcount_change_takes_effect_exactly_on_its_date():
    """10 cases of 0.7 days each, one officer until day 3, then two. By hand: the first
    finishes at 0.7, 1.4, 2.1, 2.8; the fifth started at 2.8 ends at 3.5; on day 3 the
    second officer starts the sixth (ends 3.7); then each takes the next as it finishes:
    3.5 -> 4.2, 3.7 -> 4.4, 4.2 -> 4.9, 4.4 -> 5.1, 4.9 -> 5.6."""
    raw = day_tasks(backlog_raw(10), 10)
    raw["changes"] = [
        {"on": on(raw, 3), "teams": {"desk": {"roles": {"officer": {"headcount": 2}}}}}
    ]
    s = make(raw)
    log = simulate(s, 1)
    assert finish_times(log) == [0.7, 1.4, 2.1, 2.8, 3.5, 3.7, 4.2, 4.4, 4.9, 5.1]
    # the same without the change: one officer all along
    del raw["changes"]
    assert finish_times(simulate(make(raw), 1)) == [round(0.7 * k, 6) for k in range(1, 11)]


def moved_raw(rule: str) -> dict:
    """10 cases queued at a desk; on day 3 the step moves to a new team of one."""
    raw = day_tasks(backlog_raw(10), 10)
    raw["changes"] = [
        {
            "on": on(raw, 3),
            "open_cases": rule,
            "teams": {
                "desk": "none",
                "hub": {
                    "roles": {"officer": {"headcount": 1, "calendar": "24/7", "hours_per_day": 24}}
                },
            },
            "steps": {"assessment": {"team": "hub"}},
        }
    ]
    return raw


def by_pool(log) -> dict[str, list[float]]:
    done = log.rows("finished", step="assessment")
    out: dict[str, list[float]] = {}
    for pool, t in zip(log.pool[done], log.time[done], strict=True):
        out.setdefault(log.pools[pool], []).append(round(float(t), 6))
    return out


def test_stay_leaves_the_queue_with_the_old_team():
    """``stay``: the old desk (which keeps its officer for the cases that stay) works all
    ten cases at 0.7-day intervals; the new hub gets none of them."""
    log = simulate(make(moved_raw("stay")), 1)
    assert by_pool(log) == {"desk_officer": [round(0.7 * k, 6) for k in range(1, 11)]}
    assert not log.rows("left_queue").any()


def test_hand_over_moves_every_case_still_waiting_on_the_date():
    """``hand_over``: on day 3 the desk has finished four and is working the fifth (to
    3.5); the five still waiting go to the hub, which starts them on day 3 and finishes
    them 0.7 days apart: 3.7, 4.4, 5.1, 5.8, 6.5."""
    s = make(moved_raw("hand_over"))
    log = simulate(s, 1)
    assert by_pool(log) == {
        "desk_officer": [0.7, 1.4, 2.1, 2.8, 3.5],
        "hub_officer": [3.7, 4.4, 5.1, 5.8, 6.5],
    }
    handed = log.rows("left_queue", step="assessment", outcome="handed_over")
    assert np.count_nonzero(handed) == 5 and np.all(log.time[handed] == 3.0)
    m = compute(log, s)
    assert m["period2.exit_done"] == 6  # the fifth (3.5) and the hub's five
    assert m["period1.exit_done"] == 4


def test_doubling_servers_on_a_date_gives_each_period_its_own_erlang_c_wait():
    """M/M/3 at 80% busy for 150 days, then M/M/6 (40% busy) for 150 days. Each period's
    mean wait is checked against the Erlang C value for its own staffing, by the 95%
    interval over 10 replications: a correct model fails each check for about 1 seed in
    20 (the seed is fixed, so the test is reproducible). The queue left at the change
    (2.6 cases on average) clears in minutes, which moves period 2's mean by far less
    than its interval."""
    lam, minutes = 60.0, 57.6
    raw = mmc_raw(lam, minutes, 3)
    raw["changes"] = [
        {
            "on": on(raw, 150),
            "teams": {"front_door": {"roles": {"triage_officer": {"headcount": 6}}}},
        }
    ]
    s = make(raw)
    summaries = run_replications(s, seed=2024, replications=10).summaries()
    mu = 24 * 60 / minutes
    for period, c in (("period1", 3), ("period2", 6)):
        wait = summaries[f"{period}.triage_wait_days_mean"]
        expected = erlang_c_wait(lam, mu, c)
        lo, hi = wait.ci95
        assert lo <= expected <= hi, (period, expected, wait)
        util = summaries[f"{period}.utilisation_front_door_triage_officer"].mean
        assert util == pytest.approx(lam / mu / c, abs=0.02)
    # the whole run measures no utilisation for a pool staffed differently in each period
    assert "utilisation_front_door_triage_officer" not in metric_names(s)


# ----------------------------------------------------------------------------- bad input


def change(raw: dict, **fields) -> dict:
    raw["changes"] = [
        {"on": on(raw, 10), "teams": {"desk": {"roles": {"officer": {"headcount": 2}}}}} | fields
    ]
    return raw


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"on": dt.date(2000, 1, 1)}, "a date after run.start_date and before the run's end"),
        ({"on": "soon"}, "changes[1].on: expected a date"),
        ({"open_cases": "move"}, "changes[1].open_cases: expected one of stay, hand_over"),
        ({"demand": {"contacts_per_day": 2}}, "changes[1].demand"),
        ({"teams": {}}, "a [changes.teams] or [changes.steps] table"),
        ({"steps": 5}, "changes[1].steps: expected a table [changes.steps]"),
        (
            {"steps": {"assessment": {"team": "hubb"}}},
            "changes[1] (the design from",
        ),
        ({"steps": {"assessment": {"role": "clerk"}}}, "expected a role of team desk"),
        ({"steps": {"assessment": {"kind": "panel"}}}, "changes[1].steps.assessment.kind"),
        (
            {"steps": {"later": {"kind": "exit"}}},
            "steps.later: expected a step that some route or entry point reaches",
        ),
    ],
)
def test_bad_changes_are_refused_in_one_line(fields, words):
    raw = change(backlog_raw(1), **fields)
    message = rejected(lambda: make(raw))
    assert "test.toml" in message and words in message, message


def test_a_change_in_the_warm_up_says_what_is_allowed():
    raw = backlog_raw(1)
    raw["run"]["warmup_days"] = 30
    message = rejected(lambda: make(change(raw, on=on(raw, -5))))
    assert "a change in the warm-up belongs in the design the file starts with" in message


def test_changes_out_of_order_or_on_one_date_are_refused():
    raw = backlog_raw(1)
    first = {"on": on(raw, 10), "teams": {"desk": {"roles": {"officer": {"headcount": 2}}}}}
    for second_day in (10, 5):
        raw["changes"] = [first, first | {"on": on(raw, second_day)}]
        message = rejected(lambda: make(raw))
        assert "changes[2].on: expected a date after the previous change's" in message


# ----------------------------------------------------------------------------- Southampton


def test_southampton_after_the_change_is_the_after_file():
    """Bookkeeping: the one-run file's design after its change is the after file's (the
    same teams and steps), and before it the before file's."""
    one = load_scenario(ROOT / "scenarios" / "southampton_2019.toml").scenario
    before = load_scenario(ROOT / "scenarios" / "southampton_2019_before.toml").scenario
    after = load_scenario(ROOT / "scenarios" / "southampton_2019_after.toml").scenario
    first, second = (p.scenario for p in one.periods)
    assert (first.teams, first.steps) == (before.teams, before.steps)
    assert (second.teams, second.steps) == (after.teams, after.steps)
    assert one.periods[1].on == dt.date(2018, 10, 1)


def test_southampton_reports_each_period(tmp_path: Path):
    s = load_scenario(ROOT / "scenarios" / "southampton_2019.toml").scenario
    m = compute(simulate(s, 1), s)
    for period in ("period1", "period2"):
        assert m[f"{period}.contacts"] > 1500
    assert "period1.utilisation_central_social_worker" in m
    assert "period2.utilisation_locality_east_social_worker" in m
    assert "period1.utilisation_locality_east_social_worker" not in m
    # contacts are counted once: the periods add up to the year (bookkeeping)
    assert m["period1.contacts"] + m["period2.contacts"] == m["contacts"]


@pytest.mark.parametrize(
    "body",
    [
        "[changes]\non = 2023-01-12\n",  # a table, not [[changes]]
        "changes = 5\n",
        "changes = [5]\n",
    ],
)
def test_changes_that_are_not_a_list_of_tables_are_refused_in_one_line(tmp_path, body):
    path = extending(tmp_path, body)
    message = rejected(lambda: load_scenario(path))
    assert "changes: expected a list of tables, each [[changes]]" in message


def test_a_removed_step_keeps_its_waiting_cases_under_hand_over():
    """A change that removes the step cases wait at (routing new cases round it) cannot
    hand them over: they stay, and the old team finishes them (10 cases, 0.7 days each)."""
    raw = day_tasks(backlog_raw(10), 10)
    raw["steps"] = {"intake": {"kind": "exit"}} | raw["steps"]
    raw["steps"]["intake"] = {
        "kind": "decision",
        "team": "desk",
        "role": "officer",
        "touch_minutes": {"dist": "fixed", "value": 1},
        "outcomes": {"ok": 1.0},
        "next": "assessment",
    }
    raw["changes"] = [
        {
            "on": on(raw, 3),
            "open_cases": "hand_over",
            "steps": {"assessment": "none", "intake": {"next": "done"}},
        }
    ]
    log = simulate(make(raw), 1)
    assert finish_times(log) == [round(0.7 * k, 6) for k in range(1, 11)]
