"""Print the figures the teaching ladder's README quotes: every one is made here.

    python scenarios/teaching/figures.py                   # about 10 minutes on 2 cores
    python scenarios/teaching/figures.py --files 01 02 --replications 2 --run-days 60

Each file runs as ``sgsim run FILE --seed 12345`` does, with the replications the README
states (20; 10 for the slower steps), and prints the mean, the 95% confidence interval
of the mean and the middle 95% of replications of the metrics its row quotes. A row that
compares with an earlier step also prints that step's mean over the same replications
(common random numbers) and the paired difference with its 95% interval; that step is
run too when ``--files`` does not name it.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from pathlib import Path

import sgsim
from sgsim.analysis.summary import Summary, summarise
from sgsim.outputs.tables import fmt, fmt_range

HERE = Path(__file__).resolve().parent
SEED, REPLICATIONS, FEWER = 12345, 20, 10
SLOW = ("08", "09", "10", "11", "14", "15", "16")  # run with FEWER replications
OVERTIME = "teams.hub.roles.triage_officer.overtime.when_queue_over"
NEVER = 1_000_000  # a queue no run reaches: overtime never called, the shifts still end

PERIOD_METRICS = ("utilisation_hub_triage_officer", "triage_queue_mean", "triage_wait_days_mean")
# Per step: the step it is compared with (or None) and the metrics its row quotes.
FIGURES: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "01": (None, ("utilisation_hub_triage_officer", "decision_within_target_rate")),
    "02": ("01", ("utilisation_hub_triage_officer", "allocation_wait_days_mean")),
    "03": (
        "01",
        (
            "utilisation_hub_triage_officer",
            "triage_queue_mean",
            "triage_wait_days_mean",
            "decision_within_target_rate",
        ),
    ),
    "04": ("01", ("utilisation_locality_social_worker", "concerns")),
    "05": ("01", ("concerns", "s42_enquiries")),
    "06": ("01", ("allocation_wait_days_mean",)),
    "07": ("01", ("allocation_wait_days_mean", "open_enquiries_mean")),
    "08": ("02", ("enquiry_withdrawn", "allocation_queue_mean")),
    "09": (
        "01",
        (
            "caseload_mean_locality_social_worker",
            "utilisation_locality_social_worker",
            "utilisation_total_locality_social_worker",
            "allocation_wait_days_mean",
        ),
    ),
    "10": (
        None,
        (
            "enquiry_backlog_cleared_day",
            "allocation_wait_days_mean",
            "allocation_wait_so_far_days_mean",
        ),
    ),
    "11": (None, ("panel_wait_days_mean",)),
    "12": (
        None,
        tuple(f"period{p}.{m}" for m in PERIOD_METRICS for p in (1, 2, 3)),
    ),
    "13": (
        "01",
        ("enquiry_open_cleared_day", "senior_enquiry_open_cleared_day", "open_enquiries_mean"),
    ),
    "14": (
        "01",
        (
            "decision_working_days_mean",
            "utilisation_hub_triage_officer",
            "overrun_hours_per_year_hub_triage_officer",
        ),
    ),
    "15": (
        "03",
        (
            "overtime_hours_per_year_hub_triage_officer",
            "overrun_hours_per_year_hub_triage_officer",
            "decision_within_target_rate",
        ),
    ),
    "16": (
        "10",
        (
            "enquiry_reviews",
            "enquiry_review_hours",
            "utilisation_locality_team_manager",
            "enquiry_priority_raised",
            "enquiry_priority_lowered",
            "enquiry_backlog_waiting_end",
        ),
    ),
}
# Step 15 again with a threshold never reached: what ending shifts alone does.
VARIANTS = {"15": ("15, overtime never called", {OVERTIME: NEVER}, "decision_within_target_rate")}

Runs = dict[str, list[dict[str, float]]]


def teaching_file(step: str) -> Path:
    (path,) = HERE.glob(f"{step}_*.toml")
    return path


def run(step: str, settings: dict, replications: int, workers: int) -> list[dict[str, float]]:
    model = sgsim.load(teaching_file(step))
    if settings:
        model = model.with_settings(settings)
    return model.run(replications, SEED, workers, event_logs=0).run.per_replication


def _line(name: str, s: Summary) -> str:
    """Mean [95% CI] (middle 95% of replications), under the name if it would pass 80."""
    figures = f"{fmt(name, s.mean)} [{fmt_range(name, s.ci95)}] ({fmt_range(name, s.range95)})"
    one = f"  {name}: {figures}"
    return one if len(one) <= 80 else f"  {name}:\n      {figures}"


def _against(name: str, base_step: str, base: list[dict], reps: list[dict]) -> str:
    n = min(len(base), len(reps))  # replication r is the same in any run of n > r
    was = summarise([b[name] for b in base[:n]]).mean
    diff = summarise([a[name] - b[name] for a, b in zip(reps, base, strict=False)], lower=-math.inf)
    lo, hi = (_signed(name, x) for x in diff.ci95)
    change = f"{_signed(name, diff.mean)} [{lo}, {hi}]"
    return f"    step {base_step}: {fmt(name, was)}; difference {change}"


def _signed(name: str, x: float) -> str:
    return ("-" if x < 0 else "+") + fmt(name, abs(x))


def report(step: str, runs: Runs) -> list[str]:
    """The lines printed for one step, from its replications (and its baseline's, if run)."""
    base_step, names = FIGURES[step]
    reps = runs[step]
    lines = [f"{teaching_file(step).name}: {len(reps)} replications, seed {SEED}"]
    for name in names:
        lines.append(_line(name, summarise([r[name] for r in reps])))
        if base_step in runs and name in runs[base_step][0]:
            lines.append(_against(name, base_step, runs[base_step], reps))
    if step in VARIANTS:
        label, _, name = VARIANTS[step]
        lines.append(f"{label}:")
        lines.append(_line(name, summarise([r[name] for r in runs[label]])))
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", nargs="+", default=list(FIGURES), help="steps, e.g. 01 02")
    ap.add_argument("--replications", type=int, help="for every step (default: the README's)")
    ap.add_argument("--run-days", type=int, help="shorten every run (for a quick check)")
    ap.add_argument("--warmup-days", type=int, help="shorten every warm-up")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    unknown = sorted(set(args.files) - set(FIGURES))
    if unknown:
        ap.error(f"no teaching step {', '.join(unknown)}; the steps are {', '.join(FIGURES)}")
    settings = {
        key: value
        for key, value in (("run.run_days", args.run_days), ("run.warmup_days", args.warmup_days))
        if value is not None
    }
    wanted = set(args.files) | {FIGURES[step][0] for step in args.files} - {None}
    runs: Runs = {}
    for step in sorted(wanted):  # a step's baseline comes before it
        n = args.replications or (FEWER if step in SLOW else REPLICATIONS)
        runs[step] = run(step, settings, n, args.workers)
        if step in VARIANTS:
            label, change, _ = VARIANTS[step]
            runs[label] = run(step, {**settings, **change}, n, args.workers)
        if step in args.files:
            print("\n".join(report(step, runs)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
