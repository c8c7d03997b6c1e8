"""Staff pools: people of a role doing touch-time tasks, and caseload places for enquiries.

A role's effective staff (headcount x FTE x (1 - absence)) is usually fractional. The pool
has ``round(effective)`` people (at least one) and stretches each task by
``people / effective``, so the hours of capacity a year are exact whatever the rounding.
Each person and caseload place has an id, given out on request, for animation tools.
"""

from __future__ import annotations

import simpy

from sgsim.calendar import WorkingClock
from sgsim.scenario import Role


class Pool:
    """A PriorityResource (urgent first, then first come) with ids for its servers."""

    def __init__(self, env: simpy.Environment, size: int) -> None:
        self.size = size
        self.resource = simpy.PriorityResource(env, capacity=size)
        self.free = list(range(size, 0, -1))


class StaffPool(Pool):
    """The people of one role, on one working calendar."""

    def __init__(self, env: simpy.Environment, role: Role, clock: WorkingClock) -> None:
        people = staff_count(role)
        super().__init__(env, people)
        self.clock = clock
        self.stretch = people / role.effective_staff


class CaseloadPool(Pool):
    """The caseload places of one role: practitioners x cap."""

    def __init__(self, env: simpy.Environment, role: Role) -> None:
        super().__init__(env, caseload_places(role))


def staff_count(role: Role) -> int:
    """People in the pool: effective staff rounded, at least one."""
    return max(1, round(role.effective_staff))


def caseload_places(role: Role) -> int:
    """Open enquiries the role can hold at once."""
    return max(1, round(role.effective_staff * role.caseload_cap))
