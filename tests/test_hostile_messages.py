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


@pytest.mark.parametrize(
    "table",
    ["teams", "teams.locality.roles", "demand.sources", "demand.risk_levels", "steps"],
)
@pytest.mark.parametrize("name", ["front\\ndoor", "\\u001b[31mred", "tab\\tbed", "nul\\u0000"])
def test_a_name_with_control_characters_is_refused_at_load_naming_it_escaped(tmp_path, table, name):
    """Issue #13: names were printed raw in validate's outline. A name is refused when
    loaded, in one line that shows it escaped, whatever table it names something in."""
    raw_name = name.encode().decode("unicode_escape")
    path = extending(tmp_path, f'[{table}."{name}"]\nheadcount = 1\n')
    message = rejected(lambda: load_scenario(path))
    assert "expected a name without control characters" in message
    assert repr(raw_name)[1:-1] in message and raw_name not in message


def test_validate_prints_free_text_with_control_characters_escaped(tmp_path, capsys):
    """The scenario's name is free text, so it may hold a newline or an escape; validate's
    outline shows it escaped, each line as one line."""
    path = extending(tmp_path, 'name = "Anyshire\\u001b[2J\\nsgsim: forged"\n')
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\nsgsim: forged" not in out
    assert "Anyshire\\x1b[2J\\nsgsim: forged" in out.splitlines()[0]
