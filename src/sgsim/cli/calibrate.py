"""``sgsim calibrate``: fit scenario parameters to the scenario's reported figures."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from rich.console import Console

from sgsim import __version__
from sgsim.cli.common import (
    add_run_options,
    command_line,
    command_parser,
    fraction,
    positive,
    write_text_atomically,
)
from sgsim.scenario.errors import ScenarioError
from sgsim.scenario.loading import load_scenario, read_scenario_raw
from sgsim.studies.calibration_plan import DEFAULT_MAX_REPLICATIONS, DEFAULT_TOLERANCE

DESCRIPTION = """\
Find values of the named parameters that make the simulated figures match the
scenario's [reported] figures (Gauss-Newton steps on finite differences with
common random numbers), with a 95% range for each, the directions the figures
cannot pin down, and a new scenario file that extends the original with the
fitted values."""

EPILOG = """\
example:
  sgsim calibrate scenarios/west_sussex_2022_23.toml \\
      --fit steps.triage.outcomes_by_source.police.concern \\
      --fit steps.s42_test.unable_to_protect

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
        help="a hard cap on simulations of the objective, counting the fit and the "
        "differences at the fitted values that give the 95%% ranges (default: the start "
        "and four Gauss-Newton steps, each one point and one more per parameter, plus one "
        "per parameter for the ranges; printed before the start)",
    )
    p.add_argument(
        "--tolerance",
        type=fraction,
        default=DEFAULT_TOLERANCE,
        metavar="FRACTION",
        help="choose the replications so that each reported figure's 95%% interval is "
        "within this fraction of it, or within one year-to-year standard deviation if "
        "wider, from a pilot's noise (default: %(default)g)",
    )
    p.add_argument(
        "--max-replications",
        type=positive,
        default=DEFAULT_MAX_REPLICATIONS,
        help="at most this many replications (default: %(default)s)",
    )
    add_run_options(p, replications=None)


def cmd_calibrate(args: argparse.Namespace) -> int:
    from sgsim.outputs.calibration import plan_lines, print_calibration
    from sgsim.studies.calibrate import calibrate, fitted_file_text, parse_fit
    from sgsim.studies.calibration_plan import plan_calibration

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
    with err.status("pilot run..."):
        plan = plan_calibration(
            raw,
            file,
            params,
            targets,
            args.seed,
            args.replications,
            args.tolerance,
            args.max_replications,
            args.max_evaluations,
            args.workers,
        )
    err.print("\n".join(plan_lines(plan)), highlight=False)
    with err.status("calibrating...") as status:
        result = calibrate(
            raw,
            file,
            params,
            targets,
            plan,
            on_eval=lambda n, v: status.update(f"calibrating: evaluation {n}, objective {v:.3g}"),
            workers=args.workers,
        )
    print_calibration(Console(), result, s.reported.source)
    extends = os.path.relpath(args.scenario.resolve(), output.resolve().parent)
    text = fitted_file_text(result, extends, s.name, command_line(), __version__)
    write_text_atomically(output, text)
    print(f"wrote {output}", file=sys.stderr)
    return 0
