"""One sweep at a time in a folder: an OS lock that ends with the process holding it.

Two copies of a sweep on one folder would each compute every point. The lock is ``flock``
on a file in the folder, so a killed sweep (even by SIGKILL) never leaves a stale lock; the
file holds the process id, for the message the second copy gives.
"""

from __future__ import annotations

import fcntl
import os
import re
from pathlib import Path

from sgsim.scenario.errors import ScenarioError

LOCK_FILE = ".sgsim.lock"


def lock_folder(folder: Path) -> int:
    """Lock ``folder`` for this process; returns the descriptor to close to release it."""
    fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 32).decode(errors="replace").strip()
        os.close(fd)
        process = f"process {holder}" if re.fullmatch(r"\d{1,10}", holder) else "a process"
        raise ScenarioError(
            str(folder),
            "--out",
            "a folder no other sweep is writing to",
            f"<one in use by another sgsim ({process})>",
            hint="wait for it to finish, or give another --out",
        ) from None
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd
