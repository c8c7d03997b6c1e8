"""A file that extends another: its [reported] table replaces the parent's (issue #11).

Otherwise a user fitting a new council would also fit the parent council's figures
without knowing. `validate` says which file the figures come from.
"""

from __future__ import annotations

from helpers import MINIMAL

from sgsim.cli import main
from sgsim.scenario.loading import load_scenario

CHILD_REPORTED = """
[reported]
source = "the child's own report"
[reported.figures]
contacts = 1500
"""


def chain(tmp_path, child_body: str):
    """parent.toml (the minimal scenario, with three reported figures), child.toml
    extending it with ``child_body``, and grandchild.toml extending the child."""
    (tmp_path / "parent.toml").write_text(MINIMAL.read_text())
    child = tmp_path / "child.toml"
    child.write_text(f'extends = "parent.toml"\nname = "child"\n{child_body}')
    grandchild = tmp_path / "grandchild.toml"
    grandchild.write_text('extends = "child.toml"\n[demand]\ncontacts_per_year = 2000\n')
    return tmp_path / "parent.toml", child, grandchild


def test_a_childs_reported_table_replaces_the_parents_whole(tmp_path):
    _, child, grandchild = chain(tmp_path, CHILD_REPORTED)
    for path in (child, grandchild):
        reported = load_scenario(path).scenario.reported
        assert reported.figures == {"contacts": 1500}
        assert reported.published_rates == {}  # the parent's published rate is gone too
        assert reported.source == "the child's own report"


def test_an_empty_reported_table_clears_the_parents(tmp_path, capsys):
    _, child, _ = chain(tmp_path, "[reported]\n")
    assert load_scenario(child).scenario.reported.figures == {}
    assert main(["validate", str(child)]) == 0
    assert f"reported figures from {child}: none" in capsys.readouterr().out


def test_without_a_reported_table_a_child_keeps_the_parents(tmp_path):
    _, child, _ = chain(tmp_path, "[demand]\ncontacts_per_year = 2000\n")
    s = load_scenario(child).scenario
    assert s.reported.figures == {"contacts": 1640, "concerns": 490, "s42_enquiries": 265}
    assert s.reported.published_rates == {"contact_to_concern_rate": 0.2}
    # other tables still merge key by key
    assert s.demand.contacts_per_year == 2000 and set(s.demand.sources) == {
        "police",
        "care_provider",
    }


def test_validate_says_which_file_the_reported_figures_come_from(tmp_path, capsys):
    parent, child, grandchild = chain(tmp_path, CHILD_REPORTED)
    for path, origin, figures in (
        (parent, parent, "contacts, concerns, s42_enquiries"),
        (child, child, "contacts"),
        (grandchild, child, "contacts"),
    ):
        assert main(["validate", str(path)]) == 0
        out = capsys.readouterr().out
        assert f"reported figures from {origin}: {figures}" in out, out
    assert main(["validate", str(parent)]) == 0
    assert f"published rates from {parent}: contact_to_concern_rate" in capsys.readouterr().out
