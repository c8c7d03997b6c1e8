"""Output folders under faults (issue #13): replaced in one step, cleaned up on SIGTERM,
and a folder that cannot be written refused before simulating, in one line."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from helpers import MINIMAL, PARAMS, SGSIM, sweep_file

from sgsim.cli import main

SLOW = ["-n", "400"]  # about 20 s of simulation: a refusal must come long before


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


def refusal(capsys, args: list[str]) -> str:
    """The one-line error of a command that must fail before simulating."""
    started = time.monotonic()
    assert main(args) == 2
    assert time.monotonic() - started < 3
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0, err
    return err


@pytest.mark.parametrize("option", ["--out", "--plots"])
def test_a_folder_inside_a_file_is_refused_before_simulating(tmp_path, capsys, option):
    (tmp_path / "file").write_text("x")
    target = tmp_path / "file" / "results"
    err = refusal(capsys, ["run", str(MINIMAL), *SLOW, option, str(target)])
    assert str(target) in err and "folder" in err


def test_the_current_folder_is_refused_before_simulating(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    err = refusal(capsys, ["run", str(MINIMAL), *SLOW, "--out", "."])
    assert "current folder" in err and "inside it" in err
    assert list(tmp_path.iterdir()) == []


def test_a_bad_sweep_plots_folder_is_refused_before_the_sweep(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    body = '[design]\ntype = "grid"\n' + PARAMS["triage"] + "values = [2, 3, 4]\n"
    path = sweep_file(tmp_path, body, run_days=1500)
    out, plots = tmp_path / "out", tmp_path / "file" / "figures"
    err = refusal(capsys, ["sweep", str(path), "--out", str(out), "--plots", str(plots)])
    assert str(plots) in err and not out.exists()


def in_namespace(setup: str, *args: str) -> subprocess.CompletedProcess:
    """Run sgsim after ``setup`` mounts, in a mount namespace of its own (no root needed)."""
    command = " ".join([setup, "&& exec", *SGSIM, *args])
    return subprocess.run(
        ["unshare", "--map-root-user", "--mount", "sh", "-c", command],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def can_mount() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "--map-root-user", "--mount", "sh", "-c", "mount -t tmpfs t /mnt"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


@pytest.mark.skipif(not can_mount(), reason="needs unshare and user namespaces to mount")
@pytest.mark.parametrize(
    ("mount", "target", "words"),
    [
        ("mode=755", "mnt", "mount point"),
        ("ro", "mnt/results", "read-only"),
    ],
    ids=["mount point", "read-only"],
)
def test_a_folder_that_cannot_be_swapped_in_is_refused_before_simulating(
    tmp_path, mount, target, words
):
    (tmp_path / "mnt").mkdir()
    out = tmp_path / target
    setup = f"mount -t tmpfs -o {mount} t {tmp_path / 'mnt'}"
    proc = in_namespace(setup, "run", str(MINIMAL), "-n", "1000", "--out", str(out), "--json")
    assert proc.returncode == 2, proc.stderr
    err = proc.stderr.strip()
    assert err.count("\n") == 0 and str(out) in err and words in err, err
    assert proc.stdout == ""
