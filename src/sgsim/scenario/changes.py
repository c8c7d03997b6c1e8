"""``[[changes]]``: a change of design on a date inside a run.

A change is a partial scenario, as a file that extends another is: its ``teams`` and
``steps`` tables are merged over the design in force before it (key by key, "none"
removing a step, team or role), and the result is checked as a whole scenario, with every
check a file gets. So a run with changes is a list of periods, each a valid scenario of
its own; the Scenario the rest of sgsim sees has every period's steps and teams (each
with its latest definition) and the periods themselves (``Scenario.periods``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from sgsim.scenario import schema as sc
from sgsim.scenario.errors import ScenarioError
from sgsim.scenario.reading import Origins, merge_tables
from sgsim.scenario.suggest import nearest

CHANGE_KEYS = ("on", "open_cases", "description", "teams", "steps")
EDITS = ("teams", "steps")  # what a change may change: the design, not demand or the run
MAX_CHANGES = 100


def build_with_changes(
    raw: Mapping[str, Any], file: str, build: Callable[[Mapping[str, Any], str], sc.Scenario]
) -> sc.Scenario:
    """The scenario ``raw`` holds, built by ``build``; with ``[[changes]]``, the scenario
    of every period, each built by ``build`` from the design before it and its change."""
    if "periods" in raw:
        raise ScenarioError(
            file, "periods", "a known key (periods are made from [[changes]])", "<periods>"
        )
    changes = raw.get("changes", [])
    before = {k: v for k, v in raw.items() if k != "changes"}
    base = build(before, file)
    if not isinstance(changes, list) or not all(isinstance(c, Mapping) for c in changes):
        raise ScenarioError(file, "changes", "a list of tables, each [[changes]]", changes)
    if not changes:
        return base
    if len(changes) > MAX_CHANGES:
        raise ScenarioError(file, "changes", f"at most {MAX_CHANGES} changes", len(changes))
    periods = [sc.Period(start_day=0.0, scenario=base)]
    for k, change in enumerate(changes, 1):
        key = f"changes[{k}]"
        on = _check_change(change, key, file, base, periods[-1].on)
        _check_kinds(periods[-1].scenario, change.get("steps", {}), key, file)
        origins = Origins(file)
        before = merge_tables(before, {e: change[e] for e in EDITS if e in change}, origins, file)
        try:  # starting backlogs belong to the start: a later design may drop their step
            after = build({name: v for name, v in before.items() if name != "backlog"}, file)
        except ScenarioError as exc:
            exc.key = f"{key} (the design from {on}): {exc.key}"
            if exc.got == "<nothing>" and not exc.hint:
                exc.hint = origins.misspelling(exc.key.rsplit(": ", 1)[-1])
            raise
        _check_shift_roles(periods[-1].scenario, after, key, file)
        periods.append(
            sc.Period(
                start_day=float(base.run.warmup_days + (on - base.run.start_date).days),
                scenario=after,
                on=on,
                open_cases=change.get("open_cases", "stay"),
                description=str(change.get("description", "")),
            )
        )
    return _whole(periods)


def _check_change(
    change: Mapping[str, Any], key: str, file: str, base: sc.Scenario, previous: dt.date | None
) -> dt.date:
    """A change has only the keys a change may have, something to change, a date inside
    the measured period after the previous change's, and a rule for open cases."""
    for name in change:
        if name not in CHANGE_KEYS:
            raise ScenarioError(
                file,
                f"{key}.{name}",
                "a key a change may have (" + ", ".join(CHANGE_KEYS) + "): a change edits "
                "teams and steps; demand, the run and the calendar are the same all run",
                "<an unknown key>",
                hint=nearest(str(name), CHANGE_KEYS),
            )
    for edit in EDITS:
        if edit in change and not isinstance(change[edit], Mapping):
            raise ScenarioError(file, f"{key}.{edit}", f"a table [changes.{edit}]", change[edit])
    if not any(change.get(e) for e in EDITS):
        raise ScenarioError(file, key, "a [changes.teams] or [changes.steps] table", "<nothing>")
    on = change.get("on")
    if isinstance(on, dt.datetime):
        on = on.date()
    if not isinstance(on, dt.date):
        raise ScenarioError(file, f"{key}.on", "a date like 2018-10-01", on)
    start = base.run.start_date
    end = start + dt.timedelta(days=base.run.run_days)
    if not start < on < end:
        raise ScenarioError(
            file,
            f"{key}.on",
            f"a date after run.start_date and before the run's end ({start} < on < {end}); "
            "a change in the warm-up belongs in the design the file starts with",
            on,
        )
    if previous is not None and on <= previous:
        raise ScenarioError(
            file,
            f"{key}.on",
            f"a date after the previous change's ({previous}): changes are given in date "
            "order, one a date, each period running until the next change",
            on,
        )
    rule = change.get("open_cases", "stay")
    if rule not in sc.OPEN_CASES:
        raise ScenarioError(file, f"{key}.open_cases", "one of " + ", ".join(sc.OPEN_CASES), rule)
    if not isinstance(change.get("description", ""), str):
        raise ScenarioError(file, f"{key}.description", "a string", change["description"])
    return on


