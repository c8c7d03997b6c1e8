"""Warm-up (Welch, MSER-5) and the replications needed for a precision (issue #5)."""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pytest
from helpers import MINIMAL, make, minimal_raw

from sgsim.analysis.run_length import (
    fills_from_empty,
    mser,
    relative_half_width,
    replications_needed,
    replications_to_run,
    run_until_precise,
    suggest_warmup,
    welch_moving_average,
)
from sgsim.cli import main
from sgsim.studies.run_length import warmup_trial


def test_mser_cuts_at_the_end_of_a_known_transient():
    rng = np.random.default_rng(3)
    days = np.arange(600)
    transient = 50 * np.exp(-days / 20)  # gone by about day 100
    y = 100 - transient + rng.normal(0, 2, days.size)
    cut = mser(y)
    assert 50 <= cut <= 130
    assert cut % 5 == 0
    assert fills_from_empty(100 - 100 * np.exp(-days / 20), mser(100 - 100 * np.exp(-days / 20)))


def test_mser_keeps_everything_when_there_is_no_transient():
    y = np.random.default_rng(4).normal(10, 1, 500)
    assert mser(y) <= 25


def test_welch_moving_average_is_a_centred_mean_shrinking_at_the_edges():
    y = np.arange(10, dtype=float)
    out = welch_moving_average(y, 2)
    assert out[5] == pytest.approx(np.mean(y[3:8]))
    assert out[0] == y[0] and out[1] == pytest.approx(np.mean(y[0:3]))
    assert out[-1] == y[-1]


def test_replications_needed_by_the_interval_method():
    rng = np.random.default_rng(5)
    tight = list(rng.normal(100, 1, 50))  # CV 1%: 3 replications give +-5%
    loose = list(rng.normal(100, 20, 50))  # CV 20%: about (1.96 * 20 / 5)^2 = 61 needed
    needed = replications_needed({"tight": tight, "loose": loose}, precision=0.05)
    assert needed["tight"] == 3
    assert needed["loose"] is None  # not reached within 50


def test_warmup_suggestion_from_a_hand_made_trial():
    # Two replications of two queues over 40 days (eight 5-day batches).
    # "filling" is empty for 5 days, then 8 in one replication and 12 in the other: its mean
    # is 0 on days 0-4 and 10 after. MSER-5 cuts after the first batch (the batch means left
    # are all 10, variance 0): day 5. Its first batch, 0, is under half of 10: it fills.
    # "busy" is 20 for 20 days, then 10: MSER-5 cuts at day 20 (the statistic for d = 0..4
    # batches is 3.13, 3.50, 3.70, 3.20, 0), but it starts above its settled level, so it
    # does not count. The suggestion is day 5 rounded up to ten days: 10, not 20.
    filling = [np.r_[np.zeros(5), np.full(35, level)] for level in (8.0, 12.0)]
    busy = np.r_[np.full(20, 20.0), np.full(20, 10.0)]
    daily = [{"filling": f, "busy": busy, "day": np.arange(40)} for f in filling]
    suggestion = suggest_warmup(daily, window=2, queues=("filling", "busy"))
    assert suggestion.days == 10
    f, b = suggestion.stages["filling"], suggestion.stages["busy"]
    assert list(suggestion.stages) == ["filling", "busy"]
    assert (f.cut, f.settled, f.fills_from_empty) == (5, 10.0, True)
    assert (b.cut, b.settled, b.fills_from_empty) == (20, 10.0, False)
    assert f.mean[:7].tolist() == [0, 0, 0, 0, 0, 10, 10]
    assert f.smoothed[5] == pytest.approx((0 + 0 + 10 + 10 + 10) / 5)  # days 3 to 7


def test_no_warmup_when_no_queue_fills_from_empty():
    suggestion = suggest_warmup([{"steady": np.full(40, 3.0)}], window=5, queues=("steady",))
    assert suggestion.days == 0
    assert suggestion.stages["steady"].cut == 0
    assert not suggestion.stages["steady"].fills_from_empty


def test_warmup_trial_runs_from_empty_from_the_scenario_origin():
    s = make(minimal_raw())  # starts 2023-01-02 after a 30-day warm-up; measures 200 days
    trial = warmup_trial(s)
    assert trial.run.start_date == dt.date(2022, 12, 3)
    assert trial.run.warmup_days == 0
    assert trial.run.run_days == 460  # twice the 230 simulated days
    assert warmup_trial(s, 200).run.run_days == 200
    raw = minimal_raw()
    raw["run"]["run_days"] = 100
    assert warmup_trial(make(raw)).run.run_days == 365  # twice 130 days is under a year


