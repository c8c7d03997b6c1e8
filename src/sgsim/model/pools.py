"""Pools: the people of a role doing touch-time tasks, and caseload places for enquiries.

A pool is a SimPy ``PriorityResource`` (urgent first, then first come), so a waiting
request is an ordinary SimPy request event that a process can ``cancel()`` (a case that
leaves a waiting list). Two changes make it fit a pathway of tens of thousands of cases:

- the waiting line is a heap with lazy removal, not SimPy's list re-sorted on every
  append (which is quadratic in a backlog of thousands);
- ``take`` hands a free server over without creating a request event when nobody is
  waiting (most requests): ``benchmarks/speed.py`` measures what this fast path saves.

Every person and caseload place has an id, for animation tools (vidigi's resource_id); ids
never used are counted, not listed, so a caseload of a million places costs nothing.

A role's effective staff (headcount x FTE x (1 - absence)) is usually fractional, and a
fixed share of their hours may go to other work. The staff pool has ``round(effective)``
people (at least one) and stretches each task by ``people / (effective x (1 - other work
share))``, so the hours the pathway gets a year are exact whatever the rounding.
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque

import simpy
from simpy.events import PENDING
from simpy.resources.resource import PriorityRequest

from sgsim.model.calendar import WorkingClock
from sgsim.model.engine import Call
from sgsim.model.rota import Roster
from sgsim.scenario.schema import PRIORITIES, Role

Entry = tuple[int, float, int, "PriorityRequest | Call"]  # priority, time, order, waiter


class Waiting(PriorityRequest):
    """A SimPy priority request for a case that found no server free.

    Built directly, without SimPy's generic put machinery (which would try to grant it,
    though we know no server is free, and attach a release callback we never use): one
    in three contacts waits somewhere, so this matters for speed. It is still a SimPy
    request: ``yield`` it, or ``cancel()`` it to leave the waiting line.
    """

    def __init__(self, pool: Pool, priority: int, since: float | None = None) -> None:
        env = pool._env
        self.env = env
        self.callbacks = []
        self._value = PENDING
        self.resource = pool
        self.proc = env.active_process
        self.priority = priority
        self.preempt = False
        self.time = env.now if since is None else since  # its place among equal priority
        self.key = (priority, self.time, True)
        pool.put_queue.append(self)


class WaitingLine:
    """SimPy's put-queue interface: best first by (priority, time, order of joining).

    Cases join a line mostly in time order (a request put back at a review or an
    escalation keeps its first time), so each priority has a first-in first-out line of
    the cases that joined it in order, and a heap holds any that did not: the head is the
    best of their heads. No heap to sift for a backlog of thousands, where a heap of all
    of them cost a tenth of an England-sized run.

    ``remove`` (what ``request.cancel()`` calls) marks the request; marked entries are
    dropped when they reach the head, so cancelling costs O(1).
    """

    def __init__(self) -> None:
        self._lines: list[deque[Entry]] = [deque() for _ in PRIORITIES]
        self._heap: list[Entry] = []
        self._order = itertools.count()
        self._cancelled: set[int] = set()
        self._in_line: set[int] = set()  # ids of the requests in line, cancelled or not
        self.waiting = 0  # requests still waiting (the pools read it: no call per check)

    def append(self, request: PriorityRequest) -> None:
        self.add(request.priority, request.time, request)
        self._in_line.add(id(request))

    def add(self, priority: int, since: float, waiter: PriorityRequest | Call) -> None:
        """Put a request, or a case's ``Call`` (which cannot leave the line), in line."""
        entry = (priority, since, next(self._order), waiter)
        self.waiting += 1
        if 0 <= priority < len(self._lines):
            line = self._lines[priority]
            if not line or line[-1][1] <= since:
                line.append(entry)
                return
        heapq.heappush(self._heap, entry)

    def remove(self, request: PriorityRequest) -> None:
        if id(request) in self._cancelled or id(request) not in self._in_line:
            raise ValueError("request is not waiting")
        self._cancelled.add(id(request))
        self.waiting -= 1

    def _first(self) -> deque[Entry] | None:
        """The line whose head is the best entry (None: the heap's head is)."""
        heap = self._heap
        for line in self._lines:
            if line:
                return None if heap and heap[0] < line[0] else line
        return None

    def _head(self) -> Entry:
        line = self._first()
        return self._heap[0] if line is None else line[0]

    def _take_first(self) -> PriorityRequest | Call:
        """Remove the best entry, cancelled or not."""
        line = self._first()
        entry = heapq.heappop(self._heap) if line is None else line.popleft()
        self._in_line.discard(id(entry[3]))
        return entry[3]

    def _drop_cancelled(self) -> None:
        while self.waiting and id(self._head()[3]) in self._cancelled:
            self._cancelled.discard(id(self._take_first()))

    def __len__(self) -> int:
        return self.waiting

    def requests(self) -> list[PriorityRequest | Call]:
        """The requests still waiting, best first (for a hand-over on a date)."""
        entries = sorted([*self._heap, *(e for line in self._lines for e in line)])
        return [e[3] for e in entries if id(e[3]) not in self._cancelled]

    def __bool__(self) -> bool:
        return self.waiting > 0

    def __getitem__(self, index: int) -> PriorityRequest | Call:
        if index != 0:
            raise IndexError("only the head of a waiting line can be read")
        if self._cancelled:
            self._drop_cancelled()
        return self._head()[3]

    def pop(self, index: int = 0) -> PriorityRequest | Call:
        if index != 0:
            raise IndexError("only the head of a waiting line can be taken")
        if self._cancelled:
            self._drop_cancelled()
        self.waiting -= 1
        return self._take_first()


