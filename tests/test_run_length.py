"""Warm-up (Welch, MSER-5) and the replications needed for a precision (issue #5)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from helpers import MINIMAL

from sgsim.analysis.run_length import (
    fills_from_empty,
    mser,
    replications_needed,
    welch_moving_average,
)
from sgsim.cli import main


def test_mser_cuts_at_the_end_of_a_known_transient():
    rng = np.random.default_rng(3)
    days = np.arange(600)
    transient = 50 * np.exp(-days / 20)  # gone by about day 100
    y = 100 - transient + rng.normal(0, 2, days.size)
    cut = mser(y)
    assert 50 <= cut <= 130
    assert cut % 5 == 0
    assert fills_from_empty(100 - 100 * np.exp(-days / 20), mser(100 - 100 * np.exp(-days / 20)))


def test_mser_keeps_everything_when_there_is_no_transient():
    y = np.random.default_rng(4).normal(10, 1, 500)
    assert mser(y) <= 25


def test_welch_moving_average_is_a_centred_mean_shrinking_at_the_edges():
    y = np.arange(10, dtype=float)
    out = welch_moving_average(y, 2)
    assert out[5] == pytest.approx(np.mean(y[3:8]))
    assert out[0] == y[0] and out[1] == pytest.approx(np.mean(y[0:3]))
    assert out[-1] == y[-1]


def test_replications_needed_by_the_interval_method():
    rng = np.random.default_rng(5)
    tight = list(rng.normal(100, 1, 50))  # CV 1%: 3 replications give +-5%
    loose = list(rng.normal(100, 20, 50))  # CV 20%: about (1.96 * 20 / 5)^2 = 61 needed
    needed = replications_needed({"tight": tight, "loose": loose}, precision=0.05)
    assert needed["tight"] == 3
    assert needed["loose"] is None  # not reached within 50


def test_warmup_command(tmp_path, capsys):
    assert main(["warmup", str(MINIMAL), "-n", "2", "--days", "200", "--plots", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "suggested warm-up:" in out and "open enquiries" in out
    assert (tmp_path / "warmup.png").stat().st_size > 20_000


def test_replications_command(capsys):
    assert (
        main(
            [
                "replications",
                str(MINIMAL),
                "--precision",
                "0.1",
                "--max",
                "8",
                "--metric",
                "contacts",
                "--metric",
                "concerns",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    found = re.search(r"run at least (\d+) replications", out)
    assert "replications needed" in out and found and 3 <= int(found.group(1)) <= 8


def test_replications_rejects_unknown_metric(capsys):
    assert main(["replications", str(MINIMAL), "--metric", "contcts"]) == 2
    assert "did you mean 'contacts'" in capsys.readouterr().err


def test_stress_report_has_every_stress_des_section(tmp_path):
    out = tmp_path / "stress.md"
    assert main(["stress-report", str(MINIMAL), "-n", "2", "-o", str(out)]) == 0
    text = out.read_text()
    for heading in (
        "## 1. Objectives",
        "### 1.1 Purpose of the model",
        "## 2. Logic",
        "### 2.5 Components",
        "## 3. Data",
        "### 3.3 Input parameters",
        "## 4. Experimentation",
        "### 4.1 Initialisation",
        "## 5. Implementation",
        "### 5.2 Random sampling",
        "## 6. Code access",
    ):
        assert heading in text
    assert "`teams.front_door.roles.triage_officer.headcount` | 3" in text  # from the scenario
    assert "minimal test pathway" in text and "seed 12345" in text
