"""Metrics computed a part of the cases at a time (``sgsim.analysis.partition``).

Bookkeeping, not a check against an outside answer: the same metrics are computed two
ways, from the whole log as one part and from many small parts (the part size forced to
a few hundred events), and must agree. The scenarios cover what is not a plain count:
``[[changes]]`` (periods), rotas and overtime (hours past a shift's end, which are not a
sum over tasks), waiting-list reviews, a starting backlog (maxima), open caseloads at the
start, and other work as its own demand.

Counts must be equal. Queue means and utilisation are differences of two sums, over every
case, of times since time zero (a few hundred days times thousands of cases): adding
them in another order moves the last bits of each sum, about 1e-16 x 1e7 = 1e-9 days,
which is 1e-12 to 1e-9 of the metric, or more for a queue that is almost never there
(a mean of 2e-5 moved by 1e-13). So two values agree within 1e-9 relative or 1e-9
absolute; a part that dropped or doubled a case's events moves a metric by far more.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest

from sgsim.analysis import partition
from sgsim.analysis.metrics import (
    compute,
    concerns_per_month,
    daily_queues,
    samples,
    weekly_utilisation,
)
from sgsim.analysis.partition import in_parts
from sgsim.model import simulate
from sgsim.model.calendar import scenario_days
from sgsim.model.eventlog import PartedLog
from sgsim.model.recorder import COLUMNS
from sgsim.scenario.loading import build_scenario, load_scenario, read_scenario_raw
from sgsim.studies import runner
from sgsim.studies.runner import run_replications
from sgsim.studies.settings import apply_settings

SCENARIOS = Path(__file__).parent.parent / "scenarios"
TEACHING = SCENARIOS / "teaching"
SMALL_PART = 500  # events: the runs below have 40,000 to 160,000, a starting backlog 3,000
CASES = [
    "09_other_work.toml",
    "10_backlog_at_start.toml",
    "12_change_on_a_date.toml",
    "13_open_caseloads_at_start.toml",
    "14_rota_24_7.toml",
    "15_overtime.toml",
    "16_waiting_list_review.toml",
]


def everything(log, s, days) -> dict[str, np.ndarray]:
    """Every value the analysis gives for one log, as arrays of floats (samples sorted:
    which part a case was in changes their order, which is not a result)."""
    out = {f"metric:{k}": np.array([v]) for k, v in compute(log, s, days).items()}
    out |= {f"sample:{k}": np.sort(v.astype(float)) for k, v in samples(log, s, days).items()}
    out |= {f"daily:{k}": v.astype(float) for k, v in daily_queues(log, s).items()}
    out |= {f"weekly:{k}": v.astype(float) for k, v in weekly_utilisation(log, s, days).items()}
    out |= {f"month:{k}": np.array([float(v)]) for k, v in concerns_per_month(log, s).items()}
    return out


@pytest.mark.parametrize("name", CASES)
def test_metrics_from_many_parts_equal_those_from_one(name, monkeypatch):
    s = load_scenario(TEACHING / name).scenario
    days = scenario_days(s)
    log = simulate(s, 1, 0, days)
    assert len(log) <= partition.PART_EVENTS  # one part: the code as it was before parts
    whole = everything(log, s, days)
    monkeypatch.setattr(partition, "PART_EVENTS", SMALL_PART)
    assert len(in_parts(log, len)) >= 10
    _equal_within_rounding(whole, everything(log, s, days))


def _counted(key: str) -> bool:
    """Whether a metric is a count, which must come out exactly the same."""
    return not any(
        word in key
        for word in ("_mean", "utilisation", "_rate", "_hours", "_day", "weekly:", "per_year")
    )


def test_parts_hold_every_event_once_in_the_logs_order(monkeypatch):
    """Bookkeeping: the parts' events are the log's, each once, each part in time order
    and about the part size (a part is whole blocks of cases, so at most a block more)."""
    s = load_scenario(TEACHING / "01_balanced.toml").scenario
    log = simulate(s, 1, 0)
    monkeypatch.setattr(partition, "PART_EVENTS", SMALL_PART)
    parts = in_parts(log, lambda part: part)
    assert sum(len(p) for p in parts) == len(log)
    assert sum(p.n_cases for p in parts) == log.n_cases
    most = np.bincount(log.case // partition.CASE_BLOCK).max()
    for p in parts:
        assert np.all(np.diff(p.time) >= 0)
        assert len(p) <= SMALL_PART + most
    first = 0
    for p in parts:  # case ids renumbered from 0 within a part, ranges in order
        rows = (log.case >= first) & (log.case < first + p.n_cases)
        assert np.array_equal(p.time, log.time[rows])
        assert np.array_equal(p.case, log.case[rows] - first)
        first += p.n_cases
    assert first == log.n_cases


def _equal_within_rounding(whole: dict, parted: dict) -> None:
    assert whole.keys() == parted.keys()
    for key, a in whole.items():
        b = parted[key]
        assert a.shape == b.shape, key
        if key.startswith(("metric:", "weekly:")) and not _counted(key):
            np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-9, err_msg=key)
        elif key.startswith("sample:"):
            np.testing.assert_allclose(b, a, rtol=1e-12, atol=0, err_msg=key)
        else:
            np.testing.assert_array_equal(b, a, err_msg=key)


@pytest.mark.parametrize("name", CASES)
def test_metrics_from_a_log_on_disk_equal_those_from_memory(name):
    """The same run kept on disk in a dozen parts: the metrics of the log held whole in
    memory (one part, the code as it was before parts), within the rounding above."""
    s = load_scenario(TEACHING / name).scenario
    days = scenario_days(s)
    in_memory = simulate(s, 1, 0, days)
    whole = everything(in_memory, s, days)
    log = simulate(s, 1, 0, days, cases_per_part=-(-in_memory.n_cases // 12))
    try:
        assert isinstance(log, PartedLog)
        assert sum(1 for _ in log.parts()) >= 10
        _equal_within_rounding(whole, everything(log, s, days))
    finally:
        log.remove()


def test_parts_on_disk_hold_every_event_of_their_cases_in_the_logs_order():
    """Bookkeeping: each part on disk is exactly the in-memory log's rows of its 64 cases
    (ids less the part's first), every column, in the same order."""
    s = load_scenario(TEACHING / "16_waiting_list_review.toml").scenario
    log = simulate(s, 1, 0)
    parted = simulate(s, 1, 0, cases_per_part=64)
    try:
        assert len(parted) == len(log) and parted.n_cases == log.n_cases
        parts = list(parted.parts())
        assert len(parts) == -(-log.n_cases // 64)
        for k, part in enumerate(parts):
            rows = (log.case >= 64 * k) & (log.case < 64 * (k + 1))
            for name in COLUMNS:
                expected = getattr(log, name)[rows] - (64 * k if name == "case" else 0)
                np.testing.assert_array_equal(getattr(part, name), expected, err_msg=name)
            assert part.n_cases == min(64, log.n_cases - 64 * k)
    finally:
        parted.remove()


def test_a_run_on_disk_leaves_no_files_and_the_same_metrics(tmp_path, monkeypatch):
    """A run whose log goes to disk (the threshold forced to zero) gives the metrics of
    one held in memory, and removes its files, also when computing its metrics fails."""
    s = load_scenario(TEACHING / "01_balanced.toml").scenario
    in_memory = run_replications(s, seed=1, replications=2).per_replication
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(partition, "ON_DISK_EVENTS", 0)
    assert partition.on_disk(s) is not None
    on_disk = run_replications(s, seed=1, replications=2).per_replication
    for a, b in zip(in_memory, on_disk, strict=True):
        _equal_within_rounding(
            {k: np.array([v]) for k, v in a.items()}, {k: np.array([v]) for k, v in b.items()}
        )
    assert list(tmp_path.iterdir()) == []

    def fail(*_):
        raise RuntimeError("metrics failed")

    monkeypatch.setattr(runner, "samples", fail)
    with pytest.raises(RuntimeError, match="metrics failed"):
        run_replications(s, seed=1, replications=1)
    assert list(tmp_path.iterdir()) == []


def test_council_runs_keep_their_log_in_memory_and_england_sized_ones_on_disk():
    """West Sussex (about 130,000 events) stays in memory; scaled to England's 3 million
    contacts a year (40 million events) it goes to disk, in parts of about PART_EVENTS
    events: West Sussex's cases have 6 to 7 events each (its event log at seed 1)."""
    raw = read_scenario_raw(SCENARIOS / "west_sussex_2022_23.toml")
    s = build_scenario(raw, "west sussex")
    assert partition.on_disk(s) is None
    log = simulate(s, 1, 0)
    per_case = len(log) / log.n_cases
    assert 6 <= per_case <= 7
    factor = 3e6 / raw["demand"]["contacts_per_year"]
    settings = {"demand.contacts_per_year": raw["demand"]["contacts_per_year"] * factor}
    big = build_scenario(apply_settings(raw, settings, "england"), "england")
    cases = partition.on_disk(big)
    assert cases is not None
    assert partition.PART_EVENTS / 7 * 0.8 <= cases <= partition.PART_EVENTS / 6 * 1.25
