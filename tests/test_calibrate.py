"""Calibration (issue #5): recovers known values; finds what the figures cannot pin down."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import make, minimal_raw, set_path

from sgsim.cli import main
from sgsim.scenario.loading import load_scenario
from sgsim.studies.calibrate import calibrate, parse_fit
from sgsim.studies.calibration_plan import plan_calibration, replications_for
from sgsim.studies.runner import metrics_of_each, run_replications
from sgsim.studies.settings import apply_settings


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
    plan = plan_calibration(start, "t.toml", params, targets, seed=1, replications=4)
    result = calibrate(start, "t.toml", params, targets, plan)
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
    plan = plan_calibration(raw, "t.toml", params, targets, seed=1, replications=3)
    result = calibrate(raw, "t.toml", params, targets, plan)
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
            "40",
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


# ---------------------------------------------------------------- issue #11: honest fits

TWO_CRITERIA = ["--fit", "steps.s42_test.needs_care_and_support=0.6:1"]
TWO_CRITERIA += ["--fit", "steps.s42_test.abuse_or_neglect=0.6:1"]


def short_file(tmp_path):
    from helpers import MINIMAL

    src = tmp_path / "s.toml"
    src.write_text(MINIMAL.read_text().replace("run_days = 200", "run_days = 60"))
    return src


def count_objective_simulations(monkeypatch, seed):
    """Every scenario calibrate.py simulates with the fit's seed (the pilot runs elsewhere),
    by its number of replications."""
    import sgsim.studies.calibrate as module

    calls = []

    def counting(scenarios, run_seed, replications, workers=1):
        if run_seed == seed:
            calls.extend([replications] * len(scenarios))
        return metrics_of_each(scenarios, run_seed, replications, workers)

    monkeypatch.setattr(module, "metrics_of_each", counting)
    return calls


def test_max_evaluations_caps_every_simulation_of_the_objective(tmp_path, monkeypatch, capsys):
    """'30 gave 74': the ranges and flat-direction checks ran on top of the cap. Eight is
    less than the default of 17 for two parameters, so the cap binds."""
    calls = count_objective_simulations(monkeypatch, seed=12345)
    args = ["calibrate", str(short_file(tmp_path)), *TWO_CRITERIA, "-n", "2"]
    assert main([*args, "--max-evaluations", "8"]) == 0
    assert 0 < len(calls) <= 8
    assert set(calls) == {2}
    out = capsys.readouterr().out
    assert f"{len(calls)} evaluations" in out


def test_too_small_a_cap_is_refused_with_the_minimum(tmp_path, capsys):
    # two parameters: the start and its two differences for the optimiser, and two
    # differences at the fitted values for the ranges: 5
    args = ["calibrate", str(short_file(tmp_path)), *TWO_CRITERIA, "-n", "2"]
    assert main([*args, "--max-evaluations", "4"]) == 2
    err = capsys.readouterr().err
    assert "--max-evaluations" in err and "at least 5" in err


def test_the_time_is_estimated_before_the_start_from_a_timed_pilot(tmp_path, monkeypatch, capsys):
    import sgsim.studies.calibration_plan as plan

    clock = iter([0.0, 20.0])  # the pilot of 10 replications "takes" 20 s: 2 s each
    monkeypatch.setattr(plan, "perf_counter", lambda: next(clock))
    args = ["calibrate", str(short_file(tmp_path)), *TWO_CRITERIA, "-n", "2"]
    assert main([*args, "--max-evaluations", "70"]) == 0
    err = " ".join(capsys.readouterr().err.split())
    # at most 70 evaluations and one fresh-seed check, of 2 replications at 2 s: 284 s
    assert "At most 70 evaluations" in err
    assert "about 4.7 min" in err, err


def test_replications_are_chosen_from_the_pilots_noise():
    """The fewest n with t(0.975, n-1) * sd / sqrt(n) <= max(tolerance * |reported|, sd):
    a reported figure is itself one year's draw, so the wider of 5% and one sd."""
    pilot = [
        {"noisy": 90.0, "wide": 290.0, "steady": 5.0, "tiny": 0.0},
        {"noisy": 100.0, "wide": 300.0, "steady": 5.0, "tiny": 10.0},
        {"noisy": 110.0, "wide": 310.0, "steady": 5.0, "tiny": 20.0},
    ]  # standard deviations 10, 10, 0 and 10
    targets = {"noisy": 100.0, "wide": 300.0, "steady": 5.0, "tiny": 1.0}
    needed = replications_for(pilot, targets, tolerance=0.05, cap=30)
    # noisy and tiny: 5% is under one sd, so within +-10: t / sqrt(n) <= 1;
    # t(0.975, 5) / sqrt(6) = 2.571 / 2.449 = 1.050, t(0.975, 6) / sqrt(7) = 2.447 / 2.646
    # = 0.925: 7. wide: 5% of 300 is 15, t / sqrt(n) <= 1.5; t(0.975, 3) / 2 = 1.591,
    # t(0.975, 4) / sqrt(5) = 2.776 / 2.236 = 1.241: 5. steady: the least, 3.
    assert needed == {"noisy": 7, "wide": 5, "steady": 3, "tiny": 7}
    assert replications_for(pilot, targets, tolerance=0.05, cap=6)["noisy"] is None


