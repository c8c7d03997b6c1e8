"""Output files a spreadsheet or pandas can open, written all-or-nothing.

Files are written to a new folder beside the target and swapped in only when every file is
complete (``outputs.folders``), so a failed run never leaves a half-written output.

``events.csv`` has one row per event, in columns that vidigi and pm4py read as they are
(``sgsim.outputs.event_table``), the time in days from ``origin_date`` (run.json) and as a
calendar timestamp. ``cases.csv`` has one row per case: what was drawn on arrival, where it
left the pathway, and when it arrived, was decided and left. Empty cells mean "none" (no
pool, not yet decided, still open).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from sgsim import __version__
from sgsim.analysis.summary import check_rates, compare_reported
from sgsim.model.demand import ATTRIBUTES
from sgsim.model.eventlog import EventLog
from sgsim.model.steps import KINDS
from sgsim.outputs.event_table import COLUMNS, TIME_DECIMALS, csv_rows
from sgsim.outputs.folders import atomic_folder
from sgsim.scenario.loading import LoadedScenario
from sgsim.scenario.schema import Scenario
from sgsim.studies.runner import RunResult

RUN_FILES = (
    "events.csv",
    "cases.csv",
    "replications.csv",
    "summary.csv",
    "reported.csv",
    "published_rates.csv",
    "daily_queues.csv",
    "monthly_concerns.csv",
    "scenario.toml",
    "run.json",
)


def write_run(
    target: Path, loaded: LoadedScenario, result: RunResult, command: list[str]
) -> list[str]:
    """Write every output of a run; returns the file names written."""
    s = loaded.scenario
    summaries = result.summaries()
    with atomic_folder(target, owned=RUN_FILES) as tmp:
        if result.logs:
            _write_csv(tmp / "events.csv", list(COLUMNS), csv_rows(result.logs, s))
            _write_csv(tmp / "cases.csv", case_columns(s), _case_rows(result.logs, s))
        metric_names = list(result.per_replication[0])
        _write_csv(
            tmp / "replications.csv",
            ["replication", *metric_names],
            (
                [r, *(_num(rep[m]) for m in metric_names)]
                for r, rep in enumerate(result.per_replication)
            ),
        )
        _write_csv(
            tmp / "summary.csv",
            [
                "metric",
                "mean",
                "ci95_low",
                "ci95_high",
                "range95_low",
                "range95_high",
                "replications",
            ],
            (
                [
                    k,
                    _num(v.mean),
                    _num(v.ci95[0]),
                    _num(v.ci95[1]),
                    _num(v.range95[0]),
                    _num(v.range95[1]),
                    v.n,
                ]
                for k, v in summaries.items()
            ),
        )
        _write_csv(
            tmp / "reported.csv",
            [
                "figure",
                "reported",
                "simulated_mean",
                "ci95_low",
                "ci95_high",
                "range95_low",
                "range95_high",
                "within_ci",
                "within_range",
                "verdict",
            ],
            (
                [
                    c.name,
                    c.reported,
                    _num(c.simulated.mean),
                    _num(c.simulated.ci95[0]),
                    _num(c.simulated.ci95[1]),
                    _num(c.simulated.range95[0]),
                    _num(c.simulated.range95[1]),
                    c.within_ci,
                    c.within_range,
                    c.verdict,
                ]
                for c in compare_reported(s.reported, summaries)
            ),
        )
        _write_csv(
            tmp / "published_rates.csv",
            ["rate", "published", "from_reported_counts", "mismatch", "simulated_mean", "note"],
            (
                [
                    c.name,
                    _num(c.published),
                    _num(c.from_counts),
                    c.mismatch,
                    _num(c.simulated.mean) if c.simulated else "",
                    c.note,
                ]
                for c in check_rates(s.reported, summaries)
            ),
        )
        queue_names = [k for k in result.daily[0] if k != "day"]
        _write_csv(
            tmp / "daily_queues.csv",
            ["replication", "day", "date", *queue_names],
            _daily_rows(result, s.origin),
        )
        _write_csv(
            tmp / "monthly_concerns.csv",
            ["replication", "month", "concerns"],
            (
                [r, month, n]
                for r, months in enumerate(result.monthly_concerns)
                for month, n in months.items()
            ),
        )
        (tmp / "scenario.toml").write_text(loaded.text, encoding="utf-8")
        (tmp / "run.json").write_text(
            json.dumps(
                {
                    "sgsim_version": __version__,
                    "scenario": s.name,
                    "scenario_file": str(loaded.path),
                    "seed": result.seed,
                    "replications": result.replications,
                    "command": command,
                    "origin_date": s.origin.isoformat(),
                    "time_unit": "days from origin_date",
                    "measured_from_day": s.run.warmup_days,
                    "measured_to_day": s.horizon_days,
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
        return sorted(p.name for p in tmp.iterdir())


def _write_csv(path: Path, header: list[str], rows: Iterable[Iterable[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def _num(x: float | None) -> float | str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else x


def _decides(s: Scenario) -> bool:
    return any(KINDS[step.kind].decides for step in s.steps.values())


def case_columns(s: Scenario) -> list[str]:
    """Columns of cases.csv: the decision time only where a step makes the decision."""
    times = ["arrived", *(["decided"] if _decides(s) else []), "left"]
    return ["replication", "entity_id", *ATTRIBUTES, "returning_from", "exit_step", *times]


def _case_rows(logs: list[EventLog], s: Scenario) -> Iterator[list[Any]]:
    """One row per case: attributes by name, the exit step, and its key times."""
    for log in logs:
        named = [
            [log.attribute_names[a][v] for v in log.attributes[a].tolist()] for a in ATTRIBUTES
        ]
        parents = log.attributes["returning_from"].tolist()
        left = log.rows("left")
        exit_step = np.full(log.n_cases, -1)
        exit_step[log.case[left]] = log.step[left]
        times = [_first_time(log, log.rows("arrived"))]
        if _decides(s):
            times.append(_decision_time(log))
        times.append(_first_time(log, left))
        columns = [np.round(t, TIME_DECIMALS).tolist() for t in times]
        for i, parent in enumerate(parents):
            yield [
                log.replication,
                i,
                *(col[i] for col in named),
                "" if parent < 0 else parent,
                "" if exit_step[i] < 0 else log.steps[exit_step[i]],
                *(_num(col[i]) for col in columns),
            ]


def _first_time(log: EventLog, rows: np.ndarray) -> np.ndarray:
    """Each case's earliest time among ``rows`` (NaN where it has none)."""
    out = np.full(log.n_cases, np.nan)
    picked = np.flatnonzero(rows)[::-1]  # the earliest row is written last
    out[log.case[picked]] = log.time[picked]
    return out


