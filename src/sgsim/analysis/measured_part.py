"""A part of a log being measured, which keeps the masks and pairings asked of it.

The metrics of one part ask for the same rows again and again: the arrivals, a step's
queue, the measured period, each touch span's start and end matched by case. At
England's scale each mask is a pass over two million rows, and each matching a sort, so a
part computes each once and keeps it while the part is measured (the part, and what it
kept, go together). Kept masks are read-only: a metric that changed one in place would
change every other metric using it, so numpy refuses.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from sgsim.model.eventlog import EventLog
from sgsim.model.steps.base import EVENT_CODE

T = TypeVar("T")


@dataclass(frozen=True, kw_only=True, eq=False)
class MeasuredPart(EventLog):
    """An event log (a part of a run's cases, or a whole small run) with what was computed
    from it kept by ``kept``."""

    memo: dict[Hashable, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, log: EventLog) -> MeasuredPart:
        """The log as a measured part (itself if it already is one); no column is copied."""
        if isinstance(log, MeasuredPart):
            return log
        return cls(**{f.name: getattr(log, f.name) for f in dataclasses.fields(EventLog)})

    def kept(self, key: Hashable, make: Callable[[], T]) -> T:
        """``make()``, computed the first time ``key`` is asked for and kept; its arrays
        (it, or those in it) are made read-only."""
        if key not in self.memo:
            value = make()
            _read_only(value)
            self.memo[key] = value
        return self.memo[key]

    def kept_for(self, name: str, objects: tuple, make: Callable[[], T]) -> T:
        """``make()``, kept for these very objects (masks, a clock): by their ids, and
        kept with them, so that no other object can take an id while it is kept. Only
        for read-only arrays (kept ones): of an array that could change, ``make()`` is
        computed each time."""
        if any(isinstance(x, np.ndarray) and x.flags.writeable for x in objects):
            return make()
        return self.kept((name, *map(id, objects)), lambda: (objects, make()))[1]

    def times(self, rows: np.ndarray) -> np.ndarray:
        """The times of the rows a mask marks, in the log's order (time order)."""
        return self.kept_for("times", (rows,), lambda: self.time[rows])

    def rows(
        self,
        event: str,
        step: str | None = None,
        kind: str | None = None,
        outcome: str | None = None,
    ) -> np.ndarray:
        """``EventLog.rows``, each mask computed once and kept (the steps' masks too, which
        cost a lookup; an event's or an outcome's is one comparison, and not kept)."""
        return self.kept(
            ("rows", event, step, kind, outcome), lambda: self._rows(event, step, kind, outcome)
        )

    def _rows(
        self, event: str, step: str | None, kind: str | None, outcome: str | None
    ) -> np.ndarray:
        masks = [self.event == EVENT_CODE[event]]
        if step is not None:
            masks.append(self.at_steps([self.steps.index(step)]))
        if kind is not None:
            masks.append(self.at_steps(k for k, x in enumerate(self.kinds) if x == kind))
        if outcome is not None:
            masks.append(self.outcome == self.outcomes.index(outcome))
        return functools.reduce(np.logical_and, masks)

    def at_steps(self, codes: Iterable[int]) -> np.ndarray:
        """Mask of the rows at any of the steps (codes into ``steps``): for one step, a
        comparison, not kept; for several, a lookup table indexed by each row's step
        (``np.isin`` without its pass per code), kept."""
        chosen = tuple(sorted(set(codes)))
        if len(chosen) == 1:
            return self.step == chosen[0]

        def mask() -> np.ndarray:
            table = np.zeros(len(self.steps), dtype=bool)
            table[list(chosen)] = True
            return table[self.step]

        return self.kept(("steps", chosen), mask)

    def in_period(self, start: float, end: float) -> np.ndarray:
        """Mask of the rows from ``start`` to before ``end``."""
        return self.kept(("period", start, end), lambda: (self.time >= start) & (self.time < end))


def _read_only(value: object) -> None:
    """Make an array, or the arrays in a tuple or a dict's values (and in theirs),
    read-only."""
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif isinstance(value, tuple | dict):
        for item in value.values() if isinstance(value, dict) else value:
            _read_only(item)
