"""Terminal tables and the JSON document for ``sgsim run``: formatting only, no arithmetic."""

from __future__ import annotations

import math
from typing import Any

from rich.console import Console
from rich.markup import escape

from sgsim.analysis.comparison import FLOORS, Difference
from sgsim.analysis.metrics import PUBLISHED_RATE_NAMES, metric_names
from sgsim.analysis.summary import RateCheck, ReportedCheck, Summary
from sgsim.analysis.units import own_name, unit
from sgsim.outputs.describe import kinds_in
from sgsim.outputs.layout import Column, Sheet
from sgsim.scenario.schema import Scenario

GROUP_TITLES = {
    "funnel": "Funnel (counts in the measured period)",
    "conversion": "Conversion",
    "timeliness": "Timeliness",
    "queues": "Queues (time-averaged)",
    "staff": "Staff",
    "outcomes": "Outcomes (counts in the measured period)",
}


def headline_metrics(s: Scenario) -> list[str]:
    """The few metrics a reader looks at first, of those the scenario has: the funnel its
    kinds of step count, the published conversion rates, the front-door decision, the
    waits its kinds name (allocation...), enquiry durations and open enquiries."""
    kinds = kinds_in(s)
    wanted = [
        "contacts",
        *(name for kind in kinds for name in kind.totals),
        *PUBLISHED_RATE_NAMES,
        "decision_working_days_mean",
        "decision_within_target_rate",
        *(f"{kind.wait_name}_wait_days_mean" for kind in kinds if kind.wait_name),
        "enquiry_duration_days_mean",
        "open_enquiries_mean",
    ]
    names = metric_names(s)
    return [m for m in wanted if m in names]


def fmt(name: str, x: float | None) -> str:
    """Rates as percentages, counts whole, everything else to two decimals."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if unit(name) == "share":
        return f"{x:.1%}"
    if own_name(name).endswith("_mean") or own_name(name).startswith("caseload_"):
        return f"{x:.2f}"
    return f"{x:,.0f}" if abs(x) >= 100 or float(x).is_integer() else f"{x:.1f}"


def fmt_range(name: str, ends: tuple[float, float]) -> str:
    """An interval's two ends, formatted as the metric is."""
    return f"{fmt(name, ends[0])} - {fmt(name, ends[1])}"


def results_table(
    s: Scenario, summaries: dict[str, Summary], replications: int, seed: int, wide: bool
) -> Sheet:
    """The results; ``wide`` adds a column saying what each metric is."""
    labels = metric_names(s)
    table = Sheet(
        f"{s.name}: {replications} replications, seed {seed}",
        [
            Column("metric", "left"),
            *([Column("what it is", "left", prose=True)] if wide else []),
            Column("mean"),
            Column("95% CI"),
        ],
    )
    group = None
    for name, summary in summaries.items():
        g, label = labels.get(name, ("", name))
        if g != group:
            group = g
            table.add_heading(GROUP_TITLES.get(g, g))
        what = [f"[dim]{escape(label)}[/dim]"] if wide else []
        table.add_row(name, *what, fmt(name, summary.mean), fmt_range(name, summary.ci95))
    return table


def reported_table(checks: list[ReportedCheck], source: str, wide: bool) -> Sheet:
    """Reported figures beside the simulation; ``wide`` adds the spread of simulated years."""
    table = Sheet(
        f"Reported vs simulated ({source or 'source not given'})",
        [
            Column("figure", "left"),
            Column("reported"),
            Column("simulated"),
            Column("95% CI"),
            *([Column("sim. years")] if wide else []),
            Column("verdict", "left", prose=True),
        ],
        caption="in CI: inside the 95% CI of the simulated mean; in spread: inside "
        "the middle 95% of simulated years; differs: outside both",
    )
    for c in checks:
        table.add_row(
            c.name,
            fmt(c.name, c.reported),
            fmt(c.name, c.simulated.mean),
            fmt_range(c.name, c.simulated.ci95),
            *([fmt_range(c.name, c.simulated.range95)] if wide else []),
            reported_verdict(c),
        )
    return table


def reported_verdict(c: ReportedCheck) -> str:
    """The verdict in its colour: green in CI, yellow in spread, red outside both."""
    colour = "green" if c.within_ci else "yellow" if c.within_range else "red"
    return f"[{colour}]{c.verdict}[/{colour}]"


def rates_table(checks: list[RateCheck]) -> Sheet:
    table = Sheet(
        "Conversion rates: as published, from the reported counts, simulated",
        [
            Column("rate", "left"),
            Column("published"),
            Column("from counts"),
            Column("simulated"),
            Column("note", "left", prose=True),
        ],
    )
    for c in checks:
        note = f"[red]{c.note}[/red]" if c.mismatch else c.note
        table.add_row(
            c.name,
            fmt(c.name, c.published),
            fmt(c.name, c.from_counts),
            fmt(c.name, c.simulated.mean) if c.simulated else "-",
            note,
        )
    return table


