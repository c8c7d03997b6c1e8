"""How big a run is, estimated when a scenario is loaded, so that one the machine cannot
hold is refused at once instead of failing after minutes with a MemoryError.

A run's memory is mostly its events and what its cases drew. A run kept in memory holds
every event until its end (``sgsim.model.eventlog``); a run expected to have more than
4 million events whose log is not kept for output files keeps it on disk instead
(``sgsim.analysis.partition.on_disk``), and every case's draws are held only while its
block of cases is in the pathway (``sgsim.model.blocks``): an England-sized West Sussex
(42 million events) peaks at 16 bytes an event over the imports (``benchmarks/england.py``).
BYTES_PER_EVENT is generous for both, with room for designs with more draws a case.
The events of a run are estimated from the expected contacts (the demand's daily rates
over the run, the adults who come back, the starting backlogs, other work) and the
expected steps each passes (its route, by the chances at each step), with the sessions a
step spreads its touch work over. What a run's options add (replications at once in
several workers, event logs kept for ``--out`` and the writing of them, measured on East
Sussex before the event log was compact, so generous now) is checked before a command
simulates (``check_run_memory``). The route table itself (steps'
outcomes by every combination of the attributes routes test) is checked first: it is
built whole, in validation and in every run.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sgsim.scenario.errors import ScenarioError

if TYPE_CHECKING:
    from sgsim.scenario.schema import Scenario, Step

Tables = dict[str, list[list[str | None]]]  # next step by [outcome][route key], per step

BYTES_PER_EVENT = 150
KEPT_BYTES_PER_EVENT = 250  # an event log kept for output files, while they are written
WRITE_BYTES_PER_EVENT = 1100  # writing one replication's events.csv and cases.csv
MAX_ROUTE_CELLS = 1_000_000  # about 4 seconds to build and check
FALLBACK_MEMORY = 16e9  # bytes, where the machine does not say what it has


def check_route_cells(s: Scenario, file: str) -> None:
    """The route table has at most MAX_ROUTE_CELLS cells (checked before it is built)."""
    from sgsim.model.demand import route_key_count

    # at least one: every combination is still built once to route cases (exits have none)
    outcomes = max(1, sum(len(step.outcome_names()) for step in s.steps.values()))
    combinations = route_key_count(s)
    if outcomes * combinations > MAX_ROUTE_CELLS:
        raise ScenarioError(
            file,
            "demand",
            f"at most {MAX_ROUTE_CELLS:,} routes to check: the steps' outcomes times the "
            "combinations of sources, subjects, areas, priorities and risk levels",
            f"<{outcomes} outcome{'s' if outcomes > 1 else ''} x {combinations:,} combinations>",
        )


def check_size(s: Scenario, tables: Tables, file: str) -> None:
    """A run's events fit in the machine's memory."""
    contacts, per_contact = _estimate(s, tables)
    needed = contacts * per_contact * BYTES_PER_EVENT
    memory = machine_memory()
    if needed <= memory:
        return
    raise ScenarioError(
        file,
        "run.run_days",
        f"a run whose events fit in this machine's memory ({memory / 1e9:.3g} GB)",
        f"<{_size(needed)} of events: {contacts:.3g} contacts of {per_contact:.3g} events each>",
        hint="use a shorter run or less demand",
    )


def check_run_memory(s: Scenario, replications: int, keep_logs: int, workers: int) -> None:
    """The replications running at once, the event logs kept for output files and the
    writing of one of them fit in the machine's memory; else refused in one line, before
    anything runs, naming the option to change."""
    events = estimated_events(s)
    at_once = max(1, min(workers, replications))
    kept = min(keep_logs, replications)
    needed = events * (
        BYTES_PER_EVENT * at_once
        + KEPT_BYTES_PER_EVENT * kept
        + (WRITE_BYTES_PER_EVENT if kept else 0)
    )
    memory = machine_memory()
    if needed <= memory:
        return
    raise ScenarioError(
        "command line",
        "--event-log" if kept > 1 else "--workers" if at_once > 1 else "--out",
        f"a run whose events fit in this machine's memory ({memory / 1e9:.3g} GB)",
        f"<{_size(needed)}: {events:.3g} events a replication, {at_once} replications at "
        f"once, {kept} event logs kept>",
        hint="use --event-log first or none, fewer --workers or a shorter run",
    )


def _size(needed: float) -> str:
    gigabytes = needed / 1e9
    return f"about {gigabytes:,.0f} GB" if 10 <= gigabytes < 1e9 else f"about {gigabytes:.2g} GB"


def estimated_events(s: Scenario, tables: Tables | None = None) -> float:
    """The expected events of one run of a valid scenario."""
    return estimated_cases_and_events(s, tables)[1]


def estimated_cases_and_events(s: Scenario, tables: Tables | None = None) -> tuple[float, float]:
    """The expected cases and events of one run of a valid scenario."""
    from sgsim.scenario.routes import route_table

    tables = tables or {name: route_table(s, step) for name, step in s.steps.items()}
    cases, per_case = _estimate(s, tables)
    return cases, cases * per_case


def machine_memory() -> float:
    """Bytes of memory this machine has, or its container if it has less."""
    try:
        memory = float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, OSError, ValueError):
        memory = FALLBACK_MEMORY
    try:
        return min(memory, float(Path("/sys/fs/cgroup/memory.max").read_text()))
    except (OSError, ValueError):  # no cgroup limit ("max"), or none to read
        return memory


def _estimate(s: Scenario, tables: Tables) -> tuple[float, float]:
    """Expected cases of a run (new contacts, the adults who come back, starting backlogs
    and other work) and expected events of each."""
    from sgsim.model.demand import daily_rates

    chance = _route_key_chances(s)

    def events(start: dict[str, np.ndarray]) -> tuple[float, dict[str, float]]:
        """Events of a case entering at ``start`` (chances by route key), and its visits."""
        visits = _visits(s, tables, start)
        per_step = {name: _events_per_visit(s, name, here) for name, here in visits.items()}
        return 2 + sum(per_step.values()), {n: float(v.sum()) for n, v in visits.items()}

    with np.errstate(all="ignore"):
        new = float(daily_rates(s).sum())
    per_new, visits = events(_entries(s, chance))
    entering = [(new * _return_factor(s, visits), per_new)]  # (cases, events of each)
    other_work = s.demand.other_work.values()
    starts = [name for name, b in s.backlog.items() if b.starting_cases] + [
        w.entry for w in other_work
    ]
    for name in dict.fromkeys(starts):
        n = s.backlog[name].starting_cases if name in s.backlog else 0
        n += sum(w.per_day for w in other_work if w.entry == name) * s.horizon_days
        entering.append((n, events({name: chance})[0]))
    cases = sum(n for n, _ in entering)
    return cases, (sum(n * each for n, each in entering) / cases if cases > 0 else 0.0)


def _entries(s: Scenario, chance: np.ndarray) -> dict[str, np.ndarray]:
    """Where new contacts enter, with the chance of each route key there."""
    sources = s.demand.categories("source")
    source_of = np.repeat(np.arange(len(sources)), chance.size // len(sources))
    start: dict[str, np.ndarray] = {}
    for k, src in enumerate(sources):
        entry = s.entry_step(src)
        start[entry] = start.get(entry, 0.0) + np.where(source_of == k, chance, 0.0)
    return start


def _return_factor(s: Scenario, visits: dict[str, float]) -> float:
    """Contacts per new contact, counting adults who come back: with a chance r that a
    contact brings its adult back, 1 / (1 - r); when r is 1, at most one return per
    shortest mean delay over the run."""
    chance, shortest = 0.0, np.inf
    for name, step in s.steps.items():
        probability = getattr(step, "return_probability", 0.0)
        delay = getattr(step, "return_after_days", None)
        if probability > 0 and delay is not None:
            chance += visits.get(name, 0.0) * probability
            shortest = min(shortest, delay.mean)
    by_chance = 1 / (1 - chance) if chance < 1 else np.inf
    by_time = 1 + s.horizon_days / shortest if shortest > 0 else np.inf
    return min(by_chance, by_time)


def _events_per_visit(s: Scenario, name: str, visits: np.ndarray) -> float:
    """Events of the ``visits`` (by route key) to a step: queued, started and finished,
    and a start and an end of each other span of touch time (an enquiry's work, in as many
    sessions as the step spreads it over for the risk levels reaching it). Arriving and
    leaving are the case's own."""
    from sgsim.model.steps import KINDS

    step = s.steps[name]
    kind = KINDS[step.kind]
    if kind.terminal:
        return 0.0
    from sgsim.scenario.schema import ROUTE_ATTRIBUTES

    levels = s.demand.categories("risk_level")
    shape = [len(s.demand.categories(a)) for a in ROUTE_ATTRIBUTES]
    axis = ROUTE_ATTRIBUTES.index("risk_level")
    others = tuple(k for k in range(len(shape)) if k != axis)
    by_level = visits.reshape(shape).sum(axis=others)
    total = float(by_level.sum())
    mix = dict(zip(levels, by_level / total, strict=True)) if total > 0 else {}
    spans = [span for span in kind.touch_spans if span != ("started", "finished")]
    return total * (3 + 2 * len(spans) * step.touch_sessions(mix))


