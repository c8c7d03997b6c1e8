"""``simulate(scenario, seed, replication)``: one run of the pathway, returning its event log."""

from __future__ import annotations

from array import array

import numpy as np

from sgsim.model.calendar import WorkingDays
from sgsim.model.case_parts import CaseParts
from sgsim.model.demand import ATTRIBUTES, arrival_times
from sgsim.model.engine import Engine, SimPyEngine
from sgsim.model.eventlog import EventLog, PartedLog, RunLog
from sgsim.model.pathway import Pathway, outcome_names, pool_names
from sgsim.model.recorder import Recorder
from sgsim.scenario.schema import Scenario


def simulate(
    s: Scenario,
    seed: int,
    replication: int = 0,
    days: WorkingDays | None = None,
    fast_path: bool = True,
    engine: type[Engine | SimPyEngine] = Engine,
    cases_per_part: int | None = None,
) -> RunLog:
    """Run one replication to the end of the horizon and return what happened.

    ``fast_path`` lets pools hand a free server over without a SimPy request event
    (``sgsim.model.pools``), and ``engine`` is the event loop (``sgsim.model.engine``);
    the results are the same either way. ``cases_per_part``: keep the events on disk in
    parts of that many cases (a ``PartedLog``), not in memory.
    """
    env = engine()
    recorder = Recorder(None if cases_per_part is None else CaseParts(cases_per_part))
    pathway = Pathway(env, s, seed, replication, recorder.record, days, fast_path)
    times = array("d", arrival_times(s, seed, replication).tobytes())  # 8 bytes each
    pathway.add_cases(len(times))
    pathway.add_open_cases()  # first: they hold their places before anyone waiting
    pathway.add_backlog()
    pathway.add_other_work()
    pathway.arrivals(times)
    if s.periods:
        env.process(pathway.changes())
    # a day at a time, packing the day's events (stopping changes no event's order)
    for day in range(1, s.horizon_days):
        env.run_until(day)
        recorder.pack(env.now)
    env.run_until(s.horizon_days)
    return _to_log(s, replication, recorder, pathway)


def _to_log(s: Scenario, replication: int, recorder: Recorder, pathway: Pathway) -> RunLog:
    n_cases = pathway.next_return
    parent = np.full(n_cases, -1, dtype=np.int64)
    for child, p in pathway.parent.items():
        parent[child] = p
    cases = pathway.cases
    attributes = {
        name: np.asarray(getattr(cases, name)[:n_cases], dtype=np.int16) for name in ATTRIBUTES
    }
    attributes["returning_from"] = parent
    backlog_age = np.full(n_cases, np.nan)  # days waited before the start; NaN: not backlog
    for i, age in pathway.backlog_age.items():
        backlog_age[i] = age
    attributes["backlog_age"] = backlog_age
    open_age = np.full(n_cases, np.nan)  # working days open before the start; NaN: not open
    for i, age in pathway.open_age.items():
        open_age[i] = age
    attributes["open_age"] = open_age
    other_work = np.full(n_cases, -1, dtype=np.int16)  # index into demand.other_work; -1: none
    for i, k in pathway.other_work.items():
        other_work[i] = k
    attributes["other_work"] = other_work
    pathway.release()  # before the columns are joined: the peak of a run's memory
    info = {
        "replication": replication,
        "steps": tuple(s.steps),
        "kinds": tuple(step.kind for step in s.steps.values()),
        "pools": pool_names(s),
        "outcomes": outcome_names(s),
        "attributes": attributes,
        "attribute_names": {name: s.demand.categories(name) for name in ATTRIBUTES},
        "overtime": _overtime(pathway),
    }
    if recorder.parts is not None:
        recorder.close()
        return PartedLog(**info, store=recorder.parts)
    return EventLog(**info, **recorder.columns())


def _overtime(pathway: Pathway) -> np.ndarray:
    """Every overtime stay of the run: (pool index, start, end, people)."""
    stays = [
        (k, *stay)
        for k, pool in enumerate(pathway.ctx.staff.values())
        for stay in getattr(pool, "overtime", ())
    ]
    return np.array(stays, dtype=float).reshape(-1, 4)
