"""Figures, the HTML report, the STRESS report, plain-words descriptions and scenario
comparison (issues #3 and #8)."""

from __future__ import annotations

import csv
import html.parser
import json
import re
import struct
import tomllib
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from helpers import MINIMAL, ROOT, SHIPPED, make, minimal_raw, set_path

from sgsim.analysis.comparison import paired_differences
from sgsim.cli import main
from sgsim.model.steps.base import EVENTS
from sgsim.outputs.describe import assumptions, staffing_rows
from sgsim.outputs.figures import draw_all, figure_names
from sgsim.outputs.report import build_report
from sgsim.outputs.stress import pathway_diagram
from sgsim.scenario.loading import LoadedScenario, load_scenario
from sgsim.studies.runner import run_replications

TEACHING = ROOT / "scenarios" / "teaching"
FIGURES = figure_names(make(minimal_raw()))  # every figure: the minimal scenario has them all


@pytest.fixture(autouse=True)
def close_figures():
    """Figures drawn in memory by a test are closed after it."""
    yield
    plt.close("all")


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_run_plots_writes_every_figure_as_png_and_svg(tmp_path):
    out = tmp_path / "figs"
    assert main(["run", str(MINIMAL), "-n", "3", "--plots", str(out), "--json"]) == 0
    for name in FIGURES:
        png, svg = out / f"{name}.png", out / f"{name}.svg"
        width, height = png_size(png)
        assert width > 800 and height > 400
        assert png.stat().st_size > 20_000  # a real picture, not an empty canvas
        text = svg.read_text()
        assert text.lstrip().startswith("<?xml") and text.count("<path") > 20


