"""Type errors that escaped as tracebacks (issue #13): a distribution's ``dist`` given as a
list or a table, a list or table where one number is expected, whole numbers too long to
write out, nesting hundreds of levels deep, a NUL byte in ``extends``. Each is now one
ScenarioError on one line naming the key."""

from __future__ import annotations

import pytest
from helpers import MINIMAL, extending, nested, rejected, settings_rejected

from sgsim.scenario.loading import load_scenario

TOUCH = "steps.triage.touch_minutes"

WRONG_SHAPES = [
    ({TOUCH: {"dist": ["lognormal"], "mean": 3, "sd": 1}}, f"{TOUCH}.dist"),
    ({TOUCH: {"dist": {"name": "lognormal"}, "mean": 3}}, f"{TOUCH}.dist"),
    ({TOUCH: {"dist": "exponential", "mean": [30, 40]}}, f"{TOUCH}.mean"),
    ({TOUCH: {"dist": "exponential", "mean": {"value": 30}}}, f"{TOUCH}.mean"),
    ({TOUCH: {"dist": "empirical", "values": [1, 2], "weights": {"a": 1}}}, f"{TOUCH}.weights"),
    ({TOUCH: {"dist": "empirical", "values": [[1], 2]}}, f"{TOUCH}.values[0]"),
    ({"steps.triage.kind": ["decision"]}, "steps.triage.kind"),
    ({"steps.triage.kind": {"a": 1}}, "steps.triage.kind"),
    ({"steps.triage.team": []}, "steps.triage.team"),  # found by the fuzz test
    ({"demand.contacts_per_year": 10**400}, "demand.contacts_per_year"),
    ({TOUCH: {"dist": "fixed", "value": 16**6000}}, f"{TOUCH}.value"),
    ({"run.run_days": 16**6000}, "run.run_days"),
    ({"reported.figures.contacts": nested(3000)}, "reported.figures.contacts"),
    ({"name": nested(3000, list_=True)}, "name"),
    ({"teams.front_door.roles.triage_officer": nested(3000)}, "teams.front_door"),
]


@pytest.mark.parametrize(("settings", "key"), WRONG_SHAPES)
def test_a_value_of_the_wrong_shape_is_named_not_a_traceback(settings, key):
    assert settings_rejected(settings).startswith(f"test.toml: {key}")


def test_nesting_hundreds_deep_in_the_file_is_refused(tmp_path):
    for text in (
        "name = " + "[" * 1000 + "]" * 1000,
        "name = " + "{ a = " * 1000 + "1" + " }" * 1000,
    ):
        path = tmp_path / "deep.toml"
        path.write_text(text)
        assert "nested" in rejected(lambda p=path: load_scenario(p))


def test_nesting_hundreds_deep_in_two_files_is_refused_before_merging(tmp_path):
    header = "[teams." + ".".join(["t"] * 1500) + "]\nx = 1\n"
    path = extending(tmp_path, header, base=MINIMAL.read_text() + header)
    message = rejected(lambda: load_scenario(path))
    assert "teams.t.t" in message and "nested" in message


def test_a_nul_byte_in_extends_is_refused(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('extends = "mini\\u0000mal.toml"\n')
    assert rejected(lambda: load_scenario(path)).startswith(f"{path}: extends: expected")


def test_huge_whole_numbers_in_the_file_are_refused(tmp_path):
    path = tmp_path / "big.toml"
    path.write_text("name = " + "1" * 5000 + "\n")
    assert "valid TOML" in rejected(lambda: load_scenario(path))
