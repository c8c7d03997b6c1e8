"""Each shipped scenario's warm-up is one its own tool supports (issue #11).

docs/warmups.md is written by docs/make_warmups.py, which runs ``sgsim warmup`` on each
file (minutes; not run here) from the first day of its measured period, so what it
suggests does not depend on the warm-up a file sets. These checks read that table: it
covers every shipped file, and each file's warm-up is at least what the tool suggested,
or the file says why not.
"""

from __future__ import annotations

import re

from helpers import ROOT

from sgsim.scenario.loading import load_scenario, read_scenario_files

SCENARIOS = ROOT / "scenarios"
TABLE = ROOT / "docs" / "warmups.md"


def rows() -> dict[str, list[str]]:
    found = re.findall(r"^\| `([^`]+)` \| (.*) \|$", TABLE.read_text(), flags=re.M)
    return {name: [cell.strip() for cell in rest.split("|")] for name, rest in found}


def test_the_table_covers_every_shipped_scenario_and_the_teaching_steps_it_names():
    table = rows()
    seeds = {p.name for p in SCENARIOS.glob("*.toml")}
    assert seeds <= set(table)
    teaching = {f"teaching/{p.name}" for p in SCENARIOS.glob("teaching/*.toml")}
    assert {f"teaching/{n:02d}_" for n in range(1, 12)} == {
        name[:12] for name in table if name.startswith("teaching/")
    }
    assert set(table) <= seeds | teaching


def test_each_file_sets_a_warm_up_the_tool_supports_or_says_why_not():
    for name, (suggested, _flat, _filling) in rows().items():
        path = SCENARIOS / name
        s = load_scenario(path).scenario
        # the files this one extends, where its warm-up and its reasons may be written
        text = "\n".join(read_scenario_files(path).texts)
        if suggested.startswith("does not settle"):
            assert "does not settle" in text, name
        elif int(suggested.removesuffix(" days")) > s.run.warmup_days:
            assert "docs/warmups.md" in text, f"{name}: say why {s.run.warmup_days} < {suggested}"
