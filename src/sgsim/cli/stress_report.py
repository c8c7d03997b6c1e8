"""``sgsim stress-report``: the model and a scenario's run described the STRESS-DES way."""

from __future__ import annotations

import argparse
from pathlib import Path

from sgsim.cli.common import add_output, add_run_options, command_parser, write_document

DESCRIPTION = """\
Run a scenario and write a STRESS-DES style report (Monks et al. 2019):
objectives, logic, data, experimentation, implementation and code access, filled
from the scenario and the run."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = command_parser(
        sub,
        "stress-report",
        cmd_stress_report,
        help="write a STRESS-DES report of the model and a scenario (markdown)",
        description=DESCRIPTION,
    )
    p.add_argument("scenario", type=Path, help="scenario file (.toml)")
    add_output(p, "stress_report.md", "the markdown file")
    add_run_options(p)


def cmd_stress_report(args: argparse.Namespace) -> int:
    from sgsim.outputs.stress import stress_report

    return write_document(args, stress_report)
