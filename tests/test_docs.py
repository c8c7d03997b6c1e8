"""docs/python_api.md runs as written: its code blocks, in order, in one namespace.

The page loads the full West Sussex scenario; here it is loaded with a shorter run (60
days after a 30-day warm-up), so the page is checked in seconds without a word of it
changed.
"""

from __future__ import annotations

import os
import re

import matplotlib
import pytest
from helpers import ROOT

import sgsim.api
from sgsim.scenario.loading import read_scenario_raw

PAGE = ROOT / "docs" / "python_api.md"


def code_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def short_run(path):
    raw = read_scenario_raw(path)
    raw["run"] |= {"run_days": 60, "warmup_days": 30}
    raw["reported"] = {}  # figures for a whole year, which a short run cannot match
    return raw


def test_the_python_api_page_runs_as_written(monkeypatch, tmp_path):
    monkeypatch.setattr(sgsim.api, "read_scenario_raw", short_run)
    blocks = code_blocks(PAGE.read_text())
    assert len(blocks) >= 8
    backend = matplotlib.get_backend()
    cwd = os.getcwd()
    namespace: dict = {}
    try:
        os.chdir(ROOT)  # the page's paths are from the repository's top folder
        for k, block in enumerate(blocks):
            code = block.replace('"funnel.png"', repr(str(tmp_path / "funnel.png")))
            exec(compile(code, f"{PAGE.name}, block {k + 1}", "exec"), namespace)
    finally:
        os.chdir(cwd)
    assert (tmp_path / "funnel.png").stat().st_size > 0
    assert namespace["summary"].loc["contacts", "replications"] == 5
    assert len(namespace["animation"].frames) == 21
    assert matplotlib.get_backend() == backend


@pytest.mark.parametrize("path", [ROOT / "README.md", PAGE])
def test_pages_name_only_api_functions_that_exist(path):
    """Every ``sgsim.NAME`` the page writes is part of the API."""
    names = set(re.findall(r"\bsgsim\.([a-z_A-Z]+)\(", path.read_text()))
    assert names and names <= set(sgsim.api.__all__)