def test_relative_half_width_by_hand():
    # 9, 10, 11: mean 10, standard deviation 1, t(0.975, 2 df) = 4.303 from tables: the
    # half-width is 4.303 / sqrt(3) = 2.484, or 0.2484 of the mean.
    assert relative_half_width([9, 10, 11]) == pytest.approx(0.2484, abs=1e-4)
    assert math.isnan(relative_half_width([-1, 1]))  # a mean of zero
    assert math.isnan(relative_half_width([5]))  # one value has no interval


def test_replications_are_added_until_every_metric_is_precise():
    # "a" runs 9, 11, 10, 10, ...: after three, 0.248 of the mean (too wide for 0.2); after
    # four, standard deviation sqrt(2/3) and t(0.975, 3 df) = 3.182 give a half-width of
    # 3.182 * 0.8165 / 2 = 1.299, 0.130 of the mean. "b" is constant: precise at the
    # minimum of three. So four replications run, and four are needed.
    series = {"a": [9, 11, 10, 10, 10, 10], "b": [5.0] * 6}
    ran = []

    def one(r: int) -> dict[str, float]:
        ran.append(r)
        return {m: xs[r] for m, xs in series.items()}

    precisions = run_until_precise(one, ("a", "b"), precision=0.2, maximum=6)
    assert ran == [0, 1, 2, 3]
    a, b = precisions
    assert (a.metric, a.needed, a.mean) == ("a", 4, 10.0)
    assert a.relative_half_width == pytest.approx(0.1299, abs=1e-4)
    assert (b.metric, b.needed, b.relative_half_width) == ("b", 3, 0.0)
    assert replications_to_run(precisions) == 4


def test_replications_to_run_is_unknown_when_a_metric_never_gets_there():
    precisions = run_until_precise(lambda r: {"x": [1, 3, 1, 3][r]}, ("x",), 0.05, maximum=4)
    assert precisions[0].needed is None
    assert replications_to_run(precisions) is None


def test_warmup_command(tmp_path, capsys):
    assert main(["warmup", str(MINIMAL), "-n", "2", "--days", "200", "--plots", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "suggested warm-up:" in out and "open enquiries" in out
    assert (tmp_path / "warmup.png").stat().st_size > 20_000


def test_replications_command(capsys):
    assert (
        main(
            [
                "replications",
                str(MINIMAL),
                "--precision",
                "0.1",
                "--max",
                "8",
                "--metric",
                "contacts",
                "--metric",
                "concerns",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    found = re.search(r"run at least (\d+) replications", out)
    assert "replications needed" in out and found and 3 <= int(found.group(1)) <= 8


def test_replications_rejects_unknown_metric(capsys):
    assert main(["replications", str(MINIMAL), "--metric", "contcts"]) == 2
    assert "did you mean 'contacts'" in capsys.readouterr().err


def test_stress_report_has_every_stress_des_section(tmp_path):
    out = tmp_path / "stress.md"
    assert main(["stress-report", str(MINIMAL), "-n", "2", "-o", str(out)]) == 0
    text = out.read_text()
    for heading in (
        "## 1. Objectives",
        "### 1.1 Purpose of the model",
        "## 2. Logic",
        "### 2.5 Components",
        "## 3. Data",
        "### 3.3 Input parameters",
        "## 4. Experimentation",
        "### 4.1 Initialisation",
        "## 5. Implementation",
        "### 5.2 Random sampling",
        "## 6. Code access",
    ):
        assert heading in text
    assert "`teams.front_door.roles.triage_officer.headcount` | 3" in text  # from the scenario
    assert "minimal test pathway" in text and "seed 12345" in text


def test_replications_command_says_plainly_when_the_maximum_is_not_enough(capsys):
    """A precision no run of at most --max replications reaches (0.1% of the mean, with
    3 at most) is said as "run more than 3 replications", not "at least more than 3"."""
    args = ["replications", str(MINIMAL), "--precision", "0.001", "--max", "3"]
    assert main([*args, "--metric", "concerns"]) == 0
    out = capsys.readouterr().out
    assert "run more than 3 replications" in out and "at least more" not in out
