"""Test helpers: the minimal test scenario, as a file, as a dict, and built; sweep files."""

from __future__ import annotations

import copy
import math
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sgsim.scenario.errors import ScenarioError
from sgsim.scenario.loading import build_scenario
from sgsim.scenario.schema import Scenario

DATA = Path(__file__).parent / "data"
MINIMAL = DATA / "minimal.toml"
ROOT = Path(__file__).parent.parent
WEST_SUSSEX = ROOT / "scenarios" / "west_sussex_2022_23.toml"
EAST_SUSSEX = ROOT / "scenarios" / "east_sussex_2024.toml"
# Every council scenario shipped in scenarios/ (the teaching ladder is tested on its own).
SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))
SGSIM = [sys.executable, "-m", "sgsim"]  # the installed command, in a process of its own

_RAW = tomllib.loads(MINIMAL.read_text())


def minimal_raw() -> dict[str, Any]:
    """A fresh, mutable copy of the minimal scenario's parsed TOML."""
    return copy.deepcopy(_RAW)


def make(raw: dict[str, Any]) -> Scenario:
    return build_scenario(raw, "test.toml")


def rejected(load: Callable[[], object]) -> str:
    """The message of the ScenarioError ``load`` raises, checked to be one printable line."""
    with pytest.raises(ScenarioError) as info:
        load()
    message = str(info.value)
    assert len(message.splitlines()) == 1 and message.isprintable(), repr(message)
    return message


def settings_rejected(settings: dict[str, Any]) -> str:
    """The one-line message for the minimal scenario with these settings by dotted path."""
    raw = minimal_raw()
    for path, value in settings.items():
        set_path(raw, path, value)
    return rejected(lambda: make(raw))


def nested(depth: int, leaf: Any = 1, list_: bool = False) -> Any:
    """A value ``depth`` tables (or lists) deep."""
    value = leaf
    for _ in range(depth):
        value = [value] if list_ else {"a": value}
    return value


def short(raw: dict[str, Any], days: int = 20) -> dict[str, Any]:
    """The scenario run over ``days`` days with no warm-up."""
    set_path(raw, "run.run_days", days)
    set_path(raw, "run.warmup_days", 0)
    return raw


def extending(tmp_path: Path, body: str, base: str | None = None) -> Path:
    """A scenario file ``bad.toml`` that extends ``minimal.toml`` (the minimal scenario, or
    ``base`` if given) and adds ``body``."""
    (tmp_path / "minimal.toml").write_text(MINIMAL.read_text() if base is None else base)
    path = tmp_path / "bad.toml"
    path.write_text('extends = "minimal.toml"\n' + body)
    return path


def set_path(raw: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    """Set raw['a']['b'] = value for dotted 'a.b', creating tables on the way."""
    *parents, last = dotted.split(".")
    node = raw
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value
    return raw


def area_teams_raw() -> dict:
    """The minimal scenario with three locality teams, one per area, doing enquiries."""
    raw = minimal_raw()
    raw["demand"]["areas"] = {"north": 0.2, "south": 0.3, "west": 0.5}
    locality = raw["teams"].pop("locality")
    raw["teams"]["managers"] = {"roles": {"manager": locality["roles"]["manager"]}}
    raw["steps"]["closure"]["team"] = "managers"
    raw["steps"]["s42_test"]["team"] = "managers"
    raw["steps"]["s42_test"]["role"] = "manager"
    raw["teams"]["managers"]["roles"]["manager"] = {"headcount": 4}
    for area in ("north", "south", "west"):
        raw["teams"][f"locality_{area}"] = {
            "area": area,
            "roles": {
                "practitioner": {"headcount": 2, "caseload_cap": 3},
                "senior": {"headcount": 1, "caseload_cap": 3},
            },
        }
    teams = ["locality_north", "locality_south", "locality_west"]
    raw["steps"]["enquiry"]["team"] = teams
    raw["steps"]["senior_enquiry"]["team"] = teams
    return raw


SWEEP_BASE = """
extends = "{minimal}"
[run]
run_days = {run_days}
warmup_days = 10
"""

PATHS = {
    "triage": "teams.front_door.roles.triage_officer.headcount",
    "concern": "steps.triage.outcomes_by_source.police.concern",
    "manager": "teams.locality.roles.manager.headcount",
}
PARAMS = {name: f'[[parameters]]\npath = "{path}"\n' for name, path in PATHS.items()}


def sweep_file(tmp_path: Path, body: str, name: str = "sweep.toml", run_days: int = 60) -> Path:
    """A sweep file of two replications over a short base run (longer with ``run_days``)."""
    (tmp_path / "base.toml").write_text(SWEEP_BASE.format(minimal=MINIMAL, run_days=run_days))
    path = tmp_path / name
    path.write_text('base = "base.toml"\nreplications = 2\nseed = 7\n' + body)
    return path


def erlang_c_wait(lam: float, mu: float, c: int) -> float:
    """Mean wait in queue of M/M/c (Erlang C)."""
    a = lam / mu
    rho = a / c
    top = a**c / math.factorial(c) / (1 - rho)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait / (c * mu - lam)
