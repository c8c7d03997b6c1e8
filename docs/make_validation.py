"""Write docs/validation.md from the current code: every figure on the page is made here.

    python docs/make_validation.py          # about a minute on the 2-core machine

It runs ``sgsim verify`` (full length) and West Sussex 2022/23 as ``sgsim run`` does,
and sets the figures the scenario was written from apart from those it was not.
tests/test_verify.py checks that the page names every check verify makes.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from sgsim import __version__
from sgsim.analysis.summary import ReportedCheck, compare_reported
from sgsim.cli.verify import COLUMNS, check_rows, summary_line
from sgsim.outputs.tables import fmt
from sgsim.scenario.loading import load_scenario
from sgsim.studies.runner import run_replications
from sgsim.studies.verify import SEED, Check, run_checks

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "validation.md"
WEST_SUSSEX = "scenarios/west_sussex_2022_23.toml"
RUN_SEED, RUN_REPLICATIONS = 12345, 20  # sgsim run's defaults
# West Sussex's reported figures the scenario was NOT written from (its comments say
# which numbers were set from the report): the monthly range of concerns. Every other
# figure set a probability or a share of the file, so agreeing with it is consistency.
HELD_OUT = ("concerns_per_month_min", "concerns_per_month_max")


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return "\n".join(lines)


def _figures(checks: Sequence[ReportedCheck]) -> str:
    rows = []
    for c in checks:
        sm = c.simulated
        verdict = c.verdict.replace("matches", "consistent")
        rows.append(
            [
                c.name,
                fmt(c.name, c.reported),
                fmt(c.name, sm.mean),
                f"{fmt(c.name, sm.ci95[0])} - {fmt(c.name, sm.ci95[1])}",
                f"{fmt(c.name, sm.range95[0])} - {fmt(c.name, sm.range95[1])}",
                verdict,
            ]
        )
    header = ("figure", "reported", "simulated mean", "95% CI", "simulated years", "verdict")
    return _table(header, rows)


def render(checks: list[Check], reported: list[ReportedCheck], warnings: list[str]) -> str:
    """The page, from verify's checks and West Sussex's reported figures beside the run."""
    fitted = [c for c in reported if c.name not in HELD_OUT]
    held = [c for c in reported if c.name in HELD_OUT]
    growing = "".join(f"\n- warning: {w}" for w in warnings) or " none."
    return f"""# Validation evidence

Written by `python docs/make_validation.py` from sgsim {__version__} (do not edit by hand:
rerun the script). Three kinds of evidence, kept apart: checks against answers known
without the model (section 1), a consistency check of West Sussex against the figures its
file was written from (section 2), and the figures it was not written from (section 3).

## 1. The model against known answers: `sgsim verify`

```bash
sgsim verify --seed {SEED}
```

Each check reduces the pathway to a system whose answer is known without sgsim, runs
replications (20 of 400 days; `--quick` uses 10 of 300), and tests whether the known
answer could be the simulation's mean (a t-test on the replication means; conversions on
binomial counts). The statistical checks form one family held to a 5% chance of any false
alarm for a correct model by Holm's method: in order of p-value, each is compared with its
own level (the family's 5% divided by the number of checks not yet passed), so *p* must be
below *Holm's level* for a FAIL. The Ciw rows simulate the same two-stage network in Ciw,
an independent simulator ("not run" without Ciw installed). Little's law rows compare two
numbers from one event log: bookkeeping identities, shown but not counted as validation.

{_table(COLUMNS, check_rows(checks))}

{summary_line(checks)}.

The tests run these checks (shorter) at three other seeds, each held to 5%/3, and check
that a known answer 10% off fails.

## 2. West Sussex 2022/23: a consistency check

```bash
sgsim run {WEST_SUSSEX} --replications {RUN_REPLICATIONS} --seed {RUN_SEED}
```

The scenario's probabilities and shares were set from these reported figures (its
comments say which), so the simulation agreeing with them shows the file is consistent
with its sources and the model adds them up correctly; it is not evidence that the model
predicts. *In CI*: inside the 95% confidence interval of the simulated mean; *in spread*:
inside the middle 95% of simulated years, the fair test for a single reported year.

{_figures(fitted)}

Queues still growing over the measured period:{growing}

The figures of this run (drawn by `python docs/make_figures.py`, the same 20 replications
and seed; bands are 95% intervals of the mean):

| | |
|---|---|
| ![funnel](figures/funnel.png) | ![monthly concerns](figures/monthly_concerns.png) |
| ![queues](figures/queues.png) | ![decision times](figures/decision_times.png) |
| ![waits](figures/waits.png) | ![staff](figures/staff.png) |

## 3. West Sussex 2022/23: figures the scenario was not written from

The same run. The report's monthly range of concerns set no number in the file (which has
no seasonal pattern), so these are the only reported figures that test the model rather
than its inputs; the gap at the quietest month is discussed in `scenarios/README.md`.

{_figures(held)}

## 4. Warm-ups and calibration

`docs/warmups.md` (written by `python docs/make_warmups.py`) gives `sgsim warmup` on every
shipped scenario beside the warm-up the file sets. `sgsim calibrate` fits parameters to a
scenario's reported figures and then checks the fitted scenario on fresh seeds, out of
sample; `tests/test_calibrate.py` checks that it recovers known values from figures
simulated with them under another seed.

West Sussex's warm-up trial from empty (`sgsim warmup`, 5 replications, drawn by
`python docs/make_figures.py`):

![warm-up](figures/warmup.png)
"""


def main() -> int:
    print("verify (full length)", file=sys.stderr)
    checks = run_checks(quick=False, on_done=lambda label: print(f"  {label}", file=sys.stderr))
    print("West Sussex", file=sys.stderr)
    s = load_scenario(ROOT / WEST_SUSSEX).scenario
    result = run_replications(s, RUN_SEED, RUN_REPLICATIONS)
    reported = compare_reported(s.reported, result.summaries())
    OUT.write_text(render(checks, reported, [g.words for g in result.unsettled(s)]))
    print(f"wrote {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
