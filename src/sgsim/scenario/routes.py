"""Routes: where each case goes after each step, compiled and checked once.

A step's routes are tried in order and the first whose conditions all match is taken. A
case's route depends only on the step's outcome and on attributes drawn on arrival
(source, subject, area, priority, risk level), so the whole routing of a scenario is a
finite table: for each step, outcome and combination of attributes, the next step. The
model looks routes up in that table; validation reads it to find routes that are missing,
steps no case can reach, and loops no case can leave.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from sgsim.scenario.errors import ScenarioError
from sgsim.scenario.schema import ROUTE_ATTRIBUTES, Route, Scenario, Step
from sgsim.scenario.suggest import nearest


def attribute_combinations(s: Scenario) -> Iterator[tuple[str, ...]]:
    """Every combination of route attributes, in route-key order (the last varies fastest)."""
    return itertools.product(*(s.demand.categories(a) for a in ROUTE_ATTRIBUTES))


def _matches(route: Route, outcome: str, combo: tuple[str, ...]) -> bool:
    if route.outcome and outcome not in route.outcome:
        return False
    for name, value in zip(ROUTE_ATTRIBUTES, combo, strict=True):
        accepted = route.condition(name)
        if accepted and value not in accepted:
            return False
    return True


def route_table(s: Scenario, step: Step) -> list[list[str | None]]:
    """The next step's name by [outcome index][route key]; None where no route matches."""
    return _targets(step, _taken(s, step))


def _taken(s: Scenario, step: Step) -> list[list[int | None]]:
    """The index of the route taken (the first that matches) by [outcome][route key]."""
    routes = step.all_routes()
    combos = list(attribute_combinations(s))
    return [
        [next((k for k, r in enumerate(routes) if _matches(r, outcome, c)), None) for c in combos]
        for outcome in step.outcome_names()
    ]


def _targets(step: Step, taken: list[list[int | None]]) -> list[list[str | None]]:
    """The next step's name for each route taken."""
    routes = step.all_routes()
    return [[routes[k].to if k is not None else None for k in row] for row in taken]


def check_routes(s: Scenario, file: str) -> dict[str, list[list[str | None]]]:
    """Check every route and return the tables; raise ScenarioError on the first fault."""
    tables = {}
    for name, step in s.steps.items():
        _check_conditions(s, name, step, file)
        taken = _taken(s, step)
        _check_all_taken(name, step, taken, file)
        table = _targets(step, taken)
        _check_complete(s, name, step, table, file)
        tables[name] = table
    _check_graph(s, tables, file)
    return tables


def _check_conditions(s: Scenario, name: str, step: Step, file: str) -> None:
    """Each route names a known step and known values."""
    key = f"steps.{name}.routes"
    if step.next is not None and step.routes:
        raise ScenarioError(
            file,
            key,
            'either next or routes (in a file that extends another, set next = "none")',
            "<both>",
        )
    for k, route in enumerate(step.all_routes()):
        where = f"steps.{name}.next" if step.next is not None else f"{key}[{k}]"
        if route.to not in s.steps:
            raise ScenarioError(
                file,
                f"{where}.to" if step.next is None else where,
                "a step under [steps] (" + ", ".join(s.steps) + ")",
                route.to,
                hint=nearest(route.to, s.steps),
            )
        conditions = {"outcome": step.outcome_names()} | {
            a: s.demand.categories(a) for a in ROUTE_ATTRIBUTES
        }
        for attribute, known in conditions.items():
            for value in route.condition(attribute):
                if value not in known:
                    raise ScenarioError(
                        file,
                        f"{where}.{attribute}",
                        f"a {attribute.replace('_', ' ')} of this scenario ("
                        + ", ".join(known)
                        + ")",
                        value,
                        hint=nearest(value, known),
                    )


def _check_all_taken(name: str, step: Step, taken: list[list[int | None]], file: str) -> None:
    """Every route is the first to match for some outcome and case: one that the routes
    before it always take first does nothing (a catch-all too early, say)."""
    used = {k for row in taken for k in row}
    for k in range(len(step.all_routes())):
        if k not in used:
            raise ScenarioError(
                file,
                f"steps.{name}.routes[{k}]",
                "a route some case takes (the routes before it take every case it matches)",
                "<a route no case takes>",
            )


def _check_complete(
    s: Scenario, name: str, step: Step, table: list[list[str | None]], file: str
) -> None:
    """Every outcome a case can have here, with any attributes, has a route."""
    combos = list(attribute_combinations(s))
    for o, outcome in enumerate(step.outcome_names()):
        for k, combo in enumerate(combos):
            if table[o][k] is None:
                described = ", ".join(
                    f"{a} {v}" for a, v in zip(ROUTE_ATTRIBUTES, combo, strict=True)
                )
                raise ScenarioError(
                    file,
                    f"steps.{name}.routes",
                    "a route for every outcome and case",
                    f"<none for outcome {outcome!r} with {described}>",
                )


