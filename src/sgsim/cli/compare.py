"""``sgsim compare``: scenarios side by side, with paired differences from the first."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console

from sgsim.analysis.comparison import DEFAULT_MATERIAL
from sgsim.cli.common import (
    add_run_options,
    command_parser,
    fraction,
    need_folder,
    simulate_with_progress,
)
from sgsim.outputs.tables import compare_document, compare_table
from sgsim.scenario.errors import ScenarioError
from sgsim.scenario.loading import load_scenario

DESCRIPTION = """\
Run two or more scenarios with the same seed and show each metric side by side
with the paired difference from the first."""

EPILOG = """\
examples:
  sgsim compare scenarios/teaching/01_balanced.toml \\
      scenarios/teaching/02_demand_up_10pc.toml
      what 10% more contacts does to queues, waits and timeliness
  sgsim compare A.toml B.toml C.toml --plots figures/abc --out results/abc
      every scenario against the first, with figures and a CSV of differences

The first scenario is the baseline. Each difference is taken replication by
replication (same seed, same contacts), and called clear only when its 95%
interval excludes zero. In practice it matters only beyond a threshold
(--material times the baseline, with floors the table's caption gives): "no
material difference" when the whole interval lies inside it, materially higher
or lower when the whole interval lies beyond."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = command_parser(
        sub,
        "compare",
        cmd_compare,
        help="compare scenarios with common random numbers",
        description=DESCRIPTION,
        epilog=EPILOG,
    )
    p.add_argument(
        "scenarios",
        type=Path,
        nargs="+",
        metavar="SCENARIO",
        help="scenario files; the first is the baseline",
    )
    add_run_options(p)
    p.add_argument("--plots", type=Path, metavar="DIR", help="draw the scenarios side by side")
    p.add_argument("--out", type=Path, metavar="DIR", help="write comparison.csv")
    p.add_argument("--json", action="store_true", help="print one JSON object, no tables")
    p.add_argument(
        "--material",
        type=fraction,
        default=DEFAULT_MATERIAL,
        metavar="FRACTION",
        help="the smallest difference that matters, as a fraction of the baseline "
        "(default: %(default)g)",
    )


def cmd_compare(args: argparse.Namespace) -> int:
    from sgsim.analysis.comparison import paired_differences, unique_labels

    if len(args.scenarios) < 2:
        raise ScenarioError(
            "compare", "SCENARIO", "at least two scenario files", f"<{len(args.scenarios)}>"
        )
    loaded = [load_scenario(p) for p in args.scenarios]
    need_folder(args.out, "--out")
    need_folder(args.plots, "--plots")
    labels = unique_labels([p.stem for p in args.scenarios])
    results = simulate_with_progress(
        [ld.scenario for ld in loaded], args.seed, args.replications, workers=args.workers
    )
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
    for label, ld, r in zip(labels, loaded, results, strict=True):
        for growth in r.unsettled(ld.scenario):
            print(f"warning: in {label}, {growth.words}", file=sys.stderr)
    for note in notes:
        print(note, file=sys.stderr)
    return 0
