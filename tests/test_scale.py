"""Runs at scale: what sweeps and calibration keep of a replication."""

from __future__ import annotations

from pathlib import Path

from sgsim.scenario.loading import load_scenario
from sgsim.studies.runner import run_replications

SCENARIOS = Path(__file__).parent.parent / "scenarios"


def test_metrics_only_replications_keep_no_details_and_the_same_metrics():
    """Identity (bookkeeping): the same replications with and without the details that
    tables and figures need; sweeps and calibration keep only the metrics."""
    s = load_scenario(SCENARIOS / "teaching" / "01_balanced.toml").scenario
    full = run_replications(s, 4, 2)
    lean = run_replications(s, 4, 2, details=False)
    assert lean.per_replication == full.per_replication
    assert lean.daily == lean.samples == lean.monthly_concerns == lean.weekly_utilisation == []
    assert len(full.daily) == len(full.samples) == 2
