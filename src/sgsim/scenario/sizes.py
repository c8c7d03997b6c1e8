"""How big a run is, estimated when a scenario is loaded, so that one the machine cannot
hold is refused at once instead of failing after minutes with a MemoryError.

A run keeps every event until its end (``sgsim.model.eventlog``), and its memory is
mostly those events and what each case drew: BYTES_PER_EVENT is a run's peak memory over
its expected events, 89 bytes for an England-sized West Sussex (26 million events, peak
over imports, ``benchmarks/england.py``), with room for designs with more draws a case.
The events of a run are estimated from the expected contacts (the demand's daily rates
over the run, the adults who come back, the starting backlogs) and the expected steps
each passes (its route, by the chances at each step). The route table itself (steps'
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
MAX_ROUTE_CELLS = 1_000_000  # about 4 seconds to build and check
FALLBACK_MEMORY = 16e9  # bytes, where the machine does not say what it has


def check_route_cells(s: Scenario, file: str) -> None:
    """The route table has at most MAX_ROUTE_CELLS cells (checked before it is built)."""
    from sgsim.model.demand import route_key_count

    outcomes = sum(len(step.outcome_names()) for step in s.steps.values())
    combinations = route_key_count(s)
    if outcomes * combinations > MAX_ROUTE_CELLS:
        raise ScenarioError(
            file,
            "demand",
            f"at most {MAX_ROUTE_CELLS:,} routes to check: the steps' outcomes times the "
            "combinations of sources, subjects, areas, priorities and risk levels",
            f"<{outcomes} outcomes x {combinations:,} combinations>",
        )


def check_size(s: Scenario, tables: Tables, file: str) -> None:
    """A run's events fit in the machine's memory."""
    contacts, per_contact = _estimate(s, tables)
    needed = contacts * per_contact * BYTES_PER_EVENT
    memory = machine_memory()
    if needed <= memory:
        return
    gigabytes = needed / 1e9
    size = f"about {gigabytes:,.0f} GB" if 10 <= gigabytes < 1e9 else f"about {gigabytes:.2g} GB"
    raise ScenarioError(
        file,
        "run.run_days",
        f"a run whose events fit in this machine's memory ({memory / 1e9:.3g} GB)",
        f"<{size} of events: {contacts:.3g} contacts of {per_contact:.3g} events each>",
        hint="use a shorter run or less demand",
    )


def estimated_events(s: Scenario, tables: Tables | None = None) -> float:
    """The expected events of one run of a valid scenario."""
    from sgsim.scenario.routes import route_table

    tables = tables or {name: route_table(s, step) for name, step in s.steps.items()}
    contacts, per_contact = _estimate(s, tables)
    return contacts * per_contact


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
    """Expected contacts of a run (new ones, the adults who come back, starting backlogs)
    and expected events of each."""
    from sgsim.model.demand import daily_rates

    visits = _visits(s, tables)
    with np.errstate(all="ignore"):
        new = float(daily_rates(s).sum())
    backlog = sum(b.waiting for b in s.backlog.values())
    contacts = new * _return_factor(s, visits) + backlog
    return contacts, _events_per_contact(s, visits)


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


def _events_per_contact(s: Scenario, visits: dict[str, float]) -> float:
    """Arrived and left, and at each step it passes queued, started and finished, and a
    start and an end of each other span of touch time (an enquiry's work)."""
    from sgsim.model.steps import KINDS

    per_step = {}
    for name, step in s.steps.items():
        kind = KINDS[step.kind]
        spans = [span for span in kind.touch_spans if span != ("started", "finished")]
        per_step[name] = 0 if kind.terminal else 3 + 2 * len(spans)
    return 2 + sum(per_step[name] * times for name, times in visits.items())


def _visits(s: Scenario, tables: Tables) -> dict[str, float]:
    """How often a contact passes each step, on average: its chance of each route key,
    carried along the routes by the chances of each outcome. Routes have no loops, so
    every contact has left through an exit after as many moves as there are steps."""
    from sgsim.model.steps import KINDS

    sources = s.demand.categories("source")
    chance = _route_key_chances(s)
    source_of = np.repeat(np.arange(len(sources)), chance.size // len(sources))
    names = list(s.steps)
    index = {name: k for k, name in enumerate(names)}
    mass: dict[str, np.ndarray] = {}
    for k, src in enumerate(sources):
        entry = s.entry_step(src)
        mass[entry] = mass.get(entry, 0.0) + np.where(source_of == k, chance, 0.0)
    visits: dict[str, float] = {}
    for _ in names:
        moved: dict[str, np.ndarray] = {}
        for name, here in mass.items():
            visits[name] = visits.get(name, 0.0) + float(here.sum())
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
