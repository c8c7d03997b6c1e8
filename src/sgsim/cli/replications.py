"""``sgsim replications``: how many replications a precision needs."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from rich.console import Console
from rich.progress import MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from sgsim.analysis.metrics import metric_names
from sgsim.analysis.run_length import KEY_METRICS, replications_to_run
from sgsim.cli.common import add_seed, command_parser, positive
from sgsim.scenario.errors import ScenarioError
from sgsim.scenario.loading import load_scenario
from sgsim.scenario.suggest import nearest
from sgsim.studies.run_length import run_to_precision

DESCRIPTION = """\
Add replications until the 95% confidence interval of each key metric is within
the given relative half-width of its mean, and print how many each needed."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = command_parser(
        sub,
        "replications",
        cmd_replications,
        help="how many replications a precision needs (confidence-interval method)",
        description=DESCRIPTION,
    )
    p.add_argument("scenario", type=Path, help="scenario file (.toml)")
    p.add_argument(
        "--precision",
        type=float,
        default=0.05,
        help="relative half-width of the 95%% interval (default: %(default)s)",
    )
    p.add_argument(
        "--max",
        type=positive,
        default=100,
        dest="maximum",
        help="stop after this many replications (default: %(default)s)",
    )
    p.add_argument(
        "--metric",
        action="append",
        help="a metric to watch (repeatable); default: the key metrics the scenario "
        f"computes ({', '.join(KEY_METRICS)})",
    )
    add_seed(p)


def cmd_replications(args: argparse.Namespace) -> int:
    if not 0 < args.precision < 1:
        raise ScenarioError(
            "command line", "--precision", "a number between 0 and 1", args.precision
        )
    s = load_scenario(args.scenario).scenario
    known = metric_names(s)
    metrics = tuple(args.metric or [m for m in KEY_METRICS if m in known])
    for m in metrics:
        if m not in known:
            raise ScenarioError(
                "command line", "--metric", "a metric sgsim computes", m, hint=nearest(m, known)
            )
    with Progress(
        TextColumn("replication"),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        task = progress.add_task("", total=args.maximum)
        precisions = run_to_precision(
            s,
            args.seed,
            metrics,
            args.precision,
            args.maximum,
            on_done=lambda _: progress.advance(task),
        )
    table = Table(
        title=f"Replications for a 95% interval within +-{args.precision:.0%} of "
        f"the mean ({s.name})",
        title_justify="left",
    )
    for col in ("metric", "replications needed", "mean", "half-width / mean"):
        # a long metric name folds onto a second line rather than losing its end
        table.add_column(col, justify="left" if col == "metric" else "right", overflow="fold")
    for p in precisions:
        table.add_row(
            p.metric,
            str(p.needed) if p.needed else f"more than {args.maximum}",
            f"{p.mean:.4g}",
            "-" if math.isnan(p.relative_half_width) else f"{p.relative_half_width:.1%}",
        )
    Console().print(table)
    needed = replications_to_run(precisions)
    if needed:
        print(f"run at least {needed} replications")
    else:
        print(f"run more than {args.maximum} replications (raise --max to see how many)")
    return 0
