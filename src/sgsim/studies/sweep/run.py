"""Run a sweep end to end: design, resume what is missing, save, tabulate, analyse."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from sgsim.outputs.folders import write_csv_atomically
from sgsim.studies.sweep.analysis import morris_indices, one_at_a_time, point_means, sobol_indices
from sgsim.studies.sweep.design import design_points
from sgsim.studies.sweep.spec import SweepSpec
from sgsim.studies.sweep.store import SweepStore

Executor = Callable[[list], Iterator[tuple[int, list[dict[str, float]]]]]


def run_sweep(
    spec: SweepSpec,
    folder: Path,
    execute: Executor,
    on_start: Callable[[int, int], None] | None = None,
    on_point: Callable[[int], None] | None = None,
) -> dict[str, object]:
    """Run every design point not yet saved in ``folder``; return what was done and written."""
    points = design_points(spec)
    with SweepStore(folder, spec, points) as store:
        todo = store.missing()
        if on_start:
            on_start(len(points), len(points) - len(todo))
        tasks = [
            (i, spec.base_raw, spec.settings(points[i]), spec.seed, spec.replications) for i in todo
        ]
        for index, per_replication in execute(tasks):
            store.save(index, per_replication)
            if on_point:
                on_point(index)
        written = [store.write_table().name]
        per_point = [store.load(i) for i in range(len(points))]
        means = point_means(per_point)
        written += _write_indices(spec, Path(folder), points, means)
    return {
        "points": len(points),
        "ran": len(todo),
        "written": written,
        "per_point": per_point,
        "design": points,
        "means": means,
    }


def _write_indices(
    spec: SweepSpec, folder: Path, points: list[dict[str, float]], means: dict[str, np.ndarray]
) -> list[str]:
    """The design's sensitivity table, if it has one."""
    if spec.design == "sobol":
        return [_write_rows(folder / "sobol_indices.csv", sobol_indices(spec, means))]
    if spec.design == "morris":
        x = np.array([[pt[p.path] for p in spec.parameters] for pt in points], dtype=float)
        return [_write_rows(folder / "morris_indices.csv", morris_indices(spec, x, means))]
    if spec.design == "oat":
        return [_write_rows(folder / "one_at_a_time.csv", one_at_a_time(spec, points, means))]
    return []


def _write_rows(path: Path, rows: list[dict[str, object]]) -> str:
    header = list(rows[0]) if rows else []
    write_csv_atomically(path, header, ([row[k] for k in header] for row in rows))
    return path.name
