"""East Sussex 2024: how long do the 630 people waiting for assessment take to be
allocated, with today's practitioners and with two or four more; and what does single
triage with qualified sign-off free up? Four designs from 1 January 2024, with common
random numbers.

    python experiments/east_sussex_backlog/answer.py [--replications 20] [--seed 2024]
        [--workers 2] [--out results/east_sussex_backlog]

Prints each design's means with 95% intervals and the paired difference from today's
design, writes answer.csv and figure.png to --out.
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
from sgsim.analysis.metrics import pairs
from sgsim.analysis.summary import summarise
from sgsim.model.calendar import scenario_days, team_clock
from sgsim.model.pools import staff_count
from sgsim.outputs.figures import OKABE_ITO, STYLE, mean_band
from sgsim.scenario.loading import load_scenario
from sgsim.studies.runner import run_replications

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
DESIGNS = {
    "today (45 practitioners)": ROOT / "scenarios" / "east_sussex_2024.toml",
    "2 practitioners more": HERE / "plus_2_practitioners.toml",
    "4 practitioners more": HERE / "plus_4_practitioners.toml",
    "single triage + sign-off": ROOT
    / "experiments"
    / "double_vs_single_triage"
    / "single_triage_with_signoff.toml",
}
ROLE = "locality_practitioner"

HEADER = ["design", "metric", "mean", "ci95_low", "ci95_high"]
HEADER += ["diff_from_today", "diff_ci95_low", "diff_ci95_high"]
METRICS = {
    "assessment_backlog_cleared_day": "days from 1 Jan 2024 until the last of the 630 is allocated",
    "backlog_wait_days": "  days the 630 wait from 1 Jan 2024 (mean)",
    "half_cleared_day": "  days until the list is below 315",
    "assessment_backlog_waiting_end": "  of the 630, still waiting on 31 Dec 2024",
    "new_within_28": "new referrals' assessments done within 28 days (reported: 57%)",
    "all_within_28": "  all assessments done in the year, with the 630",
    "caseload_mean_locality_practitioner": "open cases per practitioner at work (reported: 22)",
    f"utilisation_{ROLE}": "share of practitioners' hours on safeguarding",
    f"utilisation_total_{ROLE}": "  and with their other work",
    "practitioner_hours_pathway": "practitioners' hours in the year on safeguarding",
    "practitioners_on_pathway": "  as practitioners at work full time",
    "retriage_hours": "  of which re-triage",
    "allocation_wait_days_mean": "days an enquiry waits for a place",
    "decision_working_days_mean": "working days, contact to decision",
    "concerns": "concerns",
    "s42_enquiries": "s42 enquiries",
}


def extras(log, s, daily) -> dict[str, float]:
    """The measures the question needs that sgsim's metrics do not give directly."""
    out: dict[str, float] = {}
    backlog = ~np.isnan(log.attributes["backlog_age"])
    started = log.rows("started", step="assessment")
    taken = log.time[started & backlog[log.case]]
    left = s.backlog["assessment"].waiting - taken.size  # still waiting at the end
    horizon = float(s.horizon_days)
    out["backlog_wait_days"] = float(np.concatenate([taken, np.full(left, horizon)]).mean())
    below = np.flatnonzero(daily["assessment_queue"] < s.backlog["assessment"].waiting / 2)
    out["half_cleared_day"] = float(daily["day"][below[0]]) if below.size else math.nan
    out |= within_28_days(log, s)
    role = s.role("locality", "practitioner")
    days = scenario_days(s)
    working = float(days.working_before[int(horizon)] - days.working_before[0])
    out["hours_at_work"] = role.effective_staff * role.hours_per_day * working
    out["effective_staff"] = role.effective_staff
    out["retriage_hours"] = retriage_hours(log, s, days) if "retriage" in s.steps else 0.0
    return out


def within_28_days(log, s) -> dict[str, float]:
    """Shares of the assessments completed in the year that were done within 28 days of
    the request (the report: 57%): new referrals', and all, counting for the 630 the wait
    they had before 1 January."""
    at = log.step == log.steps.index("assessment")
    first, done = pairs(log, log.rows("queued") & at, log.rows("finished") & at)
    age = log.attributes["backlog_age"][log.case[first]]
    new = np.isnan(age)
    took = done - log.time[first] + np.nan_to_num(age)
    ended = (done >= s.run.warmup_days) & (done < s.horizon_days)
    return {
        "new_within_28": float(np.mean(took[ended & new] <= 28)),
        "all_within_28": float(np.mean(took[ended] <= 28)),
    }


