"""``sgsim verify``: the model against answers known without it."""

from __future__ import annotations

import argparse
import textwrap

from rich.console import Console
from rich.table import Table

from sgsim.cli.common import add_seed, command_parser
from sgsim.studies.verify import FAMILY_ALPHA, SEED, Check, run_checks

COLUMNS = ("check", "expected", "simulated", "95% interval", "p", "Holm's level", "verdict")
DESCRIPTION = """\
Run the model's checks against answers known without it: M/M/c (Erlang C),
M/G/1 with fixed and lognormal touch times (Pollaczek-Khinchine), withdrawal
from an overloaded queue (Erlang A), a non-preemptive priority M/M/c (Cobham),
a two-stage network (Jackson, and Ciw if installed), conservation and
conversion. The statistical checks are held together to a 5% chance of any
false alarm for a correct model (Holm's method: each p-value against its
level). Little's law on every queue is shown as a bookkeeping identity, not
counted as validation. Exit code 1 if any check fails."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = command_parser(
        sub,
        "verify",
        cmd_verify,
        help="check the model against known answers",
        description=DESCRIPTION,
    )
    p.add_argument(
        "--quick", action="store_true", help="fewer replications and shorter runs (about 30 s)"
    )
    add_seed(p)
    p.set_defaults(seed=SEED)


def cmd_verify(args: argparse.Namespace) -> int:
    err = Console(stderr=True)
    with err.status("running checks...") as status:
        checks = run_checks(
            args.quick, on_done=lambda label: status.update(f"done: {label}"), seed=args.seed
        )
    console = Console()
    title = f"sgsim verify: the model against known answers (seed {args.seed})"
    if console.width >= WIDE:
        console.print(_table(title, checks))
    else:
        print(title)
        for c in checks:
            print(_stacked(c, console.width))
    print(textwrap.fill(summary_line(checks), console.width))
    return 0 if all(c.passed for c in checks) else 1


# Terminals narrower than this get each check stacked on lines of its own, not a table
# of seven columns squeezed until names and numbers are cut.
WIDE = 120


def _table(title: str, checks: list[Check]) -> Table:
    table = Table(title=title, title_justify="left")
    for col in COLUMNS:
        table.add_column(col, justify="left" if col in ("check", "verdict") else "right")
    for row, c in zip(check_rows(checks), checks, strict=True):
        colour = "green" if c.passed else "red"
        row[-1] = f"[{colour}]{c.verdict}[/{colour}] {c.note}"
        table.add_row(*row)
    return table


def _stacked(c: Check, width: int) -> str:
    """One check as a verdict and name, then its figures indented, wrapped to ``width``."""
    _, expected, simulated, interval, p, level, _ = check_rows([c])[0]
    figures = f"expected {expected}, simulated {simulated} ({interval})"
    if p:
        figures += f"; p {p}, Holm's level {level}"
    if c.note:
        figures += f"; {c.note}"
    head = textwrap.fill(f"{c.verdict.upper():4} {c.name}", width, subsequent_indent="     ")
    body = textwrap.fill(figures, width, initial_indent="     ", subsequent_indent="     ")
    return f"{head}\n{body}"


def check_rows(checks: list[Check]) -> list[list[str]]:
    """Each check as the table's cells (also written to docs/validation.md)."""

    def p(x: float | None) -> str:
        return "" if x is None else f"{x:.2g}"

    return [
        [
            c.name,
            f"{c.expected:.4g}",
            f"{c.simulated:.4g}",
            f"{c.interval[0]:.4g} to {c.interval[1]:.4g}",
            p(c.p_value),
            p(c.level),
            f"{c.verdict} {c.note}".strip(),
        ]
        for c in checks
    ]


def summary_line(checks: list[Check]) -> str:
    """What passed, what failed, what could not run, and the family's level."""
    counted = [c for c in checks if not c.bookkeeping and c.ran]
    failed = [c for c in counted if not c.passed]
    identities = [c for c in checks if c.bookkeeping]
    family = sum(c.level is not None for c in checks)
    not_run = len(checks) - len(counted) - len(identities)
    return (
        f"{len(counted) - len(failed)} passed, {len(failed)} failed"
        + (f", {not_run} not run" if not_run else "")
        + f"; the {family} statistical checks held together to a {FAMILY_ALPHA:.0%} chance "
        "of any false alarm for a correct model (Holm); "
        f"{sum(c.passed for c in identities)} of {len(identities)} bookkeeping identities hold "
        "(not counted as validation)"
    )
