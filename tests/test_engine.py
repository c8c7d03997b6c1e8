"""The event loop (``sgsim.model.engine``) against SimPy's own.

The second simulator here is SimPy itself: the same pathway run on a plain
``simpy.Environment``, each case started by ``env.process`` (an ``Initialize`` event),
arrivals fed by a process yielding timeouts, and every process ending with its event, as
sgsim ran before the engine. Every shipped scenario (the seeds and the teaching ladder,
which between them use every step kind, waiting lists, reviews, rotas, overtime, changes
on a date with hand-over, backlogs, open caseloads and returning adults) must give the same
events, in the same order, at the same times, bit for bit.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest
import simpy

import sgsim.model.pathway as pathway_module
from sgsim.model.engine import Engine, Feeder, start_now
from sgsim.scenario.loading import load_scenario

# the module, not the function of the same name that sgsim.model exports
simulate_module = importlib.import_module("sgsim.model.simulate")
ROOT = Path(__file__).parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml")) + sorted(
    (ROOT / "scenarios" / "teaching").glob("*.toml")
)
COLUMNS = ("case", "step", "event", "time", "pool", "resource", "outcome")


class SimPyLoop(simpy.Environment):
    """SimPy's own loop, with the one method name the model calls."""

    def run_until(self, at: float) -> None:
        self.run(until=at)


class ProcessFeeder:
    """Arrivals as SimPy models them: a process that sleeps until each time, then starts
    the case with ``env.process``."""

    def __init__(
        self, env: simpy.Environment, times: Sequence[float], start: Callable[[int], None]
    ) -> None:
        self.env, self.times, self.start = env, times, start
        env.process(self._feed())

    def _feed(self):
        for k, t in enumerate(self.times):
            yield self.env.timeout(t - self.env.now)
            self.start(k)


def _simpy_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the model on SimPy's loop, every case a SimPy process started by Initialize."""
    monkeypatch.setattr(simulate_module, "Engine", SimPyLoop)
    monkeypatch.setattr(pathway_module, "Feeder", ProcessFeeder)
    monkeypatch.setattr(pathway_module, "start_now", lambda env, gen: env.process(gen))
    monkeypatch.setattr(pathway_module, "CaseProcess", simpy.Process)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_event_as_simpy_runs_it(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = load_scenario(path).scenario
    ours = simulate_module.simulate(scenario, seed=3, replication=1)
    with monkeypatch.context() as patch:
        _simpy_only(patch)
        theirs = simulate_module.simulate(scenario, seed=3, replication=1)
    assert len(ours) == len(theirs) > 0
    for column in COLUMNS:
        np.testing.assert_array_equal(getattr(ours, column), getattr(theirs, column), column)
    np.testing.assert_array_equal(ours.overtime, theirs.overtime)


def _trace(env: simpy.Environment, start: Callable, feeder: type) -> list[tuple[float, str]]:
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
            yield env.timeout(1)
            start(env, case(k + 1000))

    feeder(env, [float(k // 3) for k in range(60)], lambda k: start(env, case(k)))
    for day in range(1, 40):
        env.run_until(day)  # type: ignore[attr-defined]
    return trace


def test_ties_are_broken_as_simpy_breaks_them() -> None:
    """With many events at the same instant, the engine keeps SimPy's order exactly."""
    ours = _trace(Engine(), start_now, Feeder)
    theirs = _trace(SimPyLoop(), lambda env, gen: env.process(gen), ProcessFeeder)
    assert len(ours) > 100
    assert ours == theirs


def test_a_failing_case_fails_the_run() -> None:
    """An error inside a case's process surfaces from the loop, as SimPy raises it."""
    env = Engine()

    def case():
        yield env.timeout(1)
        raise KeyError("no such step")

    start_now(env, case())
    with pytest.raises(KeyError, match="no such step"):
        env.run_until(5)


def test_negative_delays_are_refused() -> None:
    with pytest.raises(ValueError, match="Negative delay"):
        Engine().timeout(-1.0)
