"""The ``sgsim`` command: run, report, compare and validate scenarios."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from scipy import stats

from sgsim import __version__
from sgsim.analysis.comparison import DEFAULT_MATERIAL
from sgsim.analysis.metrics import metric_names
from sgsim.analysis.summary import check_rates, compare_reported
from sgsim.outputs.tables import compare_document, compare_table, print_run, run_document
from sgsim.scenario.errors import ScenarioError
from sgsim.scenario.loading import LoadedScenario, load_scenario
from sgsim.scenario.provenance import describe_reported
from sgsim.scenario.suggest import nearest
from sgsim.studies.calibration_plan import DEFAULT_MAX_REPLICATIONS, DEFAULT_TOLERANCE
from sgsim.studies.runner import RunResult, run_replications

EXIT_BAD_INPUT = 2

DESCRIPTION = """\
sgsim simulates the adult safeguarding pathway of an English council: contacts arrive at
the front door, are triaged, pass (or fail) the Care Act s42 three-stage test, are
allocated to practitioners, enquired into and closed, with the staffing you set.
A scenario file (TOML) holds every assumption; see scenarios/README.md.


Try: sgsim run scenarios/west_sussex_2022_23.toml"""

RUN_EPILOG = """\
examples:
  sgsim run scenarios/west_sussex_2022_23.toml
      20 replications: the funnel, conversion rates, timeliness, queues and utilisation,
      with 95% confidence intervals, beside the council's reported figures
  sgsim run scenarios/east_sussex_hscc.toml --replications 50 --seed 7 --out results/es
      also write the event log, per-replication metrics and daily queues as CSV
  sgsim run scenarios/west_sussex_2022_23.toml --plots figures/ws
      also draw the funnel, queues, timeliness, staff and monthly figures (PNG and SVG)
  sgsim run scenarios/west_sussex_2022_23.toml --json | python -m json.tool
      one JSON object for other programs

Two scenarios run with the same seed see the same contacts and decisions (common random
numbers), so their difference shows the effect of the design, not of chance."""

COMPARE_EPILOG = """\
examples:
  sgsim compare scenarios/teaching/01_balanced.toml scenarios/teaching/02_demand_up_10pc.toml
      what 10% more contacts does to queues, waits and timeliness
  sgsim compare A.toml B.toml C.toml --plots figures/abc --out results/abc
      every scenario against the first, with figures and a CSV of the differences

