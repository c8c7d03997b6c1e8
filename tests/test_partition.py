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
from sgsim.scenario.loading import load_scenario

TEACHING = Path(__file__).parent.parent / "scenarios" / "teaching"
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
    parted = everything(log, s, days)
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
