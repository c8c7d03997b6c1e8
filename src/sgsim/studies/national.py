"""A national run: many councils from one table, each its own scenario, and their total.

A council table (CSV) has one row per council: its name, a base scenario for its design
(a path relative to the table), and optionally its contacts a year and a staff scale
(every role's headcount in the base multiplied by it). Each council is one task of the
sweep machinery (``sgsim.studies.sweep.execute``), so councils run on local processes or
a Dask cluster as design points do, each with all its replications, the same seed
everywhere.

The national total of a count (contacts, concerns, s42 enquiries, outcomes: the metrics
in the ``funnel`` and ``outcomes`` groups) is summed over councils replication by
replication; its interval comes from those summed replications. A count only some
councils' scenarios make (a kind of abuse of their own) sums those councils, and says how
many.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sgsim.analysis.metrics import metric_names
from sgsim.analysis.summary import summarise_all
from sgsim.outputs.folders import write_csv_atomically
from sgsim.scenario.errors import ScenarioError
from sgsim.scenario.loading import build_scenario, read_scenario_raw
from sgsim.scenario.schema import Scenario
from sgsim.studies.settings import apply_settings
from sgsim.studies.sweep.run import Executor

COLUMNS = ("council", "scenario", "contacts_per_year", "staff_scale")
ADDITIVE_GROUPS = ("funnel", "outcomes")  # counts of cases, which add up across councils


@dataclass(frozen=True)
class Council:
    """One row of a council table, with its base scenario read and the settings it makes."""

    name: str
    base_raw: dict[str, Any]
    settings: dict[str, float]
    scenario: Scenario  # the base with the settings, validated


def load_councils(path: Path) -> list[Council]:
    """Read and check a council table; every row's scenario is built, so a bad row fails
    here, in one line naming the file, the row and the column."""
    file = str(path)
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
            header = tuple(rows[0]) if rows else ()
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise ScenarioError(file, "", "a readable CSV council table", type(e).__name__) from None
    missing = [c for c in COLUMNS[:2] if c not in header]
    if missing or not rows:
        raise ScenarioError(
            file, "header", "columns " + ", ".join(COLUMNS) + " and a row a council", header
        )
    councils, seen = [], set()
    for k, row in enumerate(rows, start=2):  # line 1 is the header
        name = (row.get("council") or "").strip()
        where = f"line {k}"
        if not slug(name) or slug(name) in seen:
            raise ScenarioError(
                file, f"{where}.council", "a council named once (its own results file)", name
            )
        seen.add(slug(name))
        councils.append(_council(path, row, name, f"{file}, {where}"))
    return councils


def _council(table: Path, row: dict[str, str], name: str, where: str) -> Council:
    scenario_path = table.parent / (row.get("scenario") or "").strip()
    if not scenario_path.is_file():
        raise ScenarioError(where, "scenario", "a scenario file beside the table", scenario_path)
    base_raw = read_scenario_raw(scenario_path)
    base = build_scenario(base_raw, str(scenario_path))
    settings: dict[str, float] = {}
    contacts = _number(row, "contacts_per_year", where)
    if contacts is not None:
        settings["demand.contacts_per_year"] = contacts
    scale = _number(row, "staff_scale", where)
    if scale is not None and scale != 1:
        for team, t in base.teams.items():
            for role, r in t.roles.items():
                settings[f"teams.{team}.roles.{role}.headcount"] = r.headcount * scale
    scenario = build_scenario(apply_settings(base_raw, settings, where), where)
    return Council(name, base_raw, settings, scenario)


def _number(row: dict[str, str], column: str, where: str) -> float | None:
    """A positive number in the column, or None if the cell is empty (the base's value)."""
    text = (row.get(column) or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise ScenarioError(where, column, "a number > 0, or empty for the base's", text)
    return value


def additive_metrics(councils: list[Council]) -> dict[str, int]:
    """Every count any council has, in the order first seen, with how many councils have
    it (a count only some scenarios make, such as a kind of abuse of their own)."""
    counted: dict[str, int] = {}
    for council in councils:
        for name, (group, _) in metric_names(council.scenario).items():
            if group in ADDITIVE_GROUPS:
                counted[name] = counted.get(name, 0) + 1
    return counted


def national_total(
    councils: list[Council], per_council: list[list[dict[str, float]]]
) -> list[dict[str, float]]:
    """Per replication, each count summed over the councils that have it."""
    names = additive_metrics(councils)
    replications = zip(*per_council, strict=True)
    return [{n: sum(r[n] for r in reps if n in r) for n in names} for reps in replications]


def run_national(
    councils: list[Council], seed: int, replications: int, execute: Executor
) -> list[list[dict[str, float]]]:
    """Every council's replications (in table order), each council one task."""
    tasks = [(k, c.base_raw, c.settings, seed, replications) for k, c in enumerate(councils)]
    out: list[list[dict[str, float]]] = [[] for _ in councils]
    for index, per_replication in execute(tasks):
        out[index] = per_replication
    return out


def write_national(
    folder: Path, councils: list[Council], per_council: list[list[dict[str, float]]]
) -> list[str]:
    """One table per council and the national total: metric, mean and its 95% interval."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for council, reps in zip(councils, per_council, strict=True):
        name = f"council_{slug(council.name)}.csv"
        _write_summary(folder / name, reps)
        written.append(name)
    total = national_total(councils, per_council)
    _write_summary(folder / "national.csv", total, additive_metrics(councils))
    return [*written, "national.csv"]


def _write_summary(
    path: Path, per_replication: list[dict[str, float]], councils: dict[str, int] | None = None
) -> None:
    """Metric, mean, 95% interval and replications; with ``councils``, the councils each
    total sums."""
    header = ["metric", "mean", "ci95_low", "ci95_high", "replications"]
    rows = [
        [name, x.mean, x.ci95[0], x.ci95[1], x.n] + ([] if councils is None else [councils[name]])
        for name, x in summarise_all(per_replication).items()
    ]
    write_csv_atomically(path, header + ([] if councils is None else ["councils"]), rows)


def slug(name: str) -> str:
    """A council's name as a file name: lower case, words joined by underscores."""
    return "_".join("".join(c if c.isalnum() else " " for c in name.lower()).split())
