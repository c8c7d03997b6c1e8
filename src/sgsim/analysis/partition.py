"""A replication's cases in parts, so metrics are computed a part at a time.

Every metric is a function of each case's own events plus sums over cases (see
``sgsim.analysis.metrics``), so it can be computed on parts of the cases, each holding
every event of its cases, and the parts' sums added. At England's scale (40 million
events) the masks, sorts and per-case arrays of the whole log at once would take over a
gigabyte; a part's take tens of megabytes. A log no bigger than a part is its own one part,
as it is, so a council's run pays nothing for this. A run expected to have more than
ON_DISK_EVENTS events keeps its log on disk in such parts as it runs (``on_disk``,
``sgsim.model.eventlog.PartedLog``), so neither the run nor its metrics hold it whole.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable
from typing import TypeVar

import numpy as np

from sgsim.model.eventlog import EventLog, PartedLog, RunLog
from sgsim.scenario.schema import Scenario
from sgsim.scenario.sizes import estimated_cases_and_events

# Events in a part: a part's own columns are 23 bytes an event, and its temporaries
# (masks, sorted indices, per-case arrays) about as much again.
PART_EVENTS = 2_000_000
# Rows of the whole log looked at at once to find a part's: two masks of a byte a row.
SCAN_ROWS = 1_000_000
# Cases counted together when sizing the parts (a part is a whole number of blocks).
CASE_BLOCK = 64
# Expected events of a run above which its log is kept on disk: twice a part, 90 MB
ON_DISK_EVENTS = 2 * PART_EVENTS

T = TypeVar("T")


def on_disk(s: Scenario) -> int | None:
    """Cases a part for a run of the scenario to keep its log on disk in (about
    PART_EVENTS events each, by the expected events of a case), or None to keep it in
    memory: a run expected to have ON_DISK_EVENTS events or fewer."""
    cases, events = estimated_cases_and_events(s)
    if events <= ON_DISK_EVENTS:
        return None
    return max(CASE_BLOCK, int(PART_EVENTS * cases / events))


def in_parts(log: RunLog, measure: Callable[[EventLog], T]) -> list[T]:
    """``measure`` of each part of the log, in turn (one part is held at a time)."""
    if isinstance(log, PartedLog):
        return [measure(part) for part in log.parts()]
    if len(log) <= PART_EVENTS:
        return [measure(log)]
    return [measure(cases_of(log, *part)) for part in case_ranges(log, PART_EVENTS)]


def case_ranges(log: EventLog, size: int) -> list[tuple[int, int, int, int]]:
    """Consecutive ranges of case ids (ids follow arrival) whose cases have about ``size``
    events each, cut between blocks of CASE_BLOCK cases: (first case, case after the
    last, first row, row after the last) of each, the rows bounding where its cases'
    events are."""
    blocks = -(-log.n_cases // CASE_BLOCK)
    per_block = np.zeros(blocks, dtype=np.int64)
    first = np.full(blocks, len(log), dtype=np.int64)  # of a scan of SCAN_ROWS rows
    last = np.zeros(blocks, dtype=np.int64)
    for start in range(0, len(log), SCAN_ROWS):
        case = log.case[start : start + SCAN_ROWS]
        counts = np.bincount(case // CASE_BLOCK, minlength=blocks)
        per_block += counts
        seen = counts > 0
        first[seen] = np.minimum(first[seen], start)
        last[seen] = start + case.size
    events_to = np.cumsum(per_block)  # events of the cases of blocks 0..i
    cuts = np.searchsorted(events_to, np.arange(size, len(log), size), side="left") + 1
    ends = np.unique(np.concatenate(([0], np.minimum(cuts, blocks), [blocks]))).tolist()
    return [
        (
            b0 * CASE_BLOCK,
            min(b1 * CASE_BLOCK, log.n_cases),
            int(first[b0:b1].min()),
            int(last[b0:b1].max()),
        )
        for b0, b1 in itertools.pairwise(ends)
    ]


def cases_of(
    log: EventLog, lo: int, hi: int, row_from: int = 0, row_to: int | None = None
) -> EventLog:
    """The events of cases lo..hi-1 as a log of their own, in the log's order (case ids
    less lo), looked for in rows row_from..row_to-1."""
    row_to = len(log) if row_to is None else row_to
    rows = np.concatenate(
        [
            np.zeros(0, dtype=np.intp),  # none, if the cases have no events
            *(
                start + np.flatnonzero((case >= lo) & (case < hi))
                for start in range(row_from, row_to, SCAN_ROWS)
                for case in [log.case[start : min(start + SCAN_ROWS, row_to)]]
            ),
        ]
    )
    return dataclasses.replace(
        log,
        case=log.case[rows] - np.int32(lo),
        step=log.step[rows],
        event=log.event[rows],
        time=log.time[rows],
        pool=log.pool[rows],
        resource=log.resource[rows],
        outcome=log.outcome[rows],
        attributes={name: values[lo:hi] for name, values in log.attributes.items()},
    )
