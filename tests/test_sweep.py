"""Sweeps (issue #4): designs, resumption, refusal of a changed file, Dask, bad files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from helpers import EAST_SUSSEX, PARAMS, PATHS, make, minimal_raw, sweep_file

from sgsim.cli import main
from sgsim.studies.settings import apply_settings, complete_mixes
from sgsim.studies.sweep.design import design_points
from sgsim.studies.sweep.execute import run_dask, run_local
from sgsim.studies.sweep.run import run_sweep
from sgsim.studies.sweep.spec import load_sweep

GRID = (
    '[design]\ntype = "grid"\n'
    + PARAMS["triage"]
    + "values = [2, 3]\n"
    + PARAMS["concern"]
    + "values = [0.1, 0.2, 0.3]\n"
)


def rows(folder: Path) -> list[dict[str, str]]:
    return list(csv.DictReader((folder / "results.csv").open()))


@pytest.mark.parametrize(
    ("design", "params", "expected_points"),
    [
        ('type = "grid"', PARAMS["triage"] + "values = [2, 3, 4]\n", 3),
        (
            'type = "oat"',
            PARAMS["triage"] + "values = [2, 3, 5]\n" + PARAMS["manager"] + "low = 1\nhigh = 3\n",
            1 + 2 + 1,  # a value equal to the base is not run again
        ),
        (
            'type = "lhs"\nsamples = 6',
            PARAMS["triage"]
            + "low = 2\nhigh = 5\n"
            + PARAMS["concern"]
            + "low = 0.1\nhigh = 0.4\n",
            6,
        ),
        (
            'type = "sobol"\nsamples = 4',
            PARAMS["triage"]
            + "low = 2\nhigh = 5\n"
            + PARAMS["concern"]
            + "low = 0.1\nhigh = 0.4\n",
            4 * (2 + 2),
        ),
        (
            'type = "morris"\nsamples = 3',
            PARAMS["triage"]
            + "low = 2\nhigh = 5\n"
            + PARAMS["concern"]
            + "low = 0.1\nhigh = 0.4\n",
            3 * (2 + 1),
        ),
    ],
    ids=["grid", "oat", "lhs", "sobol", "morris"],
)
def test_each_design_runs_every_point_and_replication(tmp_path, design, params, expected_points):
    path = sweep_file(tmp_path, f"[design]\n{design}\n" + params)
    out = tmp_path / "out"
    assert (
        main(
            [
                "sweep",
                str(path),
                "--out",
                str(out),
                "--workers",
                "1",
                "--plots",
                str(tmp_path / "plots"),
            ]
        )
        == 0
    )
    table = rows(out)
    assert len(table) == expected_points * 2
    assert {r["replication"] for r in table} == {"0", "1"}
    assert PATHS["triage"] in table[0]
    assert "decision_within_target_rate" in table[0]
    assert any((tmp_path / "plots").glob("*.png"))
    if "oat" in design:
        # the base point keeps the base scenario's values, others vary one at a time
        spec = load_sweep(path)
        points = design_points(spec)
        assert points[0] == {PATHS["triage"]: 3.0, PATHS["manager"]: 1.0}
        assert (out / "one_at_a_time.csv").exists()


def test_lhs_covers_each_range_once_per_stratum(tmp_path):
    path = sweep_file(
        tmp_path,
        '[design]\ntype = "lhs"\nsamples = 10\n' + PARAMS["concern"] + "low = 0.0\nhigh = 1.0\n",
    )
    values = sorted(p[PATHS["concern"]] for p in design_points(load_sweep(path)))
    assert [int(v * 10) for v in values] == list(range(10))


def test_sobol_ranks_the_parameter_that_matters(tmp_path):
    path = sweep_file(
        tmp_path,
        '[design]\ntype = "sobol"\nsamples = 16\n'
        + PARAMS["concern"]
        + "low = 0.0\nhigh = 0.9\n"
        + PARAMS["manager"]
        + "low = 1\nhigh = 3\n",
    )
    spec = load_sweep(path)
    run_sweep(spec, tmp_path / "out", lambda t: run_local(t, 2))
    indices = [
        r
        for r in csv.DictReader((tmp_path / "out" / "sobol_indices.csv").open())
        if r["metric"] == "concerns"
    ]
    by_param = {r["parameter"]: float(r["ST"]) for r in indices}
    assert by_param[PATHS["concern"]] > 0.8
    assert by_param[PATHS["manager"]] < 0.1


def test_one_share_of_a_mix_fills_in_the_others():
    raw = minimal_raw()
    two = complete_mixes(raw, {PATHS["concern"]: 0.3}, "t.toml")
    assert two["steps.triage.outcomes_by_source.police.not_a_concern"] == pytest.approx(0.7)
    # more than two shares: the others keep their proportions (removed 0.3 : remains 0.1)
    three = complete_mixes(raw, {"steps.closure.outcomes.reduced": 0.8}, "t.toml")
    assert three["steps.closure.outcomes.removed"] == pytest.approx(0.15)
    assert three["steps.closure.outcomes.remains"] == pytest.approx(0.05)
    assert complete_mixes(raw, {PATHS["triage"]: 5}, "t.toml") == {PATHS["triage"]: 5}
    s = make(apply_settings(raw, {PATHS["concern"]: 0.3}, "t.toml"))
    assert s.steps["triage"].outcome_shares("police") == pytest.approx(
        {"concern": 0.3, "not_a_concern": 0.7}
    )


def test_also_sets_the_same_value_at_every_path(tmp_path):
    cap, senior = (
        f"teams.locality.roles.{role}.caseload_cap" for role in ("practitioner", "senior")
    )
    path = sweep_file(
        tmp_path, f'[[parameters]]\npath = "{cap}"\nalso = ["{senior}"]\nvalues = [2, 5]\n'
    )
    spec = load_sweep(path)
    settings = [spec.settings(point) for point in design_points(spec)]
    assert settings == [{cap: 2.0, senior: 2.0}, {cap: 5.0, senior: 5.0}]
    s = make(apply_settings(spec.base_raw, settings[1], "t.toml"))
    assert (
        s.role("locality", "practitioner").caseload_cap
        == s.role("locality", "senior").caseload_cap
        == 5
    )


def test_interrupted_sweep_resumes_losing_nothing_and_running_nothing_twice(tmp_path):
    path = sweep_file(tmp_path, GRID)
    spec = load_sweep(path)
    ran: list[int] = []

    def dies_after_two(tasks):
        for task in tasks[:2]:
            result = run_local([task], 1)
            index, reps = next(result)
            ran.append(index)
            yield index, reps
        raise KeyboardInterrupt  # killed mid-sweep

    with pytest.raises(KeyboardInterrupt):
        run_sweep(spec, tmp_path / "out", dies_after_two)
    assert len(list((tmp_path / "out" / "points").glob("*.json"))) == 2

    def counting(tasks):
        for index, reps in run_local(tasks, 1):
            ran.append(index)
            yield index, reps

    result = run_sweep(spec, tmp_path / "out", counting)
    assert result["ran"] == 4 and sorted(ran) == list(range(6))  # each point exactly once
    assert len(rows(tmp_path / "out")) == 12
    fresh = run_sweep(spec, tmp_path / "fresh", lambda t: run_local(t, 1))
    assert fresh["per_point"] == result["per_point"]  # resumed = uninterrupted, exactly
    again = run_sweep(spec, tmp_path / "out", counting)
    assert again["ran"] == 0


def test_changed_sweep_file_is_refused(tmp_path, capsys):
    path = sweep_file(tmp_path, GRID)
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1"]) == 0
    path.write_text(path.read_text().replace("values = [2, 3]", "values = [2, 3, 4]"))
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert "results of a different sweep" in err and str(out) in err
    assert len(rows(out)) == 12  # the old results are untouched


def test_dask_cluster_gives_the_same_numbers_as_local_processes(tmp_path):
    pytest.importorskip("dask.distributed")
    spec = load_sweep(sweep_file(tmp_path, GRID))
    local = run_sweep(spec, tmp_path / "local", lambda t: run_local(t, 2))
    dask = run_sweep(spec, tmp_path / "dask", lambda t: run_dask(t, 2, None))
    assert dask["per_point"] == local["per_point"]
    assert (tmp_path / "dask" / "results.csv").read_text() == (
        tmp_path / "local" / "results.csv"
    ).read_text()


BAD = [
    (
        PARAMS["triage"].replace("triage_officer", "triage_oficer") + "values = [1, 2]\n",
        "parameters[0].path",
        "did you mean 'triage_officer'",
    ),
    (
        '[[parameters]]\npath = "demand.contacts_per_yeer"\nvalues = [1, 2]\n',
        "parameters[0].path",
        "did you mean 'contacts_per_year'",
    ),
    (
        '[[parameters]]\npath = "demand.sources"\nvalues = [1, 2]\n',
        "parameters[0].path",
        "not to a table",
    ),
    (
        '[[parameters]]\npath = "teams.frnt_door.roles.triage_officer.headcount"\nvalues = [1]\n',
        "parameters[0].path",
        "did you mean 'front_door'",
    ),
    (
        '[[parameters]]\npath = "steps.triag.touch_minutes.mean"\nvalues = [1, 2]\n',
        "parameters[0].path",
        "did you mean 'triage'",
    ),
    (  # below steps.NAME, the settings of that step's kind
        '[[parameters]]\npath = "steps.s42_test.unable_to_protekt"\nvalues = [0.5]\n',
        "parameters[0].path",
        "did you mean 'unable_to_protect'",
    ),
    (
        '[[parameters]]\npath = "steps.triage.unable_to_protect"\nvalues = [0.5]\n',
        "parameters[0].path",
        "a setting of steps.triage (kind, next, outcomes, outcomes_by_source, role",
    ),
    (
        '[[parameters]]\npath = "steps.triage.touch_minutes.sd"\nvalues = [1, 2]\n',
        "parameters[0].path",
        "a parameter of steps.triage.touch_minutes (mean)",
    ),
    (
        '[[parameters]]\npath = "steps.triage.kind"\nvalues = [1, 2]\n',
        "parameters[0].path",
        "a path ending at a number setting",
    ),
    (
        PARAMS["triage"] + 'values = [1, 2]\nalso = ["teams.locality.roles.senior.caseload_cpa"]\n',
        "parameters[0].also[0]",
        "did you mean 'caseload_cap'",
    ),
    (
        PARAMS["triage"] + f'values = [1, 2]\nalso = ["{PATHS["triage"]}"]\n',
        "parameters",
        "each path once",
    ),
    (PARAMS["triage"] + "low = 4\nhigh = 4\n", "parameters[0].high", "a non-empty range"),
    (PARAMS["triage"] + "values = []\n", "parameters[0].values", "a non-empty list"),
    (
        PARAMS["concern"] + "values = [0.5, 1.5]\n",
        PATHS["concern"],
        "a probability between 0 and 1",
    ),
    (
        '[design]\ntype = "sobel"\n' + PARAMS["triage"] + "low = 1\nhigh = 2\n",
        "design.type",
        "did you mean 'sobol'",
    ),
    (
        '[design]\ntype = "sobol"\nsamples = 6\n' + PARAMS["triage"] + "low = 1\nhigh = 2\n",
        "design.samples",
        "a power of 2",
    ),
    (
        'plot_metric = "decisions"\n' + PARAMS["triage"] + "values = [1, 2]\n",
        "plot_metric",
        "a metric sgsim computes",
    ),
]


@pytest.mark.parametrize(("body", "key", "words"), BAD)
def test_bad_sweep_files_get_one_clear_line(tmp_path, capsys, body, key, words):
    path = sweep_file(tmp_path, body)
    assert main(["sweep", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and key in err and words in err and str(path) in err
    assert not (tmp_path / "out").exists()


def test_sweep_record_names_the_design(tmp_path):
    path = sweep_file(tmp_path, GRID)
    assert main(["sweep", str(path), "--out", str(tmp_path / "o"), "--workers", "1"]) == 0
    record = json.loads((tmp_path / "o" / "sweep.json").read_text())
    assert record["design"] == "grid" and record["points"] == 6 and record["replications"] == 2


def test_a_sweep_of_a_council_with_no_decision_target_plots_working_days_by_default(tmp_path):
    """East Sussex states no decision target: with no plot_metric the sweep plots the
    working days to decision, not a share "within target" it does not have."""
    path = tmp_path / "sweep.toml"
    path.write_text(
        f'base = "{EAST_SUSSEX.as_posix()}"\n'
        + PARAMS["manager"].replace("locality.roles.manager", "locality.roles.practice_manager")
        + "values = [7, 8]\n"
    )
    assert load_sweep(path).plot_metrics == ("decision_working_days_mean",)


def test_whole_values_stay_whole_so_a_sweep_over_run_days_runs(tmp_path):
    """``values = [60, 90]`` for ``run.run_days`` (a whole number of days) sets 60 and 90,
    not 60.0, which the scenario would refuse; values with decimals stay decimals."""
    path = sweep_file(tmp_path, '[[parameters]]\npath = "run.run_days"\nvalues = [60, 90]\n')
    spec = load_sweep(path)
    settings = [spec.settings(point) for point in design_points(spec)]
    assert settings == [{"run.run_days": 60}, {"run.run_days": 90}]
    assert all(type(v) is int for s in settings for v in s.values())
    assert make(apply_settings(spec.base_raw, settings[1], "t.toml")).run.run_days == 90
    mixed = sweep_file(
        tmp_path, f'[[parameters]]\npath = "{PATHS["concern"]}"\nvalues = [0, 0.5]\n'
    )
    assert load_sweep(mixed).parameters[0].integer is False
