"""Running design points: one task per point (all its replications), on local processes or
a Dask cluster. Tasks carry only the parsed base scenario and the point's settings, so a
worker needs nothing but sgsim installed; results come back as small lists of metrics."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import as_completed
from typing import Any

from sgsim.scenario.loading import build_scenario
from sgsim.studies.dask_cluster import dask_client
from sgsim.studies.runner import run_replications
from sgsim.studies.settings import apply_settings
from sgsim.studies.workers import worker_pool

Task = tuple[int, dict[str, Any], dict[str, float], int, int]  # index, base, settings, seed, reps


def run_point(task: Task) -> tuple[int, list[dict[str, float]]]:
    """Simulate one design point's replications; the same seed at every point (CRN)."""
    index, base_raw, settings, seed, replications = task
    where = f"design point {index}"
    scenario = build_scenario(apply_settings(base_raw, settings, where), where)
    return index, run_replications(scenario, seed, replications, details=False).per_replication


def run_local(tasks: list[Task], workers: int) -> Iterator[tuple[int, list[dict[str, float]]]]:
    """Yield results as they finish; one worker runs in this process (no start-up cost)."""
    if workers <= 1:
        for task in tasks:
            yield run_point(task)
        return
    with worker_pool(workers) as pool:
        futures = [pool.submit(run_point, t) for t in tasks]
        for future in as_completed(futures):
            yield future.result()


def run_dask(
    tasks: list[Task], workers: int, scheduler: str | None
) -> Iterator[tuple[int, list[dict[str, float]]]]:
    """Yield results from a Dask cluster: the one at ``scheduler``, or a local one."""
    with dask_client(scheduler, workers) as client:
        from dask.distributed import as_completed as dask_completed

        futures = [client.submit(run_point, t, pure=False) for t in tasks]
        for future in dask_completed(futures):
            yield future.result()


def executor(
    kind: str, workers: int | None, scheduler: str | None
) -> Callable[[list[Task]], Iterator]:
    """The chosen way to run tasks, with the worker count settled."""
    n = workers or os.cpu_count() or 1
    if kind == "dask":
        return lambda tasks: run_dask(tasks, n, scheduler)
    return lambda tasks: run_local(tasks, n)
