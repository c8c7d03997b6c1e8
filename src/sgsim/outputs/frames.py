"""A run's results as pandas DataFrames, for notebooks (``sgsim.api``).

Each frame holds what the matching CSV file of ``sgsim run --out`` holds, with pandas
types: missing values are NaN, timestamps are datetimes, and names replace codes. The CSV
writers (``outputs.files``) do without pandas, so the command line starts quickly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sgsim.analysis.comparison import Difference
from sgsim.analysis.metrics import metric_names
from sgsim.analysis.summary import Summary
from sgsim.analysis.units import unit_words
from sgsim.model.eventlog import EventLog
from sgsim.outputs.event_table import event_table
from sgsim.scenario.schema import Scenario
from sgsim.studies.runner import RunResult


def metrics_frame(result: RunResult) -> pd.DataFrame:
    """One row per replication, one column per metric."""
    frame = pd.DataFrame(result.per_replication)
    frame.index.name = "replication"
    return frame


def summary_frame(result: RunResult, s: Scenario) -> pd.DataFrame:
    """One row per metric: its group, label and unit, the mean with its 95% confidence interval
    (``lower``, ``upper``), the spread of replications (``spread_lower``, ``spread_upper``:
    2.5th and 97.5th percentiles) and the council's reported figure where there is one."""
    labels = metric_names(s)
    frame = pd.DataFrame(
        [
            {
                "metric": name,
                "group": labels.get(name, ("", ""))[0],
                "label": labels.get(name, ("", ""))[1],
                "unit": unit_words(name),
                **_interval(v),
                "replications": v.n,
                "reported": s.reported.figures.get(name, np.nan),
            }
            for name, v in result.summaries().items()
        ]
    )
    return frame.set_index("metric")


def _interval(v: Summary) -> dict[str, float]:
    return {
        "mean": v.mean,
        "lower": v.ci95[0],
        "upper": v.ci95[1],
        "spread_lower": v.range95[0],
        "spread_upper": v.range95[1],
    }


def daily_queues_frame(result: RunResult, s: Scenario) -> pd.DataFrame:
    """One row per replication and day: the date and each queue at the end of the day."""
    frames = []
    for r, daily in enumerate(result.daily):
        frame = pd.DataFrame(daily).astype({"day": int})
        frame.insert(0, "replication", r)
        frame.insert(2, "date", pd.Timestamp(s.origin) + pd.to_timedelta(frame["day"], "D"))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def events_frame(logs: list[EventLog], s: Scenario) -> pd.DataFrame:
    """The kept event logs in ``events.csv``'s columns, with NaN where a cell is empty
    there (no pool, no person or place, no outcome)."""
    frames = []
    for log in logs:
        table = event_table(log, s)
        table["resource_id"] = np.where(table["resource_id"] > 0, table["resource_id"], np.nan)
        frames.append(pd.DataFrame(table))
    frame = pd.concat(frames, ignore_index=True)
    return frame.replace({"pool": "", "outcome": ""}, np.nan)


def differences_frame(comparisons: dict[str, list[Difference]]) -> pd.DataFrame:
    """One row per scenario and metric: each mean, and the paired difference from the
    baseline with its 95% interval and whether it is clear of zero."""
    rows = [
        {
            "scenario": name,
            "metric": d.metric,
            "baseline_mean": d.baseline.mean,
            "mean": d.other.mean,
            "difference": d.diff.mean,
            "lower": d.diff.ci95[0],
            "upper": d.diff.ci95[1],
            "clear": d.clear,
            "verdict": d.verdict,
        }
        for name, diffs in comparisons.items()
        for d in diffs
    ]
    return pd.DataFrame(rows).set_index(["scenario", "metric"])
