"""A Dask client for sweeps and national runs: on the user's cluster, or on one of its own.

A user's cluster (``--scheduler``) is theirs: the run connects as a client and leaves it
running. What goes wrong there is said in one line naming ``--scheduler``, without
waiting long: an address with nothing listening, a scheduler with no workers, workers
without sgsim (Dask would lose a worker that cannot read a task, and then wait for ever
for one that can), or workers lost during the run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import CancelledError
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from sgsim.scenario.errors import ScenarioError, one_line

CONNECT_SECONDS = 5  # a scheduler answers at once; nothing listening should not hang a run
WORKERS_SECONDS = 30  # for the first worker to join a scheduler just started
TASKS_MODULE = "sgsim.studies.sweep.execute"  # what a worker imports to read a task


@contextmanager
def dask_client(scheduler: str | None, workers: int) -> Iterator[Any]:
    """A client of the cluster at ``scheduler``, checked, or of a local cluster of
    ``workers`` processes (one thread each) that ends with the block."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise ScenarioError(
            "--executor dask", "", "Dask installed: pip install 'sgsim[dask]'", "<no Dask>"
        ) from None
    if scheduler is None:
        with (
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client
        return
    try:
        client = Client(scheduler, timeout=CONNECT_SECONDS)
    except OSError:  # refused, unknown host: Dask retries until the timeout
        raise _cluster_error(
            scheduler, "a running Dask scheduler", f"nothing answered in {CONNECT_SECONDS} s"
        ) from None
    except (ValueError, TypeError) as e:  # not an address
        raise _cluster_error(scheduler, "an address tcp://HOST:PORT", one_line(str(e))) from None
    try:
        _check_workers(client, scheduler)
        yield client
    except (CancelledError, _killed_worker()) as e:
        reason = f"{type(e).__name__}: {one_line((str(e).splitlines() or [''])[0])}"
        raise _cluster_error(scheduler, "a cluster that stays up to the end", reason) from None
    finally:
        client.close()  # the client only: the cluster is the user's


def _check_workers(client: Any, scheduler: str) -> None:
    """Refuse a cluster with no worker, or with workers that could not read a task."""
    try:
        client.wait_for_workers(1, timeout=WORKERS_SECONDS)
    except TimeoutError:
        raise _cluster_error(
            scheduler,
            "a scheduler with workers (dask worker ADDRESS --nthreads 1)",
            f"none joined in {WORKERS_SECONDS} s",
        ) from None
    found = client.run(exec, f"import {TASKS_MODULE}", {}, on_error="return")
    failed = {w: e for w, e in found.items() if isinstance(e, BaseException)}
    if failed:
        worker, error = next(iter(failed.items()))
        raise _cluster_error(
            scheduler,
            "workers with sgsim installed: pip install 'sgsim[dask]'",
            f"{len(failed)} of {len(found)} workers cannot import it, as {worker}: "
            f"{type(error).__name__}: {one_line(str(error))}",
        )


def _cluster_error(scheduler: str, expected: str, reason: str) -> ScenarioError:
    return ScenarioError("command line", "--scheduler", expected, scheduler, hint=reason)


def _killed_worker() -> type[Exception]:
    from distributed import KilledWorker

    return KilledWorker


@contextmanager
def process_cluster(workers: int, log: Path | None = None) -> Iterator[str]:
    """A scheduler and ``workers`` one-thread workers on this machine, started as the README
    tells a user to (``dask scheduler``, ``dask worker ADDRESS --nthreads 1``) on free
    ports, with this Python: yields the scheduler's address once every worker has joined,
    and stops them all on leaving, however the block ends. For benchmarks and tests of
    ``--scheduler``; ``log`` gets their output (default: discarded)."""
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        out = stack.enter_context(open(log, "a")) if log else subprocess.DEVNULL

        def start(*args: str) -> subprocess.Popen:
            command = [sys.executable, "-m", "dask", *args]
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
            return stack.enter_context(_stopped_at_exit(process))

        scheduler = start(
            "scheduler",
            *("--host", "127.0.0.1", "--port", "0", "--no-dashboard"),
            *("--scheduler-file", str(folder / "scheduler.json")),
        )
        address = _address(folder / "scheduler.json", scheduler)
        for _ in range(workers):
            start("worker", address, "--nthreads", "1", "--no-dashboard")
        if workers:
            from dask.distributed import Client

            with Client(address, timeout=CONNECT_SECONDS) as client:
                client.wait_for_workers(workers, timeout=WORKERS_SECONDS)
        yield address


def _address(file: Path, scheduler: subprocess.Popen) -> str:
    """The address a scheduler started on port 0 writes to its scheduler file."""
    waited = 0.0
    while not file.exists() or not file.read_text():
        if scheduler.poll() is not None or waited > WORKERS_SECONDS:
            raise RuntimeError(f"dask scheduler did not start (exit code {scheduler.poll()})")
        time.sleep(0.1)
        waited += 0.1
    return json.loads(file.read_text())["address"]


@contextmanager
def _stopped_at_exit(process: subprocess.Popen) -> Iterator[subprocess.Popen]:
    try:
        yield process
    finally:
        process.terminate()  # a worker's nanny stops its worker on SIGTERM
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