class FreeIds:
    """The ids of a pool's free servers: 1, 2, 3... first, then those given back, the
    last given back first (the order of a list of every id, counting down, used as a
    stack). Ids never yet handed out are counted, not listed."""

    def __init__(self) -> None:
        self._given_back: list[int] = []
        self._next = 1

    def pop(self) -> int:
        if self._given_back:
            return self._given_back.pop()
        self._next += 1
        return self._next - 1

    def append(self, server: int) -> None:
        self._given_back.append(server)


class Pool(simpy.PriorityResource):
    """``capacity`` servers with ids; waiting requests served by (priority, arrival)."""

    PutQueue = WaitingLine

    def __init__(self, env: simpy.Environment, capacity: int, fast_path: bool = True) -> None:
        super().__init__(env, capacity)
        self.holding = 0
        self.free = FreeIds()
        self.fast_path = fast_path

    @property
    def count(self) -> int:
        """Servers in use."""
        return self.holding

    def take(self, priority: int) -> PriorityRequest | None:
        """None if a server was free and is now held; else a request to ``yield``."""
        if self.holding < self._capacity and not self.put_queue.waiting:
            if self.fast_path:
                self.holding += 1
                return None
            return self.request(priority=priority)  # SimPy's own path, granted at once
        return Waiting(self, priority)

    def join(self, priority: int, call: Call) -> bool:
        """``take`` for a case passing by callbacks: True if a server was free and is now
        held; else ``call`` waits in line, with no request event, and is scheduled as the
        request would be when granted."""
        if self.holding < self._capacity and not self.put_queue.waiting:
            if self.fast_path:
                self.holding += 1
                return True
            self.put_queue.add(priority, self._env.now, call)  # as SimPy's request would
            self._trigger_put(None)
            return False
        self.put_queue.add(priority, self._env.now, call)
        return False

    def resize(self, capacity: int) -> None:
        """Change the number of servers (a change of staffing on a date): new ones start
        on waiting cases at once; with fewer, those in use above the new number finish
        their work first."""
        self._capacity = capacity
        if self.put_queue:
            self._trigger_put(None)

    def give_back(self) -> None:
        """Free a server and hand it to the first waiting request, if any."""
        self.holding -= 1
        if self.put_queue.waiting:
            self._trigger_put(None)

    def _trigger_put(self, get_event: object) -> None:
        """Grant waiting requests, best first, while servers are free (SimPy's loop, for a
        line whose head is always the next to serve)."""
        line, env = self.put_queue, self._env
        while line.waiting and self.holding < self._capacity:
            request = line.pop(0)
            self.holding += 1
            if not isinstance(request, Call):  # a SimPy request: succeed it
                request.usage_since = env.now
                # request.succeed(), written out: a waiting request is pending by construction
                request._ok = True
                request._value = None
            env.schedule(request)

    def _trigger_get(self, put_event: object) -> None:
        """Servers are given back with ``give_back``, not with SimPy release events."""


