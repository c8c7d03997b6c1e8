"""What a metric measures, read from its name: a share, a time in days, or cases.

Formatting (percentages or whole numbers) and the smallest difference that matters in
practice both depend on it.
"""

from __future__ import annotations

from typing import Literal

Unit = Literal["share", "days", "cases"]


def unit(metric: str) -> Unit:
    """Rates and utilisation are shares of 1; waits, durations and days of the run (the
    day a starting backlog is cleared) are days; the rest count cases (contacts,
    enquiries, queue lengths, caseloads). A period's metric (``period2.NAME``, in a run
    with changes) is in the unit of NAME."""
    metric = own_name(metric)
    if metric.endswith("_rate") or metric.startswith("utilisation_"):
        return "share"
    if "_days" in metric or metric.endswith("_day"):
        return "days"
    return "cases"


def own_name(metric: str) -> str:
    """A metric's name without its period: ``period2.contacts`` -> ``contacts``."""
    head, _, rest = metric.partition(".")
    return rest if rest and head.startswith("period") and head[6:].isdigit() else metric


# Decimals a summary shows: a hundredth of a percentage point, about a quarter of an hour,
# a tenth of a case. Whole numbers of cases stay whole.
DECIMALS: dict[Unit, int] = {"share": 4, "days": 2, "cases": 1}


def unit_words(metric: str) -> str:
    """The unit of a metric as a reader says it, for a table's ``unit`` column."""
    kind = unit(metric)
    if kind == "share":
        return "share (0 to 1)"
    if kind == "days":
        return "working days" if "working_days" in metric else "calendar days"
    return "cases"


def rounded(metric: str, x: float) -> float | int:
    """``x`` to the decimals its unit needs (``DECIMALS``); a whole number as an integer."""
    if unit(metric) == "cases" and float(x).is_integer():
        return int(x)
    return round(x, DECIMALS[unit(metric)])
