"""The case process: each contact walks its route step by step.

The pathway wires the scenario's steps to staff and caseload pools, draws what chance
decides for each block of contacts (``sgsim.model.demand`` for what a contact is about,
each step's runner for what it decides), and runs one SimPy process per contact: enter at
the source's entry step, pass each step, look up the next step by the outcome and the
contact's route key, until an exit. It computes no rates: it only records events.
"""

from __future__ import annotations

from array import array
from collections.abc import Generator, Sequence
from typing import Any

import numpy as np
import simpy

from sgsim.model.calendar import WorkingDays, scenario_days, team_clock
from sgsim.model.demand import Cases, draw_cases
from sgsim.model.pools import CaseloadPool, StaffPool
from sgsim.model.steps import KINDS
from sgsim.model.steps.base import EVENT_CODE, Context, Record, StepRunner
from sgsim.model.steps.enquiry import CASELOAD
from sgsim.model.streams import stream
from sgsim.scenario.routes import route_table
from sgsim.scenario.schema import Scenario, pool_name

RETURN_BLOCK = 256  # returning contacts drawn at a time
BACKLOG_BLOCK = 1_000_000  # stream blocks of starting backlogs: BACKLOG_BLOCK + step index
OTHER_WORK_BLOCK = 2_000_000  # stream blocks of other work: OTHER_WORK_BLOCK + its index


def outcome_names(s: Scenario) -> tuple[str, ...]:
    """Every outcome name an event can carry in this scenario, in code order ('' is none)."""
    names = ["", *(o for step in s.steps.values() for o in step.outcome_names())]
    return tuple(dict.fromkeys(names))


def pool_names(s: Scenario) -> tuple[str, ...]:
    """Staff pools, then caseload pools, as named in the event log."""
    staff = [pool_name(*pair) for pair in s.staff_pools()]
    places = [pool_name(*pair) + CASELOAD for pair in s.caseload_pools()]
    return (*staff, *places)


