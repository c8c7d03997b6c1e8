"""What a step kind declares, and what every step's runner shares.

A step kind is one module in this package. It declares, in one ``StepKind``:

- its **schema**: a frozen dataclass (a subclass of ``sgsim.scenario.schema.Step``);
- its **streams**: the names of its random streams (``sgsim.model.streams``);
- its **runner**: the SimPy process of one case at one step (a ``StepRunner``);
- which generic **events** it records (``EVENTS`` below) and what they mean for metrics:
  spans of a person's touch time, spans holding a caseload place, counts that feed the
  funnel, whether its end is the front-door decision;
- its **checks**: cross-checks against the rest of the scenario, raising ScenarioError.

Metrics, figures, ``describe``, the STRESS report and ``validate`` read these declarations;
nothing downstream lists steps by hand.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from sgsim.model.blocks import MASK, SHIFT
from sgsim.model.engine import Call
from sgsim.model.pools import Waiting
from sgsim.model.streams import stream
from sgsim.scenario.errors import ScenarioError
from sgsim.scenario.schema import PRIORITIES, Review, Scenario, Step, pool_name
from sgsim.scenario.suggest import nearest

if TYPE_CHECKING:
    from sgsim.model.blocks import Streams
    from sgsim.model.calendar import WorkingDays
    from sgsim.model.demand import Cases
    from sgsim.model.pools import CaseloadPool, StaffPool

# Generic events, the same for every step: (event name, vidigi event type).
EVENTS: dict[str, str] = {
    "arrived": "arrival",  # a contact reaches the pathway (at its entry step)
    "queued": "queue",  # the case joins the step's queue
    "left_queue": "queue",  # it leaves the queue unserved: withdrawn or transferred
    "started": "resource_use",  # a person or caseload place is taken
    "finished": "resource_use_end",  # the step is done, with its outcome
    "work_started": "resource_use",  # touch work inside a longer step (an enquiry)
    "work_done": "resource_use_end",
    "left": "depart",  # the case leaves the pathway (at an exit step)
    "review_started": "resource_use",  # a reviewer takes up a waiting case's review
    "reviewed": "resource_use_end",  # with the priority change as its outcome, if any
}
# The outcomes a waiting-list review may record (``WaitingCases.review``).
PRIORITY_CHANGES = ("priority_raised", "priority_lowered")
TRANSFER = "transfer"  # what wakes a waiting case picked by a bulk transfer
EVENT_CODE = {name: i for i, name in enumerate(EVENTS)}
N_EVENTS = len(EVENTS)

Row = tuple[int, int, float, int, int, int]  # case, step*N_EVENTS+event, time, pool, id, outcome
Record = Callable[[Row], None]


@dataclass(frozen=True)
class Count:
    """A count metric: events of one name (and outcome) at the steps of one kind."""

    event: str
    outcome: str | None
    group: str
    label: str


@dataclass(frozen=True)
class StepKind:
    """Everything the rest of sgsim needs to know about one kind of step."""

    name: str
    summary: str  # one line: what this kind of step is, for describe and the README
    schema: type[Step]
    runner: type[StepRunner]
    streams: tuple[str, ...] = ()
    touch_spans: tuple[tuple[str, str], ...] = ()  # (start, end) events of a person's time
    place_span: tuple[str, str] | None = None  # (start, end) events holding a caseload place
    totals: dict[str, Count] = field(default_factory=dict)  # summed over steps of the kind
    outcome_counts: bool = False  # count each outcome per step: ``{step}_{outcome}``
    wait_name: str = ""  # kind-level name of the queue before it ("allocation")
    decides: bool = False  # its end is the front-door decision (timeliness targets)
    terminal: bool = False  # cases leave the pathway here
    check: Callable[[str, Any, Scenario, str], None] | None = None


@dataclass
class Context:
    """What a step's runner needs from the run: the clock, pools, cases and the recorder."""

    env: simpy.Environment
    scenario: Scenario
    cases: Cases
    record: Record
    staff: dict[tuple[str, str], StaffPool]
    caseloads: dict[tuple[str, str], CaseloadPool]
    pool_code: dict[str, int]  # pool name -> index in the event log's pools
    outcome_code: dict[str, int]  # outcome name -> index in the event log's outcomes
    start_case: Callable[[int, float], None]  # bring adult ``i`` back after ``delay`` days
    # case ``i`` passed a step by callbacks with an outcome: on to the next (``enter``)
    passed: Callable[[int, StepRunner, int], None]
    days: WorkingDays  # the scenario's working days (reviews' dates)
    seed: int
    replication: int
    more: dict[str, Any] = field(default_factory=dict)


