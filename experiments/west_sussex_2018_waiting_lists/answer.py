"""West Sussex 2018: what did bulk transfer and unmanaged waiting lists do to waits and to
the adults left waiting? Four designs at the same demand, with common random numbers.

    python experiments/west_sussex_2018_waiting_lists/answer.py [--replications 20]
        [--seed 2018] [--workers 2] [--out results/west_sussex_2018_waiting_lists]

Prints each design's means with 95% intervals and the paired difference from the 2018
design as found, writes answer.csv and figure.png to --out.
"""

from __future__ import annotations

import argparse
import csv
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from sgsim.analysis.comparison import paired_differences
from sgsim.analysis.metrics import pairs, queue_rows
from sgsim.analysis.summary import summarise
from sgsim.model.calendar import scenario_days
from sgsim.outputs.figures import OKABE_ITO, STYLE
from sgsim.scenario.loading import load_scenario
from sgsim.studies.runner import run_replications

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
DESIGNS = {
    "2018 as found": ROOT / "scenarios" / "west_sussex_2018.toml",
    "2018, lists reviewed, transfers kept": HERE / "reviewed_with_transfer.toml",
    "2018, lists reviewed, no transfers": HERE / "reviewed.toml",
    "hub design (2022/23 staffing)": HERE / "hub_2022_23.toml",
}
LOW = 2  # priority code of "low" on receipt (urgent 0, normal 1, low 2)
ALLOCATION_LINE = 14  # days: the measuring line of west_sussex_2018.toml's enquiry list
LISTS = {"cp2_followup": "Contact Point 2's list", "enquiry": "the allocation list"}
REVIEWS = {
    "reviews": "reviews of cases on {}",
    "review_hours": "  team manager hours reviewing them",
    "priority_raised": "  priorities raised by a review",
    "priority_lowered": "  priorities lowered by a review",
}

# (metric, label) in the order printed and drawn
METRICS = {
    "contacts": "contacts",
    "concerns": "concerns",
    "concern_decision_working_days": "working days, contact to s42 decision (concerns)",
    "concern_decided_within_5_rate": "concerns decided within 5 working days",
    "allocation_wait_days": "days waiting for allocation (incl. still waiting)",
    "allocation_wait_low_days": "  of which low priority on receipt",
    "allocation_over_14": "waits for allocation past 14 days",
    "allocation_waiting_end": "enquiries waiting for allocation at the year's end",
    "cp2_followup_transferred": "referrals bulk-transferred to occupational therapy",
    "transferred_low_share": "  of which low priority on receipt",
    "transferred_wait_days": "  days they had waited when transferred",
    "referral_wait_days": "days on Contact Point 2's list (incl. still waiting)",
    "referral_wait_low_days": "  of which low priority on receipt",
    "referral_over_28": "waits on Contact Point 2's list past 28 days",
    "referrals_waiting_end": "referrals on Contact Point 2's list at the year's end",
    **{
        f"{step}_{measure}": label.format(where)
        for step, where in LISTS.items()
        for measure, label in REVIEWS.items()
    },
    "utilisation_contact_point_team_manager": "Contact Point 2 manager: share of hours reviewing",
    "utilisation_area_managers_team_manager": "area team managers: share of hours reviewing",
}


