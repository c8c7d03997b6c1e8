"""The event log as one table that animation and process-mining tools read as they are.

One row per event, with the columns each tool looks for under its own names, so that
``events.csv`` (and ``sgsim.Results.events()``) loads with no renaming:

- **vidigi** (animation): ``entity_id``; ``event_type``, one of ``arrival_departure``,
  ``queue``, ``resource_use``, ``resource_use_end``; ``event``, the position an entity is
  drawn at: ``arrival`` and ``depart`` for entering and leaving, ``STEP_wait_begins``,
  ``STEP_begins``, ``STEP_ends``... at each step; ``time`` (days); ``resource_id``, which
  person or caseload place at the step (1, 2, ...), on resource-use rows.
- **pm4py** (process mining): ``case:concept:name``, unique across replications;
  ``concept:name``, the activity, which names the step on every row (an entry step's
  ``triage_arrival``, an exit's ``closed_depart``) so a process map shows where cases
  come in and leave; ``time:timestamp``, the scenario's calendar date and clock time.

sgsim's own columns stay beside them: ``replication``, ``step``, ``pool`` (``team_role``,
or ``team_role_caseload`` for a caseload place) and ``outcome``. Names are made from the
log's own steps and generic events (``sgsim.model.steps.base.EVENTS``), so a new step or
event needs no change here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import numpy as np

from sgsim.model.eventlog import EVENTS, EventLog
from sgsim.model.pools import caseload_places, staff_count
from sgsim.model.steps.enquiry import CASELOAD
from sgsim.scenario.schema import Scenario, pool_name

COLUMNS = (
    "replication",
    "entity_id",
    "case:concept:name",
    "step",
    "event",
    "event_type",
    "concept:name",
    "time",
    "time:timestamp",
    "pool",
    "resource_id",
    "outcome",
)
TIME_DECIMALS = 6  # days to about a tenth of a second
SECONDS_A_DAY = 86_400

# The words vidigi's examples use for what a generic event means at a step
# ("treatment_wait_begins", "treatment_begins"); an event not listed keeps its own name.
STEP_EVENT_WORDS = {
    "queued": "wait_begins",
    "started": "begins",
    "finished": "ends",
    "work_started": "work_begins",
    "work_done": "work_ends",
}
# vidigi's event types that are its entering and leaving events, of type arrival_departure.
PRESENCE = ("arrival", "depart")
UNNUMBERED_USE = "queue"  # what a resource use with no person or place is drawn as


def event_names(step: str, event: str) -> tuple[str, str, str]:
    """(vidigi event, vidigi event type, pm4py activity) of a generic event at a step.

    vidigi wants every entity to enter at ``arrival`` and leave at ``depart``, events of
    type ``arrival_departure``; the activity keeps the step, so the process map says where.
    """
    kind = EVENTS[event]
    if kind in PRESENCE:
        return kind, "arrival_departure", f"{step}_{kind}"
    name = f"{step}_{STEP_EVENT_WORDS.get(event, event)}"
    return name, kind, name


def event_table(log: EventLog, s: Scenario) -> dict[str, np.ndarray]:
    """One replication's events as named columns (``COLUMNS``), in the log's order.

    ``resource_id`` is 0 where no person or place is used. A resource use with none (a
    partner without a capacity limit, a panel) has type ``queue``: vidigi draws resource
    use only at a numbered resource, and would lose the case from the picture.
    """
    names = np.array([[event_names(step, e) for e in EVENTS] for step in log.steps])
    event, event_type, activity = (names[log.step, log.event, k] for k in range(3))
    resource = _step_resource_ids(log, s)
    event_type[(event_type == "resource_use") & (resource == 0)] = UNNUMBERED_USE
    cases = log.case.astype(str)
    return {
        "replication": np.full(len(log), log.replication),
        "entity_id": log.case,
        "case:concept:name": np.char.add(f"{log.replication}-", cases),
        "step": np.array(log.steps)[log.step],
        "event": event,
        "event_type": event_type,
        "concept:name": activity,
        "time": np.round(log.time, TIME_DECIMALS),
        "time:timestamp": timestamps(s.origin, log.time),
        "pool": np.array((*log.pools, ""))[log.pool],  # pool -1 reads as ""
        "resource_id": resource,
        "outcome": np.array(log.outcomes)[log.outcome],
    }


def timestamps(origin: dt.date, days: np.ndarray) -> np.ndarray:
    """Calendar date and clock time (to the second) of times in days from ``origin``."""
    seconds = np.round(np.asarray(days) * SECONDS_A_DAY).astype("timedelta64[s]")
    return np.datetime64(origin, "s") + seconds


def _step_resource_ids(log: EventLog, s: Scenario) -> np.ndarray:
    """Each row's person or place numbered within its step, 0 for none.

    The model numbers people and places within a pool; a step done by several teams (one
    per area) uses several pools, so their numbers are moved up past the pools before them
    at that step, for vidigi to draw each at a place of its own.
    """
    sizes = _pool_sizes(s)
    out = log.resource.astype(np.int64)
    pooled = (log.resource > 0) & (log.pool >= 0)  # a partner's places are its step's own
    used = np.unique(np.stack([log.step, log.pool])[:, pooled], axis=1)
    offset = np.zeros((len(log.steps), len(log.pools) + 1), dtype=np.int64)
    below: dict[tuple[int, bool], int] = {}
    for step, pool in used.T.tolist():
        name = log.pools[pool]
        key = (step, name.endswith(CASELOAD))  # people and places are drawn apart
        offset[step, pool] = below.get(key, 0)
        below[key] = offset[step, pool] + sizes[name]
    out += offset[log.step, log.pool] * (out > 0)
    return out


def _pool_sizes(s: Scenario) -> dict[str, int]:
    """People in each staff pool and places in each caseload pool, by event-log name."""
    staff = {pool_name(*p): staff_count(s.role(*p)) for p in s.staff_pools()}
    places = {pool_name(*p) + CASELOAD: caseload_places(s.role(*p)) for p in s.caseload_pools()}
    return staff | places


def csv_rows(logs: list[EventLog], s: Scenario) -> Iterator[list[Any]]:
    """Rows of ``events.csv``: timestamps as ``2022-04-01 09:30:00``, no resource as ""."""
    for log in logs:
        table = event_table(log, s)
        table["time:timestamp"] = np.char.replace(
            np.datetime_as_string(table["time:timestamp"], unit="s"), "T", " "
        )
        columns = [table[c].tolist() for c in COLUMNS]
        k = COLUMNS.index("resource_id")
        columns[k] = [r or "" for r in columns[k]]
        yield from map(list, zip(*columns, strict=True))
