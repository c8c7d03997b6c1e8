"""Write docs/warmups.md: ``sgsim warmup`` on every shipped scenario, as a table.

Each scenario is run from empty as ``sgsim warmup FILE --days 1095 -n 10`` does, and the
table gives the warm-up the tool suggests, or the queues that do not settle. The trial
does not depend on the warm-up a file sets, so that setting it does not change the
suggestion it was set from: three years for every file (not the tool's default, twice
the file's warm-up and run), from the first day of the file's measured period (not of
its warm-up). Ten replications, not the default
five: with five, MSER-5 on the small, slow queues (senior enquiries) moved by 200 days
between trials of 910 and 1,030 days. tests/test_warmups.py checks the files against
this table.

    python docs/make_warmups.py            # about 20 minutes on two cores
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

from sgsim.analysis.run_length import WarmupSuggestion, suggest_warmup
from sgsim.outputs.figures import queue_panels
from sgsim.scenario.loading import build_scenario, load_scenario, read_scenario_raw, with_settings
from sgsim.scenario.schema import Scenario
from sgsim.studies.run_length import warmup_trial
from sgsim.studies.runner import run_replications

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
# Teaching steps 1 to 11; later steps of the ladder are not covered yet.
TEACHING = [
    f"teaching/{p.name}"
    for p in sorted((SCENARIOS / "teaching").glob("*.toml"))
    if int(p.name[:2]) <= 11
]
SEEDS = sorted(p.name for p in SCENARIOS.glob("*.toml"))
SEED, WINDOW = 12345, 15  # sgsim warmup's defaults
DAYS, REPLICATIONS = 1095, 10
OUT = ROOT / "docs" / "warmups.md"


def study(name: str) -> tuple[WarmupSuggestion, WarmupSuggestion | None]:
    """What the tool suggests and, for a file whose
    demand grows, what it suggests with growth off: a queue that rises with demand all
    trial reads to MSER-5 as one still filling from empty."""
    s = load_scenario(SCENARIOS / name).scenario
    flat = None
    if s.demand.growth_per_year:
        raw = with_settings(read_scenario_raw(SCENARIOS / name), {"demand.growth_per_year": 0.0})
        flat = suggest(build_scenario(raw, name))
    return suggest(s), flat


def suggest(s: Scenario) -> WarmupSuggestion:
    """``sgsim warmup``'s suggestion for the table's trial, replications and seed."""
    unwarmed = dataclasses.replace(s, run=dataclasses.replace(s.run, warmup_days=0))
    result = run_replications(warmup_trial(unwarmed, DAYS), SEED, REPLICATIONS, workers=2)
    return suggest_warmup(result.daily, WINDOW, queue_panels(s))


def said(suggestion: WarmupSuggestion | None) -> str:
    if suggestion is None:
        return "-"
    if suggestion.days is None:
        return "does not settle: " + ", ".join(
            n.replace("_", " ") for n, st in suggestion.stages.items() if not st.settles
        )
    return f"{suggestion.days} days"


def row(name: str, suggestion: WarmupSuggestion, flat: WarmupSuggestion | None) -> str:
    stages = suggestion.stages
    filling = ", ".join(
        f"{n.replace('_', ' ')} {st.cut}" for n, st in stages.items() if st.fills_from_empty
    )
    return f"| `{name}` | {said(suggestion)} | {said(flat)} | {filling or 'none'} |"


def main() -> int:
    rows = []
    for name in TEACHING + SEEDS:
        print(f"warmup: {name}", file=sys.stderr)
        rows.append(row(name, *study(name)))
    OUT.write_text(
        "# Warm-ups of the shipped scenarios\n\n"
        "Written by `python docs/make_warmups.py` (do not edit by hand): `sgsim warmup "
        f"FILE --days {DAYS} -n {REPLICATIONS}` on each file, a trial from empty on the "
        f"first day of its measured period, seed {SEED}. *Suggested* is the tool's "
        "warm-up (the longest MSER-5 point of the queues that fill from empty, rounded "
        "up to ten days), or the queues still "
        "growing at the end of the trial, for which no warm-up makes a mean meaningful. "
        "*With growth off* is the same for a file whose demand grows, with "
        "`growth_per_year = 0`. Each file's warm-up is at least the suggestion, or the "
        "file says why not.\n\n"
        "| scenario | suggested | with growth off | "
        "queues filling from empty: MSER-5 point (days) |\n"
        "|---|---|---|---|\n" + "\n".join(rows) + "\n"
    )
    print(f"wrote {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