def retriage_hours(log, s, days) -> float:
    """Practitioners' hours on re-triage in the measured year: each task's span on their
    working clock, less the pool's stretch (whole people standing for fractional staff)."""
    at = log.step == log.steps.index("retriage")
    first, t1 = pairs(log, log.rows("started") & at, log.rows("finished") & at)
    t0 = log.time[first]
    done = (t1 >= s.run.warmup_days) & (t1 < s.horizon_days)
    role = s.role("locality", "practitioner")
    clock = team_clock(s, "locality", "practitioner", days)
    span = clock.hours_at_many(t1[done]) - clock.hours_at_many(t0[done])
    stretch = staff_count(role) / role.pathway_staff
    return float(np.sum(span) / stretch)


def run(replications: int, seed: int, workers: int) -> dict[str, dict]:
    per_design = {}
    for label, path in DESIGNS.items():
        s = load_scenario(path).scenario
        result = run_replications(s, seed, replications, keep_logs=replications, workers=workers)
        rows = []
        for metrics, log, daily in zip(
            result.per_replication, result.logs, result.daily, strict=True
        ):
            row = {k: v for k, v in metrics.items() if k in METRICS}
            row |= extras(log, s, daily)
            share = row[f"utilisation_{ROLE}"]
            row["practitioner_hours_pathway"] = share * row["hours_at_work"]
            row["practitioners_on_pathway"] = share * row["effective_staff"]
            rows.append(row)
        queue = np.array([d["assessment_queue"] for d in result.daily], dtype=float)
        per_design[label] = {"rows": rows, "queue": queue, "day": result.daily[0]["day"]}
        print(f"ran {label}: {replications} replications")
    return per_design


def fmt(x: float) -> str:
    if math.isnan(x):
        return "-"
    return f"{x:,.3f}" if abs(x) < 1 else f"{x:,.1f}"


def report(per_design: dict[str, dict], out: Path) -> None:
    labels = list(per_design)
    base = per_design[labels[0]]["rows"]
    out.mkdir(parents=True, exist_ok=True)
    with (out / "answer.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for lb in labels:
            rows = per_design[lb]["rows"]
            diffs = {d.metric: d for d in paired_differences(base, rows)}
            print(f"\n== {lb}")
            for metric, label in METRICS.items():
                values = [r[metric] for r in rows]
                s = summarise(values)
                d = diffs[metric]
                dm, (dlo, dhi) = d.diff.mean, d.diff.ci95
                w.writerow([lb, metric, s.mean, *s.ci95, dm, dlo, dhi])
                line = f"  {label:<62} {fmt(s.mean):>8}  ({fmt(s.ci95[0])} to {fmt(s.ci95[1])})"
                if lb != labels[0]:
                    line += f"   diff {fmt(dm):>7} ({fmt(dlo)} to {fmt(dhi)})"
                print(line)
            cleared = summarise([r["assessment_backlog_cleared_day"] for r in rows])
            lo, hi = cleared.range95
            print(f"  last of the 630 allocated, middle 95% of years: {lo:.0f} to {hi:.0f}")
    figure(per_design, out / "figure.png")
    print(f"\nwrote {out / 'answer.csv'} and {out / 'figure.png'}")


def figure(per_design: dict[str, dict], path: Path) -> None:
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(11, 6))
        for colour, (label, d) in zip(OKABE_ITO, per_design.items(), strict=False):
            mean, lo, hi = mean_band(d["queue"])
            ax.fill_between(d["day"], lo, hi, color=colour, alpha=0.25, linewidth=0)
            ax.plot(d["day"], mean, color=colour, label=label)
        waiting = [np.flatnonzero(mean_band(d["queue"])[0] >= 0.5) for d in per_design.values()]
        ax.set_xlim(0, max(w[-1] for w in waiting if w.size) + 30)
        ax.set_xlabel("days from 1 January 2024")
        ax.set_ylabel("people waiting for a needs or carer's assessment")
        ax.set_title("East Sussex: the assessment waiting list from 630 (mean, 95% band)")
        ax.legend(frameon=False)
        fig.tight_layout()
        fig.savefig(path, dpi=110)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--replications", type=int, default=20)
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--out", type=Path, default=Path("results/east_sussex_backlog"))
    args = p.parse_args()
    report(run(args.replications, args.seed, args.workers), args.out)


if __name__ == "__main__":
    main()