class _Sections(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.external: list[str] = []
        self.images = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        for key in ("src", "href"):
            if key in a and not str(a[key]).startswith(("data:", "#")):
                self.external.append(a[key])
        if tag == "img":
            self.images += 1


def test_report_is_one_offline_file_with_every_section(tmp_path):
    out = tmp_path / "r.html"
    assert main(["report", str(MINIMAL), "-n", "3", "--seed", "9", "-o", str(out)]) == 0
    text = out.read_text()
    parser = _Sections()
    parser.feed(text)
    assert {"assumptions", "results", "reported", "figures", "reproduce"} <= parser.ids
    assert {f"fig-{name}" for name in FIGURES} <= parser.ids
    assert parser.images == len(FIGURES)
    assert parser.external == []  # nothing to fetch: opens offline
    for words in (
        "Assumptions in plain words",
        "triage_officer",
        "seed 9",
        "minimal test pathway",
        "contact_to_concern_rate",
        "Staffing",
    ):
        assert words in text
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


def test_report_refuses_a_folder_as_output(tmp_path, capsys):
    assert main(["report", str(MINIMAL), "-n", "1", "-o", str(tmp_path)]) == 2
    assert "--output" in capsys.readouterr().err


def test_compare_with_itself_shows_zero_difference(capsys):
    assert main(["compare", str(MINIMAL), str(MINIMAL), "-n", "3", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (diffs,) = doc["comparisons"].values()
    for metric, d in diffs.items():
        if d["difference"] is not None:
            assert d["difference"] == 0, metric
            assert not d["clear"]


def test_fewer_triage_staff_clearly_lengthen_triage_waits():
    base = make(minimal_raw())
    fewer = make(set_path(minimal_raw(), "teams.front_door.roles.triage_officer.headcount", 1.5))
    a = run_replications(base, 4, 5).per_replication
    b = run_replications(fewer, 4, 5).per_replication
    diffs = {d.metric: d for d in paired_differences(a, b)}
    assert diffs["triage_wait_days_mean"].verdict == "clearly higher"
    assert diffs["utilisation_front_door_triage_officer"].verdict == "clearly higher"
    assert diffs["decision_within_target_rate"].diff.mean <= 0
    # the same contacts arrive in both (common random numbers)
    assert diffs["contacts"].diff.mean == pytest.approx(0, abs=2)


def test_compare_cli_writes_table_csv_and_figures(tmp_path, capsys):
    fewer = tmp_path / "fewer.toml"
    fewer.write_text(
        f'extends = "{MINIMAL}"\n[teams.front_door.roles.triage_officer]\nheadcount = 1.5\n'
    )
    code = main(
        [
            "compare",
            str(MINIMAL),
            str(fewer),
            "-n",
            "3",
            "--out",
            str(tmp_path / "c"),
            "--plots",
            str(tmp_path / "p"),
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "fewer (scenario) vs minimal (baseline)" in out and "clearly higher" in out
    rows = list(csv.DictReader((tmp_path / "c" / "comparison.csv").open()))
    wait = next(r for r in rows if r["metric"] == "triage_wait_days_mean")
    assert wait["clear"] == "True" and float(wait["difference"]) > 0
    assert png_size(tmp_path / "p" / "compare_queues.png")[0] > 800


def test_compare_needs_two_scenarios(capsys):
    assert main(["compare", str(MINIMAL)]) == 2
    assert "at least two" in capsys.readouterr().err


@pytest.mark.parametrize("path", sorted(TEACHING.glob("*.toml")), ids=lambda p: p.stem)
def test_teaching_scenarios_validate(path, capsys):
    assert main(["validate", str(path)]) == 0


# ----------------------------------------------------------- derived from the declarations


def with_check_in_step() -> dict:
    """The minimal scenario with one more step, of a name no code knows: a manager checks
    every enquiry in before it is closed."""
    raw = minimal_raw()
    raw["steps"]["enquiry"]["next"] = "check_in"
    raw["steps"]["check_in"] = {
        "kind": "decision",
        "team": "locality",
        "role": "manager",
        "touch_minutes": {"dist": "fixed", "value": 20},
        "next": "closure",
    }
    return raw


def axis_titles(fig) -> list[str]:
    return [ax.get_title().replace("\n", " ") for ax in fig.axes if ax.get_visible()]


@pytest.mark.parametrize("path", [MINIMAL, *SHIPPED], ids=lambda p: p.stem)
def test_describe_has_a_paragraph_per_step_and_a_row_per_team_role(path):
    raw = tomllib.loads(path.read_text())
    s = load_scenario(path).scenario
    headings = [heading for heading, _ in assumptions(s)]
    steps = [h for h in headings if h.startswith("Step ")]
    assert steps == [f"Step {name} ({step['kind']})" for name, step in raw["steps"].items()]
    rows = {(r["team"], r["role"]) for r in staffing_rows(s)}
    expected = {
        (team, role.replace("_", " ")) for team, t in raw["teams"].items() for role in t["roles"]
    }
    assert rows == expected


def test_describe_says_routes_outcomes_and_staff_in_words(minimal):
    text = dict(assumptions(minimal))
    triage, s42, enquiry = (
        text["Step triage (decision)"],
        text["Step s42_test (s42_test)"],
        (text["Step enquiry (enquiry)"]),
    )
    assert "Every contact enters the pathway here." in triage
    assert "Done by a triage officer of team front_door, urgent work first." in triage
    assert (
        "Outcomes, by source of the contact: from police: concern 20%, not a concern 80%; "
        "from care provider: concern 40%, not a concern 60%."
    ) in triage
    assert (
        "Next (the first that applies): if the outcome is concern, to s42_test; otherwise to "
        "not_a_concern."
    ) in triage
    # 0.9 x 0.8 x 0.75 = 54% meet all three criteria; 10% of the other 46% = 4.6%
    assert "Outcomes: s42 enquiry 54%, other enquiry 4.6%, no enquiry 41.4%." in s42
    assert "Decision target working days: 5 working days." in s42
    assert (
        "Next (the first that applies): if the outcome is no enquiry, to no_enquiry; if the "
        "risk level is high, to senior_enquiry; otherwise to enquiry."
    ) in s42
    # 4 practitioners, 4 places each
    assert any("practitioner's caseload (locality: 4 each, 16 places)" in x for x in enquiry)
    assert "Touch hours: 4 hours on average (gamma)." in enquiry
    assert "Next, every case goes to closure." in enquiry
    closed = text["Step closed (exit)"]
    assert "Return probability: 30%." in closed and "Cases leave the pathway here." in closed


def test_describe_says_where_each_source_enters(minimal):
    raw = set_path(minimal_raw(), "demand.sources.care_provider.entry", "s42_test")
    text = dict(assumptions(make(raw)))
    assert "Contacts from police enter the pathway here." in text["Step triage (decision)"]
    s42 = text["Step s42_test (s42_test)"]
    assert "Contacts from care provider enter the pathway here." in s42


def test_a_new_step_gets_its_paragraph_queue_panel_and_wait_without_code_changes():
    s = make(with_check_in_step())
    text = dict(assumptions(s))
    check_in = text["Step check_in (decision)"]
    assert "Done by a manager of team locality, urgent work first." in check_in
    assert "Touch minutes: 20 minutes, always." in check_in
    assert "Next, every case goes to closure." in check_in
    assert "Next, every case goes to check_in." in text["Step enquiry (enquiry)"]
    assert "check_in [decision: locality_manager] -> closure" in pathway_diagram(s)
    figures = draw_all(run_replications(s, 3, 2), s)
    assert "Cases waiting at check_in" in axis_titles(figures["queues"])
    assert "Waiting at check_in" in axis_titles(figures["waits"])


def test_a_step_no_staff_work_on_is_described_from_its_own_parameters():
    raw = minimal_raw()
    raw["steps"]["s42_test"]["routes"].insert(1, {"source": "police", "to": "police_check"})
    raw["steps"]["police_check"] = {
        "kind": "handoff",
        "partner": "police",
        "delay_days": {"dist": "exponential", "mean": 3},
        "capacity": 2,
        "outcomes": {"returned": 0.7, "closed_by_police": 0.3},
        "routes": [{"outcome": "returned", "to": "enquiry"}, {"to": "no_enquiry"}],
    }
    s = make(raw)
    lines = dict(assumptions(s))["Step police_check (handoff)"]
    assert lines[1:] == [
        "Partner: police.",
        "Delay days: 3 calendar days on average (exponential).",
        "Capacity: 2.",
        "Outcomes: returned 70%, closed by police 30%.",
        "Next (the first that applies): if the outcome is returned, to enquiry; otherwise to "
        "no_enquiry.",
    ]
    assert not any("Done by" in line for line in lines)  # no staff of the council
    diagram = pathway_diagram(s)
    assert "    source police -> police_check" in diagram
    assert diagram[diagram.index("police_check [handoff]") + 1] == "    outcome returned -> enquiry"


def test_staff_figure_has_a_line_per_team_role_and_caseload_per_enquiry_role(minimal):
    fig = draw_all(run_replications(minimal, 3, 2), minimal)["staff"]
    utilisation, caseload = fig.axes
    drawn = [line.get_label() for line in utilisation.get_lines()]
    assert drawn == [
        "triage officer (front door)",
        "practitioner (locality)",
        "senior (locality)",
        "manager (locality)",
    ]
    colours = [line.get_color() for line in utilisation.get_lines()]
    assert len(set(colours)) == len(colours)
    held = [line.get_label() for line in caseload.get_lines() if line.get_label()[0] != "_"]
    assert held == ["practitioner (locality)", "senior (locality)"]
    caps = sorted(
        line.get_ydata()[0] for line in caseload.get_lines() if line.get_linestyle() == ":"
    )
    assert caps == [3, 4]


def without_s42_test() -> dict:
    """The minimal scenario with triage sending concerns straight to an enquiry."""
    raw = minimal_raw()
    del raw["steps"]["s42_test"], raw["steps"]["no_enquiry"], raw["reported"]
    raw["steps"]["triage"]["routes"] = [
        {"outcome": "concern", "risk_level": "high", "to": "senior_enquiry"},
        {"outcome": "concern", "to": "enquiry"},
        {"to": "not_a_concern"},
    ]
    return raw


def test_without_an_s42_step_the_funnel_has_no_concerns_and_no_decision_figure():
    s = make(without_s42_test())
    assert figure_names(s) == ("funnel", "queues", "waits", "staff")
    figures = draw_all(run_replications(s, 3, 2), s)
    ticks = [t.get_text().replace("\n", " ") for t in figures["funnel"].axes[0].get_xticklabels()]
    assert ticks == ["Contacts", "Enquiries concluded"]


def test_decision_figure_marks_the_target_only_where_there_is_one(minimal):
    result = run_replications(minimal, 3, 2)
    (ax,) = draw_all(result, minimal)["decision_times"].axes
    assert any("target: 5 working days" in t.get_text() for t in ax.texts)
    raw = minimal_raw()
    del raw["steps"]["s42_test"]["decision_target_working_days"]
    untargeted = make(raw)
    (ax,) = draw_all(run_replications(untargeted, 3, 2), untargeted)["decision_times"].axes
    assert not any("target" in t.get_text() for t in ax.texts)
    assert ax.patches  # the histogram is still drawn


def test_stress_report_lists_the_events_the_log_holds_and_draws_the_routes(tmp_path):
    report, out = tmp_path / "stress.md", tmp_path / "run"
    assert main(["stress-report", str(MINIMAL), "-n", "1", "-o", str(report)]) == 0
    assert main(["run", str(MINIMAL), "-n", "1", "--out", str(out)]) == 0
    text = report.read_text()
    listed = re.search(r"Events recorded at every step[^:]*: (.*?)\. A resource", text).group(1)
    named = re.findall(r"`(\w+)` as `(\w+)` \((\w+)\)", listed)
    assert [event for event, _, _ in named] == list(EVENTS)  # every event a step can record...
    pairs = {(name, kind) for _, name, kind in named}
    logged = {
        (e["event"].replace(e["step"], "STEP", 1), e["event_type"])
        for e in csv.DictReader((out / "events.csv").open())
    }
    assert logged <= pairs  # ...which covers what this run recorded
    assert pairs - logged == {  # no waiting list here, so nobody leaves one or reviews it
        ("STEP_left_queue", "queue"),
        ("STEP_review_started", "resource_use"),
        ("STEP_reviewed", "resource_use_end"),
    }
    diagram = text.split("### 2.1")[1].split("### 2.2")[0]
    for line in (
        "contacts (every source) -> triage",
        "    outcome concern -> s42_test",
        "    otherwise -> not_a_concern",
        "    risk_level high -> senior_enquiry",
        "enquiry [enquiry: locality_practitioner + caseload place] -> closure",
        "closed [exit]: leaves the pathway",
    ):
        assert line in diagram.splitlines()


def test_report_has_one_figure_per_figure_the_scenario_has():
    s = make(without_s42_test())
    loaded = LoadedScenario(scenario=s, path=Path("no_s42.toml"), text="")
    parser = _Sections()
    parser.feed(build_report(loaded, run_replications(s, 3, 2), ["sgsim", "report"]))
    assert parser.images == 4
    assert {"fig-funnel", "fig-queues", "fig-waits", "fig-staff"} <= parser.ids
    assert "fig-decision_times" not in parser.ids
