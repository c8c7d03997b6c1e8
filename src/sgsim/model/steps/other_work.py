"""Other work: non-safeguarding work holding a place in the same caseload.

Assessments, reviews and Deprivation of Liberty Safeguards arrive for the same people
(``demand.other_work``): each waits for a caseload place, holds it for elapsed working
days and takes touch hours from the same people in sessions, like an enquiry, so a full
caseload slows safeguarding and the caseload counts every open case. It feeds no
safeguarding count: only its own queue, wait and the staff figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sgsim.model.blocks import Streams
from sgsim.model.steps.base import StepKind, need_team_role
from sgsim.model.steps.enquiry import EnquiryRunner, mean_sessions
from sgsim.scenario.distributions import Distribution, Fixed
from sgsim.scenario.schema import Scenario, StaffedStep, spec


@dataclass(frozen=True, kw_only=True)
class OtherWorkStep(StaffedStep):
    """A piece of other work: a caseload place held for working days, with touch hours."""

    duration_working_days: Distribution = spec(doc="elapsed working days holding a place")
    touch_hours: Distribution = spec(Fixed(0.0), doc="practitioner hours per piece of work")
    session_every_working_days: float = spec(
        0.0, ge=0, doc="touch hours in sessions this far apart, e.g. 5 (0: all at the start)"
    )

    def caseload(self) -> tuple[tuple[str, str], ...]:
        return self.staff()

    def touch_sessions(self, risk_levels: dict[str, float]) -> float:
        every = self.session_every_working_days
        return mean_sessions(self.duration_working_days.mean, every, self.touch_hours)


class OtherWorkRunner(EnquiryRunner):
    """An enquiry's way through a caseload, for other work."""

    def draw(self, rng: Streams, cases: Any, n: int) -> dict[str, np.ndarray]:
        return {
            "days": self.step.duration_working_days.sample(rng("duration"), n),
            "hours": self.step.touch_hours.sample(rng("touch"), n),
        }


def check(name: str, step: OtherWorkStep, scenario: Scenario, file: str) -> None:
    need_team_role(file, f"steps.{name}", scenario, step.team, step.role, caseload=True)


KIND = StepKind(
    name="other_work",
    summary="other work (assessments, reviews) holding a place in the same caseload",
    schema=OtherWorkStep,
    runner=OtherWorkRunner,
    streams=("duration", "touch"),
    touch_spans=(("work_started", "work_done"),),
    place_span=("started", "finished"),
    check=check,
)
