"""A part being measured keeps its masks and pairings (``sgsim.analysis.measured_part``),
and a replication reads each part of its log once for every result.

The masks and the one pass are bookkeeping: what is kept must be what the event log
computes afresh (``EventLog.rows``, ``np.isin``), and the one pass must give what the five
functions give one after another, bit for bit. The reads are counted against the parts the
configuration makes: one read of each.
"""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import numpy as np
import pytest

from sgsim.analysis import partition
from sgsim.analysis.measured_part import MeasuredPart
from sgsim.analysis.metrics import (
    compute,
    concerns_per_month,
    daily_queues,
    pairs,
    queue_rows,
    replication_results,
    samples,
    weekly_utilisation,
)
from sgsim.model import simulate
from sgsim.model.calendar import scenario_days
from sgsim.model.case_parts import CaseParts
from sgsim.model.eventlog import EVENTS, EventLog
from sgsim.scenario.loading import load_scenario
from sgsim.studies.runner import run_replications

TEACHING = Path(__file__).parent.parent / "scenarios" / "teaching"


@pytest.fixture(scope="module")
def reviewed():
    """A run with waiting lists, reviews and enquiries: many steps, kinds and outcomes."""
    s = load_scenario(TEACHING / "16_waiting_list_review.toml").scenario
    return s, simulate(s, 1, 0)


def test_kept_rows_are_the_logs_own_for_every_event_step_kind_and_outcome(reviewed):
    """Bookkeeping: each kept mask equals ``EventLog.rows`` computed afresh."""
    _, log = reviewed
    part = MeasuredPart.of(log)
    steps = [None, *log.steps]
    kinds = [None, *dict.fromkeys(log.kinds)]
    outcomes = [None, *log.outcomes[1:]]
    for event, step, kind, outcome in itertools.product(EVENTS, steps, kinds, outcomes):
        expected = EventLog.rows(log, event, step=step, kind=kind, outcome=outcome)
        assert np.array_equal(part.rows(event, step, kind, outcome), expected)
    assert part.rows("arrived").any() and part.rows("reviewed").any()  # not all empty


def test_rows_of_a_set_of_steps_are_those_np_isin_finds(reviewed):
    """Bookkeeping: the lookup table by step code marks the rows ``np.isin`` does."""
    _, log = reviewed
    part = MeasuredPart.of(log)
    for n in range(len(log.steps) + 1):
        for codes in itertools.combinations(range(len(log.steps)), n):
            assert np.array_equal(part.at_steps(codes), np.isin(log.step, codes))


def test_a_kept_mask_is_computed_once_and_cannot_be_changed(reviewed):
    _, log = reviewed
    part = MeasuredPart.of(log)
    queued = part.rows("queued", kind="enquiry")
    assert part.rows("queued", kind="enquiry") is queued
    with pytest.raises(ValueError, match="read-only"):
        queued[0] = not queued[0]
    with pytest.raises(ValueError, match="read-only"):
        queued &= False
    assert MeasuredPart.of(part) is part  # measuring a part again keeps what it kept


def test_kept_pairings_are_those_of_fresh_masks(reviewed):
    """Bookkeeping: a queue's joins matched with its leaves from the kept masks (kept
    themselves) equal the matching of writable copies, computed afresh."""
    s, log = reviewed
    part = MeasuredPart.of(log)
    for enter, leave in queue_rows(part, s).values():
        rows, t1 = pairs(part, enter, leave)
        assert pairs(part, enter, leave)[0] is rows
        fresh_rows, fresh_t1 = pairs(log, enter.copy(), leave.copy())
        assert np.array_equal(rows, fresh_rows)
        assert np.array_equal(t1, fresh_t1, equal_nan=True)


def test_one_pass_gives_what_the_five_functions_give_one_after_another():
    """Bookkeeping, bit for bit: a run with two periods, rotas and a caseload, in parts on
    disk, measured in one pass and by each function reading every part itself."""
    s = load_scenario(TEACHING / "12_change_on_a_date.toml").scenario
    days = scenario_days(s)
    log = simulate(s, 1, 0, days, cases_per_part=1000)
    try:
        assert sum(1 for _ in log.parts()) >= 3
        metrics, (daily, monthly, each, weekly) = replication_results(log, s, days, True)
        alone, extra = replication_results(log, s, days, False)
        assert extra is None
        expected_each = samples(log, s, days)
        expected = [
            compute(log, s, days, expected_each),
            daily_queues(log, s),
            concerns_per_month(log, s),
            expected_each,
            weekly_utilisation(log, s, days),
        ]
    finally:
        log.remove()
    _same(alone, metrics)
    for mine, theirs in zip([metrics, daily, monthly, each, weekly], expected, strict=True):
        _same(mine, theirs)


def _same(a: dict, b: dict) -> None:
    """Every value equal, bit for bit (NaN equal to NaN)."""
    assert a.keys() == b.keys()
    for key in a:
        assert np.array_equal(np.asarray(a[key]), np.asarray(b[key]), equal_nan=True), key


def test_a_replication_reads_each_part_of_its_log_once(monkeypatch):
    """A run on disk (the threshold forced to zero) in parts of 64 cases: every result of
    the replication from one read of each part, ceil(cases / 64) reads in all."""
    s = load_scenario(TEACHING / "01_balanced.toml").scenario
    monkeypatch.setattr(partition, "ON_DISK_EVENTS", 0)
    monkeypatch.setattr(partition, "PART_EVENTS", 0)  # on_disk: at least a block a part
    assert partition.on_disk(s) == partition.CASE_BLOCK == 64
    reads = []
    read = CaseParts.read
    monkeypatch.setattr(CaseParts, "read", lambda self, k: reads.append(k) or read(self, k))
    result = run_replications(s, seed=1, replications=1)
    cases = simulate(s, 1, 0).n_cases
    assert sorted(reads) == list(range(-(-cases // 64)))
    assert result.daily and result.samples and result.weekly_utilisation  # details made


def test_measured_part_adds_no_column(reviewed):
    """Bookkeeping: a measured part is the log's columns themselves, not copies."""
    _, log = reviewed
    part = MeasuredPart.of(log)
    for f in dataclasses.fields(EventLog):
        assert getattr(part, f.name) is getattr(log, f.name)
