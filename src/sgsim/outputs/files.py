"""Output files a spreadsheet or pandas can open, written all-or-nothing.

Files are first written to a temporary folder beside the target; only when every file is
complete are they moved into place, so a failed run never leaves a half-written output.
"""

from __future__ import annotations

import csv
import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from sgsim import __version__
from sgsim.analysis.summary import check_rates, compare_reported
from sgsim.model.eventlog import EVENTS, EventLog
from sgsim.scenario.loading import LoadedScenario
from sgsim.studies.runner import RunResult

EVENT_NAMES = tuple(EVENTS)
EVENT_COLUMNS = [
    "replication",
    "entity_id",
    "event_type",
    "event",
    "time",
    "stage",
    "resource",
    "resource_id",
    "outcome",
]
ATTRIBUTE_COLUMNS = ["source", "priority", "risk_level", "team", "abuse_type", "location"]
CASE_COLUMNS = ["replication", "entity_id", *ATTRIBUTE_COLUMNS, "returning_from"]
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


@contextmanager
def atomic_folder(target: Path, owned: Iterable[str] = ()) -> Iterator[Path]:
    """Yield a temporary folder; on success move its files into ``target``.

    Files named in ``owned`` that this run did not write are removed from ``target``, so
    a folder never mixes files of two runs.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        yield tmp
        target.mkdir(exist_ok=True)
        written = {item.name for item in tmp.iterdir()}
        for name in set(owned) - written:
            (target / name).unlink(missing_ok=True)
        for item in tmp.iterdir():
            os.replace(item, target / item.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_run(
    target: Path, loaded: LoadedScenario, result: RunResult, command: list[str]
) -> list[str]:
    """Write every output of a run; returns the file names written."""
    s = loaded.scenario
    summaries = result.summaries()
    with atomic_folder(target, owned=RUN_FILES) as tmp:
        if result.logs:
            _write_csv(tmp / "events.csv", EVENT_COLUMNS, _event_rows(result.logs))
            _write_csv(tmp / "cases.csv", CASE_COLUMNS, _case_rows(result.logs))
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


def _event_rows(logs: list[EventLog]) -> Iterator[list[Any]]:
    types = [EVENTS[e][0] for e in EVENT_NAMES]
    stages = [EVENTS[e][1] for e in EVENT_NAMES]
    for log in logs:
        roles = (*log.roles, "")  # role -1 reads as ""
        times = np.round(log.time, 6).tolist()
        for case, ev, t, role, res, out in zip(
            log.case.tolist(),
            log.event.tolist(),
            times,
            log.role.tolist(),
            log.resource.tolist(),
            log.outcome.tolist(),
            strict=True,
        ):
            yield [
                log.replication,
                case,
                types[ev],
                EVENT_NAMES[ev],
                t,
                stages[ev],
                roles[role],
                res or "",
                log.outcomes[out],
            ]


def _case_rows(logs: list[EventLog]) -> Iterator[list[Any]]:
    """One row per case; enquiry attributes only for cases that reached allocation."""
    cols = ATTRIBUTE_COLUMNS
    enquiry_only = {"risk_level", "team", "abuse_type", "location"}
    for log in logs:
        allocated = np.zeros(log.attributes["source"].size, dtype=bool)
        allocated[log.case[log.mask("allocated")]] = True
        named = [[log.attribute_names[c][v] for v in log.attributes[c].tolist()] for c in cols]
        parents = log.attributes["returning_from"].tolist()
        for i in range(len(parents)):
            yield [
                log.replication,
                i,
                *(
                    "" if c in enquiry_only and not allocated[i] else col[i]
                    for c, col in zip(cols, named, strict=True)
                ),
                "" if parents[i] < 0 else parents[i],
            ]


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
