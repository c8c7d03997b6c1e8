"""Words for a safeguarding lead: what each figure shows, and each difference in a sentence.

The figures are those ``--plots`` draws (``sgsim.outputs.figures``), by name; a figure
with no text here is shown with the report's caption. Differences are said from the
metric's own label (``sgsim.analysis.metrics.metric_names``), so new metrics are said too.
"""

from __future__ import annotations

import math
import re

from sgsim.analysis.comparison import Difference
from sgsim.analysis.metrics import metric_names
from sgsim.analysis.summary import Summary, compare_reported
from sgsim.outputs.describe import words
from sgsim.outputs.report import CAPTIONS
from sgsim.outputs.tables import fmt, headline_metrics
from sgsim.scenario.schema import Scenario

FIGURES = {
    "funnel": (
        "The funnel: contacts to enquiries",
        "How many contacts became concerns, and how many concerns became enquiries, in the "
        "measured period. Blue bars are the simulation (the black tick is its 95% "
        "interval: where the average year lies); orange bars are what the council "
        "reported, where the scenario gives it. The percentages between bars are the "
        "simulated conversion rates. If a blue bar is far from its orange one, the model is "
        "not yet a fair picture of that council.",
    ),
    "queues": (
        "Queues over time",
        "How many cases are waiting at each step at the end of each day. The line is the "
        "average over replications, the band its 95% interval; the grey part at the start is "
        "the warm-up, which is not counted. A saw-tooth is the working week (nobody triages "
        "at weekends); spikes follow bank holidays. A line that keeps climbing means the "
        "step has less capacity than the work reaching it: its wait grows for as long as "
        "you let it run.",
    ),
    "decision_times": (
        "Timeliness: working days to a decision",
        "How many working days each contact waited for its decision (whether the s42 duty "
        "applies), as a share of all decisions. Where the council has a target, a dashed "
        "red line marks it, with the share decided within it. A long tail to the right is "
        "the people who waited longest: look at it, not only at the average.",
    ),
    "waits": (
        "Waits and how long enquiries last",
        "How long cases wait at each queue, and how long enquiries last once allocated, in "
        "calendar days. The dashed line is the average; the 90th percentile is the wait that "
        "one case in ten exceeds.",
    ),
    "staff": (
        "Staff: how busy, and caseloads",
        "Top: the share of each team's working hours spent on safeguarding tasks, week by "
        "week. Above about 85% a team has almost no slack: small rises in demand or absence "
        "then make queues grow fast. Bottom (where enquiries are held in caseloads): open "
        "enquiries per person at work, against the cap (dotted). A line at its cap means "
        "new enquiries are waiting to be allocated.",
    ),
    "monthly_concerns": (
        "Concerns per month",
        "Concerns raised in each month: the simulated average with its 95% interval, the "
        "lowest and highest simulated years, and the range the council reported (dashed), "
        "where it gives one.",
    ),
    "compare_metrics": (
        "The two designs side by side",
        "The main measures of each design: the bar is the average over replications and "
        "the tick its 95% interval. Both designs saw the same contacts, day by day, so a "
        "difference between them is the design's doing, not chance.",
    ),
    "compare_queues": (
        "Queues over time, design by design",
        "Cases waiting at each step at the end of each day, one line per design (average "
        "over replications, with its 95% band). Where the lines part, the design changed "
        "how the work flows.",
    ),
}


_MARKUP = re.compile(r"([\\`*_~\[\]<>$|#])")


def plain(text: object) -> str:
    """Text shown as written: Streamlit reads labels, tables and messages as Markdown, and
    the names and values of an uploaded scenario (or an error quoting them) must not
    become links, images fetched from elsewhere, formulas or headings. Only what starts
    Markdown is escaped (and web addresses, which would become links), so that ordinary
    labels reach screen readers unchanged."""
    text = _MARKUP.sub(r"\\\1", str(text)).replace("://", ":\\/\\/").replace("www.", "www\\.")
    return text.replace("\n", " ")


def figure_text(name: str) -> tuple[str, str]:
    """A figure's title and what it shows, in plain words."""
    return FIGURES.get(name) or (name.replace("_", " ").capitalize(), CAPTIONS.get(name, ""))


def unit(metric: str, label: str) -> str:
    """The unit a difference of the metric is said in."""
    if metric.endswith("_rate") or metric.startswith("utilisation"):
        return " percentage points"
    for days in ("working days", "days"):
        if days in label:
            return f" {days}"
    return ""