class StaffPool(Pool):
    """The people of one role in one team, on one working calendar."""

    def __init__(
        self, env: simpy.Environment, role: Role, clock: WorkingClock, fast_path: bool = True
    ) -> None:
        super().__init__(env, staff_count(role), fast_path)
        self.clock = clock
        self.stretch = task_stretch(role)

    def restaff(self, role: Role, clock: WorkingClock) -> None:
        """The role as a change on a date redefines it: its people, hours and calendar."""
        people = staff_count(role)
        self.clock = clock
        self.stretch = task_stretch(role)
        self.resize(people)


# People go off this long before a shift's end (about 0.1 s), so a task whose end lands on
# the end of the shift, give or take the last bits of a float, does not start another.
SHIFT_END_MARGIN_DAYS = 1e-6


class ShiftPool(Pool):
    """The people of a role working shifts (``sgsim.model.rota``): as many servers as
    people are on, changed by a process at each change of shift. Someone going off
    finishes the task in hand; a task waiting when nobody is on starts when the next shift
    does. With overtime, when more than ``when_queue_over`` cases wait as people go off,
    up to ``max_people`` of them stay ``extra_hours`` more; ``overtime`` lists each stay
    as (start, end, people)."""

    def __init__(
        self,
        env: simpy.Environment,
        role: Role,
        clock: WorkingClock,
        roster: Roster,
        fast_path: bool = True,
    ) -> None:
        super().__init__(env, 1, fast_path)  # SimPy wants a capacity > 0 to start with
        self._capacity = 0
        self.clock = clock
        self.stretch = task_stretch(role)
        self.policy = role.overtime
        self.rostered = 0
        self.extra = 0
        self.overtime: list[tuple[float, float, int]] = []
        env.process(self._shifts(roster.changes()))

    def _shifts(self, changes: list[tuple[float, int]]) -> simpy.events.ProcessGenerator:
        env = self._env
        for time, people in changes:
            going_off = self.rostered - people
            at = time - SHIFT_END_MARGIN_DAYS if going_off > 0 else time
            if at > env.now:
                yield env.timeout(at - env.now)
            self.rostered = people
            policy = self.policy
            long_queue = policy is not None and len(self.put_queue) > policy.when_queue_over
            if policy is not None and going_off > 0 and long_queue:
                staying = min(policy.max_people, going_off)
                self.extra += staying
                self.overtime.append((time, time + policy.extra_hours / 24, staying))
                env.process(self._go_off(staying, policy.extra_hours))
            self._on_duty()

    def _go_off(self, people: int, hours: float) -> simpy.events.ProcessGenerator:
        """Those staying on go off after their extra hours (the stay is recorded from the
        shift's end; they stay from as early as everyone goes off)."""
        yield self._env.timeout(hours / 24)
        self.extra -= people
        self._on_duty()

    def _on_duty(self) -> None:
        """Servers are the people on; more on serve the waiting line at once."""
        self._capacity = self.rostered + self.extra
        self._trigger_put(None)


class CaseloadPool(Pool):
    """The caseload places of one role in one team: practitioners x cap."""

    def __init__(self, env: simpy.Environment, role: Role, fast_path: bool = True) -> None:
        super().__init__(env, caseload_places(role), fast_path)


def staff_count(role: Role) -> int:
    """People in the pool: effective staff rounded, at least one."""
    return max(1, round(role.effective_staff))


def task_stretch(role: Role) -> float:
    """How much longer each task takes than its touch time, so that the simulated people
    give the hours the role's people at work give the pathway: people simulated / pathway
    staff; with a rota, whose simulated people are those rostered, 1 / the share of them
    at work on the pathway."""
    if role.rota:
        return 1 / ((1 - role.absence_rate) * (1 - role.other_work_share))
    return staff_count(role) / role.pathway_staff


def caseload_places(role: Role) -> int:
    """Open enquiries the role can hold at once."""
    return max(1, round(role.effective_staff * role.caseload_cap))
