"""``sgsim report``: one self-contained HTML file of a scenario's run."""

from __future__ import annotations

import argparse
from pathlib import Path

from sgsim.cli.common import add_output, add_run_options, command_parser, write_document

DESCRIPTION = """\
Run a scenario and write one HTML file (figures embedded, opens offline) with
the assumptions in plain words, the results with intervals, reported vs
simulated, every figure, and what is needed to reproduce the run."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = command_parser(
        sub,
        "report",
        cmd_report,
        help="write a self-contained HTML report of a scenario",
        description=DESCRIPTION,
    )
    p.add_argument("scenario", type=Path, help="scenario file (.toml)")
    add_output(p, "report.html", "the HTML file to write")
    add_run_options(p)


def cmd_report(args: argparse.Namespace) -> int:
    from sgsim.outputs.report import build_report

    return write_document(args, build_report)
