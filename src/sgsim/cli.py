"""The ``sgsim`` command: run a scenario, or check a scenario file."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from sgsim import __version__
from sgsim.errors import ScenarioError
from sgsim.loading import load_scenario
from sgsim.metrics import metric_names
from sgsim.runner import run_replications
from sgsim.summary import check_rates, compare_reported
from sgsim.tables import print_run, run_document

EXIT_BAD_INPUT = 2

DESCRIPTION = """\
sgsim simulates the adult safeguarding pathway of an English council: contacts arrive at
the front door, are triaged, pass (or fail) the Care Act s42 three-stage test, are
allocated to practitioners, enquired into and closed, with the staffing you set.
A scenario file (TOML) holds every assumption; see scenarios/README.md."""

RUN_EPILOG = """\
examples:
  sgsim run scenarios/west_sussex_2022_23.toml
      20 replications: the funnel, conversion rates, timeliness, queues and utilisation,
      with 95% confidence intervals, beside the council's reported figures
  sgsim run scenarios/east_sussex_hscc.toml --replications 50 --seed 7 --out results/es
      also write the event log, per-replication metrics and daily queues as CSV
  sgsim run scenarios/west_sussex_2022_23.toml --json | python -m json.tool
      one JSON object for other programs

Two scenarios run with the same seed see the same contacts and decisions (common random
numbers), so their difference shows the effect of the design, not of chance."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sgsim", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"sgsim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = sub.add_parser(
        "run",
        help="simulate a scenario and compare with reported figures",
        description="Simulate a scenario over several replications and print "
        "the results with 95%% confidence intervals.",
        epilog=RUN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("scenario", type=Path, help="scenario file (.toml)")
    run.add_argument(
        "-n",
        "--replications",
        type=_positive,
        default=20,
        help="independent replications (default: 20); more gives tighter intervals",
    )
    run.add_argument(
        "--seed",
        type=_seed,
        default=12345,
        help="random seed (default: 12345); the same seed gives identical output",
    )
    run.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="write CSV files (event log, cases, metrics per replication, summary, "
        "daily queues, monthly concerns) plus the scenario text and run record",
    )
    run.add_argument(
        "--event-log",
        choices=("all", "first", "none"),
        default="all",
        help="with --out: write the event log and cases of all replications (default), of "
        "the first only (small enough for a spreadsheet), or none",
    )
    run.add_argument("--json", action="store_true", help="print one JSON object, no tables")

    val = sub.add_parser(
        "validate",
        help="check a scenario file and say what is wrong",
        description="Check a scenario file without running it. Exit code 0 "
        "if it is valid, 2 if not, with one line saying which key is wrong.",
    )
    val.add_argument("scenario", type=Path, help="scenario file (.toml)")
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {value}")
    return value


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    err = Console(stderr=True)
    try:
        if args.command == "validate":
            return cmd_validate(args)
        return cmd_run(args, err)
    except ScenarioError as exc:
        print(f"sgsim: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        print(f"sgsim: error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("sgsim: interrupted; nothing was written", file=sys.stderr)
        return 130


def cmd_validate(args: argparse.Namespace) -> int:
    loaded = load_scenario(args.scenario)
    s = loaded.scenario
    print(
        f"{args.scenario}: valid. {s.name}: {_n(len(s.staffing), 'role')}, "
        f"{_n(len(s.demand.sources), 'source')}, {_n(len(s.allocation.teams), 'team')}, "
        f"{s.run.warmup_days} warm-up + {s.run.run_days} measured days, "
        f"{_n(len(metric_names(s)), 'metric')}, "
        f"{_n(len(s.reported.figures), 'reported figure')}."
    )
    return 0


def _logs_to_keep(args: argparse.Namespace) -> int:
    if args.out is None or args.event_log == "none":
        return 0
    return 1 if args.event_log == "first" else args.replications


def _n(k: int, word: str) -> str:
    return f"{k} {word}" + ("" if k == 1 else "s")


def cmd_run(args: argparse.Namespace, err: Console) -> int:
    loaded = load_scenario(args.scenario)
    s = loaded.scenario
    if args.out is not None and args.out.exists() and not args.out.is_dir():
        raise ScenarioError(str(args.out), "--out", "a folder", "<an existing file>")
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task(f"simulating {s.name}", total=args.replications)
        result = run_replications(
            s,
            args.seed,
            args.replications,
            keep_logs=_logs_to_keep(args),
            on_done=lambda _: progress.advance(task),
        )
    summaries = result.summaries()
    reported = compare_reported(s.reported, summaries)
    rates = check_rates(s.reported, summaries)
    if args.out is not None:
        written = write_outputs(args, loaded, result)
    if args.json:
        doc = run_document(s, summaries, reported, rates, args.replications, args.seed)
        print(json.dumps(doc, indent=2))
    else:
        print_run(Console(), s, summaries, reported, rates, args.replications, args.seed)
    if args.out is not None:
        err.print(f"wrote {len(written)} files to {args.out}: {', '.join(written)}")
    return 0


def write_outputs(args: argparse.Namespace, loaded, result) -> list[str]:
    from sgsim.outputs import write_run

    return write_run(args.out, loaded, result, ["sgsim", *sys.argv[1:]])