def _amount(metric: str, x: float) -> str:
    """A size of change: percentage points for rates and shares, else as the metric is."""
    if metric.endswith("_rate") or metric.startswith("utilisation"):
        return f"{x * 100:.1f}"
    return fmt(metric, x) if not metric.endswith("_mean") else f"{x:.2f}".rstrip("0").rstrip(".")


def difference_sentence(d: Difference, label: str) -> str:
    """'Days waiting for allocation: falls by 2.1 days (1.6 to 2.6).'"""
    return f"{_sentence(label)}: {change_words(d, label)}."


def change_words(d: Difference, label: str) -> str:
    """The paired difference B - A in words: 'falls by 2.1 days (1.6 to 2.6)', the
    interval being the 95% interval of the change; or, when that interval includes zero,
    'no clear change (-0.2 to +0.3 days)'."""
    lo, hi = d.diff.ci95
    u = unit(d.metric, label)
    if math.isnan(d.diff.mean) or math.isnan(lo):
        return "cannot say (too few replications, or no cases)"
    if lo == hi == 0:
        return "no change"
    if not d.clear:
        return f"no clear change ({_signed(d.metric, lo)} to {_signed(d.metric, hi)}{u})"
    verb = "rises" if d.diff.mean > 0 else "falls"
    near, far = sorted((abs(lo), abs(hi)))
    return (
        f"{verb} by {_amount(d.metric, abs(d.diff.mean))}{u} "
        f"({_amount(d.metric, near)} to {_amount(d.metric, far)})"
    )


def _signed(metric: str, x: float) -> str:
    return ("+" if x > 0 else "-" if x < 0 else "") + _amount(metric, abs(x))


def key_metrics(s: Scenario) -> list[str]:
    """The measures a workshop looks at first: the headline ones and how busy each team's
    roles are."""
    names = metric_names(s)
    return [*headline_metrics(s), *(m for m in names if m.startswith("utilisation_"))]


def measure_rows(s: Scenario, summaries: dict[str, Summary]) -> list[dict[str, str]]:
    """The key measures of a run: what each is, its mean and 95% interval."""
    labels = metric_names(s)
    return [
        {
            "measure": _sentence(labels[m][1]),
            "average": fmt(m, summaries[m].mean),
            "95% interval": f"{fmt(m, summaries[m].ci95[0])} to {fmt(m, summaries[m].ci95[1])}",
        }
        for m in key_metrics(s)
        if m in summaries
    ]


def reported_rows(s: Scenario, summaries: dict[str, Summary]) -> list[dict[str, str]]:
    """Each figure the council reported beside the simulation, with the verdict."""
    labels = metric_names(s)
    return [
        {
            "figure": _sentence(labels.get(c.name, ("", c.name))[1]),
            "reported": fmt(c.name, c.reported),
            "simulated": fmt(c.name, c.simulated.mean),
            "simulated years (middle 95%)": (
                f"{fmt(c.name, c.simulated.range95[0])} to {fmt(c.name, c.simulated.range95[1])}"
            ),
            "verdict": c.verdict,
        }
        for c in compare_reported(s.reported, summaries)
    ]


def key_differences(diffs: list[Difference], s: Scenario) -> tuple[list[str], list[str]]:
    """The key measures of a comparison: a sentence for each clear change, and the names
    of those with no clear change."""
    labels = {name: label for name, (_, label) in metric_names(s).items()}
    wanted = set(key_metrics(s))
    said = [d for d in diffs if d.metric in wanted]
    return (
        [difference_sentence(d, labels[d.metric]) for d in said if d.clear],
        [_sentence(labels[d.metric]) for d in said if not d.clear],
    )


def difference_rows(diffs: list[Difference], s: Scenario) -> list[dict[str, str]]:
    """Every measure of a comparison: A, B, and the paired difference in words."""
    labels = {name: label for name, (_, label) in metric_names(s).items()}
    return [
        {
            "measure": _sentence(labels.get(d.metric, d.metric)),
            "A": fmt(d.metric, d.baseline.mean),
            "B": fmt(d.metric, d.other.mean),
            "from A to B": change_words(d, labels.get(d.metric, d.metric)),
        }
        for d in diffs
    ]


def _sentence(text: str) -> str:
    """A metric's label as the start of a sentence, without identifiers' underscores."""
    text = words(text)
    return text[:1].upper() + text[1:]