class StepRunner:
    """One step wired into one run. Subclasses set what they draw and how a case passes:
    in a process (``run``), and, if ``direct``, also by callbacks (``enter``)."""

    terminal = False
    direct = False  # it can pass a case by ``enter``, with no process

    def __init__(self, ctx: Context, index: int, name: str, step: Step) -> None:
        self.ctx = ctx
        self.env = ctx.env
        self.record = ctx.record
        self.index = index
        self.name = name
        self.step = step
        self.code = {event: index * N_EVENTS + c for event, c in EVENT_CODE.items()}
        self.outcomes = [ctx.outcome_code[o] for o in step.outcome_names()]
        self.next: list[list[int]] = []  # next step index by [outcome][route key]; -1 none
        # each draw's values per case: column[i >> SHIFT][i & MASK] (``sgsim.model.blocks``)
        self.draws: dict[str, list[Any]] = {}
        self.policy = step.waiting_list
        if self.policy is not None:
            self.waiting = WaitingCases(self, self.policy)

    def draw_all(self, rng: Streams, cases: Cases, n: int) -> dict[str, np.ndarray]:
        """Draw what the step and its waiting list decide for ``n`` more cases."""
        drawn = self.draw(rng, cases, n)
        if self.policy is not None and self.policy.withdraw_after_days is not None:
            drawn["patience"] = self.policy.withdraw_after_days.sample(rng("patience"), n)
        return drawn

    def draw(self, rng: Streams, cases: Cases, n: int) -> dict[str, np.ndarray]:
        """Draw, vectorised, what chance decides at this step for ``n`` more cases
        (``cases``: their attributes, as numpy arrays), by name: one value per case."""
        return {}

    def run(self, i: int, k: int, j: int) -> Generator[Any, Any, int]:
        """Pass case ``i`` through the step; return the index of its outcome. Its draws
        are ``self.draws[name][k][j]`` (``k, j = i >> SHIFT, i & MASK``: the pathway
        finds them once for every step)."""
        raise NotImplementedError

    def enter(self, i: int) -> None:
        """Pass case ``i`` through the step by callbacks, with the events ``run`` has in the
        same order, then call ``ctx.passed`` with its outcome: no generator to resume at
        each event (``sgsim.model.engine.Engine.call_later``)."""
        raise NotImplementedError

    def leave(self, i: int, k: int, j: int) -> None:
        """A terminal step's whole work: the case leaves the pathway here, at once."""
        raise NotImplementedError

    def wait_for(self, pool: Any, i: int) -> Generator[Any, Any, int]:
        """Join the pool's line (urgent first) until a server is free: -1 once one is held,
        or the outcome index of a case that left the line under the step's waiting list."""
        request = pool.take(self.ctx.cases.priority[i])
        if request is None:
            return -1
        if self.policy is None:
            yield request
            return -1
        return (yield from self.waiting.wait(request, i))

    def work(
        self,
        pool: StaffPool,
        pool_id: int,
        i: int,
        hours: float,
        start: int,
        end: int,
        out: int | Callable[[], int],
    ) -> Generator[Any, Any, None]:
        """A person of the pool takes the task (urgent first), works its touch time, records
        the outcome ``out`` (or what ``out()`` says when the work is done).

        A task taken out of hours holds its person until the next opening, when the work
        (and the recorded start) begins; it may carry over a night or a weekend.
        """
        env = self.env
        request = pool.take(self.ctx.cases.priority[i])
        if request is not None:
            yield request
        person = pool.free.pop()
        now = env.now
        clock = pool.clock
        begin = clock.next_open(now) if hours > 0 else now  # nothing to wait for if no work
        self.record((i, start, begin, pool_id, person, 0))
        yield env.timeout(clock.add_hours(now, hours * pool.stretch) - now)
        # env.now, not the computed end: now + (end - now) may differ from end in its last
        # bit, and the case's next events are dated env.now
        self.record((i, end, env.now, pool_id, person, out if isinstance(out, int) else out()))
        pool.free.append(person)
        pool.give_back()


