"""Southampton before and after the 2018/19 move: where backlogs form, stage by stage.

python experiments/southampton_before_after/answer.py results/southampton_before_after

Runs each design (same seed, same contacts) and prints, for every stage an adult's concern
passes through, the mean wait and the mean number waiting with 95% intervals; the wait
for a caseload place by risk and by locality; and the paired difference of each design
from the design after the move. Writes answer.csv and figure.png to the folder given.
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

from sgsim.analysis.metrics import pairs
from sgsim.analysis.summary import summarise
from sgsim.model import EventLog
from sgsim.outputs.figures import OKABE_ITO, STYLE
from sgsim.scenario.loading import build_scenario, read_scenario_raw, with_settings
from sgsim.scenario.schema import Scenario
from sgsim.studies.runner import run_replications

HERE = Path(__file__).parent
SCENARIOS = HERE.parent.parent / "scenarios"
POOL = HERE / "after_high_risk_pool.toml"
LOCALITIES = ("locality_central", "locality_east", "locality_west")


def pool_of(size: int) -> Scenario:
    """The city-wide high-risk pool design with ``size`` of the 12 social workers in it."""
    settings = {
        f"teams.{team}.roles.social_worker.headcount": (12 - size) / 3 for team in LOCALITIES
    }
    settings["teams.high_risk.roles.social_worker.headcount"] = size
    raw = with_settings(read_scenario_raw(POOL), settings)
    return build_scenario(raw, str(POOL))


def split_by_demand() -> Scenario:
    """The design after the move with the 12 social workers split by each area's share of
    contacts instead of evenly (in whole-time equivalents)."""
    path = SCENARIOS / "southampton_2019_after.toml"
    raw = read_scenario_raw(path)
    areas = raw["demand"]["areas"]
    settings = {
        f"teams.locality_{area}.roles.social_worker.headcount": 12 * share
        for area, share in areas.items()
    }
    return build_scenario(with_settings(raw, settings), str(path))


def designs() -> dict[str, Scenario]:
    def load(path: Path) -> Scenario:
        return build_scenario(read_scenario_raw(path), str(path))

    return {
        "before": load(SCENARIOS / "southampton_2019_before.toml"),
        "after": load(SCENARIOS / "southampton_2019_after.toml"),
        "after, staff split by demand": split_by_demand(),
        "after, no extra hours": load(HERE / "after_no_extra_hours.toml"),
        "after, high risk first": load(HERE / "after_high_risk_first.toml"),
        "after, high-risk pool of 4": pool_of(4),
        "after, high-risk pool of 5": pool_of(5),
        "after, high-risk pool of 6": pool_of(6),
    }


# The stages an adult's concern passes through, as (label, wait metric, queue metrics).
# Allocation is measured from the log (below): enquiries about an individual only.
STAGES = (
    ("front-door triage", "triage_wait_days_mean", ("triage_queue_mean",)),
    ("s42 decision", "s42_test_wait_days_mean", ("s42_test_queue_mean",)),
    ("caseload place", None, ("enquiry_queue_mean", "high_risk_enquiry_queue_mean")),
    ("funding panel", "funding_panel_wait_days_mean", ("funding_panel_queue_mean",)),
    ("closure sign-off", "closure_wait_days_mean", ("closure_queue_mean",)),
)


def allocation_waits(log: EventLog, s: Scenario) -> dict[str, float]:
    """Waits for a caseload place, for enquiries about an individual (not the Quality
    Assurance Team's provider enquiries), ending in the measured period as in sgsim's own
    wait metrics: all together, by risk and by locality; and, by risk, the days from the
    contact to that place (every stage before it)."""
    steps = [k for k, name in enumerate(log.steps) if name in ("enquiry", "high_risk_enquiry")]
    at = np.isin(log.step, steps)
    rows, t1 = pairs(log, log.rows("queued") & at, log.rows("started") & at)
    start, end = s.run.warmup_days, s.horizon_days
    ended = (t1 >= start) & (t1 < end)
    rows, t1 = rows[ended], t1[ended]
    wait = t1 - log.time[rows]
    case = log.case[rows]
    arrived = np.full(log.n_cases, np.nan)
    first = log.rows("arrived")
    arrived[log.case[first]] = log.time[first]
    from_contact = t1 - arrived[case]
    names = log.attribute_names
    risk = np.asarray(names["risk_level"])[log.attributes["risk_level"][case]]
    urgent = np.asarray(names["priority"])[log.attributes["priority"][case]] == "urgent"
    high = (risk == "high") | urgent  # "high risk first" carries high risk as "urgent"
    area = np.asarray(names["area"])[log.attributes["area"][case]]
    out = {"allocation, all": mean(wait), "allocation, high risk": mean(wait[high])}
    out["allocation, low or medium risk"] = mean(wait[~high])
    for name in names["area"]:
        out[f"allocation, {name}"] = mean(wait[area == name])
    out["contact to caseload place, high risk"] = mean(from_contact[high])
    out["contact to caseload place, low or medium risk"] = mean(from_contact[~high])
    return out


def mean(x: np.ndarray) -> float:
    return float(x.mean()) if x.size else math.nan


def measures(metrics: dict[str, float], log: EventLog, s: Scenario) -> dict[str, float]:
    """One replication's waits (days) and queues (cases waiting, time-averaged) by stage."""
    alloc = allocation_waits(log, s)
    out = {}
    for label, wait, queues in STAGES:
        out[f"wait: {label}"] = alloc["allocation, all"] if wait is None else metrics[wait]
        out[f"waiting: {label}"] = sum(metrics.get(q, 0.0) for q in queues)
    out.update({f"wait: {k}": v for k, v in alloc.items() if k != "allocation, all"})
    out["days from contact to closure"] = metrics["contact_to_closure_days_mean"]
    return out


def interval(values: list[float]) -> tuple[float, float, float]:
    summary = summarise(values, lower=-math.inf)
    return summary.mean, *summary.ci95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for answer.csv and figure.png")
    parser.add_argument("-n", "--replications", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("-j", "--workers", type=int, default=2)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    runs: dict[str, list[dict[str, float]]] = {}
    for name, s in designs().items():
        result = run_replications(
            s, args.seed, args.replications, keep_logs=args.replications, workers=args.workers
        )
        runs[name] = [
            measures(m, log, s) for m, log in zip(result.per_replication, result.logs, strict=True)
        ]
        print(f"ran {name}")

    keys = list(runs["after"][0])
    rows = []
    for name, reps in runs.items():
        for key in keys:
            m, lo, hi = interval([r[key] for r in reps])
            # paired with the design after the move: same seed, same contacts
            base = "before" if name == "after" else "after"
            d, dlo, dhi = interval([r[key] - b[key] for r, b in zip(reps, runs[base], strict=True)])
            rows.append([name, key, m, lo, hi, base, d, dlo, dhi])
    with (args.out / "answer.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["design", "measure", "mean", "ci_low", "ci_high", "against", "diff",
                    "diff_low", "diff_high"])  # fmt: skip
        w.writerows([r[:2] + [f"{x:.3f}" for x in r[2:5]] + [r[5]] + [f"{x:.3f}" for x in r[6:]]
                     for r in rows])  # fmt: skip

    print(f"\n{args.replications} replications, seed {args.seed}; mean [95% CI], then the paired")
    print("difference from 'after' ('after' against 'before')\n")
    for key in keys:
        print(key)
        for name in runs:
            r = next(x for x in rows if x[0] == name and x[1] == key)
            print(f"  {name:28} {r[2]:7.2f} [{r[3]:6.2f}, {r[4]:6.2f}]   "
                  f"vs {r[5]:6} {r[6]:+7.2f} [{r[7]:+6.2f}, {r[8]:+6.2f}]")  # fmt: skip
    figure(runs, args.out / "figure.png")
    print(f"\nwrote {args.out / 'answer.csv'} and {args.out / 'figure.png'}")


def figure(runs: dict[str, list[dict[str, float]]], path: Path) -> None:
    shown = [
        "before",
        "after",
        "after, staff split by demand",
        "after, high risk first",
        "after, high-risk pool of 5",
    ]
    panels = (
        ("wait at each stage (days)", [f"wait: {label}" for label, *_ in STAGES],
         [label for label, *_ in STAGES]),
        ("caseload place, by risk (days)",
         ["wait: allocation, high risk", "wait: allocation, low or medium risk"],
         ["high risk", "low or medium"]),
        ("caseload place, by locality (days)",
         [f"wait: allocation, {a}" for a in ("central", "east", "west")],
         ["central", "east", "west"]),
    )  # fmt: skip
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, 3, figsize=(16, 5.5), gridspec_kw={"width_ratios": [5, 2, 3]})
        width = 0.8 / len(shown)
        for ax, (title, keys, labels) in zip(axes, panels, strict=True):
            x = np.arange(len(keys))
            for k, name in enumerate(shown):
                stats = [interval([r[key] for r in runs[name]]) for key in keys]
                m = np.array([s[0] for s in stats])
                err = np.array([[s[0] - s[1] for s in stats], [s[2] - s[0] for s in stats]])
                ax.bar(x + (k - (len(shown) - 1) / 2) * width, m, width, yerr=err, capsize=2,
                       color=OKABE_ITO[k], label=name)  # fmt: skip
            ax.set_xticks(x, labels, rotation=20, ha="right")
            ax.set_title(title)
        axes[0].legend(frameon=False)
        fig.suptitle(
            "Southampton: where adults wait, before and after the move\n(same contacts, "
            "same 12 social workers; mean wait in days, bars: 95% CI)"
        )
        fig.tight_layout()
        fig.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
