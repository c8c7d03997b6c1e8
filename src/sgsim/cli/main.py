"""The ``sgsim`` command: every command's parser, and how errors become exit codes.

Each command lives in its own module, whose ``add_parser(sub)`` defines its options and
binds them to the function that runs it; adding a command is a module, imported here and
listed in ``COMMANDS``.
"""

from __future__ import annotations

import argparse
import sys

from sgsim import __version__
from sgsim.cli import (
    app,
    calibrate,
    compare,
    national,
    replications,
    report,
    run,
    stress_report,
    sweep,
    validate,
    verify,
    warmup,
)
from sgsim.scenario.errors import ScenarioError, one_line

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130

DESCRIPTION = """\
sgsim simulates the adult safeguarding pathway of an English council: contacts
arrive at the front door, are triaged, pass (or fail) the Care Act s42
three-stage test, are allocated to practitioners, enquired into and closed, with
the staffing you set. A scenario file (TOML) holds every assumption; see
scenarios/README.md.


Try: sgsim run scenarios/west_sussex_2022_23.toml"""

# In the order `sgsim --help` lists them.
COMMANDS = (
    run,
    report,
    compare,
    sweep,
    national,
    calibrate,
    warmup,
    replications,
    stress_report,
    verify,
    validate,
    app,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sgsim", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"sgsim {__version__}")
    parser.set_defaults(interrupt_note="nothing was written")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except ScenarioError as exc:
        print(f"sgsim: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        where = one_line(str(exc.filename or ""))
        print(f"sgsim: error: {where}: {one_line(str(exc.strerror or exc))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(f"sgsim: interrupted; {args.interrupt_note}", file=sys.stderr)
        return EXIT_INTERRUPTED
