"""Hand-off: the case goes to a partner outside the council and comes back after a delay.

Health through a single point of access, the police: the council's staff spend no time,
but the case waits the partner's delay (calendar days), and, if the partner can take only
so many at once, first for a free place.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import numpy as np

from sgsim.model.blocks import Streams
from sgsim.model.pools import Pool
from sgsim.model.steps.base import Context, StepKind, StepRunner
from sgsim.model.steps.decision import outcome_draws
from sgsim.scenario.distributions import Distribution
from sgsim.scenario.errors import ScenarioError
from sgsim.scenario.schema import Scenario, Step, spec


@dataclass(frozen=True, kw_only=True)
class HandoffStep(Step):
    """A partner's delay, with optional capacity, ending in one of its outcomes."""

    partner: str = spec(doc="who the case is handed to, e.g. health or police")
    delay_days: Distribution = spec(doc="calendar days until the partner answers")
    capacity: int = spec(0, ge=0, doc="cases the partner takes at once (0: no limit)")
    outcomes: dict[str, float] = spec({"returned": 1.0}, mix=True, doc="chance of each outcome")

    def own_outcomes(self) -> tuple[str, ...]:
        return tuple(self.outcomes)

    def outcome_shares(self, source: str) -> dict[str, float]:
        return dict(self.outcomes)


class HandoffRunner(StepRunner):
    """Wait for the partner (if its capacity is full), then its delay."""

    def __init__(self, ctx: Context, index: int, name: str, step: HandoffStep) -> None:
        super().__init__(ctx, index, name, step)
        self.places = Pool(ctx.env, step.capacity) if step.capacity else None

    def draw(self, rng: Streams, cases: Any, n: int) -> dict[str, np.ndarray]:
        days = self.step.delay_days.sample(rng("delay"), n)
        u = rng("outcome").random(n)
        return {
            "days": days,
            "outcome": outcome_draws(self.step, self.ctx.scenario, cases.source, u),
        }

    def run(self, i: int, k: int, j: int) -> Generator[Any, Any, int]:
        env, code, record = self.env, self.code, self.record
        record((i, code["queued"], env.now, -1, 0, 0))
        place = 0
        if self.places is not None:
            left = yield from self.wait_for(self.places, i)
            if left >= 0:
                return left
            place = self.places.free.pop()
        record((i, code["started"], env.now, -1, place, 0))
        yield env.timeout(self.draws["days"][k][j])
        outcome = self.draws["outcome"][k][j]
        record((i, code["finished"], env.now, -1, place, self.outcomes[outcome]))
        if self.places is not None:
            self.places.free.append(place)
            self.places.give_back()
        return outcome


def check(name: str, step: HandoffStep, scenario: Scenario, file: str) -> None:
    if not step.partner.strip():
        raise ScenarioError(file, f"steps.{name}.partner", "a partner's name", step.partner)


KIND = StepKind(
    name="handoff",
    summary="a hand-off to a partner outside the council, with its own delay and capacity",
    schema=HandoffStep,
    runner=HandoffRunner,
    streams=("delay", "outcome"),
    outcome_counts=True,
    check=check,
)
