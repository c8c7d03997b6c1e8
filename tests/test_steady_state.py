"""Queues that never settle are flagged, not averaged in silence (issue #11).

Known answers: one officer given 1.25 times the work they can do builds a queue that
grows about linearly (by 0.25 x arrivals a day), so it must be flagged; the same with
enough officers settles, so it must not be.
"""

from __future__ import annotations

import json

import numpy as np
from helpers import MINIMAL, make, minimal_raw, set_path

from sgsim.analysis.steady_state import still_growing
from sgsim.cli import main
from sgsim.studies.runner import run_replications


def test_a_linear_rise_is_flagged_and_a_flat_noisy_queue_is_not():
    rng = np.random.default_rng(1)
    days = np.arange(400)
    rising = [{"q": 0.5 * days + rng.normal(0, 5, 400)} for _ in range(5)]
    flat = [{"q": 20 + rng.normal(0, 5, 400)} for _ in range(5)]
    assert [g.queue for g in still_growing(rising, 100, 400, ["q"])] == ["q"]
    assert still_growing(flat, 100, 400, ["q"]) == []


def overloaded(headcount: float) -> dict:
    raw = minimal_raw()
    set_path(raw, "teams.front_door.roles.triage_officer.headcount", headcount)
    set_path(raw, "demand.contacts_per_year", 4700)  # about 1.25 officers' work
    return raw


def test_an_overloaded_front_door_is_flagged_in_the_results_and_the_json(tmp_path, capsys):
    growing = run_replications(make(overloaded(1)), 3, 3).unsettled(make(overloaded(1)))
    assert "triage_queue" in [g.queue for g in growing]
    settled = run_replications(make(overloaded(3)), 3, 3).unsettled(make(overloaded(3)))
    assert "triage_queue" not in [g.queue for g in settled]
    path = tmp_path / "over.toml"
    path.write_text(
        f'extends = "{MINIMAL}"\n[demand]\ncontacts_per_year = 4700\n'
        "[teams.front_door.roles.triage_officer]\nheadcount = 1\n"
    )
    assert main(["run", str(path), "-n", "3", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert any("triage queue is still growing" in w for w in doc["warnings"])


def test_the_html_report_warns_of_a_queue_still_growing():
    from pathlib import Path

    from sgsim.outputs.report import build_report
    from sgsim.scenario.loading import LoadedScenario

    def report(headcount: float) -> str:
        s = make(overloaded(headcount))
        loaded = LoadedScenario(scenario=s, path=Path("over.toml"), text="")
        return build_report(loaded, run_replications(s, 3, 3), ["sgsim", "report"])

    text = report(1)
    assert "<p class='warning' id='warning-triage_queue'><b>Warning:</b> triage queue is " in text
    assert text.index("id='warning-triage_queue'") < text.index("id='reported'")
    assert "id='warning-triage_queue'" not in report(3)  # its enquiries still overflow


def test_warmup_command_says_does_not_settle_for_an_overloaded_front_door(tmp_path, capsys):
    path = tmp_path / "over.toml"
    path.write_text(
        f'extends = "{MINIMAL}"\n[demand]\ncontacts_per_year = 4700\n'
        "[teams.front_door.roles.triage_officer]\nheadcount = 1\n"
    )
    assert main(["warmup", str(path), "-n", "3", "--days", "300"]) == 0
    out = capsys.readouterr().out
    assert "does not settle: triage queue, " in out and "still growing at the end" in out
    assert "suggested warm-up" not in out


def test_warmup_says_does_not_settle_instead_of_proposing_a_number():
    from sgsim.analysis.run_length import suggest_warmup

    rng = np.random.default_rng(2)
    days = np.arange(300)
    daily = [
        {"growing": 0.3 * days + rng.normal(0, 3, 300), "filling": np.minimum(days, 50) * 0.2}
        for _ in range(4)
    ]
    suggestion = suggest_warmup(daily, window=5, queues=["growing", "filling"])
    assert suggestion.days is None
    assert not suggestion.stages["growing"].settles
    assert suggestion.stages["filling"].settles


def test_waits_so_far_count_the_cases_still_waiting():
    """One officer on twice the work they can do: most contacts are still waiting at the
    end, so the mean over completed waits understates the wait and the mean with those
    still waiting (their wait so far) is larger."""
    from sgsim.analysis.metrics import compute
    from sgsim.model import simulate

    s = make(overloaded(1))
    raw = overloaded(0.5)
    s = make(raw)
    m = compute(simulate(s, 4), s)
    assert m["triage_wait_so_far_days_mean"] > 1.5 * m["triage_wait_days_mean"]
