"""``sgsim verify``: the model against answers known without it."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.table import Table

from sgsim.cli.common import command_parser

DESCRIPTION = """\
Run the model's checks against answers known without it: M/M/c (Erlang C), a
non-preemptive priority queue (Cobham), Little's law on every queue, a two-stage
network (Jackson, and Ciw if installed), conservation and conversion. Exit code
1 if any check fails."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = command_parser(
        sub,
        "verify",
        cmd_verify,
        help="check the model against known answers",
        description=DESCRIPTION,
    )
    p.add_argument(
        "--quick", action="store_true", help="fewer replications and shorter runs (about 10 s)"
    )


def cmd_verify(args: argparse.Namespace) -> int:
    from sgsim.studies.verify import FAMILY_ALPHA, run_checks

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
    counted = [c for c in checks if not c.bookkeeping]
    failed = [c for c in counted if not c.passed]
    identities = [c for c in checks if c.bookkeeping]
    print(
        f"{len(counted) - len(failed)} passed, {len(failed)} failed; statistical checks held to "
        f"a {FAMILY_ALPHA:.0%} chance of any false alarm (Holm); "
        f"{sum(c.passed for c in identities)} of {len(identities)} bookkeeping identities hold"
    )
    return 1 if failed or not all(c.passed for c in identities) else 0
