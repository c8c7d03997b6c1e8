"""``sgsim warmup``: suggest a warm-up from a long trial run from empty."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from sgsim.analysis.run_length import suggest_warmup
from sgsim.cli.common import (
    add_run_options,
    command_parser,
    need_folder,
    positive,
    simulate_with_progress,
)
from sgsim.outputs.figures import queue_panels
from sgsim.scenario.loading import load_scenario
from sgsim.studies.run_length import warmup_trial

DESCRIPTION = """\
Run a long trial from empty, and for each stage's daily queue show the mean over
replications with Welch's moving average and the MSER-5 truncation point;
suggest a warm-up in days."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = command_parser(
        sub,
        "warmup",
        cmd_warmup,
        help="suggest a warm-up period (Welch's method, MSER-5)",
        description=DESCRIPTION,
    )
    p.add_argument("scenario", type=Path, help="scenario file (.toml)")
    p.add_argument(
        "--days",
        type=positive,
        help="length of the trial (default: twice the scenario's warm-up and run, at least a year)",
    )
    p.add_argument(
        "--window",
        type=positive,
        default=15,
        help="Welch moving-average half-window in days (default: %(default)s)",
    )
    p.add_argument("--plots", type=Path, metavar="DIR", help="draw warmup.png and .svg")
    add_run_options(p)
    p.set_defaults(replications=5)


def cmd_warmup(args: argparse.Namespace) -> int:
    s = load_scenario(args.scenario).scenario
    need_folder(args.plots, "--plots")
    trial = warmup_trial(s, args.days)
    (result,) = simulate_with_progress([trial], args.seed, args.replications, workers=args.workers)
    suggestion = suggest_warmup(result.daily, args.window, queue_panels(s))
    table = Table(
        title=f"Warm-up for {s.name}: {trial.run.run_days}-day trial from empty, "
        f"{args.replications} replications",
        title_justify="left",
    )
    for col in ("stage", "MSER-5 truncation (days)", "mean queue after it", "fills from empty"):
        table.add_column(col, justify="left" if col == "stage" else "right")
    for name, stage in suggestion.stages.items():
        table.add_row(
            name.replace("_", " "),
            str(stage.cut),
            f"{stage.settled:.2f}",
            "does not settle"
            if not stage.settles
            else "yes"
            if stage.fills_from_empty
            else "no: settles within days",
        )
    console = Console()  # wraps the advice below to the terminal's width
    console.print(table)
    if suggestion.days is None:
        unsettled = ", ".join(
            n.replace("_", " ") for n, st in suggestion.stages.items() if not st.settles
        )
        console.print(
            f"does not settle: {unsettled} still growing at the end of the trial, so no "
            "warm-up makes its mean meaningful; add capacity, or start from a backlog and "
            "report when it clears.",
            markup=False,
            highlight=False,
        )
    else:
        console.print(
            f"suggested warm-up: {suggestion.days} days (the scenario has "
            f"{s.run.warmup_days}), from the stages that fill from empty; for the others "
            "MSER-5 reads seasonality (bank holidays, a December dip) as bias. Check the "
            "figure (--plots).",
            markup=False,
            highlight=False,
        )
    if args.plots is not None:
        from sgsim.outputs.figures import save_figures, warmup_figure

        series = {n: (st.mean, st.smoothed, st.cut) for n, st in suggestion.stages.items()}
        written = save_figures({"warmup": warmup_figure(trial, series, args.window)}, args.plots)
        print(f"wrote {len(written)} figures to {args.plots}", file=sys.stderr)
    return 0
