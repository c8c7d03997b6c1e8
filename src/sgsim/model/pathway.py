"""The case process: each contact walks its route step by step.

The pathway wires the scenario's steps to staff and caseload pools, draws what chance
decides for its contacts (``sgsim.model.demand`` for what a contact is about, when it is
created; each step's runner for what it decides, a block of contacts at a time as they
arrive, ``sgsim.model.blocks``), and walks each contact along: enter at the
source's entry step, pass each step, look up the next step by the outcome and the
contact's route key, until an exit. It computes no rates: it only records events.

A contact is one SimPy process (``contact``) on SimPy's own loop, with a hand-over on a
date (which interrupts processes), and for backlogs and open caseloads. Otherwise, on the
engine (``sgsim.model.engine``), it passes by callbacks (``arrive``, ``walk``,
``passed``): each step that allows it (``StepRunner.direct``) takes it through with no
process, and a step that does not runs it in a process for that step alone. The events
are the same, in the same order (``tests/test_engine.py``).
"""

from __future__ import annotations

import dataclasses
from array import array
from collections.abc import Generator, Sequence
from typing import Any

import numpy as np
import simpy

from sgsim.model.blocks import MASK, SHIFT, CaseDraws
from sgsim.model.calendar import WorkingDays, scenario_days, team_clock
from sgsim.model.demand import Cases, attribute_streams, draw_cases, route_key
from sgsim.model.engine import Engines
from sgsim.model.pools import CaseloadPool, ShiftPool, StaffPool, caseload_places
from sgsim.model.rota import roster
from sgsim.model.steps import KINDS
from sgsim.model.steps.base import (
    EVENT_CODE,
    N_EVENTS,
    PRIORITY_CHANGES,
    Context,
    Record,
    StepRunner,
)
from sgsim.model.steps.enquiry import CASELOAD
from sgsim.model.streams import stream
from sgsim.scenario.routes import route_table
from sgsim.scenario.schema import ROUTE_ATTRIBUTES, Period, Role, Scenario, Step, pool_name

HAND_OVER = "handed_over"  # outcome of leaving a queue for the step a change redefined
RETURN_BLOCK = 256  # returning contacts drawn at a time
CASE_CHUNK = 1 << 16  # contacts' attributes drawn at a time (bounding the draws' temporaries)
BACKLOG_BLOCK = 1_000_000  # stream blocks of starting backlogs: BACKLOG_BLOCK + step index
OTHER_WORK_BLOCK = 2_000_000  # stream blocks of other work: OTHER_WORK_BLOCK + its index
OPEN_BLOCK = 3_000_000  # stream blocks of open caseloads: OPEN_BLOCK + 1000 x step + team


def outcome_names(s: Scenario) -> tuple[str, ...]:
    """Every outcome name an event can carry in this scenario, in code order ('' is none):
    of every period's steps, in a run with changes."""
    designs = [p.scenario for p in s.periods] or [s]
    names = ["", *(o for d in designs for step in d.steps.values() for o in step.outcome_names())]
    if any(p.open_cases == "hand_over" for p in s.periods[1:]):
        names.append(HAND_OVER)
    if s.reviews():
        names += PRIORITY_CHANGES
    return tuple(dict.fromkeys(names))


def _first_role(periods: tuple[Period, ...], pair: tuple[str, str]) -> Role:
    """A pool's role in the first period that uses it."""
    return next(p.scenario.role(*pair) for p in periods if pair in _pools_of(p.scenario))


def _pools_of(s: Scenario) -> tuple[tuple[str, str], ...]:
    return s.staff_pools() + s.caseload_pools()


def _areas(s: Scenario, step: Step) -> list[str | None]:
    """The areas of the teams doing a step (which team takes which area's cases)."""
    return [s.teams[t].area for t in getattr(step, "team", ())]


def _route_now(before: StepRunner, now: StepRunner, outcome: int, key: int) -> int:
    """Where a case goes after a step redefined while it was there: by the new design's
    routes for its outcome, or the old ones for an outcome the new step does not have."""
    name = before.step.outcome_names()[outcome]
    names = now.step.outcome_names()
    if name in names:
        return now.next[names.index(name)][key]
    return before.next[outcome][key]


