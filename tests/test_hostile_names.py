"""Names and keys that would do nothing (issue #13): a misspelt override or removal in a
file that extends another, a route no case can take, half a bulk transfer. Each is an
error, with a "did you mean" where a name is close to one the scenario has."""

from __future__ import annotations

import pytest
from helpers import MINIMAL, extending, rejected

from sgsim.scenario.loading import load_scenario


@pytest.mark.parametrize(
    ("body", "key", "hint"),
    [
        # guards what already worked: a misspelt role with a headcount is a new role no
        # step uses
        (
            "[teams.front_door.roles.triage_oficer]\nheadcount = 2\n",
            "teams.front_door.roles.triage_oficer",
            "did you mean 'triage_officer'",
        ),
        (
            "[teams.front_door.roles.triage_oficer]\nabsence_rate = 0.2\n",
            "teams.front_door.roles.triage_oficer.headcount",
            "did you mean 'triage_officer'",
        ),
        (
            "[teams.front_dor.roles.triage_officer]\nabsence_rate = 0.2\n",
            "teams.front_dor.roles.triage_officer.headcount",
            "did you mean 'front_door'",
        ),
        (
            '[steps.triag]\ntouch_minutes = { dist = "fixed", value = 3 }\n',
            "steps.triag.kind",
            "did you mean 'triage'",
        ),
        ('[steps]\nclosur = "none"\n', "steps.closur", "did you mean 'closure'"),
        ('[teams.locality.roles]\nmanagr = "none"\n', "teams.locality.roles.managr", "manager"),
        ('[demand.sources]\npolise = "none"\n', "demand.sources.polise", "'police'"),
        (
            '[steps.triage]\nroutes = [{ to = "not_a_concern" }, '
            '{ outcome = "concern", to = "s42_test" }]\n',
            "steps.triage.routes[1]",
            "",
        ),
        (
            "[steps.triage.waiting_list]\ntransfer_oldest = 5\n",
            "steps.triage.waiting_list.transfer_every_days",
            "",
        ),
        (
            "[steps.triage.waiting_list]\ntransfer_every_days = 5\n",
            "steps.triage.waiting_list.transfer_oldest",
            "",
        ),
    ],
)
def test_a_name_or_key_that_would_do_nothing_is_an_error(tmp_path, body, key, hint):
    path = extending(tmp_path, body)
    message = rejected(lambda: load_scenario(path))
    assert message.startswith(f"{path}: {key}: expected"), message
    assert hint in message


def test_none_in_a_file_that_extends_nothing_is_an_error(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(MINIMAL.read_text() + '\n[backlog]\ntriage = "none"\n')
    assert rejected(lambda: load_scenario(path)).startswith(f"{path}: backlog.triage: expected")
