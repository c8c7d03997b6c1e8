"""events.csv read as it is by the field's tools: vidigi animates it, pm4py mines it.

The log is a short West Sussex run written by ``sgsim run --out``; every expected number
is counted from the CSV files themselves (``csv`` module, ``cases.csv``), not from sgsim.
"""

from __future__ import annotations

import csv
import math
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pm4py
import pytest
from helpers import WEST_SUSSEX, area_teams_raw, make, minimal_raw
from vidigi.animation import animate_activity_log
from vidigi.prep import reshape_for_animations

from sgsim.cli import main
from sgsim.model import simulate
from sgsim.model.pools import caseload_places
from sgsim.outputs.event_table import event_names, event_table

DAYS = 45  # measured days of the short run; the animation covers its first ANIMATED days
ANIMATED = 20


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A short West Sussex run (30 days' warm-up, then DAYS) written as sgsim writes it."""
    folder = tmp_path_factory.mktemp("ws")
    short = folder / "short.toml"
    short.write_text(
        f'extends = "{WEST_SUSSEX}"\n[run]\nrun_days = {DAYS}\nwarmup_days = 30\n'
        "[reported]\nfigures = {}\npublished_rates = {}\n"
    )
    assert main(["run", str(short), "-n", "1", "--out", str(folder / "out")]) == 0
    return folder / "out"


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.open()))


def test_pm4py_reads_the_log_and_discovers_a_process_map(run):
    events, cases = rows(run / "events.csv"), rows(run / "cases.csv")
    log = pm4py.format_dataframe(pd.read_csv(run / "events.csv"))  # its own column names
    # one pm4py case per contact, with every event the file has for it
    per_case = Counter(f"{e['replication']}-{e['entity_id']}" for e in events)
    assert log.groupby("case:concept:name").size().to_dict() == dict(per_case)
    assert len(per_case) == len(cases)
    dfg, starts, ends = pm4py.discover_dfg(log)
    # every contact starts by arriving at the front door; one leaving at an exit ends there
    assert starts == {"triage_arrival": len(cases)}
    left = Counter(c["exit_step"] for c in cases if c["exit_step"])
    assert {a: n for a, n in ends.items() if a.endswith("_depart")} == {
        f"{step}_depart": n for step, n in left.items()
    }
    assert dfg[("triage_arrival", "triage_wait_begins")] == len(cases)
    # the inductive miner's model has one transition per activity in the file
    net, _, _ = pm4py.discover_petri_net_inductive(log)
    labels = {t.label for t in net.transitions if t.label is not None}
    assert labels == {e["concept:name"] for e in events}


def test_pm4py_takes_the_timestamps_as_they_are_parsed(run):
    """Without pm4py's formatting step, parsing the one timestamp column is enough."""
    log = pd.read_csv(run / "events.csv", parse_dates=["time:timestamp"])
    dfg, _, _ = pm4py.discover_dfg(log)
    assert dfg == pm4py.discover_dfg(pm4py.format_dataframe(log.copy()))[0]
    assert log["time:timestamp"].min() >= pd.Timestamp("2022-03-02")  # the warm-up's start


def layout(events: pd.Series) -> pd.DataFrame:
    """vidigi's event positions: each event name in the log, in rows of five."""
    names = list(dict.fromkeys(events))
    return pd.DataFrame(
        {
            "event": names,
            "x": [150 + 200 * (k % 5) for k in range(len(names))],
            "y": [100 + 120 * (k // 5) for k in range(len(names))],
            "label": names,
        }
    )


def test_vidigi_places_every_contact_present(run):
    log = pd.read_csv(run / "events.csv")
    snapshots = reshape_for_animations(
        log, every_x_time_units=1, limit_duration=ANIMATED, step_snapshot_max=10_000
    )
    # a contact is drawn if it is in the pathway at some whole day 0..ANIMATED
    expected = set()
    for c in rows(run / "cases.csv"):
        first = math.ceil(float(c["arrived"]))
        last = min(ANIMATED, math.floor(float(c["left"])) if c["left"] else ANIMATED)
        if first <= last:
            expected.add(int(c["entity_id"]))
    drawn = snapshots.loc[snapshots["event"] != "depart", "entity_id"].dropna()
    assert set(drawn.astype(int)) == expected
    # people and caseload places in use are numbered, for vidigi to draw each one
    used = snapshots[snapshots["event_type"] == "resource_use"]
    assert len(used) and used["resource_id"].notna().all()


def test_vidigi_animates_the_log_as_it_is(run):
    log = pd.read_csv(run / "events.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # vidigi warns of events it cannot place
        fig = animate_activity_log(
            log,
            layout(log["event"]),
            every_x_time_units=1,
            limit_duration=ANIMATED,
            simulation_time_unit="days",
            start_date="2022-03-02",
            step_snapshot_max=20,
            wrap_queues_at=10,
        )
    assert len(fig.frames) == ANIMATED + 1  # a frame a day, 0 to ANIMATED


def test_a_step_done_by_area_teams_numbers_each_place_once():
    """vidigi draws resource k of a step at one place: the teams' places are numbered on
    from each other, 1 to the places of all the step's teams."""
    s = make(area_teams_raw())
    log = simulate(s, 3)
    table = event_table(log, s)
    begins = table["event"] == "enquiry_begins"
    number: dict[tuple[str, int], set[int]] = {}
    for pool, k, n in zip(
        table["pool"][begins],
        log.resource[begins].tolist(),
        table["resource_id"][begins].tolist(),
        strict=True,
    ):
        number.setdefault((pool, k), set()).add(n)
    assert all(len(n) == 1 for n in number.values())  # a team's place keeps its number
    numbers = [min(n) for n in number.values()]
    assert len(set(numbers)) == len(numbers)  # and no other place shares it
    places = sum(caseload_places(s.role(t, "practitioner")) for t in s.steps["enquiry"].team)
    assert set(numbers) <= set(range(1, places + 1))
    assert len({pool for pool, _ in number}) == 3


def test_a_partner_without_a_capacity_limit_is_drawn_as_a_line():
    raw = minimal_raw()
    raw["steps"]["triage"]["routes"][-1] = {"to": "police"}
    raw["steps"]["police"] = {
        "kind": "handoff",
        "partner": "police",
        "delay_days": {"dist": "fixed", "value": 2.0},
        "next": "not_a_concern",
    }
    s = make(raw)
    table = event_table(simulate(s, 1), s)
    kinds = set(zip(table["event"], table["event_type"], strict=True))
    assert ("police_begins", "queue") in kinds  # no numbered place to draw it at
    assert ("police_ends", "resource_use_end") in kinds
    assert np.all(table["resource_id"][table["step"] == "police"] == 0)


def test_an_event_without_words_of_its_own_keeps_its_name():
    assert event_names("triage", "queued") == (
        "triage_wait_begins",
        "queue",
        "triage_wait_begins",
    )
    assert event_names("triage", "left_queue") == (
        "triage_left_queue",
        "queue",
        "triage_left_queue",
    )
    assert event_names("closed", "left") == ("depart", "arrival_departure", "closed_depart")
