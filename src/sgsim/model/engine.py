"""The event loop: SimPy's, with the costs a pathway of millions of contacts cannot pay.

A contact in SimPy costs three events before any work: the timeout of the process that
feeds arrivals, the ``Initialize`` event that starts the contact's own process, and the
event its process schedules when it ends, though nobody waits for a contact. At England's
scale those were more than half of all events (``benchmarks/england.py``). ``Engine``:

- ``feed`` starts each case of a timetable from one timeout whose callback starts it,
  with no process in between, and ``after`` calls back after a delay the same way;
- ``case_now`` runs a case's process at once, in the turn of the event that starts it,
  where SimPy would queue an ``Initialize`` event to run it next;
- a case's process (``CaseProcess``) that ends schedules nothing when nobody waits for it;
- ``run_until`` steps through events in one loop, ``timeout`` schedules without SimPy's
  generic path, and timeouts due after the day being run wait outside the heap;
- ``call_later`` is a timeout for a case passing a step with no process at all (``direct``,
  ``sgsim.model.pathway``): a slotted ``Call`` whose callbacks the loop runs, where a case's
  process would resume its generators (frames not touched for days, at England's scale).

``SimPyEngine`` does the same with SimPy's own idioms (``env.process``, a process sleeping
until each arrival, ``env.run``): the reference the engine is checked against
(``tests/test_engine.py``: every event of every shipped scenario, bit for bit) and timed
against (``benchmarks/speed.py``). Every event keeps its time, priority and order of
scheduling relative to the others, so both give the same run.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from heapq import heappop, heappush
from typing import Any

import simpy
from simpy.core import NORMAL, URGENT
from simpy.events import PENDING, Event, Timeout

CaseGenerator = Generator[Any, Any, Any]
NEVER = 2**62  # the day of a timeout due at infinity (it never joins the heap)


class Call:
    """A callback due at a time: what ``call_later`` schedules. The loop treats it as an
    event (``callbacks``, ``_ok``); it carries the case and what the case holds."""

    __slots__ = ("callbacks", "case", "held")
    _ok = True

    def __init__(self, callbacks: tuple[Callable[[Call], None], ...], case: int, held: int) -> None:
        self.callbacks = callbacks
        self.case = case
        self.held = held


class Engine(simpy.Environment):
    """A SimPy environment with a tighter loop, a leaner timeout, and a small heap.

    Timeouts due after the slice of time being run wait in a list for their day, and join
    the heap when ``run_until`` reaches that day, with the order of scheduling they were
    given when created. The heap then holds a day's events, not every enquiry's end and
    every adult's return months ahead (most of its entries before), so each push and pop
    touches less memory. Run it with ``run_until`` only.
    """

    direct = True  # cases may pass steps by callbacks (``call_later``), with no process

    def __init__(self) -> None:
        super().__init__()
        self._until = 0.0  # the end of the slice being run
        self._later: dict[int, list[tuple[float, int, int, Any]]] = {}  # by day due
        self._later_days: list[int] = []  # the days in ``_later``, as a heap

    def timeout(self, delay: float, value: Any = None) -> Timeout:  # type: ignore[override]
        """SimPy's ``Timeout``, built and scheduled in place (the hottest call of a run)."""
        if delay < 0:
            raise ValueError(f"Negative delay {delay}")
        event = Timeout.__new__(Timeout)
        event.env = self
        event.callbacks = []
        event._value = value
        event._delay = delay
        event._ok = True
        at = self._now + delay
        entry = (at, NORMAL, next(self._eid), event)
        if at < self._until:
            heappush(self._queue, entry)
        else:
            self._wait_for_day(at, entry)
        return event

    def call_later(self, delay: float, call: Call) -> None:
        """Run ``call``'s callbacks after ``delay`` days: scheduled as ``timeout(delay)``
        would be, in its place among the events."""
        if delay < 0:
            raise ValueError(f"Negative delay {delay}")
        at = self._now + delay
        entry = (at, NORMAL, next(self._eid), call)
        if at < self._until:
            heappush(self._queue, entry)
        else:
            self._wait_for_day(at, entry)

    def _wait_for_day(self, at: float, entry: tuple[float, int, int, Any]) -> None:
        """Keep an entry due after the slice being run in its day's list."""
        day = int(at) if at < NEVER else NEVER  # work ending past the calendar: never
        waiting = self._later.get(day)
        if waiting is None:
            self._later[day] = waiting = []
            heappush(self._later_days, day)
        waiting.append(entry)

    def run_until(self, at: float) -> None:
        """Process events up to ``at``, exactly as ``run(until=at)`` does (the stop is an
        urgent event at ``at``, scheduled now), in one loop without a call per event."""
        queue, days = self._queue, self._later_days
        end = self._now + (at - self._now)  # SimPy's time for the stop, to the last bit
        while days and days[0] < end:
            for entry in self._later.pop(heappop(days)):
                heappush(queue, entry)
        self._until = end
        stop = Event(self)
        heappush(queue, (end, URGENT, next(self._eid), stop))
        while True:
            now, _, _, event = heappop(queue)
            self._now = now
            if event is stop:
                return
            callbacks, event.callbacks = event.callbacks, None
            for callback in callbacks:
                callback(event)
            if not event._ok and not hasattr(event, "_defused"):
                error = type(event._value)(*event._value.args)
                error.__cause__ = event._value
                raise error

    def case(self, generator: CaseGenerator) -> CaseProcess:
        """A case's process, started as SimPy starts one (cases there at time zero)."""
        return CaseProcess(self, generator)

    def case_now(self, generator: CaseGenerator) -> CaseProcess:
        """A case's process started at once: its first steps run in the caller's turn,
        where ``env.process`` would run them at an urgent event scheduled for now."""
        process = CaseProcess.__new__(CaseProcess)
        process.env = self
        process.callbacks = []
        process._value = PENDING
        process._generator = generator
        process._resume(_GO)  # type: ignore[arg-type]
        return process

    def feed(self, times: Sequence[float], start: Callable[[int], None]) -> None:
        """Call ``start(k)`` at ``times[k]`` (sorted), from time zero."""
        if len(times):
            _Feeder(self, times, start)

    def after(self, delay: float, start: Callable[[], object]) -> None:
        """Call ``start()`` after ``delay`` days."""
        self.timeout(delay).callbacks.append(lambda _: start())  # type: ignore[union-attr]

    def run(self, until: Any = None) -> None:
        raise NotImplementedError("an Engine runs with run_until(time)")

    def step(self) -> None:
        raise NotImplementedError("an Engine runs with run_until(time)")