class WaitingCases:
    """A step's managed waiting list: withdrawal, escalation and bulk transfer.

    A waiting case holds an ordinary SimPy request; it also waits for its patience to run
    out, for its escalation time, and for a bulk transfer to pick it, whichever comes
    first. Leaving the line cancels the request.
    """

    def __init__(self, runner: StepRunner, policy: Any) -> None:
        self.runner = runner
        self.policy = policy
        self.env = runner.env
        names = runner.step.outcome_names()
        self.withdrawn = names.index("withdrawn") if "withdrawn" in names else -1
        self.transferred = names.index("transferred") if "transferred" in names else -1
        # case -> (since, its wake-up: a transfer, or a review's new priority)
        self.members: dict[int, tuple[float, simpy.Event]] = {}
        self.level: dict[int, int] = {}  # case -> the priority it waits at
        self.under_review: set[int] = set()
        if policy.transfer_every_days is not None:
            self.env.process(self.transfers())
        if policy.review is not None:
            self.env.process(self.reviews(policy.review))

    def wait(self, request: Any, i: int) -> Generator[Any, Any, int]:
        """Wait under the policy: -1 once served, else the outcome index the case left with."""
        env, policy, runner = self.env, self.policy, self.runner
        since = env.now
        give_up = math.inf
        if policy.withdraw_after_days:
            give_up = since + runner.draws["patience"][i >> SHIFT][i & MASK]
        escalate = since + policy.escalate_after_days if policy.escalate_after_days else math.inf
        try:
            while True:
                woken = env.event()
                self.members[i] = (since, woken)
                self.level[i] = request.priority
                wake = min(give_up, escalate)
                waits = [request, woken]
                if wake < math.inf:
                    waits.append(env.timeout(wake - env.now))
                fired = yield env.any_of(waits)
                if request.triggered:  # granted, perhaps at the same instant as the rest
                    return -1
                request.cancel()
                if woken in fired and woken.value is TRANSFER:
                    return self.leave(i, self.transferred)
                if woken in fired:  # a review's new priority, keeping its place by arrival
                    request = Waiting(request.resource, woken.value, request.time)
                    continue
                if env.now >= give_up:
                    return self.leave(i, self.withdrawn)
                escalate = math.inf  # raise one level, keeping its place by arrival time
                request = Waiting(request.resource, max(request.priority - 1, 0), request.time)
        finally:
            del self.members[i], self.level[i]

    def leave(self, i: int, outcome: int) -> int:
        runner = self.runner
        code = runner.code["left_queue"]
        runner.record((i, code, self.env.now, -1, 0, runner.outcomes[outcome]))
        return outcome

    def transfers(self) -> Generator[Any, Any, None]:
        """Every so many days, move on the oldest cases still waiting."""
        policy = self.policy
        while True:
            yield self.env.timeout(policy.transfer_every_days)
            oldest = sorted(self.members.items(), key=lambda item: item[1][0])
            for _, (_, woken) in oldest[: policy.transfer_oldest]:
                if not woken.triggered:  # not already woken by a review at this instant
                    woken.succeed(TRANSFER)

    def reviews(self, review: Review) -> Generator[Any, Any, None]:
        """On every ``every_working_days``-th working day, at opening time, a review of
        each case then waiting (oldest first) joins the reviewers' line: touch time, then
        perhaps a priority one level up or down, if the case is still waiting. A case whose
        last review is not yet done is not reviewed again."""
        runner, env = self.runner, self.env
        ctx = runner.ctx
        pool = ctx.staff[review.team_role]
        pool_id = ctx.pool_code[pool_name(*review.team_role)]
        rng = stream(ctx.seed, ctx.replication, f"review/{runner.name}", "review")
        for day in review_days(ctx.days, review.every_working_days, ctx.scenario.horizon_days):
            at = day + ctx.scenario.calendar.open_hour / 24
            if at > env.now:
                yield env.timeout(at - env.now)
            due = [i for i, _ in sorted(self.members.items(), key=lambda m: m[1][0])]
            due = [i for i in due if i not in self.under_review]
            hours = review.minutes.sample(rng, len(due)) / 60
            change = rng.uniform(size=len(due))
            for i, h, u in zip(due, hours.tolist(), change.tolist(), strict=True):
                lowered = review.raise_share <= u < review.raise_share + review.lower_share
                move = -1 if u < review.raise_share else (1 if lowered else 0)
                self.under_review.add(i)
                env.process(self.review(pool, pool_id, i, h, move))

    def review(
        self, pool: Any, pool_id: int, i: int, hours: float, move: int
    ) -> Generator[Any, Any, None]:
        """One case's review: the reviewer's touch time, then its priority moved by
        ``move`` levels (-1 is up) if it is still waiting and can move."""
        code = self.runner.code

        def outcome() -> int:
            self.under_review.discard(i)
            if i not in self.members or move == 0:
                return 0
            _, woken = self.members[i]
            level = self.level[i] + move
            if woken.triggered or not 0 <= level < len(PRIORITIES):
                return 0
            woken.succeed(level)
            return self.runner.ctx.outcome_code[PRIORITY_CHANGES[0 if move < 0 else 1]]

        yield from self.runner.work(
            pool, pool_id, i, hours, code["review_started"], code["reviewed"], outcome
        )


