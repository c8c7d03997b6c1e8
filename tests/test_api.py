"""The Python API (``import sgsim``) against the command line, which it must agree with,
and the promises it makes to a notebook: one-line errors, no SystemExit, no pyplot."""

from __future__ import annotations

import ast
import json
import math
import subprocess
import sys
import tomllib

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from helpers import MINIMAL, ROOT
from matplotlib.figure import Figure

import sgsim
from sgsim.cli import main

SEED, N = 4, 3


@pytest.fixture(scope="module")
def model() -> sgsim.Model:
    return sgsim.load(MINIMAL)


@pytest.fixture(scope="module")
def results(model) -> sgsim.Results:
    return model.run(replications=N, seed=SEED)


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory) -> tuple[dict, object]:
    """The same run by the command line: its JSON document and its --out folder."""
    out = tmp_path_factory.mktemp("cli") / "out"
    args = [str(MINIMAL), "-n", str(N), "--seed", str(SEED)]
    assert main(["run", *args, "--out", str(out)]) == 0
    proc = subprocess.run(
        [sys.executable, "-m", "sgsim", "run", *args, "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout), out


def test_a_file_and_the_same_dict_give_the_same_model(model):
    from_dict = sgsim.load(tomllib.loads(MINIMAL.read_text()))
    assert from_dict.scenario == model.scenario
    a = from_dict.run(replications=2, seed=1).metrics()
    pd.testing.assert_frame_equal(a, model.run(replications=2, seed=1).metrics())


def test_a_dict_cannot_extend_a_file():
    with pytest.raises(sgsim.ScenarioError, match="extends"):
        sgsim.load({"extends": "west_sussex_2022_23.toml"})


def test_settings_by_path_make_a_changed_copy(model):
    changed = model.with_settings(
        {
            "teams.front_door.roles.triage_officer.headcount": 5,
            "steps.triage.outcomes_by_source.police.concern": 0.5,
            "calendar.bank_holidays": "none",
        }
    )
    assert changed.scenario.role("front_door", "triage_officer").headcount == 5
    police = changed.scenario.steps["triage"].outcomes_by_source["police"]
    assert police == {"concern": 0.5, "not_a_concern": 0.5}  # the mix still sums to 1
    assert changed.scenario.calendar.bank_holidays == "none"
    assert model.scenario.role("front_door", "triage_officer").headcount == 3  # unchanged


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({"teams.front_door.roles.triage_oficer.headcount": 2}, "did you mean 'triage_officer'"),
        ({"teams.front_door.roles.triage_officer.headcount": -1}, "expected a count >= 0"),
        ({"steps.triage.outcomes.concern": 1.5}, "between 0 and 1"),
        ({"calendar.bank_holidays": "scotland"}, "expected one of 'england', 'none'"),
        ({"steps.nowhere.touch_minutes.mean": 3}, "one of steps's names"),
    ],
)
def test_bad_settings_are_one_line_scenario_errors(model, settings, words):
    with pytest.raises(sgsim.ScenarioError) as info:
        model.with_settings(settings)
    message = str(info.value)
    assert words in message
    assert message.startswith(f"{MINIMAL}: ") and "\n" not in message


def test_summary_and_metrics_agree_with_the_command_line(results, cli_run):
    doc, out = cli_run
    summary = results.summary()
    assert list(summary.index) == list(doc["metrics"])
    for name, entry in doc["metrics"].items():
        row = summary.loc[name]
        for got, want in zip(
            (row["mean"], row["lower"], row["upper"], row["spread_lower"], row["spread_upper"]),
            (entry["mean"], *entry["ci95"], *entry["range95"]),
            strict=True,
        ):
            assert got == pytest.approx(want, nan_ok=True) or (want is None and math.isnan(got))
    assert summary.loc["contacts", "reported"] == 1640  # the scenario's [reported] figure
    assert summary.loc["contacts", "label"] == "contacts received"
    csv = pd.read_csv(out / "replications.csv", index_col="replication")
    pd.testing.assert_frame_equal(results.metrics(), csv, check_dtype=False)


