"""The Care Act s42(1) three-stage test: is there a duty to make enquiries?

A qualified person applies the three criteria to a concern: (1) needs for care and
support, (2) experiencing or at risk of abuse or neglect, (3) as a result unable to protect
themself. All three: a **s42 enquiry**. Otherwise, with some chance, an **other
(non-statutory) enquiry**; else **no enquiry**. Reaching this step is what makes a contact
a *concern* in the funnel, and its end is the decision that timeliness targets count to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sgsim.model.blocks import Streams
from sgsim.model.steps.base import (
    Count,
    StepKind,
    TouchRunner,
    need_sources,
    need_team_role,
)
from sgsim.scenario.distributions import Distribution
from sgsim.scenario.limits import MAX_RUN_DAYS
from sgsim.scenario.schema import Scenario, StaffedStep, spec

OUTCOMES = ("s42_enquiry", "other_enquiry", "no_enquiry")


@dataclass(frozen=True)
class Criteria:
    """Source-specific chances of the three criteria; unset ones use the step's own."""

    needs_care_and_support: float | None = spec(None, prob=True)
    abuse_or_neglect: float | None = spec(None, prob=True)
    unable_to_protect: float | None = spec(None, prob=True)


@dataclass(frozen=True, kw_only=True)
class S42TestStep(StaffedStep):
    """The three-stage test applied by a qualified person to each concern."""

    touch_minutes: Distribution = spec(doc="minutes of work per decision")
    needs_care_and_support: float = spec(prob=True, doc="chance of criterion 1")
    abuse_or_neglect: float = spec(prob=True, doc="chance of criterion 2")
    unable_to_protect: float = spec(prob=True, doc="chance of criterion 3")
    other_enquiry_probability: float = spec(
        0.0, prob=True, doc="chance of an other enquiry when not all three"
    )
    decision_target_working_days: int | None = spec(
        None, ge=0, le=MAX_RUN_DAYS, doc="target from contact to decision, if the council has one"
    )
    by_source: dict[str, Criteria] = spec({}, doc="criteria chances for one source")

    def own_outcomes(self) -> tuple[str, ...]:
        return OUTCOMES

    def criteria(self, source: str) -> tuple[float, float, float]:
        over = self.by_source.get(source, Criteria())
        return (
            _first(over.needs_care_and_support, self.needs_care_and_support),
            _first(over.abuse_or_neglect, self.abuse_or_neglect),
            _first(over.unable_to_protect, self.unable_to_protect),
        )

    def outcome_shares(self, source: str) -> dict[str, float]:
        s42 = float(np.prod(self.criteria(source)))
        other = (1 - s42) * self.other_enquiry_probability
        return dict(zip(OUTCOMES, (s42, other, 1 - s42 - other), strict=True))


def _first(value: float | None, default: float) -> float:
    return default if value is None else value


class S42TestRunner(TouchRunner):
    """One person's touch time; the outcome follows from the drawn criteria."""

    def draw(self, rng: Streams, cases: Any, n: int) -> dict[str, np.ndarray]:
        step = self.step
        sources = self.ctx.scenario.demand.categories("source")
        criteria = np.array([step.criteria(name) for name in sources])[
            np.asarray(cases.source, dtype=np.int64)
        ]
        s42 = (rng("criteria").random((n, 3)) < criteria.reshape(n, 3)).all(axis=1)
        other = rng("other_enquiry").random(n) < step.other_enquiry_probability
        return {
            "outcome": np.where(s42, 0, np.where(other, 1, 2)),
            "hours": step.touch_minutes.sample(rng("touch"), n) / 60,
        }


def check(name: str, step: S42TestStep, scenario: Scenario, file: str) -> None:
    key = f"steps.{name}"
    need_team_role(file, key, scenario, step.team, step.role, caseload=False)
    need_sources(file, f"{key}.by_source", scenario, step.by_source)


KIND = StepKind(
    name="s42_test",
    summary="the Care Act s42(1) three-stage test: s42, other or no enquiry",
    schema=S42TestStep,
    runner=S42TestRunner,
    streams=("touch", "criteria", "other_enquiry"),
    touch_spans=(("started", "finished"),),
    totals={
        "concerns": Count("queued", None, "funnel", "concerns (after triage)"),
        "s42_enquiries": Count("finished", "s42_enquiry", "funnel", "s42 enquiries started"),
        "other_enquiries": Count(
            "finished", "other_enquiry", "funnel", "other (non-statutory) enquiries"
        ),
    },
    outcome_counts=False,
    wait_name="decision",
    decides=True,
    check=check,
)
