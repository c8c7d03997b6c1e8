"""The web app's logic as plain functions: no Streamlit, no server.

Which scenarios are offered and what an upload may extend, reading uploads safely, the
controls a scenario offers, the designs they make, the TOML written back, the time
estimate, the words, the downloads and the ``sgsim app`` command.
"""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest
from helpers import MINIMAL, ROOT, WEST_SUSSEX

from sgsim.analysis.comparison import Difference
from sgsim.analysis.summary import Summary
from sgsim.app import controls, estimate, explain, tomlwrite
from sgsim.app.design import Changes, change_lines, make_design
from sgsim.app.downloads import as_loaded as loaded_as
from sgsim.app.downloads import file_name, report_html, result_files, scenario_text, zipped
from sgsim.app.library import open_source, parent_of, shipped
from sgsim.app.upload import MAX_BYTES, load_upload, safe_name
from sgsim.cli import app as app_command
from sgsim.cli.main import main
from sgsim.outputs.figures import FIGURES
from sgsim.scenario.errors import ScenarioError
from sgsim.scenario.loading import build_scenario, load_scenario, read_scenario_raw
from sgsim.studies.runner import run_replications
from sgsim.studies.settings import resolve_path

SCENARIOS = ROOT / "scenarios"
LIBRARY = shipped(SCENARIOS)
TEACHING = SCENARIOS / "teaching"


def source(name: str):
    return open_source(SCENARIOS / name, name)


# --------------------------------------------------------------------------- library


def test_the_shipped_scenarios_are_those_of_the_folder_and_teaching():
    names = [e.name for e in LIBRARY]
    assert "west_sussex_2022_23.toml" in names
    assert "teaching/01_balanced.toml" in names
    assert len(names) == len(list(SCENARIOS.glob("*.toml")) + list(TEACHING.glob("*.toml")))
    titles = {e.name: e.title for e in LIBRARY}
    assert titles["teaching/01_balanced.toml"] == "Anyshire: balanced front door"


@pytest.mark.parametrize(
    ("extends", "name", "depth"),
    [
        ("west_sussex_2022_23.toml", "west_sussex_2022_23.toml", 0),
        ("teaching/01_balanced.toml", "teaching/01_balanced.toml", 0),
        ("01_balanced.toml", "teaching/01_balanced.toml", 1),
    ],
)
def test_an_upload_may_extend_a_shipped_scenario_by_its_name(extends, name, depth):
    entry, below = parent_of(extends, LIBRARY, "up.toml")
    assert (entry.name, below) == (name, depth)


@pytest.mark.parametrize(
    "extends",
    [
        "../pyproject.toml",
        "/etc/passwd",
        str(WEST_SUSSEX),
        "teaching/../west_sussex_2022_23.toml",
        "../scenarios/west_sussex_2022_23.toml",
        "teaching",
        "",
        "missing.toml",
        3,
    ],
)
def test_anything_else_an_upload_extends_is_refused(extends):
    with pytest.raises(ScenarioError) as err:
        parent_of(extends, LIBRARY, "up.toml")
    assert str(err.value).startswith("up.toml: extends: expected the name of a shipped scenario")


# --------------------------------------------------------------------------- uploads


def test_an_upload_extending_a_teaching_file_is_loaded_with_its_change():
    text = b'extends = "01_balanced.toml"\nname = "mine"\n[demand]\ncontacts_per_year = 7000\n'
    got = load_upload("mine.toml", text, LIBRARY)
    assert got.label == "mine.toml"
    assert got.scenario.name == "mine"
    assert got.scenario.demand.contacts_per_year == 7000
    assert got.scenario.teams == load_scenario(TEACHING / "01_balanced.toml").scenario.teams


def test_an_upload_named_like_the_file_it_extends_still_loads():
    text = b'extends = "teaching/01_balanced.toml"\n[demand]\ncontacts_per_year = 6100\n'
    got = load_upload("01_balanced.toml", text, LIBRARY)
    assert got.scenario.demand.contacts_per_year == 6100


def test_a_whole_uploaded_scenario_needs_no_extends():
    got = load_upload("minimal.toml", MINIMAL.read_bytes(), LIBRARY)
    assert got.scenario == load_scenario(MINIMAL).scenario


