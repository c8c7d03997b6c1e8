"""Terminal tables readable at 80 columns, piped or in a terminal (issue #12).

A table that does not fit is wrapped or stacked, never cut: every metric, figure and
scenario label must appear whole, and no line may be wider than the terminal.
"""

from __future__ import annotations

import json
import re

import pytest
from helpers import ROOT, WEST_SUSSEX

from sgsim.cli import main

TEACHING = ROOT / "scenarios" / "teaching"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
SHAPES = [(80, False), (80, True), (120, False), (120, True)]


def short(tmp_path, source, name=None):
    """A copy of a shipped scenario with a short run, under the same file name."""
    path = tmp_path / (name or source.name)
    path.write_text(f'extends = "{source}"\n[run]\nwarmup_days = 10\nrun_days = 60\n')
    return path


def printed(monkeypatch, capsys, width, terminal, args):
    monkeypatch.setenv("COLUMNS", str(width))
    monkeypatch.setenv("TTY_COMPATIBLE", "1" if terminal else "0")
    assert main(args) == 0
    return ANSI.sub("", capsys.readouterr().out)


def whole(word: str, text: str) -> bool:
    return re.search(rf"(?<![\w']){re.escape(word)}(?![\w'])", text) is not None


def check_readable(out: str, width: int, labels) -> None:
    assert "…" not in out
    too_long = [line for line in out.splitlines() if len(line) > width]
    assert not too_long, too_long[:3]
    missing = [label for label in labels if not whole(label, out)]
    assert not missing, missing


@pytest.mark.parametrize(("width", "terminal"), SHAPES)
def test_run_tables_show_every_label_whole(tmp_path, monkeypatch, capsys, width, terminal):
    scenario = short(tmp_path, WEST_SUSSEX)
    args = ["run", str(scenario), "-n", "2"]
    doc = json.loads(printed(monkeypatch, capsys, width, terminal, [*args, "--json"]))
    out = printed(monkeypatch, capsys, width, terminal, args)
    labels = [*doc["metrics"], *doc["reported"], *doc["published_rates"]]
    assert len(doc["reported"]) >= 10
    check_readable(out, width, labels)


@pytest.mark.parametrize("count", [2, 4])
@pytest.mark.parametrize(("width", "terminal"), SHAPES)
def test_compare_tables_show_every_label_whole(
    tmp_path, monkeypatch, capsys, width, terminal, count
):
    files = [short(tmp_path, p) for p in sorted(TEACHING.glob("0[1-4]*.toml"))][:count]
    args = ["compare", *map(str, files), "-n", "2"]
    doc = json.loads(printed(monkeypatch, capsys, width, terminal, [*args, "--json"]))
    out = printed(monkeypatch, capsys, width, terminal, args)
    metrics = {m for diffs in doc["comparisons"].values() for m in diffs}
    check_readable(out, width, [*metrics, *(p.stem for p in files)])
    for diffs in doc["comparisons"].values():
        for d in diffs.values():
            assert whole(d["practical_verdict"], out.replace("\n", " "))


def test_a_narrow_terminal_still_cuts_nothing(tmp_path, monkeypatch, capsys):
    files = [short(tmp_path, p) for p in sorted(TEACHING.glob("0[1-2]*.toml"))]
    out = printed(monkeypatch, capsys, 50, False, ["compare", *map(str, files), "-n", "2"])
    check_readable(out, 50, ["caseload_mean_locality_senior_social_worker", "02_demand_up_10pc"])
