"""Stockton 2015: what does the hand-off to health through the Single Point of Access cost,
against direct access to health staff, and what does spreading enquiry skills beyond the
senior practitioners do? Six designs at the same demand, with common random numbers.

    python experiments/stockton_handoffs/answer.py [--replications 20] [--seed 2015]
        [--workers 2] [--out results/stockton_handoffs]

Prints each design's means with 95% intervals and the paired difference from the 2015
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
    "2015 as found": ROOT / "scenarios" / "stockton_2015.toml",
    "direct access to health staff": HERE / "direct_access.toml",
    "no hand-off (bound)": HERE / "no_handoff.toml",
    "every practitioner takes enquiries": HERE / "skills_spread.toml",
    "every practitioner, places as now": HERE / "skills_spread_same_places.toml",
    "direct access + every practitioner": HERE / "direct_access_and_skills_spread.toml",
}

HEADER = ["design", "metric", "mean", "ci95_low", "ci95_high"]
HEADER += ["diff_from_2015", "diff_ci95_low", "diff_ci95_high"]
METRICS = {
    "concerns": "concerns",
    "s42_enquiries": "s42 enquiries",
    "concern_decision_working_days": "working days, contact to s42 decision (concerns)",
    "health_decision_working_days": "  of which concerns needing health input",
    "concern_decision_p90_working_days": "  90th percentile, all concerns",
    "allocation_wait_days": "days waiting for allocation (incl. still waiting)",
    "allocation_wait_p90_days": "  90th percentile",
    "enquiry_holders_utilisation": "share of enquiry holders' hours on the pathway",
    "open_enquiries_per_holder": "open enquiries per person holding them",
    "contact_to_closure_days_mean": "days, contact to leaving after an enquiry",
    "dp_validation_forum_wait_days_mean": "days waiting for the Direct Payment forum",
}


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
    case = log.case[decided][inside]
    wd = days.elapsed(arrived[case], t[inside])
    out["concern_decision_working_days"] = float(np.mean(wd))
    out["concern_decision_p90_working_days"] = float(np.percentile(wd, 90))
    # concerns for which the social worker needed health input (in every design the
    # information-gathering step still says so; only what follows differs)
    needing = log.rows("finished", step="information_gathering", outcome="health_input_needed")
    health = np.zeros(log.n_cases, dtype=bool)
    health[log.case[needing]] = True
    out["health_decision_working_days"] = float(np.mean(wd[health[case]]))
    # waits for allocation that ended in the period, and those still going at its end
    enter, leave = queue_rows(log, s)["allocation_queue"]
    first, t1 = pairs(log, enter, leave)
    t0 = log.time[first]
    ended = (t1 >= start) & (t1 < end)
    still = (t0 < end) & ~(t1 < end)
    wait = np.concatenate([t1[ended] - t0[ended], end - t0[still]])
    out["allocation_wait_days"] = float(np.mean(wait))
    out["allocation_wait_p90_days"] = float(np.percentile(wait, 90))
    return out


def holders(metrics: dict[str, float], s) -> dict[str, float]:
    """Utilisation and caseload of whoever holds enquiries (the role differs by design)."""
    role = s.steps["enquiry"].role
    return {
        "enquiry_holders_utilisation": metrics[f"utilisation_safeguarding_{role}"],
        "open_enquiries_per_holder": metrics[f"caseload_mean_safeguarding_{role}"],
    }


def run(replications: int, seed: int, workers: int) -> dict[str, list[dict[str, float]]]:
    per_design = {}
    for label, path in DESIGNS.items():
        s = load_scenario(path).scenario
        result = run_replications(s, seed, replications, keep_logs=replications, workers=workers)
        rows = []
        for metrics, log in zip(result.per_replication, result.logs, strict=True):
            row = {k: v for k, v in metrics.items() if k in METRICS}
            rows.append(row | extras(log, s) | holders(metrics, s))
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
        w.writerow(HEADER)
        for lb in labels:
            print(f"\n== {lb}")
            for metric, label in METRICS.items():
                s = summarise([r[metric] for r in per_design[lb]])
                d = diffs[lb][metric]
                dm, (dlo, dhi) = d.diff.mean, d.diff.ci95
                w.writerow([lb, metric, s.mean, *s.ci95, dm, dlo, dhi])
                line = f"  {label:<52} {fmt(s.mean):>8}  ({fmt(s.ci95[0])} to {fmt(s.ci95[1])})"
                if lb != labels[0]:
                    line += f"   diff {fmt(dm):>7} ({fmt(dlo)} to {fmt(dhi)})"
                print(line)
    figure(per_design, out / "figure.png")
    print(f"\nwrote {out / 'answer.csv'} and {out / 'figure.png'}")


PANELS = (
    ("concern_decision_working_days", "working days, contact to s42 decision"),
    ("health_decision_working_days", "the same, concerns\nneeding health input"),
    ("allocation_wait_days", "days waiting for allocation"),
    ("contact_to_closure_days_mean", "days, contact to leaving\nafter an enquiry"),
)


def figure(per_design: dict[str, list[dict[str, float]]], path: Path) -> None:
    labels = list(per_design)
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, 4, figsize=(17, 5.6))
        for ax, (metric, title) in zip(axes, PANELS, strict=True):
            for k, lb in enumerate(labels):
                s = summarise([r[metric] for r in per_design[lb]])
                lo, hi = s.ci95
                ax.bar(k, s.mean, color=OKABE_ITO[k], alpha=0.85)
                ax.errorbar(
                    k, s.mean, yerr=[[s.mean - lo], [hi - s.mean]], color="black", capsize=4
                )
            ax.set_title(title, fontsize=11)
            ax.set_xticks(range(len(labels)))
            ax.set_xticklabels([f"({chr(97 + k)})" for k in range(len(labels))])
        handles = [plt.Rectangle((0, 0), 1, 1, color=OKABE_ITO[k]) for k in range(len(labels))]
        fig.legend(
            handles,
            [f"({chr(97 + k)}) {lb}" for k, lb in enumerate(labels)],
            loc="lower center",
            ncol=3,
            frameon=False,
        )
        fig.suptitle(
            "Stockton 2015: the hand-off to health and who takes enquiries (means, 95% intervals)"
        )
        fig.tight_layout(rect=(0, 0.12, 1, 0.95))
        fig.savefig(path, dpi=110)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--replications", type=int, default=20)
    p.add_argument("--seed", type=int, default=2015)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--out", type=Path, default=Path("results/stockton_handoffs"))
    args = p.parse_args()
    report(run(args.replications, args.seed, args.workers), args.out)


if __name__ == "__main__":
    main()
