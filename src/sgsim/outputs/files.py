"""Output files a spreadsheet or pandas can open, written all-or-nothing.

Files are written to a new folder beside the target and swapped in only when every file is
complete (``outputs.folders``), so a failed run never leaves a half-written output.

``events.csv`` has one row per event, in columns that vidigi and pm4py read as they are
(``sgsim.outputs.event_table``), the time in days from ``origin_date`` (run.json) and as a
calendar timestamp. ``cases.csv`` has one row per case: what was drawn on arrival, where it
left the pathway and the last outcome it was given (or that it is still open at the end),
and when it arrived, was decided, was allocated and left, in days and as calendar dates.
``summary.csv`` says in words what each metric measures and in which unit. Values are
rounded to what their unit needs; counts are whole numbers. Empty cells mean "none" (no
pool, not yet decided, still open).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from sgsim import __version__
from sgsim.analysis.metrics import metric_names
from sgsim.analysis.summary import Summary, check_rates, compare_reported
from sgsim.analysis.units import rounded, unit, unit_words
from sgsim.model.demand import ATTRIBUTES
from sgsim.model.eventlog import EventLog
from sgsim.model.steps import KINDS
from sgsim.outputs.event_table import COLUMNS, TIME_DECIMALS, csv_rows, timestamps
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
                [r, *(_num(_significant(m, rep[m])) for m in metric_names)]
                for r, rep in enumerate(result.per_replication)
            ),
        )
        _write_csv(tmp / "summary.csv", SUMMARY_COLUMNS, _summary_rows(s, summaries))
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


SUMMARY_COLUMNS = [
    "metric",
    "description",
    "unit",
    "mean",
    "ci95_low",
    "ci95_high",
    "range95_low",
    "range95_high",
    "replications",
]
SIGNIFICANT = 6  # digits of a value of one replication: past any difference that matters


def _summary_rows(s: Scenario, summaries: dict[str, Summary]) -> Iterator[list[Any]]:
    """One row per metric: what it measures (the words the tables, report and app use), its
    unit, the mean and its 95% interval, and the middle 95% of replications, rounded to
    what the unit needs."""
    labels = metric_names(s)
    for name, v in summaries.items():
        values = (v.mean, *v.ci95, *v.range95)
        yield [
            name,
            labels.get(name, ("", ""))[1],
            unit_words(name),
            *(_num(rounded(name, x)) for x in values),
            v.n,
        ]


def _significant(metric: str, x: float) -> float | int:
    """A whole number of cases as an integer, anything else to SIGNIFICANT digits."""
    if unit(metric) == "cases" and float(x).is_integer():
        return int(x)
    return float(f"{x:.{SIGNIFICANT}g}")


def _write_csv(path: Path, header: list[str], rows: Iterable[Iterable[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def _num(x: float | None) -> float | str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else x


def _decides(s: Scenario) -> bool:
    return any(KINDS[step.kind].decides for step in s.steps.values())


def _allocates(s: Scenario) -> bool:
    return any(KINDS[step.kind].place_span for step in s.steps.values())


def _key_times(s: Scenario) -> list[str]:
    """The key moments of a case this scenario has: arriving, the front-door decision
    where a step makes it, allocation where a step holds caseload places, and leaving."""
    return [
        "arrived",
        *(["decided"] if _decides(s) else []),
        *(["allocated"] if _allocates(s) else []),
        "left",
    ]


# Each key moment's calendar date, named as the domain says it.
DATE_NAMES = {
    "arrived": "contact_date",
    "decided": "decision_date",
    "allocated": "allocation_date",
    "left": "closure_date",
}


def case_columns(s: Scenario) -> list[str]:
    """Columns of cases.csv: what was drawn on arrival, how the case ended (or that it is
    still open), the key moments in days from ``origin_date``, and their calendar dates."""
    times = _key_times(s)
    return [
        "replication",
        "entity_id",
        *ATTRIBUTES,
        "returning_from",
        "exit_step",
        "outcome",
        "open_at_end",
        *times,
        *(DATE_NAMES[t] for t in times),
    ]


def _case_rows(logs: list[EventLog], s: Scenario) -> Iterator[list[Any]]:
    """One row per case: attributes by name, the exit step and the last outcome given, its
    key times and their dates (the day of the run's calendar each falls on)."""
    for log in logs:
        named = [
            [log.attribute_names[a][v] for v in log.attributes[a].tolist()] for a in ATTRIBUTES
        ]
        parents = log.attributes["returning_from"].tolist()
        left = log.rows("left")
        exit_step = np.full(log.n_cases, -1)
        exit_step[log.case[left]] = log.step[left]
        outcome = _last_outcome(log)
        times = [_key_time(log, name) for name in _key_times(s)]
        columns = [np.round(t, TIME_DECIMALS).tolist() for t in times]
        dates = [_dates(s.origin, t) for t in times]
        for i, parent in enumerate(parents):
            yield [
                log.replication,
                i,
                *(col[i] for col in named),
                "" if parent < 0 else parent,
                "" if exit_step[i] < 0 else log.steps[exit_step[i]],
                log.outcomes[outcome[i]],  # code 0 is no outcome, written ""
                exit_step[i] < 0,
                *(_num(col[i]) for col in columns),
                *(col[i] for col in dates),
            ]


def _key_time(log: EventLog, name: str) -> np.ndarray:
    if name == "arrived":
        return _first_time(log, log.rows("arrived"))
    if name == "decided":
        return _decision_time(log)
    if name == "allocated":
        holding = [k for k in dict.fromkeys(log.kinds) if KINDS[k].place_span]
        taken = np.logical_or.reduce([log.rows("started", kind=k) for k in holding])
        return _first_time(log, taken)
    return _first_time(log, log.rows("left"))


def _dates(origin: dt.date, days: np.ndarray) -> list[str]:
    """The calendar date of each time (days from ``origin``), "" where there is none: the
    date of its timestamp in events.csv."""
    known = np.isfinite(days)
    out = np.full(days.size, "", dtype=object)
    out[known] = np.datetime_as_string(timestamps(origin, days[known]).astype("datetime64[D]"))
    return out.tolist()


def _last_outcome(log: EventLog) -> np.ndarray:
    """Each case's last outcome given at a step (code 0, none, if it has had none)."""
    out = np.zeros(log.n_cases, dtype=np.int64)
    given = np.flatnonzero(log.outcome > 0)
    out[log.case[given]] = log.outcome[given]  # the log is in time order: the last one stays
    return out


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