def waits_so_far(log, s, queue: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Waits in one queue that ended in the measured period, and those still going at its
    end (counted up to the end); with each case's priority on receipt and whether it is
    still waiting."""
    enter, leave = queue_rows(log, s)[queue]
    rows, t1 = pairs(log, enter, leave)
    t0 = log.time[rows]
    start, end = float(s.run.warmup_days), float(s.horizon_days)
    ended = (t1 >= start) & (t1 < end)
    still = (t0 < end) & ~(t1 < end)  # NaN (never left) counts as still waiting
    keep = ended | still
    wait = np.where(ended, t1 - t0, end - t0)[keep]
    priority = log.attributes["priority"][log.case[rows]][keep]
    return wait, priority, still[keep]


def extras(log, s) -> dict[str, float]:
    """The measures the question needs, from one replication's event log."""
    days = scenario_days(s)
    start, end = float(s.run.warmup_days), float(s.horizon_days)
    out: dict[str, float] = {}
    arrived = np.full(log.n_cases, np.nan)
    rows = log.rows("arrived")
    arrived[log.case[rows]] = log.time[rows]
    decided = log.rows("finished", kind="s42_test")
    t = log.time[decided]
    inside = (t >= start) & (t < end)
    wd = days.elapsed(arrived[log.case[decided]][inside], t[inside])
    out["concern_decision_working_days"] = float(np.mean(wd))
    out["concern_decided_within_5_rate"] = float(np.mean(wd <= 5))
    wait, priority, still = waits_so_far(log, s, "allocation_queue")
    out["allocation_wait_days"] = float(np.mean(wait))
    out["allocation_wait_low_days"] = float(np.mean(wait[priority == LOW]))
    out["allocation_over_14"] = float(np.count_nonzero(wait > ALLOCATION_LINE))
    out["allocation_waiting_end"] = float(np.count_nonzero(still))
    if "cp2_followup" in s.steps:
        wait, priority, still = waits_so_far(log, s, "cp2_followup_queue")
        out["referral_wait_days"] = float(np.mean(wait))
        out["referral_wait_low_days"] = float(np.mean(wait[priority == LOW]))
        out["referral_over_28"] = float(np.count_nonzero(wait > 28))
        out["referrals_waiting_end"] = float(np.count_nonzero(still))
        outcome = "transferred" if "transferred" in log.outcomes else None
        moved = log.rows("left_queue", step="cp2_followup", outcome=outcome)
        moved &= (log.time >= start) & (log.time < end)
        if outcome is None:
            out["cp2_followup_transferred"] = 0.0  # no bulk transfers in this design
        elif np.any(moved):
            queued = np.full(log.n_cases, np.nan)
            q = log.rows("queued", step="cp2_followup")
            queued[log.case[q]] = log.time[q]
            case = log.case[moved]
            out["transferred_low_share"] = float(np.mean(log.attributes["priority"][case] == LOW))
            out["transferred_wait_days"] = float(np.mean(log.time[moved] - queued[case]))
    reviewed = s.reviews()
    for step in LISTS:
        if step in s.steps and step not in reviewed:  # no reviews: none done, for pairing
            out |= {f"{step}_{measure}": 0.0 for measure in REVIEWS}
    return out


def run(replications: int, seed: int, workers: int) -> dict[str, list[dict[str, float]]]:
    per_design = {}
    for label, path in DESIGNS.items():
        s = load_scenario(path).scenario
        result = run_replications(s, seed, replications, keep_logs=replications, workers=workers)
        rows = []
        for metrics, log in zip(result.per_replication, result.logs, strict=True):
            row = {k: v for k, v in metrics.items() if k in METRICS}
            row |= extras(log, s)
            rows.append(row)
        per_design[label] = rows
        print(f"ran {label}: {replications} replications")
    return per_design


def fmt(x: float) -> str:
    if math.isnan(x):
        return "-"
    return f"{x:,.3f}" if abs(x) < 1 else f"{x:,.1f}"


def report(per_design: dict[str, list[dict[str, float]]], out: Path) -> None:
    labels = list(per_design)
    base = per_design[labels[0]]
    diffs = {lb: {d.metric: d for d in paired_differences(base, per_design[lb])} for lb in labels}
    out.mkdir(parents=True, exist_ok=True)
    with (out / "answer.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "design",
                "metric",
                "mean",
                "ci95_low",
                "ci95_high",
                "diff_from_2018",
                "diff_ci95_low",
                "diff_ci95_high",
            ]
        )
        for lb in labels:
            for metric, label in METRICS.items():
                if metric not in per_design[lb][0]:
                    continue
                s = summarise([r[metric] for r in per_design[lb]])
                d = diffs[lb].get(metric)
                dm, (dlo, dhi) = (
                    (d.diff.mean, d.diff.ci95)
                    if d and lb != labels[0]
                    else (math.nan, (math.nan, math.nan))
                )
                w.writerow([lb, metric, s.mean, *s.ci95, dm, dlo, dhi])
                if metric == next(iter(METRICS)):
                    print(f"\n== {lb}")
                line = f"  {label:<55} {fmt(s.mean):>9}  ({fmt(s.ci95[0])} to {fmt(s.ci95[1])})"
                if not math.isnan(dm):
                    line += f"   diff {fmt(dm):>8} ({fmt(dlo)} to {fmt(dhi)})"
                print(line)
    figure(per_design, out / "figure.png")
    print(f"\nwrote {out / 'answer.csv'} and {out / 'figure.png'}")


PANELS = (
    ("concern_decision_working_days", "working days, contact to s42 decision"),
    ("allocation_wait_low_days", "days waiting for allocation,\nlow priority on receipt"),
    ("referral_wait_days", "days on Contact Point 2's list\n(incl. still waiting)"),
    ("referral_wait_low_days", "days on Contact Point 2's list,\nlow priority on receipt"),
    ("cp2_followup_transferred", "referrals bulk-transferred\nto occupational therapy"),
    ("referrals_waiting_end", "referrals on Contact Point 2's list\nat the year's end"),
    ("cp2_followup_review_hours", "team manager hours reviewing\nContact Point 2's list"),
    ("cp2_followup_priority_raised", "priorities raised by reviews\nof Contact Point 2's list"),
)


def figure(per_design: dict[str, list[dict[str, float]]], path: Path) -> None:
    labels = list(per_design)
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(2, 4, figsize=(19, 8.5))
        for ax, (metric, title) in zip(axes.flat, PANELS, strict=True):
            for k, lb in enumerate(labels):
                rows = per_design[lb]
                if metric not in rows[0]:
                    ax.text(k, 0, "n/a", ha="center", va="bottom", color="grey")
                    continue
                s = summarise([r[metric] for r in rows])
                lo, hi = s.ci95
                ax.bar(k, s.mean, color=OKABE_ITO[k], alpha=0.85)
                ax.errorbar(
                    k,
                    s.mean,
                    yerr=[[s.mean - lo], [hi - s.mean]],
                    color="black",
                    capsize=4,
                    linewidth=1,
                )
            ax.set_title(title, fontsize=11)
            ax.set_xticks(range(len(labels)))
            ax.set_xticklabels([f"({chr(97 + k)})" for k in range(len(labels))])
        handles = [plt.Rectangle((0, 0), 1, 1, color=OKABE_ITO[k]) for k in range(len(labels))]
        fig.legend(
            handles,
            [f"({chr(97 + k)}) {lb}" for k, lb in enumerate(labels)],
            loc="lower center",
            ncol=2,
            frameon=False,
        )
        fig.suptitle(
            "West Sussex 2018: bulk transfer and unmanaged waiting lists (means, 95% intervals)"
        )
        fig.tight_layout(rect=(0, 0.08, 1, 0.96))
        fig.savefig(path, dpi=110)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--replications", type=int, default=20)
    p.add_argument("--seed", type=int, default=2018)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--out", type=Path, default=Path("results/west_sussex_2018_waiting_lists"))
    args = p.parse_args()
    report(run(args.replications, args.seed, args.workers), args.out)


if __name__ == "__main__":
    main()