The first scenario is the baseline. Each difference is taken replication by replication
(same seed, same contacts), and called clear only when its 95% interval excludes zero.
In practice it matters only beyond a threshold (--material times the baseline, with
floors the table's caption gives): "no material difference" when the whole interval lies
inside it, materially higher or lower when the whole interval lies beyond."""


SWEEP_EPILOG = """\
examples:
  sgsim sweep experiments/triage_staffing/sweep.toml --out results/triage --plots results/triage
      triage officers against contact growth, a heatmap of decisions within target
  sgsim sweep sweep.toml --out results/big --executor dask --scheduler tcp://10.0.0.5:8786
      the same sweep on a Dask cluster

A sweep file:
  base = "../scenarios/west_sussex_2022_23.toml"
  replications = 10
  plot_metric = "decision_within_target_rate"
  [design]
  type = "grid"                # grid, oat, lhs, sobol or morris; samples = N for the last three
  [[parameters]]
  path = "staffing.sah_triage_officer.headcount"
  values = [4, 5, 6]           # or low = 4, high = 8 (with integer = true to round)"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sgsim", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"sgsim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    raw = argparse.RawDescriptionHelpFormatter

    run = sub.add_parser(
        "run",
        help="simulate a scenario and compare with reported figures",
        description="Simulate a scenario over several replications and print "
        "the results with 95%% confidence intervals.",
        epilog=RUN_EPILOG,
        formatter_class=raw,
    )
    run.add_argument("scenario", type=Path, help="scenario file (.toml)")
    _add_run_options(run)
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
        default="first",
        help="with --out: write the event log and cases of the first replication "
        "(default: it fits in a spreadsheet; 20 West Sussex replications make 1.3 million "
        "rows), of all replications (for process mining or animation), or none",
    )
    run.add_argument("--plots", type=Path, metavar="DIR", help="write the figures (PNG and SVG)")
    run.add_argument("--json", action="store_true", help="print one JSON object, no tables")

    rep = sub.add_parser(
        "report",
        help="write a self-contained HTML report of a scenario",
        description="Run a scenario and write one HTML file (figures embedded, "
        "opens offline) with the assumptions in plain words, the results with "
        "intervals, reported vs simulated, every figure, and what is needed to "
        "reproduce the run.",
        formatter_class=raw,
    )
    rep.add_argument("scenario", type=Path, help="scenario file (.toml)")
    _add_output(rep, "report.html", "the HTML file to write")
    _add_run_options(rep)

    cmp = sub.add_parser(
        "compare",
        help="compare scenarios with common random numbers",
        description="Run two or more scenarios with the same seed and show "
        "each metric side by side with the paired difference from the first.",
        epilog=COMPARE_EPILOG,
        formatter_class=raw,
    )
    cmp.add_argument(
        "scenarios",
        type=Path,
        nargs="+",
        metavar="SCENARIO",
        help="scenario files; the first is the baseline",
    )
    _add_run_options(cmp)
    cmp.add_argument("--plots", type=Path, metavar="DIR", help="draw the scenarios side by side")
    cmp.add_argument("--out", type=Path, metavar="DIR", help="write comparison.csv")
    cmp.add_argument("--json", action="store_true", help="print one JSON object, no tables")
    cmp.add_argument(
        "--material",
        type=_fraction,
        default=DEFAULT_MATERIAL,
        metavar="FRACTION",
        help="the smallest difference that matters, as a fraction of the baseline "
        f"(default: {DEFAULT_MATERIAL:g})",
    )

    swp = sub.add_parser(
        "sweep",
        help="run a sweep over scenario parameters (grid, oat, lhs, sobol, morris)",
        description="Run every design point of a sweep file with common random numbers and "
        "write one tidy table (results.csv: one row per point and replication). Results are "
        "saved as each point finishes: run the same command again to finish an interrupted "
        "sweep.",
        epilog=SWEEP_EPILOG,
        formatter_class=raw,
    )
    swp.add_argument("sweep", type=Path, help="sweep file (.toml)")
    swp.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        required=True,
        help="folder for the results (resumes if it holds this sweep)",
    )
    swp.add_argument(
        "--workers", type=_positive, default=None, help="parallel workers (default: every core)"
    )
    swp.add_argument(
        "--executor",
        choices=("local", "dask"),
        default="local",
        help="local processes (default), or a Dask cluster (pip install 'sgsim[dask]')",
    )
    swp.add_argument(
        "--scheduler",
        metavar="ADDR",
        help="with --executor dask: the scheduler address (tcp://host:8786); "
        "without it a local Dask cluster is started",
    )
    swp.add_argument("--plots", type=Path, metavar="DIR", help="draw the sweep's figures")

    cal = sub.add_parser(
        "calibrate",
        help="fit scenario parameters to the reported figures",
        description="Find values of the named parameters that make the simulated figures "
        "match the scenario's [reported] figures (Nelder-Mead with common random numbers), "
        "with a 95%% range for each, the directions the figures cannot pin down, and a new "
        "scenario file that extends the original with the fitted values.",
        epilog="example:\n  sgsim calibrate scenarios/west_sussex_2022_23.toml --fit "
        "demand.sources.police.concern_probability --fit s42_test.unable_to_protect "
        "--to reported\n\nBounds default to [0, 1] for probabilities and half to twice "
        "the scenario's value otherwise; give PATH=LOW:HIGH to set them.",
        formatter_class=raw,
    )
    cal.add_argument("scenario", type=Path, help="scenario file (.toml) with [reported] figures")
    cal.add_argument(
        "--fit",
        action="append",
        required=True,
        metavar="PATH[=LOW:HIGH]",
        help="a parameter to fit, by its dotted path; repeat for more",
    )
    cal.add_argument(
        "--to",
        choices=("reported",),
        default="reported",
        help="what to fit to: the scenario's reported figures",
    )
    cal.add_argument(
        "-o",
        "--output",
        type=Path,
        help="the fitted scenario file (default: SCENARIO_calibrated.toml beside it)",
    )
    cal.add_argument(
        "--max-evaluations",
        type=_positive,
        help="a hard cap on simulations of the objective, counting the fit, the 95%% ranges "
        "and the flat-direction checks (default: 30 per parameter and 30 more for the fit, "
        "plus what the ranges and checks need at most; printed before the start)",
    )
    cal.add_argument(
        "--tolerance",
        type=_fraction,
        default=DEFAULT_TOLERANCE,
        metavar="FRACTION",
        help="choose the replications so that each reported figure's 95%% interval is "
        f"within this fraction of it, from a pilot's noise (default: {DEFAULT_TOLERANCE:g})",
    )
    cal.add_argument(
        "--max-replications",
        type=_positive,
        default=DEFAULT_MAX_REPLICATIONS,
        help=f"at most this many replications (default: {DEFAULT_MAX_REPLICATIONS})",
    )
    _add_run_options(cal, replications=None)

    wu = sub.add_parser(
        "warmup",
        help="suggest a warm-up period (Welch's method, MSER-5)",
        description="Run a long trial from empty, and for each stage's daily queue show the "
        "mean over replications with Welch's moving average and the MSER-5 truncation "
        "point; suggest a warm-up in days.",
        formatter_class=raw,
    )
    wu.add_argument("scenario", type=Path, help="scenario file (.toml)")
    wu.add_argument(
        "--days",
        type=_positive,
        help="length of the trial (default: twice the scenario's warm-up and run, at least a year)",
    )
    wu.add_argument(
        "--window",
        type=_positive,
        default=15,
        help="Welch moving-average half-window in days (default: 15)",
    )
    wu.add_argument("--plots", type=Path, metavar="DIR", help="draw warmup.png and .svg")
    _add_run_options(wu, replications=5)

    rp = sub.add_parser(
        "replications",
        help="how many replications a precision needs (confidence-interval method)",
        description="Add replications until the 95%% confidence interval of each key metric "
        "is within the given relative half-width of its mean, and print how many each "
        "needed.",
    )
    rp.add_argument("scenario", type=Path, help="scenario file (.toml)")
    rp.add_argument(
        "--precision",
        type=float,
        default=0.05,
        help="relative half-width of the 95%% interval (default: 0.05)",
    )
    rp.add_argument(
        "--max",
        type=_positive,
        default=100,
        dest="maximum",
        help="stop after this many replications (default: 100)",
    )
    rp.add_argument(
        "--metric",
        action="append",
        help="a metric to watch (repeatable); "
        "default: contacts, concerns, s42_enquiries, decision_within_target_rate, "
        "allocation_wait_days_mean, open_enquiries_mean",
    )
    rp.add_argument("--seed", type=_seed, default=12345, help="random seed (default: 12345)")

    st = sub.add_parser(
        "stress-report",
        help="write a STRESS-DES report of the model and a scenario (markdown)",
        description="Run a scenario and write a STRESS-DES style report (Monks et al. 2019): "
        "objectives, logic, data, experimentation, implementation and code access, filled "
        "from the scenario and the run.",
    )
    st.add_argument("scenario", type=Path, help="scenario file (.toml)")
    _add_output(st, "stress_report.md", "the markdown file")
    _add_run_options(st)

    ver = sub.add_parser(
        "verify",
        help="check the model against known answers",
        description="Run the model's checks against answers known without it: M/M/c (Erlang "
        "C), a non-preemptive priority queue (Cobham), Little's law on every queue, a "
        "two-stage network (Jackson, and Ciw if installed), conservation and conversion. "
        "Exit code 1 if any check fails.",
    )
    ver.add_argument(
        "--quick", action="store_true", help="fewer replications and shorter runs (about 10 s)"
    )

    val = sub.add_parser(
        "validate",
        help="check a scenario file and say what is wrong",
        description="Check a scenario file without running it. Exit code 0 "
        "if it is valid, 2 if not, with one line saying which key is wrong.",
    )
    val.add_argument("scenario", type=Path, help="scenario file (.toml)")
    return parser


