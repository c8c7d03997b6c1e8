"""The compact event log (``sgsim.model.recorder``) holds what the list of tuples held."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from sgsim.analysis.metrics import compute
from sgsim.model import simulate
from sgsim.model.case_parts import CaseParts
from sgsim.model.demand import arrival_times
from sgsim.model.engine import SimPyEngine
from sgsim.model.pathway import Pathway
from sgsim.model.recorder import COLUMNS, Recorder
from sgsim.model.steps.base import N_EVENTS
from sgsim.scenario.loading import load_scenario

SCENARIOS = Path(__file__).parent.parent / "scenarios"


def test_rows_come_back_in_time_order_ties_as_recorded_whatever_the_packing():
    # hand-made rows, recorded by time 1 and dated 2, 1, 1, 0 (a start dated at the next
    # opening, after the pack at time 1); in time order the two rows at time 1 keep their
    # recording order (case 1 before case 2); then one more row recorded and dated 3
    step = N_EVENTS  # codes of step 1: N_EVENTS + the event's number
    first = [(0, step + 1, 2.0, 1, 3, 4), (1, step + 2, 1.0, -1, 0, 0), (2, step + 3, 0.5, 0, 1, 2)]
    first.append((3, step, 0.0, -1, 0, 0))
    last = (4, step + 4, 3.0, -1, 0, 1)
    for pack_at in (None, 0.5, 1.0, 2.5):
        recorder = Recorder()
        for row in first:
            recorder.record(row)
        if pack_at is not None:
            recorder.pack(pack_at, at_least=1)
        recorder.record(last)
        log = recorder.columns()
        assert log["case"].tolist() == [3, 2, 1, 0, 4]
        assert log["time"].tolist() == [0.0, 0.5, 1.0, 2.0, 3.0]
        assert log["step"].tolist() == [1, 1, 1, 1, 1]
        assert log["event"].tolist() == [0, 3, 2, 1, 4]
        assert log["pool"].tolist() == [-1, 0, -1, 1, -1]
        assert log["resource"].tolist() == [0, 1, 0, 3, 0]
        assert log["outcome"].tolist() == [0, 2, 0, 4, 1]


def test_an_event_dated_before_rows_already_packed_is_refused():
    """The blocks are only in order if no event is dated before the time it is recorded."""
    recorder = Recorder()
    recorder.record((0, 8, 1.0, -1, 0, 0))
    recorder.pack(1.5, at_least=1)
    recorder.record((1, 8, 1.2, -1, 0, 0))
    with pytest.raises(RuntimeError, match="dated before"):
        recorder.columns()


def tuple_log(s, seed):
    """The event log as sgsim 0.4 built it: every row a tuple in one list, sorted at the end."""
    env = SimPyEngine()  # SimPy's own loop and idioms
    rows: list = []
    pathway = Pathway(env, s, seed, 0, rows.append)
    times = arrival_times(s, seed, 0).tolist()
    pathway.add_cases(len(times))
    pathway.add_backlog()
    pathway.add_other_work()
    pathway.arrivals(times)
    env.run(until=s.horizon_days)
    table = np.array(rows, dtype=float)
    table = table[np.argsort(table[:, 2], kind="stable")]
    return table


@pytest.mark.parametrize(
    "name",
    [
        "west_sussex_2022_23.toml",
        "east_sussex_2024.toml",
        "teaching/08_waiting_list_withdrawals.toml",
        "teaching/09_other_work.toml",
        "teaching/10_backlog_at_start.toml",
        "teaching/11_fortnightly_panel.toml",
    ],
)
def test_compact_log_gives_the_metrics_of_the_list_of_tuples(name):
    """Identity (bookkeeping): the same run recorded both ways, row for row and metric for
    metric; the run itself is stopped every simulated day in the compact path only."""
    s = load_scenario(SCENARIOS / name).scenario
    log = simulate(s, 3)
    table = tuple_log(s, 3)
    assert len(log) == table.shape[0] > 0
    np.testing.assert_array_equal(log.case, table[:, 0])
    np.testing.assert_array_equal(log.step * N_EVENTS + log.event, table[:, 1])
    np.testing.assert_array_equal(log.time, table[:, 2])
    np.testing.assert_array_equal(log.pool, table[:, 3])
    np.testing.assert_array_equal(log.resource, table[:, 4])
    np.testing.assert_array_equal(log.outcome, table[:, 5])
    old = dataclasses.replace(
        log,
        case=table[:, 0].astype(np.int64),
        step=(table[:, 1] // N_EVENTS).astype(np.int16),
        event=(table[:, 1] % N_EVENTS).astype(np.int8),
        time=table[:, 2].copy(),
        pool=table[:, 3].astype(np.int16),
        resource=table[:, 4].astype(np.int32),
        outcome=table[:, 5].astype(np.int16),
    )
    assert compute(log, s) == pytest.approx(compute(old, s), nan_ok=True, rel=0, abs=0)


def test_rows_on_disk_come_back_by_part_each_in_time_order_ties_as_recorded():
    """The hand-made rows above, packed to disk in parts of two cases (0-1, 2-3, 4): each
    part's rows are its cases', in time order, ties in recording order (cases 2 and 3
    at 0.5 and 0 are in the same part as each other, 0 and 1 in another)."""
    step = N_EVENTS
    rows = [(0, step + 1, 2.0, 1, 3, 4), (1, step + 2, 1.0, -1, 0, 0), (2, step + 3, 0.5, 0, 1, 2)]
    rows += [(3, step, 0.0, -1, 0, 0), (4, step + 4, 3.0, -1, 0, 1), (2, step + 4, 3.0, 0, 1, 0)]
    parts = CaseParts(cases_per_part=2)
    try:
        recorder = Recorder(parts)
        for row in rows[:4]:
            recorder.record(row)
        recorder.pack(1.0, at_least=1)  # two blocks: 0.0 and 0.5, then the rest
        for row in rows[4:]:
            recorder.record(row)
        recorder.close()
        assert parts.rows == 6
        first, second, third = (parts.read(k) for k in range(3))
        assert first["case"].tolist() == [1, 0] and first["time"].tolist() == [1.0, 2.0]
        assert second["case"].tolist() == [3, 2, 2]
        assert second["time"].tolist() == [0.0, 0.5, 3.0]
        assert second["event"].tolist() == [0, 3, 4]
        assert third["case"].tolist() == [4] and third["outcome"].tolist() == [1]
        assert parts.read(3)["case"].size == 0  # a part with no events
        for part in (first, second, third):
            assert {name: part[name].dtype for name in COLUMNS} == COLUMNS
    finally:
        parts.remove()


def test_a_full_disk_says_where_the_log_was_written_and_what_to_set(monkeypatch):
    """Writing a part fails (as on a full disk): an OSError naming the file and TMPDIR,
    which the command line prints as one line."""
    parts = CaseParts(cases_per_part=2)

    def full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    try:
        monkeypatch.setattr(Path, "open", full)
        with pytest.raises(OSError, match=r"No space left on device.*TMPDIR") as caught:
            parts.write({name: np.zeros(3, dtype=dtype) for name, dtype in COLUMNS.items()})
        assert caught.value.filename.endswith("0.events")
    finally:
        monkeypatch.undo()
        parts.remove()
