"""``sgsim validate``: check a scenario file without running it."""

from __future__ import annotations

import argparse
from pathlib import Path

from sgsim.analysis.metrics import metric_names
from sgsim.cli.common import command_parser
from sgsim.outputs.describe import outline
from sgsim.scenario.errors import one_line
from sgsim.scenario.loading import load_scenario
from sgsim.scenario.provenance import describe_reported

DESCRIPTION = """\
Check a scenario file without running it. Exit code 0 if it is valid, 2 if not,
with one line saying which key is wrong."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = command_parser(
        sub,
        "validate",
        cmd_validate,
        help="check a scenario file and say what is wrong",
        description=DESCRIPTION,
    )
    p.add_argument("scenario", type=Path, help="scenario file (.toml)")


def cmd_validate(args: argparse.Namespace) -> int:
    s = load_scenario(args.scenario).scenario
    headline = (
        f"{args.scenario}: valid. {s.name}: {_n(len(s.teams), 'team')}, "
        f"{_n(sum(len(t.roles) for t in s.teams.values()), 'role')}, "
        f"{_n(len(s.steps), 'step')}, {_n(len(s.demand.sources), 'source')}, "
        f"{s.run.warmup_days} warm-up + {s.run.run_days} measured days, "
        f"{_n(len(metric_names(s)), 'metric')}, "
        f"{_n(len(s.reported.figures), 'reported figure')}."
    )
    lines = [headline, *(f"  {line}" for line in outline(s))]
    lines += describe_reported(args.scenario, s.reported).splitlines()
    # names cannot hold control characters (the loader refuses them), but free text (the
    # scenario's name, a file name) can: each line is printed as one line, escaped
    print("\n".join(one_line(line) for line in lines))
    return 0


def _n(k: int, word: str) -> str:
    return f"{k} {word}" + ("" if k == 1 else "s")
