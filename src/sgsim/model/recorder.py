"""Recording a run's events in compact columns, not as a list of Python tuples.

A step records an event as one tuple appended to a list: the cheapest thing the event
loop can do. A tuple of six numbers costs about 200 bytes, so a run keeps only the last
few tens of thousands of them: ``pack`` moves them into a block of the event log's own
columns (23 bytes a row), and ``simulate`` calls it between slices of simulated time.

The log is in time order, ties in the order they were recorded. Starts are recorded when
a task is taken but dated when work begins (the next opening), so a row may be dated
after the slice it was recorded in: ``pack`` keeps such rows back for the next block and
sorts each block (stably), so the blocks, joined, are in order with no sort of the
whole log and no second copy of it. A run too big to hold its events writes each block to
disk instead, split by case (``sgsim.model.case_parts``).
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import numpy as np

from sgsim.model.steps.base import N_EVENTS, Row

if TYPE_CHECKING:
    from sgsim.model.case_parts import CaseParts

FIELDS = 6  # case, step * N_EVENTS + event, time, pool, person or place, outcome
# The event log's columns and their types (sgsim.model.eventlog.EventLog)
COLUMNS = {
    "case": np.int32,  # up to 2,147 million cases: a thousand England-sized years
    "step": np.int16,
    "event": np.int8,
    "time": np.float64,
    "pool": np.int16,
    "resource": np.int32,
    "outcome": np.int16,
}
PACK_ROWS = 50_000  # tuples kept before packing: about 10 MB


class Recorder:
    """The rows of one run: ``record`` appends a ``Row``; ``pack`` compacts them, into
    blocks in memory or, given ``parts``, into files on disk."""

    def __init__(self, parts: CaseParts | None = None) -> None:
        self._rows: list[Row] = []
        self.record = self._rows.append
        self._blocks: dict[str, list[np.ndarray]] = {name: [] for name in COLUMNS}
        self.parts = parts
        self._packed_until = -np.inf  # every row packed so far is dated before this

    def pack(self, now: float, at_least: int = PACK_ROWS) -> None:
        """Move the rows dated before ``now`` into a block of columns, in time order, once
        there are ``at_least`` rows (every row recorded later is dated ``now`` or after)."""
        rows = self._rows
        if len(rows) < max(at_least, 1):
            return
        # one float column per field (exact for these integers); fromiter over the
        # flattened rows is three times as fast as np.array on a list of tuples
        flat = itertools.chain.from_iterable(rows)
        table = np.fromiter(flat, dtype=float, count=FIELDS * len(rows)).reshape(-1, FIELDS)
        if table.size and table[:, 2].min() < self._packed_until:
            raise RuntimeError("an event was dated before the time it was recorded at")
        later = table[:, 2] >= now
        self._packed_until = now
        rows[:] = [rows[k] for k in np.flatnonzero(later).tolist()]  # kept back, in order
        table = table[~later]
        table = table[np.argsort(table[:, 2], kind="stable")]
        code = table[:, 1].astype(np.int64)
        values = {
            "case": table[:, 0],
            "step": code // N_EVENTS,
            "event": code % N_EVENTS,
            "time": table[:, 2],
            "pool": table[:, 3],
            "resource": table[:, 4],
            "outcome": table[:, 5],
        }
        block = {name: values[name].astype(dtype) for name, dtype in COLUMNS.items()}
        if self.parts is not None:
            self.parts.write(block)
            return
        for name, column in block.items():
            self._blocks[name].append(column)

    def close(self) -> None:
        """Pack every row left (at the end of the run)."""
        self.pack(np.inf, at_least=1)

    def columns(self) -> dict[str, np.ndarray]:
        """Every row, as the event log's columns in time order (ties as recorded).

        Each column is copied into place block by block, each block freed once copied, so
        the join holds a block more than the log, not a column more."""
        self.close()
        out = {}
        for name, dtype in COLUMNS.items():
            blocks = self._blocks[name]
            column = np.empty(sum(block.size for block in blocks), dtype=dtype)
            at = 0
            blocks.reverse()  # the first block last, so each is popped from the end
            while blocks:
                block = blocks.pop()
                column[at : at + block.size] = block
                at += block.size
            out[name] = column
        return out
