"""Recording a run's events in compact columns, not as a list of Python tuples.

A step records an event as one tuple appended to a list: the cheapest thing the event
loop can do. A tuple of six numbers costs about 200 bytes, so a run keeps only the last
few tens of thousands of them: ``pack`` moves them into a block of numpy columns (about
30 bytes a row), and ``simulate`` calls it between slices of simulated time. The blocks
are joined and put in time order once, at the end.
"""

from __future__ import annotations

import itertools

import numpy as np

from sgsim.model.steps.base import Row

FIELDS = 6  # case, step * N_EVENTS + event, time, pool, person or place, outcome
# dtype of each field in a block; every value fits (sizes are checked when loading)
DTYPES = (np.int64, np.int32, np.float64, np.int16, np.int32, np.int16)
PACK_ROWS = 50_000  # tuples kept before packing: about 10 MB


class Recorder:
    """The rows of one run: ``record`` appends a ``Row``; ``pack`` compacts them."""

    def __init__(self) -> None:
        self._rows: list[Row] = []
        self.record = self._rows.append
        self._parts: list[list[np.ndarray]] = [[] for _ in DTYPES]  # blocks, per field

    def pack(self, at_least: int = PACK_ROWS) -> None:
        """Move the tuples into a block of columns, once there are ``at_least`` of them."""
        rows = self._rows
        if not rows or len(rows) < at_least:
            return
        # one float column per field (exact for these integers); fromiter over the
        # flattened rows is three times as fast as np.array on a list of tuples
        flat = itertools.chain.from_iterable(rows)
        table = np.fromiter(flat, dtype=float, count=FIELDS * len(rows)).reshape(-1, FIELDS)
        for k, dtype in enumerate(DTYPES):
            self._parts[k].append(table[:, k].astype(dtype))
        rows.clear()  # in place: ``record`` is this list's append

    def columns(self) -> list[np.ndarray]:
        """Every row as one array per field, in time order (ties in recording order).

        Starts are recorded when a task is taken but dated when work begins (the next
        opening), so rows arrive slightly out of time order: they are sorted, stably.
        Columns are joined one at a time, each block freed as it goes, to keep the peak low.
        """
        self.pack(at_least=1)
        parts, self._parts = self._parts, [[] for _ in DTYPES]
        if not parts[0]:
            return [np.zeros(0, dtype=d) for d in DTYPES]
        order = np.argsort(np.concatenate(parts[2]), kind="stable")
        out = []
        for k in range(FIELDS):
            column = np.concatenate(parts[k])
            parts[k] = []
            out.append(column[order])
        return out
