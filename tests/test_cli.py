"""The command line end to end: run, --json, --out, validate, help."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import socket
import subprocess
import time
import tomllib

import pytest
from helpers import EAST_SUSSEX, MINIMAL, ROOT, SGSIM, SHIPPED, WEST_SUSSEX, run_raw

from sgsim.cli import main
from sgsim.cli.main import build_parser

REQUIRED_METRICS = [
    "contacts",
    "concerns",
    "s42_enquiries",
    "other_enquiries",
    "contact_to_concern_rate",
    "concern_to_s42_rate",
    "decision_working_days_mean",
    "decision_within_target_rate",
    "allocation_wait_days_mean",
    "enquiry_duration_days_mean",
    "enquiries_concluded",
    "open_cases_end",
]


def run_json(capsys, *args: str) -> dict:
    assert main(["run", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_document_has_the_promised_shape(capsys):
    doc = run_json(capsys, str(MINIMAL), "-n", "3", "--seed", "5")
    assert doc["scenario"] == "minimal test pathway"
    assert doc["replications"] == 3 and doc["seed"] == 5
    pools = ["utilisation_front_door_triage_officer", "utilisation_locality_manager"]
    for name in [*REQUIRED_METRICS, *pools]:
        entry = doc["metrics"][name]
        lo, hi = entry["ci95"]
        assert lo <= entry["mean"] <= hi
    rep = doc["reported"]["contacts"]
    assert set(rep) >= {"reported", "simulated_mean", "ci95", "within_ci"}
    assert rep["reported"] == 1640
    rate = doc["published_rates"]["contact_to_concern_rate"]
    assert rate["mismatch"] is True  # published 20%, counts give 490 / 1640 = 29.9%
    assert rate["from_reported_counts"] == pytest.approx(490 / 1640)


def test_same_seed_identical_output_different_seed_not(capsys):
    a = run_json(capsys, str(MINIMAL), "-n", "2", "--seed", "1")
    b = run_json(capsys, str(MINIMAL), "-n", "2", "--seed", "1")
    c = run_json(capsys, str(MINIMAL), "-n", "2", "--seed", "2")
    assert a == b
    assert a["metrics"]["contacts"] != c["metrics"]["contacts"]


def test_replication_r_does_not_depend_on_how_many_are_run(tmp_path):
    for n in (2, 3):
        assert main(["run", str(MINIMAL), "-n", str(n), "--out", str(tmp_path / str(n))]) == 0
    two = list(csv.reader((tmp_path / "2" / "replications.csv").open()))
    three = list(csv.reader((tmp_path / "3" / "replications.csv").open()))
    assert two == three[:3]


def test_out_writes_readable_files(tmp_path, capsys):
    out = tmp_path / "results"
    assert main(["run", str(MINIMAL), "-n", "2", "--out", str(out), "--event-log", "all"]) == 0
    names = {p.name for p in out.iterdir()}
    assert names == {
        "events.csv",
        "cases.csv",
        "replications.csv",
        "summary.csv",
        "reported.csv",
        "published_rates.csv",
        "daily_queues.csv",
        "monthly_concerns.csv",
        "scenario.toml",
        "run.json",
    }
    events = list(csv.DictReader((out / "events.csv").open()))
    assert list(events[0]) == [
        "replication",
        "entity_id",
        "case:concept:name",
        "step",
        "event",
        "event_type",
        "concept:name",
        "time",
        "time:timestamp",
        "pool",
        "resource_id",
        "outcome",
    ]
    assert {e["replication"] for e in events} == {"0", "1"}
    steps = tomllib.loads(MINIMAL.read_text())["steps"]
    assert {e["step"] for e in events} == set(steps)  # every step of the file is visited
    # vidigi's event types: entering and leaving, queueing, using a resource and ending it
    vidigi = {"arrival_departure", "queue", "resource_use", "resource_use_end"}
    assert {e["event_type"] for e in events} == vidigi
    presence = [e for e in events if e["event_type"] == "arrival_departure"]
    assert {e["event"] for e in presence} == {"arrival", "depart"}
    assert {e["step"] for e in presence if e["event"] == "depart"} == {
        name for name, step in steps.items() if step["kind"] == "exit"
    }
    # every other event is named after its step; the activity names the step on every row
    steps_own = [e for e in events if e["event_type"] != "arrival_departure"]
    assert all(e["event"].startswith(e["step"] + "_") for e in steps_own)
    assert all(e["concept:name"].startswith(e["step"] + "_") for e in events)
    assert {e["case:concept:name"] for e in events} == {
        f"{e['replication']}-{e['entity_id']}" for e in events
    }
    started = [e for e in events if e["event"] == "triage_begins"]
    assert {e["pool"] for e in started} == {"front_door_triage_officer"}
    assert all(1 <= int(e["resource_id"]) <= 3 for e in started)  # 3 triage officers
    # the timestamp is the time in days after the start of the warm-up, 2022-12-03, to
    # the second (the time in days is rounded to a tenth of a second)
    for e in events[:: len(events) // 50]:
        stamp = dt.datetime.fromisoformat(e["time:timestamp"])
        since = stamp - dt.datetime(2022, 12, 3)
        assert abs(since.total_seconds() - float(e["time"]) * 86400) <= 0.6
    run = json.loads((out / "run.json").read_text())
    assert run["seed"] == 12345 and run["replications"] == 2 and run["sgsim_version"]
    assert "minimal test pathway" in (out / "scenario.toml").read_text()
    daily = list(csv.DictReader((out / "daily_queues.csv").open()))
    assert len(daily) == 2 * 230 and daily[0]["date"] == "2022-12-03"
    # nothing left behind but the output folder
    assert [p.name for p in tmp_path.iterdir()] == ["results"]


def test_event_log_file_is_byte_identical_for_a_seed(tmp_path):
    for name in ("a", "b"):
        assert (
            main(["run", str(MINIMAL), "-n", "1", "--seed", "3", "--out", str(tmp_path / name)])
            == 0
        )
    for f in ("events.csv", "cases.csv", "replications.csv", "daily_queues.csv"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()


def test_table_output_shows_funnel_and_reported_verdicts(capsys):
    assert main(["run", str(MINIMAL), "-n", "3"]) == 0
    out = capsys.readouterr().out
    for words in (
        "contacts",
        "concern_to_s42_rate",
        "Reported vs simulated",
        "published",
        "20.0%",
        "29.9%",
    ):
        assert words in out


def test_the_shipped_scenarios_include_the_known_ones():
    assert {WEST_SUSSEX, EAST_SUSSEX} <= set(SHIPPED)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_scenarios_validate(path, capsys):
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "valid" in out
    raw = run_raw(path)
    teams, steps = out.split("teams: ")[1].split("steps: ")
    for team, spec in raw["teams"].items():
        assert f"{team} ({', '.join(spec['roles'])})" in teams
    for name, step in raw["steps"].items():
        assert f"{name} ({step['kind']})" in steps
    assert f"{len(raw['teams'])} teams" in out and f"{len(raw['steps'])} steps" in out


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_scenarios_run(path, capsys):
    doc = run_json(capsys, str(path), "-n", "1", "--seed", "3")
    assert doc["metrics"]["contacts"]["mean"] > 0
    raw = run_raw(path)
    for name, step in raw["steps"].items():  # every step's queue is measured
        if step["kind"] != "exit":
            assert f"{name}_wait_days_mean" in doc["metrics"], name


def test_cases_file_agrees_with_the_event_log(tmp_path):
    out = tmp_path / "results"
    assert main(["run", str(MINIMAL), "-n", "1", "--out", str(out)]) == 0
    events = list(csv.DictReader((out / "events.csv").open()))
    cases = list(csv.DictReader((out / "cases.csv").open()))
    assert list(cases[0])[2:9] == [
        "source",
        "area",
        "subject",
        "priority",
        "risk_level",
        "abuse_type",
        "location",
    ]
    assert len(cases) == len({e["entity_id"] for e in events})
    arrived = {e["entity_id"]: e["time"] for e in events if e["event"] == "arrival"}
    left = {e["entity_id"]: (e["step"], e["time"]) for e in events if e["event"] == "depart"}
    for case in cases:
        assert case["arrived"] == arrived[case["entity_id"]]
        assert (case["exit_step"], case["left"]) == left.get(case["entity_id"], ("", ""))
        if case["decided"]:
            assert float(case["arrived"]) <= float(case["decided"])
            assert not case["left"] or float(case["decided"]) <= float(case["left"])
    sources = {c["source"] for c in cases}
    assert sources == {"police", "care_provider"}
    # a contact found not to be a concern is decided when triage ends, and leaves then
    rejected = [c for c in cases if c["exit_step"] == "not_a_concern"]
    assert rejected and all(c["decided"] == c["left"] for c in rejected)


def test_west_sussex_reproduces_the_reported_funnel(capsys):
    doc = run_json(capsys, str(WEST_SUSSEX), "-n", "8")
    for name in ("contacts", "concerns", "s42_enquiries"):
        assert doc["reported"][name]["within_range"], doc["reported"][name]
    assert doc["published_rates"]["contact_to_concern_rate"]["mismatch"] is True
    assert doc["published_rates"]["concern_to_s42_rate"]["mismatch"] is True
    assert doc["metrics"]["decision_within_target_rate"]["mean"] > 0.95


def test_help_teaches(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    out = capsys.readouterr().out
    assert "examples:" in out and "--replications" in out and "common random" in out


def _commands() -> dict[str, argparse.ArgumentParser]:
    (sub,) = (a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices


@pytest.mark.parametrize("command", list(_commands()))
def test_help_names_every_default_and_has_no_stray_percent(command, capsys):
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "%%" not in out
    text = " ".join(out.split())  # undo argparse's line wrapping
    for action in _commands()[command]._actions:
        if action.default not in (None, False, argparse.SUPPRESS):
            assert f"default: {action.default}" in text, action.dest


@pytest.mark.parametrize("command", list(_commands()))
def test_help_fits_80_columns(command, capsys, monkeypatch):
    """Help, examples included, reads on an 80-column terminal."""
    monkeypatch.setenv("COLUMNS", "80")
    with pytest.raises(SystemExit):
        main([command, "--help"])
    wide = [line for line in capsys.readouterr().out.splitlines() if len(line) > 80]
    assert not wide, wide


@pytest.mark.parametrize(
    "address, words",
    [
        (None, "expected a running Dask scheduler, got 'tcp://127.0.0.1:"),  # nothing listens
        ("127.0.0.1", "expected an address tcp://HOST:PORT, got '127.0.0.1' (missing port"),
        ("http://127.0.0.1:8786", "expected an address tcp://HOST:PORT"),
    ],
)
def test_a_scheduler_address_with_no_scheduler_is_one_line_within_seconds(tmp_path, address, words):
    """Dask retries a refused connection until its timeout (30 s by default, then a
    traceback); sgsim gives up after a few seconds with one line naming --scheduler."""
    pytest.importorskip("distributed")
    with socket.socket() as taken:  # bound, not listening: a port that refuses connections
        taken.bind(("127.0.0.1", 0))
        address = address or f"tcp://127.0.0.1:{taken.getsockname()[1]}"
        began = time.monotonic()
        proc = subprocess.run(
            [
                *SGSIM,
                "national",
                str(ROOT / "experiments/national/published.csv"),
                "--out",
                str(tmp_path / "out"),
                "--executor",
                "dask",
                "--scheduler",
                address,
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        seconds = time.monotonic() - began
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("sgsim: error: command line: --scheduler: ")
    assert words in proc.stderr and len(proc.stderr.splitlines()) == 1, proc.stderr
    assert seconds < 20, seconds  # 5 s of retries and the start of Python and sgsim
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "options, key",
    [
        (["--scheduler", "tcp://127.0.0.1:8786"], "--scheduler"),  # without --executor dask
        (
            ["--executor", "dask", "--scheduler", "tcp://127.0.0.1:8786", "--workers", "2"],
            "--workers",
        ),
    ],
)
@pytest.mark.parametrize("command", ["national", "sweep"])
def test_executor_options_that_would_be_ignored_are_refused(
    tmp_path, capsys, command, options, key
):
    """--scheduler means a cluster: --executor local would not use it, and the cluster, not
    --workers, decides how many workers there are. One line, before anything runs."""
    target = {
        "national": ROOT / "experiments/national/published.csv",
        "sweep": ROOT / "experiments/triage_staffing/sweep.toml",
    }[command]
    assert main([command, str(target), "--out", str(tmp_path / "out"), *options]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"sgsim: error: command line: {key}: ") and err.count("\n") == 1, err
    assert not (tmp_path / "out").exists()


def test_bad_option_values_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["run", str(MINIMAL), "-n", "0"])
    assert info.value.code == 2


@pytest.mark.parametrize(("choice", "replications_in_log"), [("first", {"0"}), ("none", None)])
def test_event_log_option(tmp_path, choice, replications_in_log):
    out = tmp_path / choice
    assert main(["run", str(MINIMAL), "-n", "2", "--out", str(out), "--event-log", choice]) == 0
    if replications_in_log is None:
        assert main(["run", str(MINIMAL), "-n", "1", "--out", str(out)]) == 0
        assert (out / "events.csv").exists()
        assert main(["run", str(MINIMAL), "-n", "1", "--out", str(out), "--event-log", choice]) == 0
        assert not (out / "events.csv").exists() and not (out / "cases.csv").exists()
    else:
        rows = list(csv.DictReader((out / "events.csv").open()))
        assert {r["replication"] for r in rows} == replications_in_log
    assert (out / "replications.csv").exists()


def test_parallel_replications_give_exactly_the_serial_result(capsys, tmp_path):
    serial = run_json(capsys, str(MINIMAL), "-n", "3", "--seed", "4")
    parallel = run_json(capsys, str(MINIMAL), "-n", "3", "--seed", "4", "--workers", "2")
    assert parallel == serial
    for workers in ("1", "2"):
        assert (
            main(
                [
                    "run",
                    str(MINIMAL),
                    "-n",
                    "2",
                    "--workers",
                    workers,
                    "--out",
                    str(tmp_path / workers),
                ]
            )
            == 0
        )
    assert (tmp_path / "1" / "events.csv").read_bytes() == (
        tmp_path / "2" / "events.csv"
    ).read_bytes()