class Pathway:
    """One replication's pools, step runners and contacts."""

    def __init__(
        self,
        env: simpy.Environment,
        s: Scenario,
        seed: int,
        replication: int,
        record: Record,
        days: WorkingDays | None = None,
        fast_path: bool = True,
    ) -> None:
        self.env = env
        self.s = s
        self.seed = seed
        self.replication = replication
        self.record = record
        days = days or scenario_days(s)
        staff = {
            pair: StaffPool(env, s.role(*pair), team_clock(s, *pair, days), fast_path)
            for pair in s.staff_pools()
        }
        caseloads = {
            pair: CaseloadPool(env, s.role(*pair), fast_path) for pair in s.caseload_pools()
        }
        self.cases = Cases(*(array("i") for _ in Cases.__dataclass_fields__))
        self.ctx = Context(
            env=env,
            scenario=s,
            cases=self.cases,
            record=record,
            staff=staff,
            caseloads=caseloads,
            pool_code={name: k for k, name in enumerate(pool_names(s))},
            outcome_code={name: k for k, name in enumerate(outcome_names(s))},
            start_case=self.come_back,
        )
        index = {name: k for k, name in enumerate(s.steps)}
        self.runners: list[StepRunner] = []
        for k, (name, step) in enumerate(s.steps.items()):
            runner = KINDS[step.kind].runner(self.ctx, k, name, step)
            runner.next = [
                [index[to] if to is not None else -1 for to in row] for row in route_table(s, step)
            ]
            self.runners.append(runner)
        sources = s.demand.categories("source")
        self.entry = [index[s.entry_step(src)] for src in sources]
        self.arrived = EVENT_CODE["arrived"]
        self.returns_drawn = 0  # blocks of returning contacts drawn so far
        self.next_return = 0  # next unused case id among returning contacts
        self.parent: dict[int, int] = {}
        self.backlog_age: dict[int, float] = {}  # case id -> days waited before the start
        self.other_work: dict[int, int] = {}  # case id -> index of its kind of other work

    def add_cases(self, n: int, block: int | None = None) -> range:
        """Draw ``n`` more contacts: what they are about, then what each step decides.

        ``block`` numbers a block of contacts drawn after the first (adults coming back,
        starting backlogs), each from streams of its own; returns the new case ids.
        """
        first = len(self.cases)
        drawn = draw_cases(self.s, self.seed, self.replication, n, block)
        for runner in self.runners:

            def rng(name: str, owner: str = runner.name) -> np.random.Generator:
                return stream(self.seed, self.replication, owner, name, block)

            runner.draw_all(rng, drawn, n)
        self.cases.extend(drawn)
        return range(first, first + n)

    def add_backlog(self) -> None:
        """Start the scenario's backlogs: cases already waiting at their steps at time
        zero, the longest waiting first (urgent ones still go first at each step)."""
        index = {name: k for k, name in enumerate(self.s.steps)}
        for name, backlog in self.s.backlog.items():
            if backlog.waiting == 0:
                continue
            ids = self.add_cases(backlog.waiting, block=BACKLOG_BLOCK + index[name])
            rng = stream(self.seed, self.replication, f"backlog/{name}", "age")
            if backlog.age_days is not None:
                ages = backlog.age_days.sample(rng, backlog.waiting)
            else:
                ages = rng.uniform(0, backlog.oldest_days, backlog.waiting)
            for age, i in sorted(zip(ages.tolist(), ids, strict=True), reverse=True):
                self.backlog_age[i] = age
                self.env.process(self.contact(i, start=index[name]))

    def add_other_work(self) -> None:
        """Start the other work arriving for the same people: a Poisson stream each, at
        its own entry step, with its own case ids and random streams."""
        index = {name: k for k, name in enumerate(self.s.steps)}
        for k, (name, work) in enumerate(self.s.demand.other_work.items()):
            rng = stream(self.seed, self.replication, f"other_work/{name}", "arrivals")
            horizon = self.s.horizon_days
            times = np.sort(rng.uniform(0, horizon, rng.poisson(work.per_day * horizon)))
            ids = self.add_cases(times.size, block=OTHER_WORK_BLOCK + k)
            for i in ids:
                self.other_work[i] = k
            self.env.process(self._other_arrivals(times.tolist(), ids, index[work.entry]))

    def _other_arrivals(
        self, times: list[float], ids: range, entry: int
    ) -> Generator[Any, Any, None]:
        env = self.env
        for i, t in zip(ids, times, strict=True):
            yield env.timeout(t - env.now)
            env.process(self.contact(i, start=entry))

    def arrivals(self, times: Sequence[float]) -> Generator[Any, Any, None]:
        """Start a case process at each new contact's arrival time."""
        env = self.env
        self.next_return = len(self.cases)  # returning adults come after every other case
        for i, t in enumerate(times):
            yield env.timeout(t - env.now)
            env.process(self.contact(i))

    def come_back(self, parent: int, delay: float) -> None:
        """The adult of case ``parent`` comes back as a new contact after ``delay`` days."""
        self.env.process(self._returning(parent, delay))

    def _returning(self, parent: int, delay: float) -> Generator[Any, Any, None]:
        yield self.env.timeout(delay)
        if self.next_return >= len(self.cases):
            self.add_cases(RETURN_BLOCK, block=self.returns_drawn)
            self.returns_drawn += 1
        i = self.next_return
        self.next_return += 1
        self.parent[i] = parent
        yield from self.contact(i)

    def contact(self, i: int, start: int | None = None) -> Generator[Any, Any, None]:
        """The whole pathway of one contact: step after step until an exit (from its
        source's entry step, or from ``start`` for a case in a starting backlog)."""
        step = self.entry[self.cases.source[i]] if start is None else start
        key = self.cases.route_key[i]
        runners = self.runners
        self.record((i, step * len(EVENT_CODE) + self.arrived, self.env.now, -1, 0, 0))
        while True:
            runner = runners[step]
            if runner.terminal:
                runner.leave(i)
                return
            outcome = yield from runner.run(i)
            step = runner.next[outcome][key]