def test_event_log_and_daily_queues_are_the_csv_files(results, cli_run):
    _, out = cli_run
    events = pd.read_csv(out / "events.csv", parse_dates=["time:timestamp"])
    pd.testing.assert_frame_equal(results.events(), events, check_dtype=False)
    daily = pd.read_csv(out / "daily_queues.csv", parse_dates=["date"])
    pd.testing.assert_frame_equal(results.daily_queues(), daily, check_dtype=False)


def test_compare_agrees_with_sgsim_compare(model, tmp_path):
    fewer = tmp_path / "fewer.toml"
    fewer.write_text(
        f'extends = "{MINIMAL}"\n[teams.front_door.roles.triage_officer]\nheadcount = 2\n'
    )
    assert main(["compare", str(MINIMAL), str(fewer), "-n", "3", "--out", str(tmp_path)]) == 0
    want = pd.read_csv(tmp_path / "comparison.csv").set_index("metric")
    comparison = sgsim.compare([model, sgsim.load(fewer)], replications=3)
    assert list(comparison.results) == ["minimal test pathway", "minimal test pathway'"]
    got = comparison.differences().loc["minimal test pathway'"]
    assert list(got.index) == list(want.index)
    for ours, theirs in [
        ("difference", "difference"),
        ("lower", "difference_ci95_low"),
        ("upper", "difference_ci95_high"),
    ]:
        assert np.allclose(got[ours], want[theirs], equal_nan=True)
    assert list(got["verdict"]) == list(want["verdict"])


def test_workers_change_nothing_but_the_time(model):
    one = model.run(replications=2, seed=9, workers=1)
    two = model.run(replications=2, seed=9, workers=2)
    pd.testing.assert_frame_equal(one.metrics(), two.metrics())
    pd.testing.assert_frame_equal(one.events(), two.events())


def test_figures_are_returned_never_shown_or_kept_by_pyplot(results):
    open_before, backend = plt.get_fignums(), matplotlib.get_backend()
    figures = results.figures()
    assert set(figures) == set(results.figure_names())
    assert all(isinstance(f, Figure) for f in figures.values())
    assert isinstance(results.plot("funnel"), Figure)
    comparison = sgsim.compare({"a": sgsim.load(MINIMAL), "b": sgsim.load(MINIMAL)}, 2)
    assert set(comparison.figures()) == {"compare_metrics", "compare_queues"}
    assert plt.get_fignums() == open_before and matplotlib.get_backend() == backend
    with pytest.raises(ValueError, match="no figure 'nope'; this run has funnel"):
        results.plot("nope")


def test_misuse_is_a_plain_value_error(model):
    with pytest.raises(ValueError, match="replications must be a whole number >= 1"):
        model.run(replications=0)
    with pytest.raises(ValueError, match="seed must be a whole number >= 0"):
        model.run(seed=-1)
    with pytest.raises(ValueError, match="no event log was kept"):
        model.run(replications=1, event_logs=0).events()
    with pytest.raises(ValueError, match="at least two models"):
        sgsim.compare([model])


IMPORT_EVERY_MODULE = """
import importlib, pkgutil, sys
import matplotlib
calls = []
matplotlib.use = lambda *a, **k: calls.append(a)
import sgsim
print("pandas" in sys.modules)
for m in pkgutil.walk_packages(sgsim.__path__, "sgsim."):
    if m.name != "sgsim.__main__":
        importlib.import_module(m.name)
print(calls)
"""


def test_no_module_chooses_a_backend_and_import_sgsim_is_light():
    out = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERY_MODULE], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    assert out[0] == "False"  # the API (and pandas) load on first use
    assert out[1] == "[]"  # matplotlib.use is never called on import


# Raising SystemExit is for the command line; a signal handler may turn SIGTERM into one,
# so that clean-ups run (outputs/folders.py), as the default handler would end the process.
SYSTEM_EXIT_ALLOWED = {"__main__.py", "cli", "folders.py"}


def test_library_code_never_raises_system_exit():
    src = ROOT / "src" / "sgsim"
    raising = []
    for path in src.rglob("*.py"):
        if SYSTEM_EXIT_ALLOWED & {path.name, *path.relative_to(src).parts}:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Raise) and "SystemExit" in ast.unparse(node):
                raising.append(f"{path.relative_to(src)}:{node.lineno}")
    assert raising == []