def review_days(days: WorkingDays, every: int, horizon: int) -> list[int]:
    """The days of reviews every ``every`` working days: the every-th working day from
    time zero, the 2 x every-th..., within the run."""
    working = np.flatnonzero(days.is_working[:horizon])
    return working[every - 1 :: every].tolist()


class TouchRunner(StepRunner):
    """A step that is one person's touch time, then an outcome drawn in ``draw``.

    Subclasses keep per case the touch ``hours`` and the ``outcome`` index. It is ``work``
    written out in place, the hottest path of a run; without a waiting list it passes
    cases ``direct``, by callbacks.
    """

    def __init__(self, ctx: Context, index: int, name: str, step: Any) -> None:
        super().__init__(ctx, index, name, step)
        self.pools = pool_of_area(ctx, step.team, step.role)
        self.pool_ids = pool_ids_of_area(ctx, step.team, step.role)
        self.hours = self.draws.setdefault("hours", [])
        self.outcome = self.draws.setdefault("outcome", [])
        self.queued, self.started, self.finished = (
            self.code[e] for e in ("queued", "started", "finished")
        )
        self.direct = self.policy is None
        self._starting = (self._begin,)  # the callbacks of a case granted a person
        self._finishing = (self._finished,)  # the callbacks of a task's end

    def run(self, i: int, k: int, j: int) -> Generator[Any, Any, int]:
        cases = self.ctx.cases
        self.record((i, self.queued, self.env._now, -1, 0, 0))
        request = self.pools[cases.area[i]].take(cases.priority[i])
        if request is not None:
            if self.policy is None:
                yield request
            else:
                left = yield from self.waiting.wait(request, i)
                if left >= 0:
                    return left
        call = Call((), i, 0)
        yield self.env.timeout(self._start(call))
        return self._finish(call)

    def enter(self, i: int) -> None:
        # env._now, not env.now: the property's call is a twentieth of this path's time
        cases = self.ctx.cases
        self.record((i, self.queued, self.env._now, -1, 0, 0))
        call = Call(self._starting, i, 0)
        if self.pools[cases.area[i]].join(cases.priority[i], call):
            self._begin(call)

    def _begin(self, call: Call) -> None:
        """A person takes the case of ``call`` now; its end is due when the task is done."""
        call.callbacks = self._finishing
        self.env.call_later(self._start(call), call)  # type: ignore[attr-defined]

    def _start(self, call: Call) -> float:
        """A person takes the case of ``call`` now (``call.held``): record it; return the
        task's length (from now: it may wait for the next opening)."""
        i = call.case
        now = self.env._now
        area = self.ctx.cases.area[i]
        pool = self.pools[area]
        call.held = person = pool.free.pop()
        begin, end = pool.clock.task(now, self.hours[i >> SHIFT][i & MASK], pool.stretch)
        self.record((i, self.started, begin, self.pool_ids[area], person, 0))
        return end - now

    def _finished(self, call: Call) -> None:
        self.ctx.passed(call.case, self, self._finish(call))

    def _finish(self, call: Call) -> int:
        """The task of ``call`` is done: record its outcome, free its person."""
        i = call.case
        area = self.ctx.cases.area[i]
        pool = self.pools[area]
        outcome = self.outcome[i >> SHIFT][i & MASK]
        code = self.outcomes[outcome]
        self.record((i, self.finished, self.env._now, self.pool_ids[area], call.held, code))
        pool.free.append(call.held)
        pool.give_back()
        return outcome


