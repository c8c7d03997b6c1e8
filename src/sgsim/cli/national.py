"""``sgsim national``: many councils from one table, and their national total."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.table import Table

from sgsim.cli.common import (
    add_executor_options,
    add_seed,
    check_executor_options,
    command_parser,
    positive,
)
from sgsim.outputs.folders import check_writable

DESCRIPTION = """\
Run every council of a council table (CSV: council, scenario, contacts_per_year,
staff_scale), each council its own scenario with all its replications, on local
processes or a Dask cluster; write one results table per council and the
national total of every count, with 95% intervals."""

EPILOG = """\
examples:
  sgsim national experiments/national/published.csv --out results/national -n 10
  sgsim national experiments/national/england_synthetic.csv \\
      --out results/england --executor dask --scheduler tcp://10.0.0.5:8786"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = command_parser(
        sub,
        "national",
        cmd_national,
        help="run many councils from one table, with a national total",
        description=DESCRIPTION,
        epilog=EPILOG,
    )
    p.add_argument("table", type=Path, help="council table (.csv)")
    p.add_argument("--out", type=Path, metavar="DIR", required=True, help="folder for the tables")
    p.add_argument(
        "-n", "--replications", type=positive, default=10, help="per council (default: %(default)s)"
    )
    add_seed(p)
    add_executor_options(p)


def cmd_national(args: argparse.Namespace) -> int:
    from sgsim.analysis.summary import summarise_all
    from sgsim.studies.national import (
        additive_metrics,
        load_councils,
        national_total,
        run_national,
        write_national,
    )
    from sgsim.studies.sweep.execute import executor

    check_writable(args.out, "--out")  # before any council runs
    check_executor_options(args)
    councils = load_councils(args.table)
    execute = executor(args.executor, args.workers, args.scheduler)
    per_council = run_national(councils, args.seed, args.replications, execute)
    written = write_national(args.out, councils, per_council)
    table = Table(title=f"{len(councils)} councils, {args.replications} replications each")
    for column in ("national total", "mean", "95% interval"):
        table.add_column(column, justify="left" if column == "national total" else "right")
    for name, x in summarise_all(national_total(councils, per_council)).items():
        table.add_row(name, f"{x.mean:,.0f}", f"{x.ci95[0]:,.0f} to {x.ci95[1]:,.0f}")
    console = Console()
    console.print(table)
    partial = [name for name, n in additive_metrics(councils).items() if n < len(councils)]
    if partial:
        console.print(
            "note: a count only some councils' scenarios make sums those councils "
            f"(national.csv's councils column says how many): {', '.join(partial)}",
            highlight=False,
        )
    print(f"wrote {len(written)} tables to {args.out}")
    return 0