class _Go:
    """What starts a process's generator: a successful event with no value."""

    _ok = True
    _value = None


_GO = _Go()


class CaseProcess(simpy.Process):
    """A SimPy process that schedules no event when it ends if nobody waits for it."""

    def _resume(self, event: Event) -> None:
        """SimPy's ``Process._resume``, less the event at the end that nobody waits for."""
        env = self.env
        env._active_proc = self
        generator = self._generator
        while True:
            try:
                if event._ok:
                    event = generator.send(event._value)
                else:
                    event._defused = True
                    error = type(event._value)(*event._value.args)
                    error.__cause__ = event._value
                    event = generator.throw(error)
            except StopIteration as stop:
                self._ok = True
                self._value = stop.args[0] if stop.args else None
                if self.callbacks:
                    env.schedule(self)
                else:
                    self.callbacks = None  # ended, and nothing to call
                event = None  # type: ignore[assignment]
                break
            except BaseException as failure:
                self._ok = False
                self._value = failure
                env.schedule(self)
                event = None  # type: ignore[assignment]
                break
            if event.callbacks is not None:
                event.callbacks.append(self._resume)
                break
        self._target = event
        env._active_proc = None


class _Feeder(Call):
    """Start case ``k`` of a timetable at ``times[k]``: a ``Call`` due at one start at a
    time (scheduled, as a feeding process would, at the previous start), which schedules
    itself for the next and then starts the case: no event built per case."""

    __slots__ = ("env", "firing", "next", "start", "times")

    def __init__(self, env: Engine, times: Sequence[float], start: Callable[[int], None]) -> None:
        self.firing = (self._fire,)  # its callbacks, set again each time it is scheduled
        super().__init__(self.firing, 0, 0)
        self.env = env
        self.times = times
        self.start = start
        self.next = 0
        self._schedule()

    def _schedule(self) -> None:
        env = self.env
        self.callbacks = self.firing
        env.call_later(self.times[self.next] - env._now, self)

    def _fire(self, _: Call) -> None:
        k = self.next
        self.next += 1
        if self.next < len(self.times):
            self._schedule()
        self.start(k)


class SimPyEngine(simpy.Environment):
    """The same interface with SimPy's own idioms and loop: the reference. Its cases
    pass every step in a process (a generator each), as SimPy models are written."""

    direct = False

    def case(self, generator: CaseGenerator) -> simpy.Process:
        return self.process(generator)

    def case_now(self, generator: CaseGenerator) -> simpy.Process:
        return self.process(generator)

    def feed(self, times: Sequence[float], start: Callable[[int], None]) -> None:
        self.process(self._feed(times, start))

    def _feed(self, times: Sequence[float], start: Callable[[int], None]) -> CaseGenerator:
        for k, t in enumerate(times):
            yield self.timeout(t - self.now)
            start(k)

    def after(self, delay: float, start: Callable[[], object]) -> None:
        self.process(self._after(delay, start))

    def _after(self, delay: float, start: Callable[[], object]) -> CaseGenerator:
        yield self.timeout(delay)
        start()

    def run_until(self, at: float) -> None:
        self.run(until=at)


Engines = Engine | SimPyEngine
