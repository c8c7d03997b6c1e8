"""Figures, the HTML report and scenario comparison (issue #3)."""

from __future__ import annotations

import csv
import html.parser
import json
import struct
from pathlib import Path

import pytest
from helpers import MINIMAL, ROOT, make, minimal_raw, set_path

from sgsim.analysis.comparison import paired_differences
from sgsim.cli import main
from sgsim.outputs.figures import FIGURES
from sgsim.studies.runner import run_replications

TEACHING = ROOT / "scenarios" / "teaching"


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
    fewer = make(set_path(minimal_raw(), "staffing.triage_officer.headcount", 1.5))
    a = run_replications(base, 4, 5).per_replication
    b = run_replications(fewer, 4, 5).per_replication
    diffs = {d.metric: d for d in paired_differences(a, b)}
    assert diffs["triage_wait_days_mean"].verdict == "clearly higher"
    assert diffs["utilisation_triage_officer"].verdict == "clearly higher"
    assert diffs["decision_within_target_rate"].diff.mean <= 0
    # the same contacts arrive in both (common random numbers)
    assert diffs["contacts"].diff.mean == pytest.approx(0, abs=2)


def test_compare_cli_writes_table_csv_and_figures(tmp_path, capsys):
    fewer = tmp_path / "fewer.toml"
    fewer.write_text(f'extends = "{MINIMAL}"\n[staffing.triage_officer]\nheadcount = 1.5\n')
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
