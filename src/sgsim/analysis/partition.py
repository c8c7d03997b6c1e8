"""A replication's cases in parts, so metrics are computed a part at a time.

Every metric is a function of each case's own events plus sums over cases (see
``sgsim.analysis.metrics``), so it can be computed on parts of the cases, each holding
every event of its cases, and the parts' sums added. At England's scale (40 million
events) the masks, sorts and per-case arrays of the whole log at once would take over a
gigabyte; a part's take tens of megabytes. A log no bigger than a part is its own one part,
as it is, so a council's run pays nothing for this.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import numpy as np

from sgsim.model.eventlog import EventLog

# Events in a part: its temporaries (masks, sorted indices, per-case arrays) are a few
# times 23 bytes an event, tens of megabytes.
PART_EVENTS = 2_000_000


def case_parts(log: EventLog) -> Iterator[EventLog]:
    """The log as parts of about PART_EVENTS events: consecutive ranges of case ids (ids
    follow arrival), each part's rows in the log's order, its cases numbered from 0."""
    size = PART_EVENTS
    if len(log) <= size:
        yield log
        return
    events_to = np.bincount(log.case, minlength=log.n_cases)
    np.cumsum(events_to, out=events_to)  # events of cases 0..i
    cuts = np.searchsorted(events_to, np.arange(size, len(log), size), side="left") + 1
    del events_to
    bounds = np.unique(np.concatenate(([0], np.minimum(cuts, log.n_cases), [log.n_cases])))
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        yield cases_of(log, lo, hi)


def cases_of(log: EventLog, lo: int, hi: int) -> EventLog:
    """The events of cases lo..hi-1 as a log of their own (case ids less lo)."""
    rows = np.flatnonzero((log.case >= lo) & (log.case < hi))
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
