"""Panel: decisions made together at meetings held every so many days.

A funding panel, a validation forum (Stockton's "validation forum leads to backlogs and
delays"): cases wait for the next meeting, which decides as many as it can, most urgent
and longest waiting first; the rest wait for the meeting after. No one's touch time is
modelled, only the wait the rhythm of meetings makes.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from sgsim.model.blocks import Streams
from sgsim.model.steps.base import Context, StepKind, StepRunner
from sgsim.model.steps.decision import check_outcome_mixes, outcome_draws
from sgsim.scenario.errors import ScenarioError
from sgsim.scenario.limits import MIN_PERIOD_DAYS
from sgsim.scenario.schema import Scenario, Step, spec


@dataclass(frozen=True, kw_only=True)
class PanelStep(Step):
    """Meetings every ``every_days`` days from day ``first_day``, each deciding up to
    ``capacity`` cases, with an outcome drawn for each."""

    every_days: float = spec(
        ge=MIN_PERIOD_DAYS, doc="days between meetings, e.g. 14 for fortnightly"
    )
    first_day: float = spec(0.0, ge=0, doc="day of the first meeting, from the warm-up's start")
    capacity: int = spec(0, ge=0, doc="cases a meeting decides (0: every case waiting)")
    outcomes: dict[str, float] = spec({"agreed": 1.0}, mix=True, doc="chance of each outcome")
    outcomes_by_source: dict[str, dict[str, float]] = spec(
        {}, mix=True, doc="chance of each outcome for contacts from one source"
    )

    def own_outcomes(self) -> tuple[str, ...]:
        return tuple(self.outcomes)

    def outcome_shares(self, source: str) -> dict[str, float]:
        shares = self.outcomes_by_source.get(source, self.outcomes)
        return {name: shares.get(name, 0.0) for name in self.outcomes}


class PanelRunner(StepRunner):
    """Cases wait in a line (priority, then arrival) for the next meeting."""

    def __init__(self, ctx: Context, index: int, name: str, step: PanelStep) -> None:
        super().__init__(ctx, index, name, step)
        self.waiting: list[tuple[int, float, int, int, simpy.Event]] = []
        self.order = itertools.count()
        ctx.env.process(self.meetings())

    def draw(self, rng: Streams, cases: Any, n: int) -> dict[str, np.ndarray]:
        u = rng("outcome").random(n)
        return {"outcome": outcome_draws(self.step, self.ctx.scenario, cases.source, u)}

    def meetings(self) -> Generator[Any, Any, None]:
        """Hold each meeting: decide the first ``capacity`` cases waiting."""
        env, step = self.env, self.step
        yield env.timeout(step.first_day)
        while True:
            decided = 0
            while self.waiting and (step.capacity == 0 or decided < step.capacity):
                *_, i, event = heapq.heappop(self.waiting)
                self.record((i, self.code["started"], env.now, -1, 0, 0))
                event.succeed()
                decided += 1
            yield env.timeout(step.every_days)

    def run(self, i: int, k: int, j: int) -> Generator[Any, Any, int]:
        env = self.env
        self.record((i, self.code["queued"], env.now, -1, 0, 0))
        meeting = env.event()
        priority = self.ctx.cases.priority[i]
        heapq.heappush(self.waiting, (priority, env.now, next(self.order), i, meeting))
        yield meeting
        outcome = self.draws["outcome"][k][j]
        self.record((i, self.code["finished"], env.now, -1, 0, self.outcomes[outcome]))
        return outcome


def check(name: str, step: PanelStep, scenario: Scenario, file: str) -> None:
    key = f"steps.{name}"
    check_outcome_mixes(key, step, scenario, file)
    if step.waiting_list is not None:
        raise ScenarioError(
            file,
            f"{key}.waiting_list",
            "no waiting list (a panel decides at its meetings)",
            "<a table>",
        )


KIND = StepKind(
    name="panel",
    summary="decisions made together at meetings every so many days (a funding panel)",
    schema=PanelStep,
    runner=PanelRunner,
    streams=("outcome",),
    outcome_counts=True,
    check=check,
)
