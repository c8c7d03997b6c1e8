"""The event loop (``sgsim.model.engine.Engine``) against SimPy's own (``SimPyEngine``).

The second simulator is SimPy itself: the same pathway on a plain ``simpy.Environment``,
each case started by ``env.process`` (an ``Initialize`` event), arrivals fed by a process
sleeping until each, every process ending with its event, stepped by ``env.run``: as sgsim
ran before the engine. Every shipped scenario (the seeds and the teaching ladder, which
between them use every step kind, waiting lists, reviews, rotas, overtime, changes on a
date with hand-over, backlogs, open caseloads, other work and returning adults) must give
the same events, in the same order, at the same times, bit for bit. On the engine, new
contacts pass the touch steps without a waiting list by callbacks, with no process
(``Pathway.walk``); on SimPy, every case is one process: this compares the two designs too.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import simpy

from sgsim.model import simulate
from sgsim.model.engine import Engine, Engines, SimPyEngine
from sgsim.scenario.loading import load_scenario

ROOT = Path(__file__).parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml")) + sorted(
    (ROOT / "scenarios" / "teaching").glob("*.toml")
)
COLUMNS = ("case", "step", "event", "time", "pool", "resource", "outcome")


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_event_as_simpy_runs_it(path: Path) -> None:
    scenario = load_scenario(path).scenario
    ours = simulate(scenario, seed=3, replication=1)
    theirs = simulate(scenario, seed=3, replication=1, engine=SimPyEngine)
    assert len(ours) == len(theirs) > 0
    for column in COLUMNS:
        np.testing.assert_array_equal(getattr(ours, column), getattr(theirs, column), column)
    np.testing.assert_array_equal(ours.overtime, theirs.overtime)


def _trace(env: Engines) -> list[tuple[float, str]]:
    """A toy model full of ties (integer times): cases arrive, take one of two desks, work
    whole days, and half of them start a follow-up case a day after; returns who did what
    when."""
    trace: list[tuple[float, str]] = []
    desk = simpy.Resource(env, 2)

    def case(k: int):
        trace.append((env.now, f"{k} arrives"))
        with desk.request() as request:
            yield request
            trace.append((env.now, f"{k} starts"))
            yield env.timeout(1 + k % 3)
        trace.append((env.now, f"{k} done"))
        if k % 2 == 0 and k < 100:
            env.after(1, lambda: env.case_now(case(k + 1000)))

    env.feed([float(k // 3) for k in range(60)], lambda k: env.case_now(case(k)))
    for day in range(1, 40):
        env.run_until(day)
    return trace


def test_ties_are_broken_as_simpy_breaks_them() -> None:
    """With many events at the same instant, the engine keeps SimPy's order exactly."""
    ours = _trace(Engine())
    theirs = _trace(SimPyEngine())
    assert len(ours) > 100
    assert ours == theirs


def test_a_failing_case_fails_the_run() -> None:
    """An error inside a case's process surfaces from the loop, as SimPy raises it."""
    env = Engine()

    def case():
        yield env.timeout(1)
        raise KeyError("no such step")

    env.case_now(case())
    with pytest.raises(KeyError, match="no such step"):
        env.run_until(5)


def test_negative_delays_are_refused() -> None:
    with pytest.raises(ValueError, match="Negative delay"):
        Engine().timeout(-1.0)


def test_a_timeout_due_at_infinity_waits_for_ever() -> None:
    """Work ending past the calendar ends at infinity (``WorkingClock.time_at``): the
    engine keeps it, as SimPy's heap would, and never runs it."""
    env = Engine()
    never = env.timeout(math.inf)
    soon = env.timeout(2.5)
    env.run_until(10)
    assert soon.processed and not never.processed


def test_the_engine_runs_only_by_slices() -> None:
    """SimPy's run and step would skip the timeouts waiting for their day: refused."""
    env = Engine()
    with pytest.raises(NotImplementedError, match="run_until"):
        env.run(until=5)
    with pytest.raises(NotImplementedError, match="run_until"):
        env.step()
