"""Worker processes end with their parent (issue #13), however the parent is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import MINIMAL, PARAMS, SGSIM, sweep_file

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")


def children(pid: int) -> set[int]:
    """Live processes whose parent is ``pid``."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                state, ppid = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:2]
            except (OSError, IndexError, ValueError):
                continue
            if int(ppid) == pid and state != "Z":
                found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_for(condition: Callable[[], object], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
@pytest.mark.parametrize("command", ["sweep", "run"])
def test_killing_the_parent_ends_its_workers(tmp_path, command, sig):
    if command == "sweep":
        body = '[design]\ntype = "grid"\n' + PARAMS["triage"] + "values = [2, 3, 4, 5]\n"
        path = sweep_file(tmp_path, body, run_days=3000)  # seconds a point
        args = ["sweep", str(path), "--out", str(tmp_path / "out"), "--workers", "2"]
    else:
        args = ["run", str(MINIMAL), "-n", "400", "--workers", "2", "--json"]
    parent = subprocess.Popen([*SGSIM, *args], stdout=subprocess.DEVNULL)
    workers: set[int] = set()
    try:
        assert wait_for(lambda: len(children(parent.pid)) >= 2, 60), "no workers started"
        workers = children(parent.pid)
        parent.send_signal(sig)
        parent.wait(10)
        assert wait_for(lambda: not any(alive(w) for w in workers), 5), "workers outlived it"
    finally:
        parent.kill()
        parent.wait()
        for w in workers:
            if alive(w):
                os.kill(w, signal.SIGKILL)
