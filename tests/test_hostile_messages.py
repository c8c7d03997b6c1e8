"""Every error is one line (issue #13): names, values and file names cannot break it or
forge a second one."""

from __future__ import annotations

import pytest
from helpers import MINIMAL, extending, rejected

from sgsim.cli import main
from sgsim.scenario.loading import load_scenario

FORGED = "\nsgsim: error: forged.toml: run: expected nothing"


@pytest.mark.parametrize(
    "body",
    [
        f'[steps."advice{FORGED}"]\nkind = "exit"\n',
        f'[teams."spare{FORGED}".roles.x]\nheadcount = 1\n',
        f'[teams.locality]\narea = "north{FORGED}"\n',
        f'[steps.triage]\nrole = "x{FORGED}"\n',
        '[steps."\\u001b[2Jadvice"]\nkind = "exit"\n',
        '[steps."advice\\u2028more"]\nkind = "exit"\n',
    ],
)
def test_names_and_values_cannot_forge_a_second_line(tmp_path, body):
    path = extending(tmp_path, body.replace(FORGED, FORGED.encode("unicode_escape").decode()))
    message = rejected(lambda: load_scenario(path))
    assert message.startswith(f"{path}: ")


def test_a_file_name_cannot_forge_a_second_line(tmp_path):
    path = tmp_path / "bad\nsgsim: error: x.toml"
    rejected(lambda: load_scenario(path))
    path.write_text("[demand\n")
    rejected(lambda: load_scenario(path))


def test_a_file_system_error_names_its_file_on_one_line(tmp_path, capsys):
    (tmp_path / "not\na folder").write_text("")
    output = tmp_path / "not\na folder" / "report.html"
    code = main(["report", str(MINIMAL), "-n", "2", "--output", str(output)])
    err = capsys.readouterr().err
    assert code == 2 and err.strip().count("\n") == 0 and "not\\na folder" in err, err


def test_an_error_in_an_inherited_value_names_the_file_that_holds_it(tmp_path):
    base = MINIMAL.read_text().replace("headcount = 3", "headcount = -3")
    path = extending(tmp_path, "[demand]\ncontacts_per_year = 2000\n", base=base)
    message = rejected(lambda: load_scenario(path))
    key = "teams.front_door.roles.triage_officer.headcount"
    assert message.startswith(f"{path}: {key} (in {tmp_path / 'minimal.toml'}): expected")


def test_an_error_in_the_extending_file_names_only_it(tmp_path):
    path = extending(tmp_path, "[teams.front_door.roles.triage_officer]\nheadcount = -3\n")
    message = rejected(lambda: load_scenario(path))
    assert "minimal.toml" not in message