def print_run(
    console: Console,
    s: Scenario,
    summaries: dict[str, Summary],
    reported: list[ReportedCheck],
    rates: list[RateCheck],
    replications: int,
    seed: int,
) -> None:
    console.print(results_table(s, summaries, replications, seed, wide=console.width >= 110))
    if reported:
        console.print(reported_table(reported, s.reported.source, wide=console.width >= 110))
    if rates:
        console.print(rates_table(rates))


def _clean(x: Any) -> Any:
    """JSON has no NaN: undefined numbers become null."""
    if isinstance(x, float) and math.isnan(x):
        return None
    if isinstance(x, tuple | list):
        return [_clean(v) for v in x]
    return x


def run_document(
    s: Scenario,
    summaries: dict[str, Summary],
    reported: list[ReportedCheck],
    rates: list[RateCheck],
    replications: int,
    seed: int,
) -> dict[str, Any]:
    """The ``--json`` document."""
    return {
        "scenario": s.name,
        "replications": replications,
        "seed": seed,
        "metrics": {
            k: {"mean": _clean(v.mean), "ci95": _clean(v.ci95), "range95": _clean(v.range95)}
            for k, v in summaries.items()
        },
        "reported": {
            c.name: {
                "reported": c.reported,
                "simulated_mean": _clean(c.simulated.mean),
                "ci95": _clean(c.simulated.ci95),
                "within_ci": c.within_ci,
                "range95": _clean(c.simulated.range95),
                "within_range": c.within_range,
                "verdict": c.verdict,
            }
            for c in reported
        },
        "published_rates": {
            c.name: {
                "published": _clean(c.published),
                "from_reported_counts": _clean(c.from_counts),
                "mismatch": c.mismatch,
                "simulated_mean": _clean(c.simulated.mean) if c.simulated else None,
                "note": c.note,
            }
            for c in rates
        },
    }


def compare_table(baseline: str, other: str, diffs: list[Difference], material: float) -> Sheet:
    """One alternative against the baseline: means, paired difference, its CI, verdicts."""
    table = Sheet(
        f"{other} (scenario) vs {baseline} (baseline): paired, common random numbers",
        [
            Column("metric", "left"),
            Column("baseline"),
            Column("scenario"),
            Column("difference"),
            Column("95% CI"),
            Column("statistically", "left", prose=True),
            Column("in practice", "left", prose=True),
        ],
        caption=compare_caption(material),
    )
    for d in diffs:
        lo, hi = d.diff.ci95
        table.add_row(
            d.metric,
            fmt(d.metric, d.baseline.mean),
            fmt(d.metric, d.other.mean),
            _signed(d.metric, d.diff.mean),
            f"{_signed(d.metric, lo)} to {_signed(d.metric, hi)}",
            f"[{'bold' if d.clear else 'dim'}]{d.verdict}[/]",
            f"[{'bold' if d.material else 'dim'}]{d.practical}[/]",
        )
    return table


def compare_caption(material: float) -> str:
    """What the two verdicts mean, with the threshold in use."""
    return (
        "statistically: clearly higher/lower when the 95% CI of the paired difference "
        "excludes zero. In practice: no material difference when the whole CI lies within "
        f"the threshold ({material:.0%} of the baseline, at least "
        f"{FLOORS['share'] * 100:g} percentage point for rates and utilisation, "
        f"{FLOORS['days']:g} day for times, {FLOORS['cases']:g} case for counts); "
        "materially higher/lower when it lies wholly beyond; inconclusive otherwise."
    )


def _signed(name: str, x: float) -> str:
    if isinstance(x, float) and math.isnan(x):
        return "-"
    text = fmt(name, abs(x))
    return ("+" if x > 0 else "-" if x < 0 else "") + text


def compare_document(
    seed: int,
    replications: int,
    baseline: str,
    comparisons: dict[str, list[Difference]],
    material: float,
) -> dict:
    """The ``compare --json`` document."""
    return {
        "baseline": baseline,
        "seed": seed,
        "replications": replications,
        "material": {"relative": material, "floors": FLOORS},
        "comparisons": {
            name: {
                d.metric: {
                    "baseline_mean": _clean(d.baseline.mean),
                    "mean": _clean(d.other.mean),
                    "difference": _clean(d.diff.mean),
                    "difference_ci95": _clean(d.diff.ci95),
                    "clear": d.clear,
                    "verdict": d.verdict,
                    "material_threshold": d.threshold,
                    "practical_verdict": d.practical,
                }
                for d in diffs
            }
            for name, diffs in comparisons.items()
        },
    }