def test_an_upload_that_extends_a_server_path_is_refused_before_any_file_is_read(tmp_path):
    secret = tmp_path / "secret.toml"
    secret.write_text('name = "SECRET-CONTENT"\n')
    text = f'extends = "{secret}"\n'.encode()
    with pytest.raises(ScenarioError) as err:
        load_upload("up.toml", text, LIBRARY)
    assert "SECRET" not in str(err.value)
    assert "expected the name of a shipped scenario" in str(err.value)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"x" * (MAX_BYTES + 1), "up.toml: expected a file of at most 64 KB, got 64 KB"),
        (b"\xff\xfe name", "up.toml: expected a UTF-8 text file, got undecodable bytes"),
        (b"name = ", "up.toml: expected valid TOML, got"),
        (
            b'extends = "01_balanced.toml"\n[demand]\ncontacts_per_year = -5\n',
            "up.toml: demand.contacts_per_year: expected a number > 0, got -5",
        ),
    ],
)
def test_a_bad_upload_gets_the_one_line_error_naming_it(data, expected):
    with pytest.raises(ScenarioError) as err:
        load_upload("up.toml", data, LIBRARY)
    assert str(err.value).startswith(expected)
    assert "\n" not in str(err.value)
    assert "sgsim-upload" not in str(err.value)  # the temporary folder is never named


@pytest.mark.parametrize(
    ("name", "safe"),
    [("../../etc/x.toml", "x.toml"), ("..", "upload.toml"), ("a b;c.toml", "a_b_c.toml"),
     ("C:\\Users\\me\\s.toml", "s.toml"), (".hidden.toml", "hidden.toml")],
)  # fmt: skip
def test_an_uploads_name_is_only_a_file_name(name, safe):
    assert safe_name(name) == safe


# --------------------------------------------------------------------------- controls


@pytest.mark.parametrize("entry", LIBRARY, ids=lambda e: e.name)
def test_every_control_of_every_shipped_scenario_sets_a_real_setting(entry):
    src = open_source(entry.path, entry.name)
    s = src.scenario
    every = [
        *controls.run_controls(s),
        *controls.demand_controls(s),
        *(c for cs in controls.staff_controls(s).values() for c in cs),
        *(c for cs in controls.step_controls(s).values() for c in cs),
    ]
    own = [r for team in controls.own_design(s).teams.values() for r in team.roles.values()]
    roles = sum(r.headcount is not None for r in own)
    shifts = sum(len(r.rota) for r in own)
    assert sum(c.path.endswith(".headcount") for c in every) == roles
    assert sum(c.path.endswith(".people") for c in every) == shifts
    for c in every:
        assert c.low <= c.value <= c.high, c
        resolve_path(c.path, src.raw, entry.name, c.path)  # a ScenarioError if not
    numbers = {c.path: c.value for c in every if not c.percent}
    assert make_design(src.raw, Changes(numbers), entry.name).scenario == s


def test_controls_follow_the_scenario_not_a_list_of_names():
    s = source("teaching/04_double_triage.toml").scenario
    steps = controls.step_controls(s)
    assert [c.path for c in steps["retriage"]] == ["steps.retriage.outcomes.concern"]
    assert [c.path for c in steps["closure"]] == [
        f"steps.closure.outcomes.{o}" for o in ("reduced", "removed", "remains")
    ]
    assert "steps.s42_test.unable_to_protect" in [c.path for c in steps["s42_test"]]
    per_day = controls.demand_controls(read_per_day())
    assert per_day[0].path == "demand.contacts_per_day"


def read_per_day():
    raw = read_scenario_raw(MINIMAL)
    raw["demand"] = {**raw["demand"], "contacts_per_day": 8.0}
    del raw["demand"]["contacts_per_year"]
    return build_scenario(raw, "per_day.toml")


def test_route_choices_never_offer_a_loop():
    src = source("teaching/04_double_triage.toml")
    choices = controls.route_choices(src.scenario)
    first = next(c for c in choices if c.step == "triage" and c.index == 0)
    assert (first.label, first.current) == ("if the outcome is concern", "retriage")
    assert "triage" not in first.options
    closure = next(c for c in choices if c.step == "closure")
    assert closure.label == "every case"
    assert not {"triage", "s42_test", "enquiry", "closure"} & set(closure.options)
    for c in choices:
        for to in c.options:
            make_design(src.raw, Changes(routes={(c.step, c.index): to}), "x.toml")


# --------------------------------------------------------------------------- designs


def test_a_route_past_a_step_switches_it_off_with_roles_no_step_needs():
    src = source("west_sussex_2022_23.toml")
    past_closure = {(name, -1): "closed" for name in ("enquiry", "senior_enquiry", "set_enquiry")}
    design = make_design(src.raw, Changes(routes=past_closure), src.label)
    assert "closure" not in design.scenario.steps
    assert "team_manager" not in design.scenario.teams["locality"].roles
    assert design.switched_off == ("closure", "team_manager (locality)")
    assert "closure_reduced" not in design.scenario.reported.figures  # its metric is gone
    assert design.scenario.reported.figures["concerns"] == 1791


