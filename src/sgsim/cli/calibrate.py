"""``sgsim calibrate``: fit scenario parameters to the scenario's reported figures."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from sgsim import __version__
from sgsim.analysis.summary import compare_reported, summarise_all
from sgsim.cli.common import (
    add_run_options,
    command_line,
    command_parser,
    positive,
    write_text_atomically,
)
from sgsim.outputs.tables import reported_table
from sgsim.scenario.errors import ScenarioError
from sgsim.scenario.loading import load_scenario, read_scenario_raw

DESCRIPTION = """\
Find values of the named parameters that make the simulated figures match the
scenario's [reported] figures (Nelder-Mead with common random numbers), with a
95% range for each, the directions the figures cannot pin down, and a new
scenario file that extends the original with the fitted values."""

EPILOG = """\
example:
  sgsim calibrate scenarios/west_sussex_2022_23.toml --fit \\
      steps.triage.outcomes_by_source.police.concern --fit steps.s42_test.unable_to_protect

Bounds default to [0, 1] for probabilities and half to twice the scenario's
value otherwise; give PATH=LOW:HIGH to set them. Fitting one share of a mix
(a source's chance of a concern) fills in the others."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = command_parser(
        sub,
        "calibrate",
        cmd_calibrate,
        help="fit scenario parameters to the reported figures",
        description=DESCRIPTION,
        epilog=EPILOG,
    )
    p.add_argument("scenario", type=Path, help="scenario file (.toml) with [reported] figures")
    p.add_argument(
        "--fit",
        action="append",
        required=True,
        metavar="PATH[=LOW:HIGH]",
        help="a parameter to fit, by its dotted path; repeat for more",
    )
    p.add_argument(
        "--to",
        choices=("reported",),
        default="reported",
        help="what to fit to: the scenario's reported figures (default: %(default)s)",
    )
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        help="the fitted scenario file (default: SCENARIO_calibrated.toml beside it)",
    )
    p.add_argument(
        "--max-evaluations",
        type=positive,
        default=120,
        help="at most this many optimiser evaluations (default: %(default)s)",
    )
    add_run_options(p)
    p.set_defaults(replications=10)


def cmd_calibrate(args: argparse.Namespace) -> int:
    from sgsim.studies.calibrate import calibrate, fitted_file_text, parse_fit

    loaded = load_scenario(args.scenario)
    s = loaded.scenario
    file = str(args.scenario)
    raw = read_scenario_raw(args.scenario)
    targets = dict(s.reported.figures)
    if not targets:
        raise ScenarioError(file, "reported.figures", "figures to calibrate to", "<none>")
    params = [parse_fit(text, raw, file) for text in args.fit]
    output = args.output or args.scenario.with_name(args.scenario.stem + "_calibrated.toml")
    err = Console(stderr=True)
    with err.status("calibrating...") as status:
        result = calibrate(
            raw,
            file,
            params,
            targets,
            args.seed,
            args.replications,
            args.max_evaluations,
            on_eval=lambda n, v: status.update(f"calibrating: evaluation {n}, objective {v:.3g}"),
            workers=args.workers,
        )
    console = Console()
    table = Table(
        title=f"Fitted parameters ({result.evaluations} evaluations of "
        f"{args.replications} replications; objective {result.objective_start:.3g}"
        f" -> {result.objective_end:.3g})",
        title_justify="left",
    )
    for col in ("parameter", "started at", "fitted", "95% range"):
        table.add_column(col, justify="left" if col == "parameter" else "right")
    for p in params:
        lo, hi = result.ranges[p.path]
        table.add_row(
            p.path, f"{p.start:.4g}", f"{result.fitted[p.path]:.4g}", f"{lo:.4g} to {hi:.4g}"
        )
    console.print(table)
    reported = compare_reported(s.reported, summarise_all(result.per_replication))
    console.print(reported_table(reported, s.reported.source, wide=console.width >= 110))
    if result.flat_directions:
        console.print(
            "[bold]Not pinned down by the reported figures[/bold]: these parameters can move "
            "together (in these proportions, and three times as far) with the fit still "
            "inside its 95% range, so each one's own range understates its uncertainty:"
        )
        for flat in result.flat_directions:
            console.print("  " + " with ".join(f"{k} {v:+g}" for k, v in flat.items()))
    else:
        console.print("Every fitted parameter is pinned down by the reported figures.")
    extends = os.path.relpath(args.scenario.resolve(), output.resolve().parent)
    text = fitted_file_text(
        result, extends, s.name, targets, args.seed, args.replications, command_line(), __version__
    )
    write_text_atomically(output, text)
    print(f"wrote {output}", file=sys.stderr)
    return 0
