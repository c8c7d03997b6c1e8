"""``sgsim run``: simulate a scenario and show the results beside the reported figures."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console

from sgsim.analysis.summary import check_rates, compare_reported
from sgsim.cli.common import (
    add_run_options,
    command_line,
    command_parser,
    need_folder,
    simulate_with_progress,
)
from sgsim.outputs.tables import print_run, run_document
from sgsim.scenario.loading import load_scenario

DESCRIPTION = """\
Simulate a scenario over several replications and print the results with 95%
confidence intervals."""

EPILOG = """\
examples:
  sgsim run scenarios/west_sussex_2022_23.toml
      20 replications: the funnel, conversion rates, timeliness, queues and
      utilisation, with 95% confidence intervals, beside the council's
      reported figures
  sgsim run scenarios/east_sussex_2024.toml -n 50 --seed 7 --out results/es
      also write the event log, per-replication metrics and daily queues as CSV
  sgsim run scenarios/west_sussex_2022_23.toml --plots figures/ws
      also draw the funnel, queues, timeliness, staff and monthly figures
      (PNG and SVG)
  sgsim run scenarios/west_sussex_2022_23.toml --json | python -m json.tool
      one JSON object for other programs

Two scenarios run with the same seed see the same contacts and decisions
(common random numbers), so their difference shows the effect of the design,
not of chance."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = command_parser(
        sub,
        "run",
        cmd_run,
        help="simulate a scenario and compare with reported figures",
        description=DESCRIPTION,
        epilog=EPILOG,
    )
    p.add_argument("scenario", type=Path, help="scenario file (.toml)")
    add_run_options(p)
    p.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="write CSV files (event log, cases, metrics per replication, summary, "
        "daily queues, monthly concerns) plus the scenario text and run record",
    )
    p.add_argument(
        "--event-log",
        choices=("all", "first", "none"),
        default="first",
        help="with --out: write the event log and cases of the first replication, of all "
        "replications (for process mining or animation), or none (default: %(default)s, "
        "since it fits in a spreadsheet; 20 West Sussex replications make 1.3 million rows)",
    )
    p.add_argument("--plots", type=Path, metavar="DIR", help="write the figures (PNG and SVG)")
    p.add_argument("--json", action="store_true", help="print one JSON object, no tables")


def cmd_run(args: argparse.Namespace) -> int:
    loaded = load_scenario(args.scenario)
    s = loaded.scenario
    need_folder(args.out, "--out")
    need_folder(args.plots, "--plots")
    keep = 0
    if args.out is not None and args.event_log != "none":
        keep = 1 if args.event_log == "first" else args.replications
    (result,) = simulate_with_progress([s], args.seed, args.replications, keep, args.workers)
    summaries = result.summaries()
    reported = compare_reported(s.reported, summaries)
    rates = check_rates(s.reported, summaries)
    notes = []
    if args.out is not None:
        from sgsim.outputs.files import write_run

        written = write_run(args.out, loaded, result, command_line())
        notes.append(f"wrote {len(written)} files to {args.out}")
    if args.plots is not None:
        from sgsim.outputs.figures import write_figures

        written = write_figures(result, s, args.plots)
        notes.append(f"wrote {len(written)} figures to {args.plots}")
    growing = result.unsettled(s)
    if args.json:
        doc = run_document(s, summaries, reported, rates, args.replications, args.seed)
        doc["warnings"] = [g.words for g in growing]
        print(json.dumps(doc, indent=2))
    else:
        print_run(Console(), s, summaries, reported, rates, args.replications, args.seed)
        for g in growing:
            print(f"warning: {g.words}")
    for note in notes:
        print(note, file=sys.stderr)
    return 0
