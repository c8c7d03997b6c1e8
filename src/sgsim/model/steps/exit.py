"""Exit: where a case leaves the pathway, and whether the adult comes back later.

No further action, advice, another service such as occupational therapy, closed after an
enquiry: each is an exit step, counted by name. An adult may come back as a new contact
after a delay (returning adults), entering where contacts from their source enter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sgsim.model.blocks import Streams
from sgsim.model.steps.base import StepKind, StepRunner
from sgsim.scenario.distributions import Distribution
from sgsim.scenario.errors import ScenarioError
from sgsim.scenario.schema import Scenario, Step, spec


@dataclass(frozen=True, kw_only=True)
class ExitStep(Step):
    """The end of a case's path, with an optional return of the adult."""

    destination: str = spec("", doc="where the adult goes, in words (for describe)")
    return_probability: float = spec(0.0, prob=True, doc="chance of a new contact later")
    return_after_days: Distribution | None = spec(None, doc="days to the new contact")

    def own_outcomes(self) -> tuple[str, ...]:
        return ()


class ExitRunner(StepRunner):
    """Record the leaving; perhaps bring the adult back later."""

    terminal = True

    def draw(self, rng: Streams, cases: Any, n: int) -> dict[str, np.ndarray]:
        step = self.step
        returns = rng("return").random(n) < step.return_probability
        delay = step.return_after_days
        return {
            "returns": returns,
            "delay": delay.sample(rng("return_delay"), n) if delay else np.zeros(n),
        }

    def leave(self, i: int, k: int, j: int) -> None:
        self.record((i, self.code["left"], self.env._now, -1, 0, 0))
        if self.draws["returns"][k][j]:
            self.ctx.start_case(i, self.draws["delay"][k][j])


def check(name: str, step: ExitStep, scenario: Scenario, file: str) -> None:
    key = f"steps.{name}"
    if step.routes or step.next is not None:
        raise ScenarioError(file, f"{key}.routes", "no routes (cases leave at an exit)", "<routes>")
    if step.waiting_list is not None:
        raise ScenarioError(
            file, f"{key}.waiting_list", "no waiting list (cases leave at once)", "<a table>"
        )
    if step.return_probability > 0 and step.return_after_days is None:
        raise ScenarioError(
            file,
            f"{key}.return_after_days",
            "a distribution when return_probability > 0",
            "<nothing>",
        )


KIND = StepKind(
    name="exit",
    summary="where a case leaves the pathway (no further action, advice, closed...)",
    schema=ExitStep,
    runner=ExitRunner,
    streams=("return", "return_delay"),
    terminal=True,
    check=check,
)
