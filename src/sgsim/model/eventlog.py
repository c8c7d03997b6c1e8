"""The event log: one row per case event, the single source of truth for every metric.

Every step records the same few generic events (``sgsim.model.steps.base.EVENTS``):
arrived, queued, started, finished, work_started, work_done, left; each row names the
step, the pool (team and role) and the person or caseload place, and the outcome. Columns
follow what animation and process-mining tools read (vidigi's ``entity_id, event_type,
event, time, resource_id``). Codes are small integers, named on output.

A run too big to hold its events in memory keeps them on disk instead, in parts of
consecutive case ids (``PartedLog``); every metric is a sum over cases, so it is computed
a part at a time (``sgsim.analysis.partition``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from sgsim.model.case_parts import CaseParts
from sgsim.model.steps.base import EVENT_CODE, EVENTS

__all__ = ["EVENTS", "EventLog", "LogInfo", "PartedLog", "RunLog"]


@dataclass(frozen=True, kw_only=True)
class LogInfo:
    """What a replication's log says besides its rows: the names behind the codes, each
    case's attributes and the overtime worked."""

    replication: int
    steps: tuple[str, ...]
    kinds: tuple[str, ...]  # the kind of each step
    pools: tuple[str, ...]
    outcomes: tuple[str, ...]
    attributes: dict[str, np.ndarray]  # per case: source, area, ... (by case id)
    attribute_names: dict[str, tuple[str, ...]]  # category names of coded attributes
    # overtime stays: one row (pool, start, end, people) each (``sgsim.model.pools.ShiftPool``)
    overtime: np.ndarray = field(default_factory=lambda: np.zeros((0, 4)))

    @property
    def n_cases(self) -> int:
        return int(self.attributes["source"].size)

    def info(self) -> dict:
        """The fields of ``LogInfo``, to build another log that says the same."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(LogInfo)}


@dataclass(frozen=True, kw_only=True)
class EventLog(LogInfo):
    """One replication's events as columns, with the names behind the codes."""

    case: np.ndarray  # int32, case (entity) id
    step: np.ndarray  # int16, index into steps
    event: np.ndarray  # int8, code into EVENTS
    time: np.ndarray  # float64, days from the origin
    pool: np.ndarray  # int16, index into pools, -1 for none
    resource: np.ndarray  # int32, person or caseload place within the pool, 0 for none
    outcome: np.ndarray  # int16, index into outcomes (0: none)

    def __len__(self) -> int:
        return int(self.case.size)

    def rows(
        self,
        event: str,
        step: str | None = None,
        kind: str | None = None,
        outcome: str | None = None,
    ) -> np.ndarray:
        """Boolean mask of one event, at one step or the steps of one kind, with an outcome."""
        m = self.event == EVENT_CODE[event]
        if step is not None:
            m &= self.step == self.steps.index(step)
        if kind is not None:
            m &= np.isin(self.step, [k for k, x in enumerate(self.kinds) if x == kind])
        if outcome is not None:
            m &= self.outcome == self.outcomes.index(outcome)
        return m


@dataclass(frozen=True, kw_only=True)
class PartedLog(LogInfo):
    """One replication's events on disk in parts of consecutive case ids
    (``sgsim.model.case_parts``), read one part at a time: it has no columns to read
    whole, so nothing can compute from it without going part by part."""

    store: CaseParts

    def __len__(self) -> int:
        return self.store.rows

    def parts(self) -> Iterator[EventLog]:
        """Each part as an event log of its own cases, renumbered from 0, in the log's
        order (each part's events in time order, ties as recorded)."""
        size = self.store.cases_per_part
        for first in range(0, self.n_cases, size):
            columns = self.store.read(first // size)
            columns["case"] -= np.int32(first)
            attributes = {
                name: values[first : first + size] for name, values in self.attributes.items()
            }
            yield EventLog(**(self.info() | {"attributes": attributes}), **columns)

    def remove(self) -> None:
        """Delete the files on disk (the log cannot be read after)."""
        self.store.remove()


RunLog = EventLog | PartedLog  # what a run returns: in memory, or on disk for a big run
