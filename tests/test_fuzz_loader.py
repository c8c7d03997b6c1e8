"""The loader against random malformed scenarios (issue #13).

Each example takes a valid scenario with a step of every kind, a waiting list and a
backlog, and breaks it in one to three places: a number replaced by an extreme one (0,
5e-324, 1e300, a trillion...); a value replaced by one of the wrong type, an extreme
number, a string with control characters or a table nested hundreds deep; a key removed;
a key added, misspelt or with control characters. Loading must then either
build a scenario, whose short run finishes, or raise a ScenarioError whose message is one
printable line: never any other exception. Hypothesis runs derandomised (``conftest.py``),
so the examples are the same on every run; ``--hypothesis-show-statistics`` counts how
many were rejected, and how many ran.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import warnings
from typing import Any

from helpers import MINIMAL, make, minimal_raw, nested, set_path
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sgsim.scenario.errors import ScenarioError
from sgsim.scenario.loading import load_scenario
from sgsim.scenario.schema import Scenario
from sgsim.scenario.sizes import estimated_events
from sgsim.studies.runner import run_replications

SHORT_RUN_DAYS = 20
MOST_EVENTS_RUN = 100_000  # a larger accepted scenario is only validated, not run


def rich_raw() -> dict[str, Any]:
    """The minimal scenario with a hand-off, a panel, a waiting list and a backlog."""
    raw = minimal_raw()
    set_path(raw, "run.run_days", 40)
    set_path(raw, "run.warmup_days", 10)
    steps = raw["steps"]
    steps["s42_test"]["routes"][0] = {"outcome": "no_enquiry", "to": "police"}
    raw["steps"] = {
        **steps,
        "police": {
            "kind": "handoff",
            "partner": "police",
            "delay_days": {"dist": "uniform", "low": 1, "high": 3},
            "capacity": 2,
            "next": "panel",
        },
        "panel": {
            "kind": "panel",
            "every_days": 7,
            "capacity": 3,
            "outcomes": {"agreed": 0.5, "declined": 0.5},
            "routes": [{"outcome": "agreed", "to": "no_enquiry"}, {"to": "not_a_concern"}],
        },
    }
    set_path(
        raw,
        "steps.triage.waiting_list",
        {
            "withdraw_after_days": {"dist": "exponential", "mean": 30},
            "escalate_after_days": 2,
            "transfer_every_days": 10,
            "transfer_oldest": 2,
            "max_wait_days": 5,
        },
    )
    set_path(raw, "backlog.enquiry", {"waiting": 20, "oldest_days": 40})
    return raw


RICH = rich_raw()


def paths(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key and list index in a parsed scenario, as a path from the top."""
    found = []
    children = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, child in children:
        found.append((*at, key))
        found.extend(paths(child, (*at, key)))
    return found


PATHS = paths(RICH)

NUMBERS = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.sampled_from([0, -1, 1, 2**63 - 1, 10**30, 10**400]),
    st.floats(),
    st.sampled_from([0.0, -0.0, 5e-324, 1e-300, 1e-4, 0.999999, 1e9, 1e300, 1.7e308]),
)
EXTREMES = st.one_of(  # numbers of the right type, at the edges of their ranges
    st.floats(min_value=0, max_value=1),
    st.floats(min_value=0, allow_infinity=False),
    st.integers(min_value=0, max_value=10**12),
    st.sampled_from([0, 5e-324, 1e-300, 1e-4, 0.999999, 1, 2, 1e6, 1e9, 1e12, 1e300]),
)
TEXT = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["none", "", "\n", "a\x00b", "\x1b[2J", "x\nsgsim: error: forged", "\u2028", "exit"]
    ),
    st.sampled_from(["fixed", "exponential", "lognormal", "empirical", "decision", "panel"]),
)
SCALARS = st.one_of(
    NUMBERS,
    TEXT,
    st.booleans(),
    st.dates(),
    st.datetimes(min_value=dt.datetime(1, 1, 2)),
    st.times(),
)
KEYS = st.one_of(
    TEXT,
    st.sampled_from(["dist", "mean", "sd", "values", "kind", "headcount", "extends", "to"]),
)


DISTRIBUTIONS = st.fixed_dictionaries(
    {
        "dist": st.sampled_from(
            ["fixed", "exponential", "uniform", "lognormal", "gamma", "empirical"]
        )
    },
    optional={
        name: st.one_of(NUMBERS, st.lists(NUMBERS, max_size=3))
        for name in ("value", "mean", "sd", "low", "high", "mode", "shape", "scale", "values")
    },
)
VALUES = st.one_of(
    st.recursive(
        SCALARS,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
        max_leaves=6,
    ),
    DISTRIBUTIONS,
    st.builds(nested, st.integers(min_value=10, max_value=1500), SCALARS),
)


