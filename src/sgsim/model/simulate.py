"""``simulate(scenario, seed, replication)``: one run of the pathway, returning its event log."""

from __future__ import annotations

import itertools

import numpy as np
import simpy

from sgsim.model.calendar import WorkingDays
from sgsim.model.demand import ATTRIBUTES, arrival_times
from sgsim.model.eventlog import EventLog
from sgsim.model.pathway import Pathway, outcome_names, pool_names
from sgsim.model.steps.base import N_EVENTS, Row
from sgsim.scenario.schema import Scenario


def simulate(
    s: Scenario,
    seed: int,
    replication: int = 0,
    days: WorkingDays | None = None,
    fast_path: bool = True,
) -> EventLog:
    """Run one replication to the end of the horizon and return what happened.

    ``fast_path`` lets pools hand a free server over without a SimPy request event
    (``sgsim.model.pools``); the results are the same either way.
    """
    env = simpy.Environment()
    rows: list[Row] = []
    pathway = Pathway(env, s, seed, replication, rows.append, days, fast_path)
    times = arrival_times(s, seed, replication).tolist()
    pathway.add_cases(len(times))
    pathway.add_backlog()
    pathway.add_other_work()
    env.process(pathway.arrivals(times))
    env.run(until=s.horizon_days)
    return _to_log(s, replication, rows, pathway)


def _to_log(s: Scenario, replication: int, rows: list[Row], pathway: Pathway) -> EventLog:
    n_cases = pathway.next_return
    if rows:
        # Starts are recorded when a task is taken but dated when work begins (the next
        # opening), so rows arrive slightly out of time order: sort them, stably.
        # one float column per field (exact for these integers); fromiter over the
        # flattened rows is three times as fast as np.array on a list of tuples
        flat = itertools.chain.from_iterable(rows)
        table = np.fromiter(flat, dtype=float, count=6 * len(rows)).reshape(-1, 6)
        table = table[np.argsort(table[:, 2], kind="stable")]
        case, code, pool, resource, outcome = (
            table[:, k].astype(np.int64) for k in (0, 1, 3, 4, 5)
        )
        time = table[:, 2]
    else:
        case = code = pool = resource = outcome = np.zeros(0, dtype=np.int64)
        time = np.zeros(0)
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
    other_work = np.full(n_cases, -1, dtype=np.int16)  # index into demand.other_work; -1: none
    for i, k in pathway.other_work.items():
        other_work[i] = k
    attributes["other_work"] = other_work
    return EventLog(
        replication=replication,
        case=case.astype(np.int64),
        step=(code // N_EVENTS).astype(np.int16),
        event=(code % N_EVENTS).astype(np.int8),
        time=time.astype(float),
        pool=pool.astype(np.int16),
        resource=resource.astype(np.int32),
        outcome=outcome.astype(np.int16),
        steps=tuple(s.steps),
        kinds=tuple(step.kind for step in s.steps.values()),
        pools=pool_names(s),
        outcomes=outcome_names(s),
        attributes=attributes,
        attribute_names={name: s.demand.categories(name) for name in ATTRIBUTES},
        overtime=_overtime(pathway),
    )


def _overtime(pathway: Pathway) -> np.ndarray:
    """Every overtime stay of the run: (pool index, start, end, people)."""
    stays = [
        (k, *stay)
        for k, pool in enumerate(pathway.ctx.staff.values())
        for stay in getattr(pool, "overtime", ())
    ]
    return np.array(stays, dtype=float).reshape(-1, 4)
