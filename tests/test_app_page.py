"""The web app's page in Streamlit's own headless test tool (``AppTest``): no browser, no
server; the script runs as Streamlit would run it, and each widget is set as a user would.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import MINIMAL

pytest.importorskip("streamlit", reason="the app extra is not installed: pip install '.[app]'")

from streamlit.testing.v1 import AppTest

from sgsim.app.explain import plain
from sgsim.app.library import START_VARIABLE
from sgsim.outputs.figures import figure_names
from sgsim.scenario.loading import load_scenario

PAGE = Path(__file__).parent.parent / "src" / "sgsim" / "app" / "page.py"
SMALL = """extends = "{minimal}"
name = "small test pathway"
[run]
run_days = 60
warmup_days = 10
"""
STARTED = "small.toml (started with)"


@pytest.fixture
def small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``sgsim app small.toml``: a short run of the minimal scenario, picked at the start."""
    path = tmp_path / "small.toml"
    path.write_text(SMALL.format(minimal=MINIMAL.as_posix()))
    monkeypatch.setenv(START_VARIABLE, str(path))
    return path


def page() -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    at.run()
    assert not at.exception
    return at


def no_errors(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def test_the_page_runs_the_scenario_it_was_started_with_and_offers_the_shipped_ones(small):
    at = page()
    options = at.sidebar.selectbox(key="scenario").options
    assert options[0] == STARTED
    assert "teaching/01_balanced.toml: Anyshire: balanced front door" in options
    assert options[-1].startswith("Upload")
    at.sidebar.slider(key="small.toml|replications").set_value(2)
    no_errors(at.button(key="run").click().run())
    headings = [h.value for h in at.subheader]
    assert "small test pathway: 2 replications" in headings
    assert "The funnel: contacts to enquiries" in headings
    images = at.get("image")
    assert len(images) == len(figure_names(load_scenario(small).scenario))
    assert sum("What am I looking at?" in m.value for m in at.markdown) >= 1 + len(images)
    keys = {b.key for b in at.get("download_button")}
    assert keys == {"dl-toml", "dl-zip", "dl-csv", "dl-html"}
    headcount = "small.toml|teams.front_door.roles.triage_officer.headcount"
    assert at.sidebar.number_input(key=headcount).value == 3  # the scenario's own
    no_errors(at.sidebar.number_input(key=headcount).set_value(2.0).run())
    assert any("settings have changed since" in i.value for i in at.info)


def test_a_route_past_a_step_says_what_it_switched_off(small):
    at = page()
    route = at.sidebar.selectbox(key="small.toml|route|triage|0")
    assert route.value == "s42_test"
    route.select("not_a_concern").run()
    assert not at.exception
    warnings = [w.value for w in at.sidebar.warning]
    assert warnings[0].startswith(plain("switched off, as no case reaches them: s42_test"))


def test_an_upload_is_checked_and_named_in_one_line():
    at = page()
    at.sidebar.selectbox(key="scenario").select_index(-1).run()
    assert [i.value for i in at.info] == ["Pick a scenario in the sidebar, or upload one."]
    bad = b'extends = "../../etc/passwd"\n'
    at.sidebar.get("file_uploader")[0].upload("mine.toml", bad, "application/toml").run()
    (error,) = [e.value for e in at.sidebar.error]
    assert error.startswith(plain("mine.toml: extends: expected the name of a shipped scenario"))
    good = b'extends = "01_balanced.toml"\nname = "mine"\n[demand]\ncontacts_per_year = 6500\n'
    at.sidebar.get("file_uploader")[0].upload("mine.toml", good, "application/toml").run()
    no_errors(at)
    assert at.sidebar.number_input(key="mine.toml|demand.contacts_per_year").value == 6500


def test_two_designs_are_compared_in_plain_words(small):
    at = page()
    at.sidebar.slider(key="small.toml|replications").set_value(3)
    key = "small.toml|teams.front_door.roles.triage_officer.headcount"
    at.sidebar.number_input(key=key).set_value(1.5)
    no_errors(at.button(key="compare").click().run())
    said = "\n".join(m.value for m in at.markdown)
    assert "- " + plain("Share of triage officer (front door) hours on the pathway: rises") in said
    assert "**No clear change:** Contacts received;" in said
    assert "The two designs side by side" in [h.value for h in at.subheader]


def test_a_run_of_minutes_says_so_and_waits_for_a_tick():
    at = page()
    west = next(o for o in at.sidebar.selectbox(key="scenario").options if "west_sussex_2022" in o)
    at.sidebar.selectbox(key="scenario").select(west).run()
    at.sidebar.slider(key="west_sussex_2022_23.toml|replications").set_value(100)
    at.sidebar.number_input(key="west_sussex_2022_23.toml|demand.contacts_per_year").set_value(
        27000
    )  # three years' contacts a year, for five years: minutes on any computer
    at.sidebar.slider(key="west_sussex_2022_23.toml|run.run_days").set_value(1825).run()
    warning = next(w.value for w in at.warning if "minutes" in w.value)
    assert warning.startswith("100 replications of 460 + 1825 days")
    assert "would take about" in warning
    assert at.button(key="run").disabled
    at.checkbox(key="slow|run").check().run()
    assert not at.button(key="run").disabled


def test_a_queue_still_growing_is_warned_of_in_a_run_and_in_a_comparison(small):
    """One triage officer given about 1.25 officers' work (tests/test_steady_state.py):
    the front door's queue grows all run, which the page must say beside the numbers."""
    at = page()
    at.sidebar.slider(key="small.toml|replications").set_value(3)
    no_errors(at.button(key="run").click().run())
    assert not [w.value for w in at.warning if "still growing" in w.value]
    at.sidebar.number_input(key="small.toml|demand.contacts_per_year").set_value(4700.0)
    key = "small.toml|teams.front_door.roles.triage_officer.headcount"
    at.sidebar.number_input(key=key).set_value(1.0)
    no_errors(at.button(key="run").click().run())
    growing = [w.value for w in at.warning if "still growing" in w.value]
    assert len(growing) == 1 and growing[0].startswith("triage queue is still growing")
    no_errors(at.button(key="compare").click().run())
    growing = [w.value for w in at.warning if "still growing" in w.value]
    assert any(w.startswith("In B: triage queue is still growing") for w in growing)
    assert not any(w.startswith("In A:") for w in growing)
