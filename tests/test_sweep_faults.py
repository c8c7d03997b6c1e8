"""Sweeps under faults (issue #13): bad files in the sweep folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import PARAMS, sweep_file

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