def test_switching_off_double_triage_gives_single_triage():
    src = source("teaching/04_double_triage.toml")
    design = make_design(src.raw, Changes(routes={("triage", 0): "s42_test"}), src.label)
    assert design.switched_off == ("retriage",)
    single = load_scenario(TEACHING / "01_balanced.toml").scenario
    assert list(design.scenario.steps) == list(single.steps)


def test_an_overall_outcome_share_scales_each_sources_share_alike():
    src = source("teaching/01_balanced.toml")
    design = make_design(src.raw, Changes({"steps.triage.outcomes.concern": 0.445}), "x")
    triage = design.scenario.steps["triage"]
    assert triage.outcomes == pytest.approx({"concern": 0.445, "not_a_concern": 0.555})
    assert triage.outcomes_by_source["police"] == pytest.approx(
        {"concern": 0.2, "not_a_concern": 0.8}
    )
    assert triage.outcomes_by_source["health"]["concern"] == pytest.approx(0.6)


def test_an_invalid_design_is_a_one_line_scenario_error():
    src = source("teaching/01_balanced.toml")
    shares = {"steps.closure.outcomes.reduced": 0.8, "steps.closure.outcomes.removed": 0.5}
    with pytest.raises(
        ScenarioError, match=r"^teaching/01_balanced\.toml: steps\.closure\.outcomes"
    ):
        make_design(src.raw, Changes(shares), src.label)


def test_the_changes_are_listed_with_their_old_values():
    src = source("teaching/04_double_triage.toml")
    changes = Changes({"teams.hub.roles.triage_officer.headcount": 3}, {("triage", 0): "s42_test"})
    lines = change_lines(src.raw, changes, make_design(src.raw, changes, src.label))
    assert lines == [
        "teams.hub.roles.triage_officer.headcount = 3 (was 4)",
        'steps.triage.routes[0].to = "s42_test" (was "retriage")',
        "switched off, as no case reaches them: retriage",
    ]


# --------------------------------------------------------------------------- TOML written


@pytest.mark.parametrize("entry", LIBRARY, ids=lambda e: e.name)
def test_the_written_scenario_reads_back_the_same(entry):
    raw = read_scenario_raw(entry.path)
    text = scenario_text(raw, entry.name, ["a = 1 (was 2)"])
    assert text.startswith("# Made with the sgsim")
    assert "extends" not in tomllib.loads(text)
    assert build_scenario(tomllib.loads(text), "x") == build_scenario(raw, "x")


def test_the_toml_writer_quotes_what_needs_quoting():
    table = {
        "name": 'say "hi"\\ there\nnext line: caf\u00e9',
        "odd key": {"x.y": 1.5, "flag": True, "empty": {}},
        "mix": {"a": 0.25, "b": 0.75},
        "list": [1, 2.5, "three"],
    }
    text = tomlwrite.dumps(table, ["a comment"])
    assert tomllib.loads(text) == table
    assert "mix = { a = 0.25, b = 0.75 }" in text


def test_the_download_is_named_after_its_origin():
    assert file_name("teaching/01_balanced.toml", changed=True) == "01_balanced_changed.toml"
    assert file_name("mine.toml", changed=False) == "mine.toml"


# --------------------------------------------------------------------------- estimate


def test_the_estimate_scales_with_contacts_replications_and_workers():
    s = load_scenario(MINIMAL).scenario
    days = s.run.warmup_days + s.run.run_days
    assert estimate.contacts(s) == pytest.approx(3000 / 365.25 * days)
    grown = dataclasses.replace(s, demand=dataclasses.replace(s.demand, growth_per_year=0.1))
    assert estimate.contacts(s) < estimate.contacts(grown) < estimate.contacts(s) * 1.1
    one = estimate.estimate_seconds(s, 10, 1, 1e-4) - estimate.STARTUP_SECONDS
    two = estimate.estimate_seconds(s, 10, 2, 1e-4) - estimate.STARTUP_SECONDS
    assert one == pytest.approx(2 * two)
    assert estimate.in_words(0.4) == "about a second"
    assert estimate.in_words(30) == "about 30 seconds"
    assert estimate.in_words(600) == "about 10 minutes"


def test_seconds_per_contact_times_a_short_replication():
    per_contact = estimate.seconds_per_contact(load_scenario(MINIMAL).scenario)
    assert 1e-7 < per_contact < 1e-2


# --------------------------------------------------------------------------- words


