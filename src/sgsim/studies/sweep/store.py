"""Where a sweep's results live: one small JSON file per finished design point.

Each point is written atomically as soon as it finishes, so a killed sweep loses at most
the points that were running, and a restart runs exactly the points without a sound file
(anything else found in ``points/`` is set aside).
``sweep.json`` records a fingerprint of the sweep file and base scenario; a folder that
holds another sweep's results is refused rather than mixed, and one that another copy of
the sweep has open is refused rather than computed twice.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from sgsim import __version__
from sgsim.outputs.folders import check_writable, write_atomically, write_csv_atomically
from sgsim.scenario.errors import ScenarioError
from sgsim.studies.sweep.lock import LOCK_FILE, lock_folder
from sgsim.studies.sweep.points import file_name, set_aside_bad_files
from sgsim.studies.sweep.spec import SweepSpec


def fingerprint(spec: SweepSpec) -> str:
    """What the results depend on: the sweep's settings and the merged base scenario."""
    content = {
        "base": spec.base_raw,
        "parameters": [vars(p) for p in spec.parameters],
        "design": spec.design,
        "samples": spec.samples,
        "replications": spec.replications,
        "seed": spec.seed,
        "sgsim": __version__,
    }
    text = json.dumps(content, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class SweepStore:
    """A sweep's output folder, locked against other copies of the sweep while open."""

    def __init__(self, folder: Path, spec: SweepSpec, points: list[dict[str, float]]) -> None:
        self.folder = Path(folder)
        self.spec = spec
        self.points = points
        self.point_dir = self.folder / "points"
        check_writable(self.folder, "--out")
        fresh = self._check_claim()
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = lock_folder(self.folder)
        try:
            if fresh:
                self._write_record()
            self.point_dir.mkdir(exist_ok=True)
            set_aside_bad_files(self.point_dir, points, spec.replications)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> SweepStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the folder to other copies of the sweep."""
        if self._lock >= 0:
            os.close(self._lock)
            self._lock = -1

    def _check_claim(self) -> bool:
        """Whether the folder is new to this sweep; refuse one holding anything else."""
        record = self.folder / "sweep.json"
        if record.exists():
            if _fingerprint_in(record) != fingerprint(self.spec):
                raise ScenarioError(
                    str(self.folder),
                    "--out",
                    "a new folder, or the one this same sweep wrote (the sweep file or its "
                    "base scenario has changed since)",
                    "<results of a different sweep>",
                )
            return False
        if self.folder.exists() and any(p.name != LOCK_FILE for p in self.folder.iterdir()):
            raise ScenarioError(
                str(self.folder),
                "--out",
                "an empty or new folder",
                "<a folder holding other files>",
            )
        return True

    def _write_record(self) -> None:
        write_atomically(
            self.folder / "sweep.json",
            json.dumps(
                {
                    "fingerprint": fingerprint(self.spec),
                    "sweep_file": str(self.spec.file),
                    "base_scenario": str(self.spec.base_file),
                    "design": self.spec.design,
                    "points": len(self.points),
                    "replications": self.spec.replications,
                    "seed": self.spec.seed,
                    "sgsim_version": __version__,
                },
                indent=2,
            )
            + "\n",
        )
        write_atomically(self.folder / "sweep.toml", self.spec.text)

    def done(self) -> set[int]:
        return {i for i in range(len(self.points)) if (self.point_dir / file_name(i)).exists()}

    def missing(self) -> list[int]:
        finished = self.done()
        return [i for i in range(len(self.points)) if i not in finished]

    def save(self, index: int, per_replication: list[dict[str, float]]) -> None:
        reps = [{k: None if v != v else v for k, v in rep.items()} for rep in per_replication]
        doc = {"point": index, "inputs": self.points[index], "replications": reps}
        write_atomically(self.point_dir / file_name(index), json.dumps(doc))

    def load(self, index: int) -> list[dict[str, float]]:
        doc = json.loads((self.point_dir / file_name(index)).read_text())
        return [
            {k: float("nan") if v is None else v for k, v in rep.items()}
            for rep in doc["replications"]
        ]

    def write_table(self) -> Path:
        """results.csv: one row per design point and replication, inputs then metrics."""
        inputs = [p.path for p in self.spec.parameters]
        rows: list[list[Any]] = []
        metrics: list[str] = []
        for i in sorted(self.done()):
            for r, rep in enumerate(self.load(i)):
                metrics = metrics or list(rep)
                rows.append(
                    [i, r, *(self.points[i][k] for k in inputs), *(_blank(rep[m]) for m in metrics)]
                )
        path = self.folder / "results.csv"
        write_csv_atomically(path, ["point", "replication", *inputs, *metrics], rows)
        return path


def _fingerprint_in(record: Path) -> object:
    """The fingerprint a sweep record holds; a record sgsim cannot read is refused."""
    try:
        doc = json.loads(record.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError):
        doc = None
    if not isinstance(doc, dict):
        raise ScenarioError(
            str(record),
            "",
            "the record sgsim writes for a sweep",
            "<a damaged file>",
            hint="give a new --out folder",
        )
    return doc.get("fingerprint")


def _blank(x: float) -> float | str:
    return "" if x != x else x  # NaN -> empty cell
