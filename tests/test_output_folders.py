"""Output folders under faults (issue #13): replaced in one step, cleaned up on SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

from helpers import MINIMAL, SGSIM

from sgsim.cli import main


def contents(folder: Path) -> dict[str, bytes]:
    """Every file in a folder but run.json (it records the command line)."""
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name != "run.json"}


def hidden(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


def test_a_folder_whose_old_file_cannot_be_replaced_gets_the_whole_new_run(tmp_path):
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    assert main(["run", str(MINIMAL), "-n", "1", "--seed", "1", "--out", str(out)]) == 0
    (out / "summary.csv").unlink()
    (out / "summary.csv").mkdir()  # a file no other file can replace
    (out / "summary.csv" / "notes.txt").write_text("x")
    new_run = ["run", str(MINIMAL), "-n", "1", "--seed", "2", "--event-log", "none"]
    assert main([*new_run, "--out", str(out)]) == 0
    assert main([*new_run, "--out", str(fresh)]) == 0
    assert contents(out) == contents(fresh)  # all of the new run, nothing of the old
    assert json.loads((out / "run.json").read_text())["seed"] == 2
    assert hidden(tmp_path) == []


def test_outputs_of_two_commands_in_one_folder_keep_each_other(tmp_path):
    shared = tmp_path / "shared"
    assert main(["run", str(MINIMAL), "-n", "2", "--out", str(shared)]) == 0
    assert main(["compare", str(MINIMAL), str(MINIMAL), "-n", "2", "--out", str(shared)]) == 0
    assert main(["run", str(MINIMAL), "-n", "2", "--out", str(shared), "--event-log", "none"]) == 0
    names = {p.name for p in shared.iterdir()}
    assert {"summary.csv", "run.json", "comparison.csv"} <= names and "events.csv" not in names
    assert hidden(tmp_path) == []


def test_sigterm_while_writing_leaves_the_old_run_and_nothing_hidden(tmp_path):
    out = tmp_path / "out"
    assert main(["run", str(MINIMAL), "-n", "1", "--out", str(out)]) == 0
    old = contents(out)
    writer = subprocess.Popen(
        [*SGSIM, "run", str(MINIMAL), "-n", "8", "--event-log", "all", "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not hidden(tmp_path) and writer.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)
    writer.send_signal(signal.SIGTERM)  # while the new run is being written beside the old
    assert writer.wait(30) != 0
    assert hidden(tmp_path) == []
    assert contents(out) == old
