"""A run's event log on disk, in parts of consecutive case ids, for runs too big to hold
their events in memory (an England-sized year has 40 million: a gigabyte).

The recorder packs its rows into blocks in time order (``sgsim.model.recorder``); each
block is split here by part (case id // cases per part) and each part's rows are appended
to that part's file, 23 bytes a row. A part's file thus holds every event of its cases in
time order, ties as recorded, and a part is read back as columns on its own. The files are
in a temporary directory (``TMPDIR``), removed with the log.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from sgsim.model.recorder import COLUMNS

ROW = np.dtype(list(COLUMNS.items()))  # one event, packed: 23 bytes


class CaseParts:
    """The files of one run's parts: ``write`` appends a block, ``read`` reads a part."""

    def __init__(self, cases_per_part: int) -> None:
        if cases_per_part < 1:
            raise ValueError(f"cases_per_part must be at least 1, not {cases_per_part}")
        self.cases_per_part = cases_per_part
        self.rows = 0
        self._directory = tempfile.TemporaryDirectory(prefix="sgsim-events-")

    def _file(self, part: int) -> Path:
        return Path(self._directory.name) / f"{part}.events"

    def write(self, block: dict[str, np.ndarray]) -> None:
        """Append a block's rows (columns of the event log, in time order) to their parts'
        files, each part's rows in the block's order."""
        part = block["case"] // self.cases_per_part
        order = np.argsort(part, kind="stable")
        rows = np.empty(order.size, dtype=ROW)
        for name in COLUMNS:
            rows[name] = block[name][order]
        parts, starts = np.unique(part[order], return_index=True)
        ends = [*starts[1:].tolist(), order.size]
        for k, start, end in zip(parts.tolist(), starts.tolist(), ends, strict=True):
            path = self._file(k)
            try:
                with path.open("ab") as out:
                    rows[start:end].tofile(out)
            except OSError as exc:  # a full disk, most likely: say where it writes, and why
                raise OSError(
                    exc.errno,
                    f"{exc.strerror or exc} (a big run keeps its event log there, "
                    f"{ROW.itemsize} bytes an event; set TMPDIR to a disk with room)",
                    str(path),
                ) from exc
        self.rows += order.size

    def read(self, part: int) -> dict[str, np.ndarray]:
        """Every event of one part's cases, as the event log's columns (none if it has none)."""
        path = self._file(part)
        rows = np.fromfile(path, dtype=ROW) if path.exists() else np.zeros(0, dtype=ROW)
        return {name: np.ascontiguousarray(rows[name]) for name in COLUMNS}

    def remove(self) -> None:
        self._directory.cleanup()
