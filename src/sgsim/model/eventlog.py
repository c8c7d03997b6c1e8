"""The event log: one row per case event, the single source of truth for every metric.

Every step records the same few generic events (``sgsim.model.steps.base.EVENTS``):
arrived, queued, started, finished, work_started, work_done, left; each row names the
step, the pool (team and role) and the person or caseload place, and the outcome. Columns
follow what animation and process-mining tools read (vidigi's ``entity_id, event_type,
event, time, resource_id``). Codes are small integers, named on output.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sgsim.model.steps.base import EVENT_CODE, EVENTS

__all__ = ["EVENTS", "EventLog"]


@dataclass(frozen=True)
class EventLog:
    """One replication's events as columns, with the names behind the codes."""

    replication: int
    case: np.ndarray  # int32, case (entity) id
    step: np.ndarray  # int16, index into steps
    event: np.ndarray  # int8, code into EVENTS
    time: np.ndarray  # float64, days from the origin
    pool: np.ndarray  # int16, index into pools, -1 for none
    resource: np.ndarray  # int32, person or caseload place within the pool, 0 for none
    outcome: np.ndarray  # int16, index into outcomes (0: none)
    steps: tuple[str, ...]
    kinds: tuple[str, ...]  # the kind of each step
    pools: tuple[str, ...]
    outcomes: tuple[str, ...]
    attributes: dict[str, np.ndarray]  # per case: source, area, ... (by case id)
    attribute_names: dict[str, tuple[str, ...]]  # category names of coded attributes
    # overtime stays: one row (pool, start, end, people) each (``sgsim.model.pools.ShiftPool``)
    overtime: np.ndarray = field(default_factory=lambda: np.zeros((0, 4)))

    def __len__(self) -> int:
        return int(self.case.size)

    @property
    def n_cases(self) -> int:
        return int(self.attributes["source"].size)

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