@st.composite
def broken(draw: st.DrawFn) -> dict[str, Any]:
    """The rich scenario broken in one to three places."""
    raw = copy.deepcopy(RICH)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(PATHS))
        parent = _walk(raw, path[:-1])
        if parent is None:
            continue
        how = draw(st.sampled_from(["number", "number", "replace", "remove", "add", "misspell"]))
        key = path[-1]
        value = _walk_value(parent, key)
        if how == "add":
            if isinstance(parent, dict):
                parent[draw(KEYS)] = draw(VALUES)
        elif value is None:
            continue  # an earlier break took it away
        elif how == "number":
            if _is_number(value):
                parent[key] = draw(EXTREMES)
        elif how == "replace":
            parent[key] = draw(VALUES)
        elif how == "remove" or isinstance(parent, list):
            del parent[key]
        else:
            parent[str(key)[:-1] + "x"] = parent.pop(key)
    return raw


def _walk_value(parent: Any, key: Any) -> Any:
    """The value under ``key`` in a table or list, or None."""
    if isinstance(parent, dict):
        return parent.get(key)
    return parent[key] if isinstance(key, int) and 0 <= key < len(parent) else None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _walk(raw: Any, path: tuple[Any, ...]) -> Any:
    """The table or list at ``path``, or None if an earlier break took it away."""
    node = raw
    for key in path:
        found = key in node if isinstance(node, dict) else isinstance(key, int) and key < len(node)
        if not found:
            return None
        node = node[key]
        if not isinstance(node, dict | list):
            return None
    return node


def shortened(s: Scenario) -> Scenario:
    """The scenario over a few days (a shorter run lies within any limit the full one met)."""
    run = dataclasses.replace(
        s.run,
        run_days=min(s.run.run_days, SHORT_RUN_DAYS),
        warmup_days=min(s.run.warmup_days, 10),
    )
    return dataclasses.replace(s, run=run)


def test_the_rich_scenario_is_valid():
    make(copy.deepcopy(RICH))


@settings(max_examples=1500, suppress_health_check=list(HealthCheck))
@given(raw=broken(), seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_a_broken_scenario_is_rejected_in_one_line_or_runs(raw, seed):
    try:
        s = make(raw)
    except ScenarioError as exc:
        message = str(exc)
        assert len(message.splitlines()) == 1 and message.isprintable(), repr(message)
        event("rejected cleanly")
        return
    s = shortened(s)
    if estimated_events(s) > MOST_EVENTS_RUN:
        event("accepted, too big to run here")
        return
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="overflow")
        run_replications(s, seed, 1)
    event("accepted and ran")


MINIMAL_LINES = MINIMAL.read_text().splitlines()
NASTY_LINES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            'extends = "minimal.toml"',
            'extends = "\\u0000"',
            'extends = "."',
            'extends = "/dev/zero"',
            '[steps."a\\nsgsim: error: forged"]',
            '[teams."\\u001b[2J"]',
            "name = " + "[" * 600 + "]" * 600,
            "name = " + "{ a = " * 600 + "1" + " }" * 600,
            "[" + ".".join(["t"] * 600) + "]",
            "x = " + "1" * 5000,
            "contacts_per_day = 1e308",
            "growth_per_year = inf",
            "headcount = nan",
            "start_date = 0001-01-01",
        ]
    ),
)


@settings(max_examples=500, suppress_health_check=list(HealthCheck))
@given(edits=st.lists(st.tuples(st.integers(0, len(MINIMAL_LINES)), NASTY_LINES), max_size=3))
def test_a_broken_file_is_rejected_in_one_line_or_loads(tmp_path_factory, edits):
    """The same for files: TOML that does not parse, keys and file names with control
    characters, extends that leads nowhere or to itself."""
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "minimal.toml").write_text(MINIMAL.read_text())
    lines = list(MINIMAL_LINES)
    for at, line in edits:
        lines.insert(at, line)
    path = folder / "broken.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
    try:
        load_scenario(path)
    except ScenarioError as exc:
        message = str(exc)
        assert len(message.splitlines()) == 1 and message.isprintable(), repr(message)
        event("rejected cleanly")
        return
    event("loaded")
