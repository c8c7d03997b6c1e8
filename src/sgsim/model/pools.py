"""Staff pools: people of a role doing touch-time tasks, and caseload places for enquiries.

A role's effective staff (headcount x FTE x (1 - absence)) is usually fractional. The pool
has ``round(effective)`` people (at least one) and stretches each task by
``people / effective``, so the hours of capacity a year are exact whatever the rounding.
Each person and caseload place has an id, given out on request, for animation tools.

``Pool`` is a non-preemptive priority resource (urgent first, then first come) like SimPy's
PriorityResource, but it hands a free server over without scheduling an event: most
requests find someone free, and skipping that event is what keeps sgsim within a small
factor of a bare SimPy queue (see benchmarks/speed.py).
"""

from __future__ import annotations

import heapq

import simpy

from sgsim.model.calendar import WorkingClock
from sgsim.scenario.schema import Role


class Pool:
    """``size`` servers; waiting requests are served by (priority, arrival order)."""

    def __init__(self, env: simpy.Environment, size: int) -> None:
        self.env = env
        self.size = size
        self.busy = 0
        self.waiting: list[tuple[int, int, simpy.Event]] = []
        self.arrivals = 0
        self.free = list(range(size, 0, -1))

    def acquire(self, priority: int) -> simpy.Event | None:
        """None if a server was free and is now held; else an event fired when one is."""
        if self.busy < self.size:
            self.busy += 1
            return None
        event = self.env.event()
        heapq.heappush(self.waiting, (priority, self.arrivals, event))
        self.arrivals += 1
        return event

    def release(self) -> None:
        """Hand the server to the first waiting request, or free it."""
        if self.waiting:
            heapq.heappop(self.waiting)[2].succeed()
        else:
            self.busy -= 1


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
