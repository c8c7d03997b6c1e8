"""Sweeps under faults (issue #13): bad files in points/, two copies on one folder."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
from helpers import PARAMS, SGSIM, sweep_file

from sgsim.cli import main

TWO_POINTS = '[design]\ntype = "grid"\n' + PARAMS["triage"] + "values = [2, 3]\n"


def first_point(points: Path) -> bytes:
    return (points / "000000.json").read_bytes()


BAD_FILES = {
    "cut short": ("000001.json", lambda p: first_point(p)[:40]),
    "empty": ("000001.json", lambda p: b""),
    "not text": ("000001.json", lambda p: b"\x00\xff\xfe"),
    "nested too deep": ("000001.json", lambda p: b"[" * 100_000),
    "another point's": ("000001.json", first_point),
    "no such point": ("000009.json", first_point),
    "stray": ("notes.json", lambda p: b"{}"),
    "a folder": ("000001.json", None),
}


@pytest.mark.parametrize(("name", "content"), BAD_FILES.values(), ids=BAD_FILES)
def test_a_bad_file_in_points_is_set_aside_and_its_point_run_again(tmp_path, caplog, name, content):
    out = tmp_path / "out"
    args = ["sweep", str(sweep_file(tmp_path, TWO_POINTS)), "--out", str(out), "--workers", "1"]
    assert main(args) == 0
    results = (out / "results.csv").read_text()
    bad = out / "points" / name
    bad.unlink(missing_ok=True)
    if content is None:
        bad.mkdir()
        (bad / "inside").write_text("x")
    else:
        bad.write_bytes(content(out / "points"))
    caplog.clear()
    assert main(args) == 0
    warnings = [m for m in caplog.messages if name in m]
    assert len(warnings) == 1 and "\n" not in warnings[0], caplog.messages
    assert "expected" in warnings[0] and "set aside" in warnings[0]
    assert (out / "results.csv").read_text() == results  # the point ran again, same numbers
    assert (out / "points" / "set_aside" / name).exists()
    caplog.clear()
    assert main(args) == 0 and not caplog.messages  # set aside once, then quiet


def test_a_damaged_sweep_record_is_refused_in_one_line(tmp_path, capsys):
    out = tmp_path / "out"
    args = ["sweep", str(sweep_file(tmp_path, TWO_POINTS)), "--out", str(out), "--workers", "1"]
    assert main(args) == 0
    (out / "sweep.json").write_text('{"fingerprint": "ab')
    capsys.readouterr()
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and str(out / "sweep.json") in err and "expected" in err


def test_a_second_copy_of_a_sweep_on_one_folder_exits_at_once(tmp_path, capsys):
    body = '[design]\ntype = "grid"\n' + PARAMS["triage"] + "values = [2, 3, 4]\n"
    path = sweep_file(tmp_path, body, run_days=1500)  # about a second a point
    out = tmp_path / "out"
    args = ["sweep", str(path), "--out", str(out), "--workers", "1"]
    first = subprocess.Popen([*SGSIM, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not (out / "sweep.json").exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        started = time.monotonic()
        assert main(args) == 2
        assert time.monotonic() - started < 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and str(out) in err and "another sgsim" in err, err
        assert first.poll() is None  # the first copy carries on
    finally:
        first.kill()
        first.wait()
    assert main(args) == 0  # the lock went with the killed process: this copy finishes
    record = json.loads((out / "sweep.json").read_text())
    assert len(list((out / "points").glob("*.json"))) == record["points"]