def summary(mean: float, lo: float, hi: float) -> Summary:
    return Summary(mean, (lo, hi), (lo, hi), 10)


def test_a_clear_difference_is_said_in_plain_words():
    fall = Difference("allocation_wait_days_mean", summary(3, 2, 4), summary(0.9, 0, 2),
                      summary(-2.1, -2.6, -1.6), threshold=0.5)  # fmt: skip
    said = explain.difference_sentence(fall, "days waiting for allocation")
    assert said == "Days waiting for allocation: falls by 2.1 days (1.6 to 2.6)."
    rise = Difference("decision_within_target_rate", summary(0.8, 0.7, 0.9),
                      summary(0.9, 0.8, 1), summary(0.1, 0.05, 0.15), threshold=0.01)  # fmt: skip
    assert explain.change_words(rise, "decisions within target") == (
        "rises by 10.0 percentage points (5.0 to 15.0)"
    )


def test_a_difference_within_noise_says_no_clear_change():
    same = Difference("concerns", summary(1000, 990, 1010), summary(1002, 992, 1012),
                      summary(2, -3, 7), threshold=50)  # fmt: skip
    assert explain.change_words(same, "concerns") == "no clear change (-3 to +7)"


def test_every_figure_has_words_for_a_safeguarding_lead():
    for name in (*FIGURES, "compare_metrics", "compare_queues"):
        title, words = explain.figure_text(name)
        assert title and len(words) > 80, name


# --------------------------------------------------------------------------- downloads


@pytest.fixture(scope="module")
def small_run():
    s = load_scenario(MINIMAL).scenario
    short = dataclasses.replace(s, run=dataclasses.replace(s.run, run_days=60))
    raw = read_scenario_raw(MINIMAL)
    text = scenario_text(raw, "minimal.toml", [])
    return loaded_as(short, text, "minimal.toml"), run_replications(short, 1, 2)


def test_the_results_are_the_files_sgsim_run_writes(small_run):
    loaded, result = small_run
    files = result_files(loaded, result)
    assert {"summary.csv", "replications.csv", "daily_queues.csv", "run.json"} <= set(files)
    assert files["summary.csv"].startswith(b"metric,description,unit,mean,")
    assert b"sgsim run minimal.toml --replications 2 --seed 1" in files["run.json"].replace(
        b'",\n    "', b" "
    )
    assert zipped(files)[:2] == b"PK"


def test_the_report_is_sgsim_reports_html(small_run):
    loaded, result = small_run
    html = report_html(loaded, result)
    assert html.startswith("<!DOCTYPE html>")
    assert "sgsim run minimal.toml --replications 2 --seed 1" in html


# --------------------------------------------------------------------------- the command


def test_sgsim_app_without_the_extra_says_how_to_install_it(monkeypatch, capsys):
    monkeypatch.setattr(app_command.importlib.util, "find_spec", lambda name: None)
    assert main(["app"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "pip install 'sgsim[app]'" in err


def test_sgsim_app_serves_this_computer_only_unless_told(monkeypatch, capsys):
    started = {}

    def execve(path, argv, env):
        started.update(argv=argv, env=env)
        raise SystemExit(0)

    monkeypatch.setattr(app_command.importlib.util, "find_spec", lambda name: object())
    monkeypatch.setattr(app_command.os, "execve", execve)
    with pytest.raises(SystemExit):
        main(["app", str(MINIMAL), "--port", "8555"])
    assert "--server.address=127.0.0.1" in started["argv"]
    assert "--server.port=8555" in started["argv"]
    assert started["argv"][4].endswith(str(Path("sgsim", "app", "page.py")))
    assert started["env"]["SGSIM_APP_SCENARIO"] == str(MINIMAL.resolve())
    assert capsys.readouterr().err == ""
    with pytest.raises(SystemExit):
        main(["app", "--host", "0.0.0.0"])
    assert "--server.address=0.0.0.0" in started["argv"]
    assert "other computers" in capsys.readouterr().err


def test_sgsim_app_with_a_bad_scenario_fails_in_one_line_before_starting(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("name = ")
    assert main(["app", str(bad)]) == 2
    assert capsys.readouterr().err.startswith(f"sgsim: error: {bad}: expected valid TOML")


def test_names_from_a_scenario_are_shown_as_written_not_as_markdown():
    shown = explain.plain("![x](http://example.invalid/y.png) $a$ # b\nc")
    assert shown == r"!\[x\](http:\/\/example.invalid/y.png) \$a\$ \# b c"
    assert explain.plain("triage officer: people in post (team hub)") == (
        "triage officer: people in post (team hub)"
    )