# ----------------------------------------------------------------------------- checks


def need_team_role(
    file: str, key: str, scenario: Scenario, teams: tuple[str, ...], role: str, caseload: bool
) -> None:
    """Each team named exists, has the role, with staff (and a caseload cap if it holds one)."""
    for team in teams:
        if team not in scenario.teams:
            raise ScenarioError(
                file,
                f"{key}.team",
                "a team defined under [teams] (" + ", ".join(scenario.teams) + ")",
                team,
                hint=nearest(team, scenario.teams),
            )
        roles = scenario.teams[team].roles
        if role not in roles:
            raise ScenarioError(
                file,
                f"{key}.role",
                f"a role of team {team} (" + ", ".join(roles) + ")",
                role,
                hint=nearest(role, roles),
            )
        if roles[role].effective_staff <= 0:
            raise ScenarioError(
                file,
                f"teams.{team}.roles.{role}.headcount",
                f"staff > 0 (the role does step {key.split('.')[-1]})",
                roles[role].headcount,
            )
        if caseload and roles[role].caseload_cap <= 0:
            raise ScenarioError(
                file,
                f"teams.{team}.roles.{role}.caseload_cap",
                f"a cap > 0 (the role holds step {key.split('.')[-1]}'s enquiries)",
                roles[role].caseload_cap,
            )


def need_sources(file: str, key: str, scenario: Scenario, names: Any) -> None:
    """Every name is a source under [demand.sources]."""
    for name in names:
        if name not in scenario.demand.sources:
            raise ScenarioError(
                file,
                f"{key}.{name}",
                "a source named in [demand.sources]",
                name,
                hint=nearest(name, scenario.demand.sources),
            )


def pool_of_area(
    ctx: Context, teams: tuple[str, ...], role: str, caseload: bool = False
) -> list[Any]:
    """The pool serving each area code: the one team, or the team covering that area."""
    pools = ctx.caseloads if caseload else ctx.staff
    areas = ctx.scenario.demand.categories("area")
    if len(teams) == 1:
        return [pools[(teams[0], role)]] * len(areas)
    covering = {ctx.scenario.teams[t].area: t for t in teams}
    return [pools[(covering[a], role)] for a in areas]


def pool_ids_of_area(
    ctx: Context, teams: tuple[str, ...], role: str, suffix: str = ""
) -> list[int]:
    """The event-log pool code serving each area code (see ``pool_of_area``)."""
    areas = ctx.scenario.demand.categories("area")
    if len(teams) == 1:
        return [ctx.pool_code[pool_name(teams[0], role) + suffix]] * len(areas)
    covering = {ctx.scenario.teams[t].area: t for t in teams}
    return [ctx.pool_code[pool_name(covering[a], role) + suffix] for a in areas]