def _check_shift_roles(before: sc.Scenario, after: sc.Scenario, key: str, file: str) -> None:
    """A role working shifts (a rota, or overtime) keeps its shifts for the whole run: its
    pool follows one roster from time zero, so a change may not redefine it, nor give a
    role in use before the change a rota or overtime."""
    for team, role in set(before.staff_pools()) & set(after.staff_pools()):
        old, new = before.role(team, role), after.role(team, role)
        if old != new and (old.works_shifts or new.works_shifts):
            raise ScenarioError(
                file,
                f"{key}.teams.{team}.roles.{role}",
                "no change to a role with a rota or overtime (its shifts hold for the whole run)",
                "a change",
            )


def _check_kinds(before: sc.Scenario, steps: Mapping[str, Any], key: str, file: str) -> None:
    """A step keeps its kind: the event log counts a step's events under its kind."""
    for name, table in steps.items():
        old = before.steps.get(name)
        kind = table.get("kind") if isinstance(table, Mapping) else None
        if old is not None and kind is not None and old.kind != kind:
            raise ScenarioError(
                file,
                f"{key}.steps.{name}.kind",
                f"the step's kind before the change ({old.kind}); to change what a step is, "
                'remove it ("none") and add a step with a new name',
                kind,
            )


def _whole(periods: list[sc.Period]) -> sc.Scenario:
    """The run's Scenario: every period's steps and teams, each as last defined."""
    steps: dict[str, sc.Step] = {}
    teams: dict[str, sc.Team] = {}
    for period in periods:
        steps.update(period.scenario.steps)
        for name, team in period.scenario.teams.items():
            old = teams.get(name)
            roles = {**old.roles, **team.roles} if old else dict(team.roles)
            teams[name] = sc.Team(roles=roles, area=team.area)
    first = periods[0].scenario
    return dataclasses.replace(first, steps=steps, teams=teams, periods=tuple(periods))


def period_view(s: sc.Scenario, k: int) -> sc.Scenario:
    """Period ``k`` of a run with changes as a scenario measured over that period alone
    (its own steps and staff; the warm-up, then the periods before it, unmeasured)."""
    period = s.periods[k]
    start = max(int(period.start_day), s.run.warmup_days)
    end = int(s.periods[k + 1].start_day) if k + 1 < len(s.periods) else s.horizon_days
    run = sc.RunSpec(
        start_date=s.origin + dt.timedelta(days=start), run_days=end - start, warmup_days=start
    )
    return dataclasses.replace(period.scenario, run=run, backlog={})  # said once, for the run


def period_key(k: int) -> str:
    """How period ``k`` (from 0) prefixes its metrics: ``period1.contacts``."""
    return f"period{k + 1}"


def steady_pools(s: sc.Scenario) -> set[tuple[str, str]]:
    """The (team, role) pools staffed the same way in every period of a run with changes:
    only theirs are measured over the whole run (the others, period by period)."""
    out = set()
    for pair in s.staff_pools() + s.caseload_pools():
        roles = [p.scenario.teams.get(pair[0]) for p in s.periods]
        found = [t.roles.get(pair[1]) if t else None for t in roles]
        if all(r is not None and r == found[0] for r in found):
            out.add(pair)
    return out


def period_title(s: sc.Scenario, k: int) -> str:
    """'period 2: from 2018-10-01, queued cases handed over'."""
    view = period_view(s, k)
    last = view.run.start_date + dt.timedelta(days=view.run.run_days - 1)
    text = f"period {k + 1}: {view.run.start_date} to {last}"
    if k:
        rule = s.periods[k].open_cases.replace("_", " ")
        text += f", after a change (open cases: {rule})"
    return text