def _check_graph(s: Scenario, tables: dict[str, list[list[str | None]]], file: str) -> None:
    """Entries name steps and come before routing, no case goes round a loop, and every
    step is reached. Without loops, and with a route for every outcome, every case ends
    at an exit."""
    _check_entry_names(s, file)
    combos = list(attribute_combinations(s))
    per_key = [_edges(s, tables, k) for k in range(len(combos))]
    extra = _other_entries(s)
    for k, combo in enumerate(combos):
        loop = next(
            (
                found
                for e in (s.entry_step(combo[0]), *extra)
                if (found := _find_loop(e, per_key[k]))
            ),
            [],
        )
        if loop:
            raise ScenarioError(
                file,
                f"steps.{loop[0]}.routes",
                "routes without a loop (a case's chances at a step are drawn once, so a "
                "case sent back would go round for ever)",
                "<a loop " + " -> ".join(loop) + ">",
            )
    _check_entries(s, per_key, combos, file)
    reached: set[str] = set()
    for k, combo in enumerate(combos):
        for entry in (s.entry_step(combo[0]), *extra):
            reached |= _reach(entry, per_key[k])
    for name in s.steps:
        if name not in reached:
            raise ScenarioError(
                file,
                f"steps.{name}",
                "a step that some route or entry point reaches",
                "<a step no case reaches>",
            )


def _other_entries(s: Scenario) -> tuple[str, ...]:
    """Steps where cases start other than by a source's entry: other work, backlogs."""
    entries = [work.entry for work in s.demand.other_work.values()]
    return tuple(dict.fromkeys([*entries, *s.backlog]))


def _find_loop(start: str, edges: dict[str, set[str]]) -> list[str]:
    """A loop reachable from ``start``, as the steps round it, or [] if there is none.

    A depth-first search with its own stack, not Python's: a pathway may be a chain of
    thousands of steps."""
    path = [start]
    on_path = {start}
    todo = [iter(sorted(edges[start]))]  # the next steps still to follow, per step on path
    finished: set[str] = set()
    while todo:
        nxt = next(todo[-1], None)
        if nxt is None:
            done = path.pop()
            on_path.discard(done)
            finished.add(done)
            todo.pop()
        elif nxt in on_path:
            return [*path[path.index(nxt) :], nxt]
        elif nxt not in finished:
            path.append(nxt)
            on_path.add(nxt)
            todo.append(iter(sorted(edges[nxt])))
    return []


def _edges(s: Scenario, tables: dict[str, list[list[str | None]]], key: int) -> dict[str, set[str]]:
    """Next steps a case with this route key can be sent to, by any outcome.

    Judged on the routes alone, not on chances: a chance set to zero today may not be
    zero in a sweep tomorrow.
    """
    return {name: {t for row in tables[name] if (t := row[key]) is not None} for name in s.steps}


def _reach(start: str, edges: dict[str, set[str]]) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for nxt in edges[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _check_entry_names(s: Scenario, file: str) -> None:
    for source, spec_ in s.demand.sources.items():
        if spec_.entry is not None and spec_.entry not in s.steps:
            raise ScenarioError(
                file,
                f"demand.sources.{source}.entry",
                "a step under [steps] (" + ", ".join(s.steps) + ")",
                spec_.entry,
                hint=nearest(spec_.entry, s.steps),
            )


def _check_entries(
    s: Scenario, per_key: list[dict[str, set[str]]], combos: list[tuple[str, ...]], file: str
) -> None:
    """A source entering late must not skip a step whose routes pick out that source."""
    pathway: dict[str, set[str]] = {name: set() for name in s.steps}  # any case's routes
    for edges in per_key:
        for name, targets in edges.items():
            pathway[name] |= targets
    for source, spec_ in s.demand.sources.items():
        if spec_.entry is None:
            continue
        from_entry: set[str] = set()
        for edges, combo in zip(per_key, combos, strict=True):
            if combo[0] == source:
                from_entry |= _reach(spec_.entry, edges)
        for name, step in s.steps.items():
            routes_source = any(source in r.source for r in step.all_routes())
            if routes_source and name not in from_entry and spec_.entry in _reach(name, pathway):
                raise ScenarioError(
                    file,
                    f"demand.sources.{source}.entry",
                    f"an entry at or before step {name!r}, whose routes decide where "
                    f"contacts from {source!r} go",
                    spec_.entry,
                )
