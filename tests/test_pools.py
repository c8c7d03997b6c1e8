"""A pool's waiting line against the simplest line there is: a list kept sorted."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from sgsim.model.pools import WaitingLine


@dataclass(eq=False)
class Request:
    """What the line reads of a SimPy priority request."""

    priority: int
    time: float


# Each step: a case joins (priority, time: mostly the clock, sometimes an earlier time, as
# a request put back at a review keeps its own), the case at the head is served, or a
# waiting case leaves (cancels).
steps = st.lists(
    st.one_of(
        st.tuples(st.just("join"), st.integers(0, 2), st.integers(-3, 2)),
        st.tuples(st.just("serve"), st.just(0), st.just(0)),
        st.tuples(st.just("leave"), st.integers(0, 50), st.just(0)),
    ),
    max_size=80,
)


@given(steps)
def test_served_best_first_by_priority_then_time_then_joining(ops):
    line, model = WaitingLine(), []  # model: (priority, time, joined, request), sorted
    clock, joined = 0.0, 0
    for op, a, b in ops:
        if op == "join":
            clock += 1.0
            request = Request(a, clock + min(b, 0))  # b < 0: an earlier time kept
            line.append(request)
            model.append((a, request.time, joined, request))
            model.sort(key=lambda e: e[:3])
            joined += 1
        elif op == "serve" and model:
            assert line[0] is model[0][3]
            assert line.pop(0) is model.pop(0)[3]
        elif op == "leave" and model:
            request = model.pop(a % len(model))[3]
            line.remove(request)
        assert len(line) == len(model)
        assert line.requests() == [e[3] for e in model]