def _decision_time(log: EventLog) -> np.ndarray:
    """When the front door decided: the end of the first deciding step, or leaving before
    reaching one (as the decision metrics count it)."""
    deciding = [k for k in dict.fromkeys(log.kinds) if KINDS[k].decides]
    decided = np.logical_or.reduce([log.rows("finished", kind=k) for k in deciding])
    return np.fmin(_first_time(log, decided), _first_time(log, log.rows("left")))


def _daily_rows(result: RunResult, origin: Any) -> Iterator[list[Any]]:
    base = np.datetime64(origin, "D")
    for r, daily in enumerate(result.daily):
        names = [k for k in daily if k != "day"]
        for i, day in enumerate(daily["day"].tolist()):
            yield [r, int(day), str(base + int(day)), *(int(daily[k][i]) for k in names)]


def write_comparison(
    target: Path, baseline: str, comparisons: dict, seed: int, replications: int
) -> None:
    """comparison.csv: one row per scenario and metric, with the paired difference."""
    header = [
        "baseline",
        "scenario",
        "metric",
        "baseline_mean",
        "mean",
        "difference",
        "difference_ci95_low",
        "difference_ci95_high",
        "clear",
        "verdict",
        "material_threshold",
        "practical_verdict",
        "seed",
        "replications",
    ]
    rows = (
        [
            baseline,
            name,
            d.metric,
            _num(d.baseline.mean),
            _num(d.other.mean),
            _num(d.diff.mean),
            _num(d.diff.ci95[0]),
            _num(d.diff.ci95[1]),
            d.clear,
            d.verdict,
            d.threshold,
            d.practical,
            seed,
            replications,
        ]
        for name, diffs in comparisons.items()
        for d in diffs
    )
    with atomic_folder(target, owned=("comparison.csv",)) as tmp:
        _write_csv(tmp / "comparison.csv", header, rows)
