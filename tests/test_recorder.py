"""The compact event log (``sgsim.model.recorder``) holds what the list of tuples held."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import simpy

from sgsim.analysis.metrics import compute
from sgsim.model import simulate
from sgsim.model.demand import arrival_times
from sgsim.model.pathway import Pathway
from sgsim.model.recorder import Recorder
from sgsim.model.steps.base import N_EVENTS
from sgsim.scenario.loading import load_scenario

SCENARIOS = Path(__file__).parent.parent / "scenarios"


def test_rows_come_back_in_time_order_ties_as_recorded_whatever_the_packing():
    # hand-made rows: times 2, 1, 1, 0 recorded in that order; in time order the two rows
    # at time 1 keep their recording order (case 1 before case 2)
    rows = [
        (0, 9, 2.0, 1, 3, 4),
        (1, 10, 1.0, -1, 0, 0),
        (2, 11, 1.0, 0, 1, 2),
        (3, 8, 0.0, -1, 0, 0),
    ]
    expected_cases = [3, 1, 2, 0]
    for every in (1, 2, 3, 10):
        recorder = Recorder()
        for k, row in enumerate(rows, start=1):
            recorder.record(row)
            if k % every == 0:
                recorder.pack(at_least=1)
        case, code, time, pool, resource, outcome = recorder.columns()
        assert case.tolist() == expected_cases
        assert time.tolist() == [0.0, 1.0, 1.0, 2.0]
        assert code.tolist() == [8, 10, 11, 9]
        assert pool.tolist() == [-1, -1, 0, 1]
        assert resource.tolist() == [0, 0, 1, 3]
        assert outcome.tolist() == [0, 0, 2, 4]


def tuple_log(s, seed):
    """The event log as sgsim 0.4 built it: every row a tuple in one list, sorted at the end."""
    env = simpy.Environment()
    rows: list = []
    pathway = Pathway(env, s, seed, 0, rows.append)
    times = arrival_times(s, seed, 0).tolist()
    pathway.add_cases(len(times))
    pathway.add_backlog()
    pathway.add_other_work()
    env.process(pathway.arrivals(times))
    env.run(until=s.horizon_days)
    table = np.array(rows, dtype=float)
    table = table[np.argsort(table[:, 2], kind="stable")]
    return table


@pytest.mark.parametrize(
    "name",
    [
        "west_sussex_2022_23.toml",
        "east_sussex_hscc.toml",
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
