"""Calibration (issue #5): recovers known values; finds what the figures cannot pin down."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import make, minimal_raw, set_path

from sgsim.cli import main
from sgsim.scenario.loading import load_scenario
from sgsim.studies.calibrate import calibrate, parse_fit
from sgsim.studies.runner import run_replications


def short_raw():
    raw = minimal_raw()
    set_path(raw, "run.run_days", 150)
    del raw["reported"]
    return raw


def figures_from(raw, seed=99, replications=12):
    """'Reported' figures: what the model gives with known values, under another seed."""
    reps = run_replications(make(raw), seed, replications).per_replication
    return {k: float(np.mean([r[k] for r in reps])) for k in ("concerns", "s42_enquiries")}


CONCERN = "steps.triage.outcomes_by_source.police.concern"


def test_recovers_known_values_from_figures_simulated_with_them():
    truth = short_raw()  # police concern probability 0.2, unable_to_protect 0.75
    targets = figures_from(truth)
    start = short_raw()
    set_path(start, CONCERN.removesuffix(".concern"), {"concern": 0.35, "not_a_concern": 0.65})
    set_path(start, "steps.s42_test.unable_to_protect", 0.5)
    params = [
        parse_fit(CONCERN, start, "t.toml"),
        parse_fit("steps.s42_test.unable_to_protect", start, "t.toml"),
    ]
    assert [(p.low, p.high) for p in params] == [(0.0, 1.0)] * 2  # probabilities
    result = calibrate(start, "t.toml", params, targets, seed=1, replications=4, max_evaluations=80)
    assert result.objective_end < result.objective_start
    for path, true_value in ((CONCERN, 0.2), ("steps.s42_test.unable_to_protect", 0.75)):
        lo, hi = result.ranges[path]
        assert lo <= true_value <= hi, (path, result.fitted[path], lo, hi)
        assert abs(result.fitted[path] - true_value) < 0.05
    assert result.flat_directions == []


def test_finds_the_direction_the_figures_cannot_pin_down():
    """s42 enquiries depend on the product of two criteria: one combination stays free."""
    raw = short_raw()
    targets = {"s42_enquiries": figures_from(raw)["s42_enquiries"]}
    params = [
        parse_fit("steps.s42_test.needs_care_and_support=0.6:1", raw, "t.toml"),
        parse_fit("steps.s42_test.abuse_or_neglect=0.6:1", raw, "t.toml"),
    ]
    result = calibrate(raw, "t.toml", params, targets, seed=1, replications=3, max_evaluations=40)
    assert len(result.flat_directions) >= 1
    flat = result.flat_directions[0]
    assert set(flat) == {"steps.s42_test.needs_care_and_support", "steps.s42_test.abuse_or_neglect"}
    a, b = flat.values()
    assert a * b < 0  # raise one, lower the other


def test_calibrate_command_writes_a_scenario_that_extends_the_original(tmp_path, capsys):
    src = tmp_path / "s.toml"
    from helpers import MINIMAL

    src.write_text(MINIMAL.read_text().replace("run_days = 200", "run_days = 100"))
    code = main(
        [
            "calibrate",
            str(src),
            "--fit",
            CONCERN,
            "-n",
            "2",
            "--max-evaluations",
            "15",
        ]
    )
    assert code == 0
    out = tmp_path / "s_calibrated.toml"
    text = out.read_text()
    assert 'extends = "s.toml"' in text and "# Fitted to the reported figures" in text
    assert f"{CONCERN.removesuffix('concern')}not_a_concern = " in text  # the rest of the mix
    s = load_scenario(out).scenario
    assert s.name.endswith("(calibrated)")
    shares = s.steps["triage"].outcome_shares("police")
    assert sum(shares.values()) == pytest.approx(1, abs=1e-5)
    assert "Fitted parameters" in capsys.readouterr().out


def test_calibrate_rejects_an_unknown_parameter(tmp_path, capsys):
    from helpers import MINIMAL

    assert main(["calibrate", str(MINIMAL), "--fit", "demand.sources.polce.share"]) == 2
    assert "did you mean 'police'" in capsys.readouterr().err