def _visits(s: Scenario, tables: Tables, start: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """How often a case entering at ``start`` (the chance of each route key at each step)
    passes each step, by route key, on average, carried along the routes by the chances of each
    outcome. Routes have no loops, so every case has left through an exit after as many
    moves as there are steps."""
    from sgsim.model.steps import KINDS

    sources = s.demand.categories("source")
    keys = next(iter(start.values())).size
    source_of = np.repeat(np.arange(len(sources)), keys // len(sources))
    names = list(s.steps)
    index = {name: k for k, name in enumerate(names)}
    mass = dict(start)
    visits: dict[str, np.ndarray] = {}
    for _ in names:
        moved: dict[str, np.ndarray] = {}
        for name, here in mass.items():
            visits[name] = visits.get(name, 0.0) + here
            step = s.steps[name]
            if KINDS[step.kind].terminal:
                continue
            shares = _outcome_shares(step, sources)[:, source_of]
            for outcome, row in enumerate(tables[name]):
                targets = np.array([index.get(t, -1) for t in row])
                flow = here * shares[outcome]
                for target in np.unique(targets[targets >= 0]):
                    part = np.where(targets == target, flow, 0.0)
                    moved[names[target]] = moved.get(names[target], 0.0) + part
        mass = moved
    return visits


def _route_key_chances(s: Scenario) -> np.ndarray:
    """The chance of each route key (each attribute drawn on its own), in route-key order:
    the last attribute varies fastest."""
    from sgsim.scenario.schema import ROUTE_ATTRIBUTES

    chance = np.ones(1)
    for attribute in ROUTE_ATTRIBUTES:
        chance = np.multiply.outer(chance, list(s.demand.mix(attribute).values())).ravel()
    return chance


def _outcome_shares(step: Step, sources: tuple[str, ...]) -> np.ndarray:
    """Each outcome's chance at a step, by source, as [outcome, source], summing to 1 (a
    kind that gives every outcome the chance 1, having none to give, gets them equal)."""
    names = step.outcome_names()
    shares = np.array(
        [[step.outcome_shares(src).get(o, 0.0) for src in sources] for o in names], dtype=float
    )
    totals = shares.sum(axis=0)
    return np.where(totals > 0, shares / np.where(totals > 0, totals, 1), 1 / len(names))
