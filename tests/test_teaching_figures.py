"""scenarios/teaching/figures.py, which makes the teaching README's figures, keeps running.

The full run takes many minutes; here two steps run for 2 replications of 60 days after
a 30-day warm-up, and every step's metric names are checked against what its file
produces (``metric_names``, without running it).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest
from helpers import ROOT

import sgsim
from sgsim.analysis.metrics import metric_names

SCRIPT = ROOT / "scenarios" / "teaching" / "figures.py"


def load_script():
    spec = importlib.util.spec_from_file_location("teaching_figures", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_script(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=300
    )


def test_every_teaching_file_has_its_figures_and_every_figure_is_a_metric_of_its_file():
    figures = load_script().FIGURES
    steps = sorted(p.name[:2] for p in SCRIPT.parent.glob("[0-9][0-9]_*.toml"))
    assert sorted(figures) == steps
    for step, (baseline, names) in figures.items():
        (path,) = SCRIPT.parent.glob(f"{step}_*.toml")
        produced = metric_names(sgsim.load(path).scenario)
        assert set(names) <= set(produced), (step, set(names) - set(produced))
        assert baseline is None or baseline < step  # run first, so compared with


def test_a_short_run_prints_each_figure_with_its_interval_at_80_columns():
    proc = run_script(
        "--files", "01", "02", "--replications", "2", "--run-days", "60",
        "--warmup-days", "30", "--workers", "1",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "01_balanced.toml: 2 replications, seed 12345"
    assert "02_demand_up_10pc.toml: 2 replications, seed 12345" in lines
    figures = load_script().FIGURES
    for step in ("01", "02"):
        for name in figures[step][1]:
            assert any(line.startswith(f"  {name}: ") for line in lines), name
    # 02 is compared with 01: one comparison line under each of its figures
    assert sum(line.startswith("    step 01: ") for line in lines) == len(figures["02"][1])
    assert max(map(len, lines)) <= 80


@pytest.mark.parametrize(
    ("args", "said"),
    [(("--files", "99"), "no teaching step 99"), (("--replications", "two"), "two")],
)
def test_bad_options_get_a_one_line_error(args, said):
    proc = run_script(*args)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert "error: " in last and said in last
