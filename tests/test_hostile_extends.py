"""Files a scenario extends (issue #13): refused over a sane size before they are read, and
never echoed when they are not scenarios."""

from __future__ import annotations

import os
import time

import pytest
from helpers import MINIMAL, extending, rejected

from sgsim.scenario.loading import load_scenario
from sgsim.scenario.reading import MAX_FILE_BYTES


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    huge = tmp_path / "huge.toml"
    with huge.open("wb") as f:
        f.truncate(10 * 2**30)  # sparse: reading it would take minutes and 10 GB
    start = time.perf_counter()
    assert "1 MB" in rejected(lambda: load_scenario(huge))
    path = extending(tmp_path, "")
    path.write_text('extends = "huge.toml"\n')
    assert "1 MB" in rejected(lambda: load_scenario(path))
    assert time.perf_counter() - start < 5


def test_a_file_just_under_the_size_limit_is_read(tmp_path):
    text = MINIMAL.read_text()
    path = tmp_path / "padded.toml"
    path.write_text(text + "#" * (MAX_FILE_BYTES - len(text.encode()) - 1) + "\n")
    load_scenario(path)


def test_values_from_a_file_that_is_not_a_scenario_are_not_echoed(tmp_path):
    secret = 'name = ["SECRET-1"]\n[default]\naws_secret_access_key = "SECRET-2"\n'
    path = extending(tmp_path, "", base=secret)
    message = rejected(lambda: load_scenario(path))
    assert "SECRET" not in message and "aws" not in message
    assert message.startswith(f"{path}: extends: expected")


@pytest.mark.parametrize("target", ["a folder", "line\nbreak.toml", "/dev/null", "x" * 5000])
def test_extends_that_names_no_scenario_file_is_one_line(tmp_path, target):
    (tmp_path / "a folder").mkdir()
    path = tmp_path / "bad.toml"
    path.write_text('extends = "' + target.replace("\n", "\\n") + '"\n')
    assert rejected(lambda: load_scenario(path)).startswith(f"{path}: extends: expected")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_is_no_scenario_file_and_is_not_opened(tmp_path):
    """Guards what already worked: reading a pipe would wait for a writer for ever."""
    os.mkfifo(tmp_path / "pipe.toml")
    rejected(lambda: load_scenario(tmp_path / "pipe.toml"))
    path = tmp_path / "bad.toml"
    path.write_text('extends = "pipe.toml"\n')
    rejected(lambda: load_scenario(path))


def test_a_chain_of_files_extending_each_other_is_limited(tmp_path):
    (tmp_path / "f0.toml").write_text(MINIMAL.read_text())
    for i in range(1, 2000):
        (tmp_path / f"f{i}.toml").write_text(f'extends = "f{i - 1}.toml"\n')
    message = rejected(lambda: load_scenario(tmp_path / "f1999.toml"))
    assert message.startswith(f"{tmp_path / 'f1984.toml'}: extends: expected")