def _add_run_options(p: argparse.ArgumentParser, replications: int | None = 20) -> None:
    p.add_argument(
        "-n",
        "--replications",
        type=_positive,
        default=replications,
        help=f"independent replications (default: {replications}); more gives tighter intervals"
        if replications
        else "independent replications (default: chosen from the noise, see --tolerance)",
    )
    p.add_argument(
        "--seed",
        type=_seed,
        default=12345,
        help="random seed (default: 12345); the same seed gives identical output",
    )
    p.add_argument(
        "-j",
        "--workers",
        type=_positive,
        default=1,
        help="replications in parallel processes (default: 1); results are identical",
    )


def _add_output(p: argparse.ArgumentParser, default: str, what: str) -> None:
    p.add_argument(
        "-o", "--output", type=Path, default=Path(default), help=f"{what} (default: {default})"
    )


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def _positive(text: str) -> int:
    value = _whole(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {text!r}")
    return value


def _seed(text: str) -> int:
    value = _whole(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {value}")
    return value


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    commands = {
        "run": cmd_run,
        "report": cmd_report,
        "compare": cmd_compare,
        "sweep": cmd_sweep,
        "verify": cmd_verify,
        "calibrate": cmd_calibrate,
        "warmup": cmd_warmup,
        "stress-report": cmd_stress_report,
        "replications": cmd_replications,
        "validate": cmd_validate,
    }
    try:
        return commands[args.command](args)
    except ScenarioError as exc:
        print(f"sgsim: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        print(f"sgsim: error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        if args.command == "sweep":
            print(
                "sgsim: interrupted; finished points are saved: run the same command to resume",
                file=sys.stderr,
            )
        else:
            print("sgsim: interrupted; nothing was written", file=sys.stderr)
        return 130


def _command_line() -> list[str]:
    return ["sgsim", *sys.argv[1:]]


def _need_folder(path: Path | None, option: str) -> None:
    if path is not None and path.exists() and not path.is_dir():
        raise ScenarioError(str(path), option, "a folder", "<an existing file>")


def simulate_with_progress(
    scenarios: list[LoadedScenario],
    seed: int,
    replications: int,
    keep_logs: int = 0,
    workers: int = 1,
) -> list[RunResult]:
    """Run each scenario's replications behind one progress bar (on stderr)."""
    err = Console(stderr=True)
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    results = []
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("simulating", total=replications * len(scenarios))
        for loaded in scenarios:
            progress.update(task, description=f"simulating {loaded.scenario.name}")
            results.append(
                run_replications(
                    loaded.scenario,
                    seed,
                    replications,
                    keep_logs=keep_logs,
                    on_done=lambda _: progress.advance(task),
                    workers=workers,
                )
            )
    return results


def cmd_validate(args: argparse.Namespace) -> int:
    s = load_scenario(args.scenario).scenario
    print(
        f"{args.scenario}: valid. {s.name}: {_n(len(s.staffing), 'role')}, "
        f"{_n(len(s.demand.sources), 'source')}, {_n(len(s.allocation.teams), 'team')}, "
        f"{s.run.warmup_days} warm-up + {s.run.run_days} measured days, "
        f"{_n(len(metric_names(s)), 'metric')}, "
        f"{_n(len(s.reported.figures), 'reported figure')}."
    )
    print(describe_reported(args.scenario, s.reported))
    return 0


def _n(k: int, word: str) -> str:
    return f"{k} {word}" + ("" if k == 1 else "s")


def cmd_run(args: argparse.Namespace) -> int:
    loaded = load_scenario(args.scenario)
    s = loaded.scenario
    _need_folder(args.out, "--out")
    _need_folder(args.plots, "--plots")
    keep = 0
    if args.out is not None and args.event_log != "none":
        keep = 1 if args.event_log == "first" else args.replications
    (result,) = simulate_with_progress([loaded], args.seed, args.replications, keep, args.workers)
    summaries = result.summaries()
    reported = compare_reported(s.reported, summaries)
    rates = check_rates(s.reported, summaries)
    notes = []
    if args.out is not None:
        from sgsim.outputs.files import write_run

        written = write_run(args.out, loaded, result, _command_line())
        notes.append(f"wrote {len(written)} files to {args.out}")
    if args.plots is not None:
        from sgsim.outputs.figures import write_figures

        written = write_figures(result, s, args.plots)
        notes.append(f"wrote {len(written)} figures to {args.plots}")
    if args.json:
        doc = run_document(s, summaries, reported, rates, args.replications, args.seed)
        print(json.dumps(doc, indent=2))
    else:
        print_run(Console(), s, summaries, reported, rates, args.replications, args.seed)
    for note in notes:
        print(note, file=sys.stderr)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from sgsim.outputs.report import build_report

    return _write_document(args, build_report)


def _write_document(
    args: argparse.Namespace, build: Callable[[LoadedScenario, RunResult, list[str]], str]
) -> int:
    """Run the scenario and write one document from the run (HTML report, STRESS-DES)."""
    loaded = load_scenario(args.scenario)
    if args.output.is_dir():
        raise ScenarioError(str(args.output), "--output", "a file name", "<a folder>")
    (result,) = simulate_with_progress([loaded], args.seed, args.replications, workers=args.workers)
    text = build(loaded, result, _command_line())
    write_text_atomically(args.output, text)
    print(f"wrote {args.output} ({len(text) / 1e6:.1f} MB)", file=sys.stderr)
    return 0


def write_text_atomically(path: Path, text: str) -> None:
    """Write a whole file or nothing: a temporary file beside it, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes files private; a report is to share
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def cmd_compare(args: argparse.Namespace) -> int:
    from sgsim.analysis.comparison import paired_differences

    if len(args.scenarios) < 2:
        raise ScenarioError(
            "compare", "SCENARIO", "at least two scenario files", f"<{len(args.scenarios)}>"
        )
    loaded = [load_scenario(p) for p in args.scenarios]
    _need_folder(args.out, "--out")
    _need_folder(args.plots, "--plots")
    labels = _labels(args.scenarios)
    results = simulate_with_progress(loaded, args.seed, args.replications, workers=args.workers)
    base = results[0].per_replication
    comparisons = {
        label: paired_differences(base, r.per_replication, args.material)
        for label, r in zip(labels[1:], results[1:], strict=True)
    }
    notes = []
    if args.out is not None:
        from sgsim.outputs.files import write_comparison

        write_comparison(args.out, labels[0], comparisons, args.seed, args.replications)
        notes.append(f"wrote {args.out / 'comparison.csv'}")
    if args.plots is not None:
        from sgsim.outputs.figures import compare_figures, save_figures

        figures = compare_figures(
            dict(zip(labels, results, strict=True)),
            {lb: ld.scenario for lb, ld in zip(labels, loaded, strict=True)},
        )
        written = save_figures(figures, args.plots)
        notes.append(f"wrote {len(written)} figures to {args.plots}")
    if args.json:
        print(
            json.dumps(
                compare_document(
                    args.seed, args.replications, labels[0], comparisons, args.material
                ),
                indent=2,
            )
        )
    else:
        console = Console()
        for label, diffs in comparisons.items():
            console.print(compare_table(labels[0], label, diffs, args.material))
    for note in notes:
        print(note, file=sys.stderr)
    return 0


def _labels(paths: list[Path]) -> list[str]:
    """Short names for the scenarios: file stems, made unique."""
    labels: list[str] = []
    for p in paths:
        label = p.stem
        while label in labels:
            label += "'"
        labels.append(label)
    return labels


def cmd_sweep(args: argparse.Namespace) -> int:
    from sgsim.studies.sweep.execute import executor
    from sgsim.studies.sweep.run import run_sweep
    from sgsim.studies.sweep.spec import load_sweep

    spec = load_sweep(args.sweep)
    _need_folder(args.out, "--out")
    _need_folder(args.plots, "--plots")
    if args.scheduler and args.executor != "dask":
        raise ScenarioError(
            "command line", "--scheduler", "--executor dask with it", "--executor local"
        )
    err = Console(stderr=True)
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task(f"sweep {spec.file.name}", total=None)

        def started(total: int, done: int) -> None:
            progress.update(task, total=total, completed=done)
            if done:
                err.print(f"resuming: {done} of {total} points already done")

        result = run_sweep(
            spec,
            args.out,
            executor(args.executor, args.workers, args.scheduler),
            on_start=started,
            on_point=lambda _: progress.advance(task),
        )
    print(
        f"{spec.design} sweep: {result['points']} points x {spec.replications} replications; "
        f"ran {result['ran']} now; wrote {', '.join(result['written'])} to {args.out}"
    )
    if args.plots is not None:
        from sgsim.studies.sweep.plots import write_sweep_figures

        written = write_sweep_figures(spec, result, args.out, args.plots)
        print(f"wrote {len(written)} figures to {args.plots}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from rich.table import Table

    from sgsim.studies.verify import run_checks

    err = Console(stderr=True)
    with err.status("running checks...") as status:
        checks = run_checks(args.quick, on_done=lambda label: status.update(f"done: {label}"))
    table = Table(title="sgsim verify: the model against known answers", title_justify="left")
    for col in ("check", "expected", "simulated", "95% interval", "verdict"):
        table.add_column(col, justify="left" if col in ("check", "verdict") else "right")
    for c in checks:
        colour = "green" if c.passed else "red"
        table.add_row(
            c.name,
            f"{c.expected:.4g}",
            f"{c.simulated:.4g}",
            f"{c.interval[0]:.4g} to {c.interval[1]:.4g}",
            f"[{colour}]{c.verdict}[/{colour}] {c.note}",
        )
    Console().print(table)
    failed = [c for c in checks if not c.passed]
    print(f"{len(checks) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    from sgsim.outputs.calibration import plan_lines, print_calibration
    from sgsim.scenario.loading import read_scenario_raw
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
    text = fitted_file_text(result, extends, s.name, _command_line(), __version__)
    write_text_atomically(output, text)
    print(f"wrote {output}", file=sys.stderr)
    return 0


def cmd_warmup(args: argparse.Namespace) -> int:
    import dataclasses

    from rich.table import Table

    from sgsim.analysis.metrics import QUEUES
    from sgsim.analysis.run_length import fills_from_empty, mser, welch_moving_average

    loaded = load_scenario(args.scenario)
    s = loaded.scenario
    _need_folder(args.plots, "--plots")
    days = args.days or max(2 * s.horizon_days, 365)
    trial = dataclasses.replace(
        s, run=dataclasses.replace(s.run, start_date=s.origin, warmup_days=0, run_days=days)
    )
    trial_loaded = dataclasses.replace(loaded, scenario=trial)
    (result,) = simulate_with_progress(
        [trial_loaded], args.seed, args.replications, workers=args.workers
    )
    stages = {}
    for name in QUEUES:
        mean = np.mean([d[name] for d in result.daily], axis=0)
        cut = mser(mean)
        stages[name] = (mean, welch_moving_average(mean, args.window), cut)
    filling = {n: fills_from_empty(mean, cut) for n, (mean, _, cut) in stages.items()}
    cuts = [cut for n, (_, _, cut) in stages.items() if filling[n]]
    suggestion = int(math.ceil(max(cuts, default=0) / 10) * 10)
    table = Table(
        title=f"Warm-up for {s.name}: {days}-day trial from empty, "
        f"{args.replications} replications",
        title_justify="left",
    )
    for col in ("stage", "MSER-5 truncation (days)", "mean queue after it", "fills from empty"):
        table.add_column(col, justify="left" if col == "stage" else "right")
    for name, (mean, _, cut) in stages.items():
        table.add_row(
            name.replace("_", " "),
            str(cut),
            f"{mean[cut:].mean():.2f}",
            "yes" if filling[name] else "no: settles within days",
        )
    Console().print(table)
    print(
        f"suggested warm-up: {suggestion} days (the scenario has {s.run.warmup_days}), from "
        "the stages that fill from empty; for the others MSER-5 reads seasonality (bank "
        "holidays, a December dip) as bias. Check the figure (--plots)."
    )
    if args.plots is not None:
        from sgsim.outputs.figures import save_figures, warmup_figure

        written = save_figures({"warmup": warmup_figure(trial, stages, args.window)}, args.plots)
        print(f"wrote {len(written)} figures to {args.plots}", file=sys.stderr)
    return 0


def cmd_replications(args: argparse.Namespace) -> int:
    from rich.table import Table

    from sgsim.analysis.metrics import compute
    from sgsim.analysis.run_length import KEY_METRICS, run_until_precise
    from sgsim.model import simulate
    from sgsim.model.calendar import scenario_days

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
    days = scenario_days(s)
    err = Console(stderr=True)
    with Progress(
        TextColumn("replication"), MofNCompleteColumn(), console=err, transient=True
    ) as progress:
        task = progress.add_task("", total=args.maximum)
        needed, values = run_until_precise(
            lambda r: compute(simulate(s, args.seed, r), s, days),
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
        table.add_column(col, justify="left" if col == "metric" else "right")
    for m in metrics:
        x = np.asarray(values[m], dtype=float)
        half = stats.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size)
        n = needed[m]
        table.add_row(
            m,
            str(n) if n else f"more than {args.maximum}",
            f"{x.mean():.4g}",
            f"{half / abs(x.mean()):.1%}" if x.mean() else "-",
        )
    Console().print(table)
    worst = [n for n in needed.values()]
    print(
        "run at least "
        + (f"{max(worst)} replications" if all(worst) else f"more than {args.maximum}")
    )
    return 0


def cmd_stress_report(args: argparse.Namespace) -> int:
    from sgsim.outputs.stress import stress_report

    return _write_document(args, stress_report)
