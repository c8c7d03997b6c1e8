"""Test helpers: the minimal test scenario, as a file, as a dict, and built."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

from sgsim.scenario.loading import build_scenario
from sgsim.scenario.schema import Scenario

DATA = Path(__file__).parent / "data"
MINIMAL = DATA / "minimal.toml"
ROOT = Path(__file__).parent.parent
WEST_SUSSEX = ROOT / "scenarios" / "west_sussex_2022_23.toml"
EAST_SUSSEX = ROOT / "scenarios" / "east_sussex_hscc.toml"

_RAW = tomllib.loads(MINIMAL.read_text())


def minimal_raw() -> dict[str, Any]:
    """A fresh, mutable copy of the minimal scenario's parsed TOML."""
    return copy.deepcopy(_RAW)


def make(raw: dict[str, Any]) -> Scenario:
    return build_scenario(raw, "test.toml")


def set_path(raw: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    """Set raw['a']['b'] = value for dotted 'a.b', creating tables on the way."""
    *parents, last = dotted.split(".")
    node = raw
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value
    return raw
