"""Decision: a person's touch work ending in an outcome.

Front-door triage (concern or not), re-triage in a team, qualified sign-off of "not a
concern", a manager's sign-off at closure recording the risk outcome: one person of the
role takes the case (urgent first), works its touch time on the role's calendar, and the
outcome, drawn by chance (per source if given), picks the route.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sgsim.model.blocks import Streams
from sgsim.model.steps.base import (
    StepKind,
    TouchRunner,
    need_sources,
    need_team_role,
)
from sgsim.scenario.distributions import Distribution
from sgsim.scenario.errors import ScenarioError
from sgsim.scenario.schema import Scenario, StaffedStep, spec
from sgsim.scenario.suggest import nearest


@dataclass(frozen=True, kw_only=True)
class DecisionStep(StaffedStep):
    """Touch work by one person of a role, ending in one of its outcomes."""

    touch_minutes: Distribution = spec(doc="minutes of work per case")
    outcomes: dict[str, float] = spec({"done": 1.0}, mix=True, doc="chance of each outcome")
    outcomes_by_source: dict[str, dict[str, float]] = spec(
        {}, mix=True, doc="chance of each outcome for contacts from one source"
    )

    def own_outcomes(self) -> tuple[str, ...]:
        return tuple(self.outcomes)

    def outcome_shares(self, source: str) -> dict[str, float]:
        shares = self.outcomes_by_source.get(source, self.outcomes)
        return {name: shares.get(name, 0.0) for name in self.outcomes}


def outcome_draws(
    step: DecisionStep | Any, scenario: Scenario, source: Sequence[int], u: np.ndarray
) -> np.ndarray:
    """Each case's outcome index from one uniform, by its source's outcome shares."""
    names = scenario.demand.categories("source")
    cum = np.array([np.cumsum(list(step.outcome_shares(n).values())) for n in names])
    cum /= cum[:, -1:]
    rows = cum[np.asarray(source, dtype=np.int64)]
    return np.minimum((u[:, None] >= rows).sum(axis=1), cum.shape[1] - 1)


class DecisionRunner(TouchRunner):
    """One person's touch time, then the drawn outcome."""

    def draw(self, rng: Streams, cases: Any, n: int) -> dict[str, np.ndarray]:
        step = self.step
        hours = step.touch_minutes.sample(rng("touch"), n) / 60
        u = rng("outcome").random(n)
        return {"hours": hours, "outcome": outcome_draws(step, self.ctx.scenario, cases.source, u)}


def check_outcome_mixes(key: str, step: Any, scenario: Scenario, file: str) -> None:
    """Per-source outcome mixes name known sources and the step's own outcomes."""
    need_sources(file, f"{key}.outcomes_by_source", scenario, step.outcomes_by_source)
    for source, shares in step.outcomes_by_source.items():
        for outcome in shares:
            if outcome not in step.outcomes:
                raise ScenarioError(
                    file,
                    f"{key}.outcomes_by_source.{source}.{outcome}",
                    f"an outcome listed in {key}.outcomes (" + ", ".join(step.outcomes) + ")",
                    outcome,
                    hint=nearest(outcome, step.outcomes),
                )


def check(name: str, step: DecisionStep, scenario: Scenario, file: str) -> None:
    key = f"steps.{name}"
    need_team_role(file, key, scenario, step.team, step.role, caseload=False)
    check_outcome_mixes(key, step, scenario, file)


KIND = StepKind(
    name="decision",
    summary="a person's touch work ending in an outcome (triage, re-triage, sign-off)",
    schema=DecisionStep,
    runner=DecisionRunner,
    streams=("touch", "outcome"),
    touch_spans=(("started", "finished"),),
    outcome_counts=True,
    check=check,
)
