"""Worker processes that end with the process that started them.

A killed sweep or run (SIGTERM, SIGKILL, a closed terminal) must not leave its workers
computing for no one, and one that stops early (an error, Ctrl-C) must not wait for the
tasks they are running. Each worker watches its parent and a stop flag from a thread, and
exits as soon as the parent is gone or the flag is set; this needs no signal the parent
might never send, and works with every start method.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing.synchronize import Event

WATCH_SECONDS = 0.2


@contextmanager
def worker_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A process pool whose workers stop at once if the caller leaves early or dies."""
    stop = multiprocessing.get_context().Event()
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_watch, initargs=(stop,))
    try:
        yield pool
    except BaseException:
        stop.set()
        raise
    finally:
        pool.shutdown(cancel_futures=True)


def _watch(stop: Event) -> None:
    threading.Thread(target=_exit_when_orphaned, args=(os.getppid(), stop), daemon=True).start()


def _exit_when_orphaned(parent: int, stop: Event) -> None:
    while not stop.wait(WATCH_SECONDS) and os.getppid() == parent:
        pass
    os._exit(1)
