"""``sgsim sweep``: every design point of a sweep file, resumable, in one tidy table."""

from __future__ import annotations

import argparse
from pathlib import Path

from sgsim.cli.common import (
    add_executor_options,
    check_executor_options,
    command_parser,
    need_folder,
    progress_bar,
)

DESCRIPTION = """\
Run every design point of a sweep file with common random numbers and write one
tidy table (results.csv: one row per point and replication). Results are saved
as each point finishes: run the same command again to finish an interrupted
sweep."""

EPILOG = """\
examples:
  sgsim sweep experiments/triage_staffing/sweep.toml --out results/triage \\
      --plots results/triage
      triage officers against contact growth, heatmap of decisions within target
  sgsim sweep sweep.toml --out results/big \\
      --executor dask --scheduler tcp://10.0.0.5:8786
      the same sweep on a Dask cluster

A sweep file:
  base = "../scenarios/west_sussex_2022_23.toml"
  replications = 10
  plot_metric = "decision_within_target_rate"
  [design]
  type = "grid"       # grid, oat, lhs, sobol or morris (last 3: samples = N)
  [[parameters]]
  path = "teams.sah.roles.triage_officer.headcount"
  values = [4, 5, 6]  # or low = 4, high = 8 (with integer = true to round)"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = command_parser(
        sub,
        "sweep",
        cmd_sweep,
        help="run a sweep over scenario parameters (grid, oat, lhs, sobol, morris)",
        description=DESCRIPTION,
        epilog=EPILOG,
    )
    p.set_defaults(interrupt_note="finished points are saved: run the same command to resume")
    p.add_argument("sweep", type=Path, help="sweep file (.toml)")
    p.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        required=True,
        help="folder for the results (resumes if it holds this sweep)",
    )
    add_executor_options(p)
    p.add_argument("--plots", type=Path, metavar="DIR", help="draw the sweep's figures")


def cmd_sweep(args: argparse.Namespace) -> int:
    from sgsim.studies.sweep.execute import executor
    from sgsim.studies.sweep.run import run_sweep
    from sgsim.studies.sweep.spec import load_sweep

    spec = load_sweep(args.sweep)
    need_folder(args.plots, "--plots")
    check_executor_options(args)
    with progress_bar() as progress:
        task = progress.add_task(f"sweep {spec.file.name}", total=None)

        def started(total: int, done: int) -> None:
            progress.update(task, total=total, completed=done)
            if done:
                progress.console.print(f"resuming: {done} of {total} points already done")

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