def test_the_fitted_values_are_checked_on_fresh_seeds():
    """The in-sample verdict reuses the replications the fit chose its values on; the
    out-of-sample one runs the fitted scenario on a seed the fit never used."""
    raw = short_raw()
    targets = figures_from(raw)
    params = [parse_fit(CONCERN, raw, "t.toml")]
    plan = plan_calibration(raw, "t.toml", params, targets, seed=3, replications=2)
    result = calibrate(raw, "t.toml", params, targets, plan)
    assert result.fresh_seed != plan.seed
    fitted = make(apply_settings(raw, result.fitted, "t.toml"))
    assert result.per_replication == run_replications(fitted, 3, 2).per_replication
    fresh = run_replications(fitted, result.fresh_seed, 2).per_replication
    assert result.fresh_per_replication == fresh
    assert fresh != result.per_replication


def test_calibrate_prints_both_verdicts_and_how_replications_were_chosen(tmp_path, capsys):
    args = ["calibrate", str(short_file(tmp_path))]
    args += ["--fit", CONCERN, "--max-evaluations", "40"]
    assert main([*args, "--tolerance", "0.1"]) == 0
    captured = capsys.readouterr()
    err = " ".join(captured.err.split())
    assert "chosen so each reported figure's 95% interval is within 10%" in err
    out = " ".join(captured.out.split())
    assert "in sample" in out and "out of sample" in out and "seed 12346" in out


def test_default_bounds_come_from_what_the_scenario_accepts_not_from_names():
    """[0, 1] for any value the scenario refuses above 1, whatever its path is called
    (parameter paths are moving); half to twice the value otherwise."""
    raw = minimal_raw()
    share = parse_fit("demand.priority.urgent", raw, "t.toml")  # 0.2; no name list has it
    assert (share.low, share.high) == (0.0, 1.0)
    criterion = parse_fit("steps.s42_test.unable_to_protect", raw, "t.toml")
    assert (criterion.low, criterion.high) == (0.0, 1.0)
    manager = parse_fit("teams.locality.roles.manager.headcount", raw, "t.toml")  # 1; 1.5 is fine
    assert (manager.low, manager.high) == (0.5, 2.0)


def test_the_plan_says_which_figures_hit_the_replication_cap():
    from sgsim.outputs.calibration import plan_lines
    from sgsim.studies.calibration_plan import Plan

    plan = Plan(
        seed=1,
        replications=30,
        spread={"contacts": 50.0, "other_enquiries": 3.0},
        fit_evaluations=60,
        range_evaluations=27,
        seconds_per_replication=0.5,
        needed={"contacts": 4, "other_enquiries": None},
        tolerance=0.05,
        max_replications=30,
    )
    text = " ".join(" ".join(plan_lines(plan)).split())
    assert "Replications: 30 per evaluation, the cap (--max-replications)" in text
    assert "the 95% interval of other_enquiries would need more" in text
    assert "At most 87 evaluations" in text and "seed 2" in text
    # (87 evaluations + 1 check) x 30 replications x 0.5 s = 1320 s
    assert "about 22.0 min" in text