def pool_names(s: Scenario) -> tuple[str, ...]:
    """Staff pools, then caseload pools, as named in the event log."""
    staff = [pool_name(*pair) for pair in s.staff_pools()]
    places = [pool_name(*pair) + CASELOAD for pair in s.caseload_pools()]
    return (*staff, *places)


def staff_pool(
    env: simpy.Environment,
    periods: tuple[Period, ...],
    pair: tuple[str, str],
    days: WorkingDays,
    fast: bool,
) -> StaffPool | ShiftPool:
    """The pool of a role's people, as the first period using it defines the role: on a
    calendar, or by shifts when the role has a rota or overtime (only those pay for shift
    changes; changes may not redefine them)."""
    design = next(p.scenario for p in periods if pair in _pools_of(p.scenario))
    role, clock = design.role(*pair), team_clock(design, *pair, days)
    if role.works_shifts:
        return ShiftPool(env, role, clock, roster(design, role, days), fast)
    return StaffPool(env, role, clock, fast)


class Pathway:
    """One replication's pools, step runners and contacts."""

    def __init__(
        self,
        env: Engines,
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
        periods = s.periods or (Period(0.0, s),)
        staff = {pair: staff_pool(env, periods, pair, days, fast_path) for pair in s.staff_pools()}
        caseloads = {
            pair: CaseloadPool(env, _first_role(periods, pair), fast_path)
            for pair in s.caseload_pools()
        }
        first = _pools_of(periods[0].scenario)
        for pair, pool in [*staff.items(), *caseloads.items()]:
            if pair not in first:
                pool.resize(0)  # a team or role a change brings in: nobody yet
        self.days = days
        self.cases = Cases.empty()
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
            passed=self.passed,
            days=days,
            seed=seed,
            replication=replication,
        )
        self.index = {name: k for k, name in enumerate(s.steps)}
        # the runner of each step in each period: a step a change leaves as it was keeps
        # its runner; a step it removes keeps its last one, for the cases that stay there
        self.period_runners: list[list[StepRunner]] = []
        self.entries: list[list[int]] = []
        for period in periods:
            self.period_runners.append(self._runners(period.scenario))
            sources = period.scenario.demand.categories("source")
            self.entries.append([self.index[period.scenario.entry_step(x)] for x in sources])
        self.runners = self.period_runners[0]
        self.entry = self.entries[0]
        self.all_runners = list({id(r): r for row in self.period_runners for r in row}.values())
        self.draws = CaseDraws(seed, replication, self.all_runners, self.cases)
        self.arrived = EVENT_CODE["arrived"]
        # with a hand-over on a date, where each case is (step index) and its process
        self.track = any(p.open_cases == "hand_over" for p in periods[1:])
        # new contacts pass the steps that allow it by callbacks, with no process (``walk``)
        self.direct = getattr(env, "direct", False) and not self.track  # not on plain SimPy
        self.where: dict[int, int] = {}
        self.case_of: dict[Any, int] = {}
        self.returns_drawn = 0  # blocks of returning contacts drawn so far
        self.next_return = 0  # next unused case id among returning contacts
        self.parent: dict[int, int] = {}
        self.backlog_age: dict[int, float] = {}  # case id -> days waited before the start
        self.open_age: dict[int, float] = {}  # case id -> working days open before the start
        self.other_work: dict[int, int] = {}  # case id -> index of its kind of other work

    def release(self) -> None:
        """Free what every case drew and is, once the run is over and the event log has
        copied its attributes. The pathway's references form cycles, which the paused
        collector (``sgsim.studies.runner.paused_gc``) would keep until the replication's
        metrics are computed: at England's scale, a gigabyte."""
        self.draws.release()
        for name in Cases.__dataclass_fields__:
            del getattr(self.cases, name)[:]

    def _runners(self, s: Scenario) -> list[StepRunner]:
        """The step runners of one period's design (``s``), reusing the last period's
        for the steps it leaves as they were."""
        previous = self.period_runners[-1] if self.period_runners else None
        row = list(previous) if previous else [None] * len(self.index)
        ctx = self.ctx if s is self.s else dataclasses.replace(self.ctx, scenario=s)
        for name, step in s.steps.items():
            k = self.index[name]
            old = row[k]
            if (
                old is not None
                and old.step == step
                and _areas(old.ctx.scenario, step) == _areas(s, step)
            ):
                continue
            runner = KINDS[step.kind].runner(ctx, k, name, step)
            runner.next = [
                [self.index[to] if to is not None else -1 for to in r] for r in route_table(s, step)
            ]
            row[k] = runner
        return row  # type: ignore[return-value]

    def changes(self) -> Generator[Any, Any, None]:
        """On each change's date: the new design's runners, entry steps and staffing, and
        (``hand_over``) the cases waiting at a redefined step moved to its new queue."""
        for k, period in enumerate(self.s.periods[1:], 1):
            yield self.env.timeout(period.start_day - self.env.now)
            old = self.runners
            self.runners, self.entry = self.period_runners[k], self.entries[k]
            self._restaff(period.scenario)
            if period.open_cases == "hand_over":
                self._hand_over(old, self.runners)

    def _restaff(self, s: Scenario) -> None:
        """Pools the new design uses take its staffing; pools it no longer uses keep
        their people for the cases that stay with them."""
        for pair in s.staff_pools():
            pool = self.ctx.staff[pair]
            if isinstance(pool, StaffPool):  # shifts hold for the whole run (validated)
                pool.restaff(s.role(*pair), team_clock(s, *pair, self.days))
        for pair in s.caseload_pools():
            self.ctx.caseloads[pair].resize(caseload_places(s.role(*pair)))

    def _hand_over(self, old: list[StepRunner], new: list[StepRunner]) -> None:
        """Cases waiting at a step the change redefines leave its queue now (best first)
        and join the queue of the step as redefined; work already started finishes."""
        for k, (before, after) in enumerate(zip(old, new, strict=True)):
            if before is None or before is after or after is None:
                continue
            queues = (
                getattr(before, "places", None)
                if KINDS[before.step.kind].place_span
                else (getattr(before, "pools", None))
            )
            for pool in dict.fromkeys(queues or ()):
                for request in pool.put_queue.requests():
                    i = self.case_of.get(request.proc)
                    if i is not None and self.where.get(i) == k:
                        request.cancel()
                        request.proc.interrupt(HAND_OVER)

    def add_cases(self, n: int, block: int | None = None, priority: str | None = None) -> range:
        """Draw ``n`` more contacts: what they are about now, what each step decides as
        they arrive (``CaseDraws.need``).

        ``block`` numbers a block of contacts drawn after the first (adults coming back,
        starting backlogs), each from streams of its own; ``priority``, if given, is every
        new case's priority; returns the new case ids.
        """
        first = len(self.cases)
        streams = attribute_streams(self.seed, self.replication, block)
        for start in range(0, n, CASE_CHUNK):
            self.cases.extend(draw_cases(self.s, streams, min(CASE_CHUNK, n - start), priority))
        self.draws.add(first, n, block)
        return range(first, first + n)

    def add_backlog(self) -> None:
        """Start the scenario's backlogs: cases already waiting at their steps at time
        zero, the longest waiting first (urgent ones still go first at each step)."""
        index = {name: k for k, name in enumerate(self.s.steps)}
        for name, backlog in self.s.backlog.items():
            if backlog.waiting == 0:
                continue
            ids = self.add_cases(backlog.waiting, BACKLOG_BLOCK + index[name], backlog.priority)
            rng = stream(self.seed, self.replication, f"backlog/{name}", "age")
            if backlog.age_days is not None:
                ages = backlog.age_days.sample(rng, backlog.waiting)
            else:
                ages = rng.uniform(0, backlog.oldest_days, backlog.waiting)
            for age, i in sorted(zip(ages.tolist(), ids, strict=True), reverse=True):
                self.backlog_age[i] = age
                self.env.case(self.contact(i, start=index[name]))

    def add_open_cases(self) -> None:
        """Start the scenario's open caseloads: cases already allocated at a step holding
        caseload places (in the area of the team given, if given by team), each closing
        when what is left of its duration has passed."""
        works = [w.entry for w in self.s.demand.other_work.values()]
        areas = self.s.demand.categories("area")
        for name, backlog in self.s.backlog.items():
            groups = backlog.open_by_team or {"": backlog.open}
            k = self.index[name]
            rng = stream(self.seed, self.replication, f"open/{name}", "age")
            durations = stream(self.seed, self.replication, f"open/{name}", "duration")
            for j, (team, n) in enumerate(groups.items()):
                if n == 0:
                    continue
                ids = self.add_cases(n, block=OPEN_BLOCK + 1000 * k + j)
                if team:
                    self._move_to_area(ids, areas.index(self.s.teams[team].area))
                if backlog.open_age_working_days is not None:
                    ages = backlog.open_age_working_days.sample(rng, n)
                else:
                    ages = rng.uniform(0, backlog.open_oldest_working_days, n)
                for i, age in zip(ids, ages.tolist(), strict=True):
                    self.open_age[i] = age
                    if name in works:  # other work open at the start counts as other work
                        self.other_work[i] = works.index(name)
                    self.env.case(self._open_case(i, k, age, durations))

    def _move_to_area(self, ids: range, area: int) -> None:
        """Cases of a team's open caseload are in its area (and routed as such)."""
        cases = self.cases
        for i in ids:
            cases.area[i] = area
        values = {a: np.asarray(getattr(cases, a)[ids.start : ids.stop]) for a in ROUTE_ATTRIBUTES}
        cases.route_key[ids.start : ids.stop] = array("i", route_key(self.s, values).tolist())

    def _open_case(
        self, i: int, k: int, age: float, rng: np.random.Generator
    ) -> Generator[Any, Any, None]:
        runner = self.runners[k]
        self.draws.need(i)
        self.record((i, k * len(EVENT_CODE) + self.arrived, self.env.now, -1, 0, 0))
        outcome = yield from runner.resume(i, age, rng)
        after = runner.next[outcome][self.cases.route_key[i]]
        yield from self.contact(i, start=after, arrive=False)

    def add_other_work(self) -> None:
        """Start the other work arriving for the same people: a Poisson stream each, at
        its own entry step, with its own case ids and random streams."""
        index = {name: k for k, name in enumerate(self.s.steps)}
        for k, (name, work) in enumerate(self.s.demand.other_work.items()):
            rng = stream(self.seed, self.replication, f"other_work/{name}", "arrivals")
            horizon = self.s.horizon_days
            times = np.sort(rng.uniform(0, horizon, rng.poisson(work.per_day * horizon)))
            ids = self.add_cases(times.size, OTHER_WORK_BLOCK + k, work.priority)
            for i in ids:
                self.other_work[i] = k
            self._feed(times.tolist(), ids, index[work.entry])

    def _feed(self, times: list[float], ids: range, entry: int) -> None:
        """Start case ``ids[k]`` at ``times[k]`` at step ``entry``."""
        env = self.env
        if self.direct:
            env.feed(times, lambda k: self.arrive(ids[k], entry))
        else:
            env.feed(times, lambda k: env.case_now(self.contact(ids[k], start=entry)))

    def arrivals(self, times: Sequence[float]) -> None:
        """Start each new contact at its arrival time (once every other case is drawn:
        returning adults come after them all)."""
        env = self.env
        self.next_return = len(self.cases)
        env.feed(times, self.arrive if self.direct else lambda i: env.case_now(self.contact(i)))

    def come_back(self, parent: int, delay: float) -> None:
        """The adult of case ``parent`` comes back as a new contact after ``delay`` days."""
        env = self.env
        if self.direct:
            env.after(delay, lambda: self.arrive(self._returning_case(parent)))
        else:
            env.after(delay, lambda: env.case_now(self._returning(parent)))

    def _returning(self, parent: int) -> Generator[Any, Any, None]:
        yield from self.contact(self._returning_case(parent))

    def _returning_case(self, parent: int) -> int:
        """The case id of the adult of case ``parent`` coming back."""
        if self.next_return >= len(self.cases):
            self.add_cases(RETURN_BLOCK, block=self.returns_drawn)
            self.returns_drawn += 1
        i = self.next_return
        self.next_return += 1
        self.parent[i] = parent
        return i

    def arrive(self, i: int, start: int | None = None) -> None:
        """Contact ``i`` arrives now, at its source's entry step (or ``start``), and passes
        the steps by callbacks (``direct``): recorded as ``contact`` records it."""
        step = self.entry[self.cases.source[i]] if start is None else start
        if self.draws.pending[i >> SHIFT]:
            self.draws.need(i)
        self.record((i, step * N_EVENTS + self.arrived, self.env._now, -1, 0, 0))
        self.walk(i, step)

    def walk(self, i: int, step: int) -> None:
        """Case ``i`` reaches ``step``: it leaves there, or passes it by callbacks, or, at a
        step that needs a process (``StepRunner.direct``), in one started now, in this turn
        (so events keep the order ``contact`` gives them)."""
        runner = self.runners[step]
        if runner.terminal:
            self._leave(i, runner)
        elif runner.direct:
            runner.enter(i)
        else:
            self.env.case_now(self._one_step(i, runner))

    def _leave(self, i: int, runner: StepRunner) -> None:
        """Case ``i`` leaves the pathway at ``runner``'s terminal step; its block's draws
        are freed with its last case."""
        block = i >> SHIFT
        runner.leave(i, block, i & MASK)
        live = self.draws.live
        live[block] -= 1
        if not live[block]:
            self.draws.free(block)

    def _one_step(self, i: int, runner: StepRunner) -> Generator[Any, Any, None]:
        self.passed(i, runner, (yield from runner.run(i, i >> SHIFT, i & MASK)))

    def passed(self, i: int, runner: StepRunner, outcome: int) -> None:
        """Case ``i`` passed ``runner``'s step with ``outcome``: on to the next step."""
        if self.runners[runner.index] is runner:  # ``_next_step``'s usual case, in place
            self.walk(i, runner.next[outcome][self.cases.route_key[i]])
        else:
            self.walk(i, self._next_step(runner, outcome, self.cases.route_key[i]))

    def _next_step(self, runner: StepRunner, outcome: int, key: int) -> int:
        """Where a case goes after a step, by its outcome and route key."""
        now = self.runners[runner.index]
        if now is runner:
            return runner.next[outcome][key]
        return _route_now(runner, now, outcome, key)  # the step changed while it was there

    def contact(
        self, i: int, start: int | None = None, arrive: bool = True
    ) -> Generator[Any, Any, None]:
        """The whole pathway of one contact: step after step until an exit (from its
        source's entry step, or from ``start`` for a case in a starting backlog, or one
        already open at the start, which ``arrive``d before)."""
        step = self.entry[self.cases.source[i]] if start is None else start
        key = self.cases.route_key[i]
        track = self.track
        if track:
            self.case_of[self.env.active_process] = i
        draws, block, j = self.draws, i >> SHIFT, i & MASK
        if arrive:
            if draws.pending[block]:
                draws.need(i)
            self.record((i, step * N_EVENTS + self.arrived, self.env._now, -1, 0, 0))
        while True:
            runner = self.runners[step]
            if runner.terminal:
                self._leave(i, runner)
                if track:
                    del self.case_of[self.env.active_process], self.where[i]
                return
            if track:
                self.where[i] = step
            try:
                outcome = yield from runner.run(i, block, j)
            except simpy.Interrupt:  # handed over to the step as a change redefined it
                code = runner.code["left_queue"]
                self.record((i, code, self.env.now, -1, 0, self.ctx.outcome_code[HAND_OVER]))
                continue
            step = self._next_step(runner, outcome, key)
