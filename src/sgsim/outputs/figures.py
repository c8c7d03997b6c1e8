"""Figures of one run: funnel, queues over time, timeliness, waits, staff, monthly concerns.

Drawn with matplotlib for a projector and for print: large type, units on every axis,
the domain's words, and the Okabe-Ito palette, which stays distinct for colour-blind
readers. Lines over time are the mean over replications with a shaded band, bars have
error bars: each legend says what they are (``interval_words``), a 95% confidence interval
of the mean, not the spread of single years; one replication has no interval, and says so.
Every time axis says whether it counts calendar or working days, and counts and shares
start from zero, so that a small change does not look like a cliff.

What is drawn follows from the scenario, never from a list of steps: a panel per queue
``metrics.queue_names`` measures, a line per staff pool, a bar per count the kinds of step
feed, a histogram per wait the run sampled, and a figure only where its metrics exist.
"""

from __future__ import annotations

import datetime as dt
import math
import textwrap
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.dates as mdates
import numpy as np
from matplotlib.artist import setp
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from scipy import stats

from sgsim.analysis.metrics import RATE_FROM_COUNTS, decision_target, metric_names, queue_names
from sgsim.model.steps import KINDS
from sgsim.outputs.describe import kinds_in, words
from sgsim.outputs.tables import headline_metrics
from sgsim.scenario.schema import Scenario, pool_name
from sgsim.studies.runner import RunResult

# Okabe-Ito without its yellow, which is too pale for lines on white.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000"]
STYLE = {
    "font.size": 13,
    "axes.titlesize": 15,
    "axes.labelsize": 13,
    "legend.fontsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=OKABE_ITO),
    "figure.dpi": 110,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
}
LINESTYLES = ("-", "--", ":")  # past seven pools, colours repeat with another dash
DECISION_SAMPLE = "decision_working_days"  # drawn on its own, in working days
PANEL_HEIGHT = 3.4  # inches a row of panels takes


def subplots(rows: int = 1, cols: int = 1, *, figsize: tuple[float, float], **kw: Any) -> Any:
    """``(figure, axes)`` as ``pyplot.subplots`` makes them, but outside pyplot: the
    caller's backend, its open figures and what a notebook shows stay as they were."""
    fig = Figure(figsize=figsize)
    return fig, fig.subplots(rows, cols, **kw)


def pool_label(team: str, role: str) -> str:
    """A staff pool as readers say it: 'social worker (locality)'."""
    return f"{words(role)} ({words(team)})"


def pool_styles(s: Scenario) -> dict[str, dict[str, str]]:
    """One colour (and dash) per staff or caseload pool, the same in every panel."""
    pools = dict.fromkeys((*s.staff_pools(), *s.caseload_pools()))
    n = len(OKABE_ITO)
    return {
        pool_name(*pair): {"color": OKABE_ITO[i % n], "linestyle": LINESTYLES[i // n % 3]}
        for i, pair in enumerate(pools)
    }


def _repeated_totals(s: Scenario) -> set[str]:
    """Kind-level queue stems (``decision``...) of kinds with one step here: their numbers
    are that step's own, so they are not drawn twice."""
    steps_of_kind = Counter(step.kind for step in s.steps.values())
    return {KINDS[k].wait_name for k, n in steps_of_kind.items() if n == 1} - {""}


def queue_panels(s: Scenario) -> dict[str, str]:
    """The queues drawn over time, with their titles, from ``queue_names``; a step's title
    names the kind-level wait it is part of ('Cases waiting at s42_test (for decision)')."""
    repeated = _repeated_totals(s)
    panels = {}
    for queue, label in queue_names(s).items():
        stem = queue.removesuffix("_queue")
        if stem in repeated:
            continue
        step = s.steps.get(stem)
        wait = KINDS[step.kind].wait_name if step is not None else ""
        panels[queue] = _sentence(label) + (f" (for {wait})" if wait else "")
    return panels


def wait_panels(s: Scenario, samples: dict[str, np.ndarray]) -> dict[str, str]:
    """Per-case spans drawn in the waits figure, with titles: the wait of each queue drawn,
    then the other spans the run sampled (enquiry durations...)."""
    labels = metric_names(s)
    waits = [q.removesuffix("_queue") + "_wait_days" for q in queue_panels(s)]
    others = [
        k
        for k in samples
        if k.endswith("_days") and not k.endswith(("_wait_days", "_wait_so_far_days"))
    ]
    return {
        key: _sentence(labels[f"{key}_mean"][1].removeprefix("days "))
        for key in (*waits, *others)
        if key in samples and key != DECISION_SAMPLE and f"{key}_mean" in labels
    }


def figure_names(s: Scenario) -> tuple[str, ...]:
    """The figures this scenario has: each needs the metrics it draws."""
    names = metric_names(s)
    has = {
        "funnel": True,
        "queues": bool(queue_panels(s)),
        "decision_times": f"{DECISION_SAMPLE}_mean" in names,
        "waits": any(name.endswith("_wait_days_mean") for name in names),
        "staff": bool(s.staff_pools()),
        "monthly_concerns": "concerns_per_month_min" in names,
    }
    return tuple(name for name in _DRAWERS if has[name])


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _panels(n: int, sharex: bool = False) -> tuple[Figure, list[Axes]]:
    """A grid of ``n`` panels, two or three across; with a shared x-axis, a panel with
    none below it keeps its labels."""
    cols = 1 if n == 1 else 2 if n <= 4 else 3
    rows = math.ceil(n / cols)
    fig, grid = subplots(
        rows, cols, figsize=(6.5 * cols, PANEL_HEIGHT * rows + 1), sharex=sharex, squeeze=False
    )
    for k, ax in enumerate(grid.flat):
        if k >= n:
            ax.set_visible(False)
        elif k + cols >= n:
            ax.xaxis.set_tick_params(labelbottom=True)
    return fig, list(grid.flat[:n])


CALENDAR_AXIS = "date (calendar days)"


def interval_words(n: int, drawn_as: str) -> str:
    """What a band or error bar (``drawn_as``) over ``n`` replications is, for a legend."""
    if n < 2:
        return "one replication, so no interval"
    return f"{drawn_as}: 95% interval of the mean over {n} replications"


def mean_band(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean over replications (rows) and its pointwise 95% confidence band; a point no
    replication has (all NaN, such as a month none reached) is NaN, drawn as a gap,
    without numpy's warning about an empty slice."""
    rows = np.asarray(rows, dtype=float)
    n = rows.shape[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(rows, axis=0)
        if n < 2:
            return mean, mean, mean
        half = stats.t.ppf(0.975, n - 1) * np.nanstd(rows, axis=0, ddof=1) / np.sqrt(n)
    return mean, mean - half, mean + half


def line_with_band(
    ax: Axes, x: Any, rows: np.ndarray, label: str | None = None, **style: Any
) -> None:
    """The mean over replications (rows) as a line, with its 95% interval shaded behind it
    where there are two replications or more."""
    mean, lo, hi = mean_band(rows)
    if len(rows) >= 2:
        ax.fill_between(x, lo, hi, color=style.get("color"), alpha=0.22, linewidth=0)
    ax.plot(x, mean, linewidth=1.6, label=label, **style)


def band_key(ax: Axes, n: int, **legend: Any) -> None:
    """A legend entry for the shaded bands of a panel whose lines are keyed by name."""
    handles, labels = ax.get_legend_handles_labels()
    handles.append(Patch(color="0.6", alpha=0.45 if n >= 2 else 0.0, linewidth=0))
    labels.append(interval_words(n, "shaded"))
    ax.legend(handles, labels, frameon=False, **legend)


def _error_bars(lo: np.ndarray, hi: np.ndarray, means: np.ndarray) -> np.ndarray | None:
    """Error bars from the intervals, or none where a single replication gives none."""
    if np.isnan(lo).any() or np.isnan(hi).any():
        return None
    return np.vstack([means - lo, hi - means])


def _dates(s: Scenario, days: np.ndarray) -> list[dt.date]:
    return [s.origin + dt.timedelta(days=float(d)) for d in days]


def _shade_warmup(ax: Axes, s: Scenario) -> None:
    """The warm-up shaded, and a dashed line on the date of each change of design."""
    if s.run.warmup_days:
        ax.axvspan(s.origin, s.run.start_date, color="0.9", zorder=0, label="warm-up (ignored)")
    for k, period in enumerate(s.periods[1:]):
        label = "change of design" if k == 0 else None
        ax.axvline(period.on, color="0.3", linestyle="--", linewidth=1, zorder=1, label=label)


def _date_axis(ax: Axes, labelled: bool = True) -> None:
    """Quarterly date labels, slanted so they fit a narrow panel (``autofmt_xdate`` would
    hide them on every row but the last, even above an empty place in the grid)."""
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    setp(ax.get_xticklabels(), rotation=30, ha="right")
    if labelled:  # a grid of panels is labelled once, below it
        ax.set_xlabel(CALENDAR_AXIS)


def funnel_stages(s: Scenario) -> dict[str, str]:
    """Bars of the funnel: contacts, then each count the scenario's kinds of step feed."""
    stages = {"contacts": "Contacts"}
    for kind in kinds_in(s):
        for name, count in kind.totals.items():
            if count.group == "funnel":
                stages[name] = _sentence(count.label)
    return stages


def funnel(result: RunResult, s: Scenario) -> Figure:
    """Each count of the funnel, simulated beside reported, with the conversion rates."""
    summaries = result.summaries()
    stages = funnel_stages(s)
    fig, ax = subplots(figsize=(max(11, 2.2 * len(stages)), 6))
    x = np.arange(len(stages))
    means = np.array([summaries[k].mean for k in stages])
    lo = np.array([summaries[k].ci95[0] for k in stages])
    hi = np.array([summaries[k].ci95[1] for k in stages])
    err = _error_bars(lo, hi, means)
    hi = means if err is None else hi
    ax.bar(
        x - 0.2,
        means,
        width=0.4,
        color=OKABE_ITO[0],
        yerr=err,
        capsize=4,
        label=f"simulated mean; {interval_words(result.replications, 'error bars')}",
    )
    reported = [s.reported.figures.get(k) for k in stages]
    if any(r is not None for r in reported):
        xr = [x[i] + 0.2 for i, r in enumerate(reported) if r is not None]
        ax.bar(
            xr,
            [r for r in reported if r is not None],
            width=0.4,
            color=OKABE_ITO[1],
            label="reported",
        )
    for i, m in enumerate(means):
        _bar_value(ax, x[i] - 0.2, m, "black")
    for i, r in enumerate(reported):
        if r is not None:
            _bar_value(ax, x[i] + 0.2, r, "0.3")
    top = max(float(np.max(hi)), max((r or 0) for r in reported), 1.0)
    _conversion_arrows(ax, summaries, list(stages), hi, top)
    ax.set_xticks(x, [textwrap.fill(label, 16) for label in stages.values()])
    ax.set_ylabel("cases in the measured period")
    ax.set_ylim(0, top * 1.12)
    ax.set_title(f"Safeguarding funnel: {s.name}")
    ax.legend(loc="upper right", frameon=False)
    return fig


def _bar_value(ax: Axes, x: float, y: float, colour: str) -> None:
    ax.annotate(
        f"{y:,.0f}",
        (x, y),
        ha="center",
        va="bottom",
        fontsize=11,
        xytext=(0, 4),
        textcoords="offset points",
        color=colour,
    )


def _conversion_arrows(
    ax: Axes, summaries: dict, stages: list[str], hi: np.ndarray, top: float
) -> None:
    """Each published rate whose two counts are bars, written between them."""
    drawn = False
    for rate, (numerators, denominator) in RATE_FROM_COUNTS.items():
        if rate not in summaries or len(numerators) != 1:
            continue
        if numerators[0] not in stages or denominator not in stages:
            continue
        a, b = stages.index(denominator), stages.index(numerators[0])
        ax.annotate(
            f"{summaries[rate].mean:.1%} \u2192",
            ((a + b) / 2, hi[b] + 0.12 * top),
            ha="center",
            fontsize=13,
            color="0.2",
        )
        drawn = True
    if drawn:
        ax.text(
            0.99,
            0.62,
            "arrows: simulated conversion to the next stage",
            ha="right",
            transform=ax.transAxes,
            fontsize=11,
            color="0.35",
        )


def queues(result: RunResult, s: Scenario) -> Figure:
    """Queue length at each step over time, mean and 95% band, warm-up shaded."""
    panels = queue_panels(s)
    fig, axes = _panels(len(panels), sharex=True)
    dates = _dates(s, result.daily[0]["day"])
    for k, (ax, (name, title)) in enumerate(zip(axes, panels.items(), strict=True)):
        colour = OKABE_ITO[k % len(OKABE_ITO)]
        _shade_warmup(ax, s)
        rows = np.stack([d[name] for d in result.daily])
        line_with_band(ax, dates, rows, "mean over replications", color=colour)
        ax.set_title(textwrap.fill(title, 45), fontsize=12)
        ax.set_ylabel("cases (end of day)")
        ax.set_ylim(bottom=0)
        _date_axis(ax, labelled=False)
    axes[0].legend(loc="upper left", frameon=False, fontsize=10)
    fig.supxlabel(CALENDAR_AXIS)
    n = result.replications
    fig.suptitle(f"Queues over time\n(line: the mean; {interval_words(n, 'shaded')})")
    fig.tight_layout()
    return fig


def decision_times(result: RunResult, s: Scenario) -> Figure:
    """Working days from contact to decision, with the target and the share within it."""
    days = np.concatenate([x[DECISION_SAMPLE] for x in result.samples])
    target = decision_target(s)
    fig, ax = subplots(figsize=(11, 6))
    top = int(max(days.max() if days.size else 0, target or 0)) + 2
    bins = np.arange(-0.5, top + 0.5, 1)
    weights = np.full(days.size, 100 / max(days.size, 1))
    ax.hist(days, bins=bins, weights=weights, color=OKABE_ITO[0], edgecolor="white")
    if target is not None:
        ax.axvline(target + 0.5, color=OKABE_ITO[3], linewidth=2.5, linestyle="--")
        on_time = np.concatenate([x["decided_within_target"] for x in result.samples])
        within = float(np.mean(on_time)) if on_time.size else float("nan")
        ax.annotate(
            f"target: {target} working days\n{within:.1%} of contacts decided within it",
            (target + 0.7, ax.get_ylim()[1] * 0.85),
            color=OKABE_ITO[3],
            fontsize=13,
        )
    ax.set_xlabel("working days from contact to decision (0 = same day)")
    ax.set_ylabel("share of decisions (%)")
    ax.set_title("How long the front door takes to decide")
    return fig


def waits(result: RunResult, s: Scenario) -> Figure:
    """How long cases wait at each queue drawn, and how long enquiries last."""
    panels = wait_panels(s, result.samples[0])
    fig, axes = _panels(len(panels))
    for k, (ax, (key, title)) in enumerate(zip(axes, panels.items(), strict=True)):
        x = np.concatenate([r[key] for r in result.samples])
        if x.size:
            ax.hist(
                x,
                bins=40,
                color=OKABE_ITO[k % len(OKABE_ITO)],
                edgecolor="white",
                weights=np.full(x.size, 100 / x.size),
            )
            ax.axvline(x.mean(), color="0.2", linestyle="--")
            ax.set_xlim(0, max(float(np.percentile(x, 99.5)), 1.0))
            ax.annotate(
                f"mean {x.mean():.1f}\n90th percentile {np.percentile(x, 90):.1f}",
                (0.5, 0.7),
                xycoords="axes fraction",
                fontsize=11,
            )
        ax.set_title(textwrap.fill(title, 45), fontsize=12)
        ax.set_xlabel("calendar days")
        ax.set_ylabel("share of cases (%)")
    fig.suptitle("Waits and durations (longest 0.5% off each axis; dashed: the mean)")
    fig.tight_layout()
    return fig


def staff(result: RunResult, s: Scenario) -> Figure:
    """Utilisation of each staff pool (weekly) and open enquiries per practitioner (daily)."""
    caseloads = s.caseload_pools()
    fig, axes = subplots(
        1 + bool(caseloads), 1, figsize=(13, 9 if caseloads else 5), sharex=True, squeeze=False
    )
    styles = pool_styles(s)
    _utilisation_panel(axes[0, 0], result, s, styles)
    if caseloads:
        _caseload_panel(axes[1, 0], result, s, styles)
    _date_axis(axes[-1, 0])
    fig.tight_layout()
    return fig


def _utilisation_panel(
    ax: Axes, result: RunResult, s: Scenario, styles: dict[str, dict[str, str]]
) -> None:
    weeks = result.weekly_utilisation[0]["week_start_day"]
    dates = _dates(s, weeks + 3.5)
    _shade_warmup(ax, s)
    for team, role in s.staff_pools():
        pool = pool_name(team, role)
        rows = np.stack([w[pool] for w in result.weekly_utilisation]) * 100
        line_with_band(ax, dates, rows, pool_label(team, role), **styles[pool])
    ax.set_ylabel("utilisation (% of hours at work)")
    ax.set_title("Share of staff time on pathway tasks, by team and role (weekly)")
    ax.set_ylim(0, 105)
    band_key(ax, result.replications, loc="upper left", bbox_to_anchor=(1.0, 1.0))


def _caseload_panel(
    ax: Axes, result: RunResult, s: Scenario, styles: dict[str, dict[str, str]]
) -> None:
    dates = _dates(s, result.daily[0]["day"])
    _shade_warmup(ax, s)
    for team, role in s.caseload_pools():
        pool = pool_name(team, role)
        style = styles[pool]
        r = s.role(team, role)
        per_person = np.stack([d[f"open_enquiries_{pool}"] for d in result.daily])
        line_with_band(ax, dates, per_person / r.effective_staff, pool_label(team, role), **style)
        ax.axhline(r.caseload_cap, color=style["color"], linestyle=":", linewidth=1.2)
    ax.set_ylabel("open enquiries per person")
    ax.set_title("Safeguarding caseload per person at work (dotted: the cap)")
    ax.set_ylim(bottom=0)
    band_key(ax, result.replications, loc="upper left", bbox_to_anchor=(1.0, 1.0))


def monthly_concerns(result: RunResult, s: Scenario) -> Figure:
    """Concerns each calendar month, against a report's monthly range where given."""
    months = list(result.monthly_concerns[0])
    fig, ax = subplots(figsize=(12, 6))
    if months:
        rows = np.array([[m[k] for k in months] for m in result.monthly_concerns], dtype=float)
        mean, lo, hi = mean_band(rows)
        x = np.arange(len(months))
        ax.bar(
            x,
            mean,
            color=OKABE_ITO[0],
            yerr=_error_bars(lo, hi, mean) if len(rows) >= 2 else None,
            capsize=3,
            label=f"simulated mean; {interval_words(len(rows), 'error bars')}",
        )
        ax.plot(x, rows.min(axis=0), "v", color="0.45", label="lowest simulated year")
        ax.plot(x, rows.max(axis=0), "^", color="0.45", label="highest simulated year")
        labels = [dt.date.fromisoformat(m + "-01").strftime("%b\n%Y") for m in months]
        ax.set_xticks(x, labels, fontsize=11)
    ax.set_xlabel("calendar month")
    ax.set_ylim(bottom=0)
    low = s.reported.figures.get("concerns_per_month_min")
    high = s.reported.figures.get("concerns_per_month_max")
    if low is not None and high is not None:
        for level in (low, high):
            ax.axhline(
                level,
                color=OKABE_ITO[3],
                linestyle="--",
                linewidth=2,
                label=f"reported range {low:g} to {high:g} a month" if level == low else None,
            )
    ax.set_ylabel("concerns raised in the month")
    ax.set_title("Concerns per month")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False)
    return fig


_DRAWERS = {
    "funnel": funnel,
    "queues": queues,
    "decision_times": decision_times,
    "waits": waits,
    "staff": staff,
    "monthly_concerns": monthly_concerns,
}
FIGURES = tuple(_DRAWERS)  # every figure there is; ``figure_names`` says which apply


def draw(name: str, result: RunResult, s: Scenario) -> Figure:
    """One figure by name (``figure_names`` says which the scenario has)."""
    with matplotlib.rc_context(STYLE):
        return _DRAWERS[name](result, s)


def draw_all(result: RunResult, s: Scenario) -> dict[str, Figure]:
    """Every figure the scenario has, by name."""
    return {name: draw(name, result, s) for name in figure_names(s)}


def write_figures(result: RunResult, s: Scenario, folder: Path) -> list[str]:
    """Write each figure of one run as PNG and SVG into ``folder``."""
    return save_figures(draw_all(result, s), folder)


def compare_figures(results: dict[str, RunResult], scenarios: dict[str, Scenario]) -> dict:
    """Side-by-side figures of several scenarios run with common random numbers."""
    with matplotlib.rc_context(STYLE):
        return {
            "compare_metrics": _compare_metrics(results, scenarios),
            "compare_queues": _compare_queues(results, scenarios),
        }


def compare_panels(scenarios: dict[str, Scenario]) -> dict[str, str]:
    """Headline metrics every scenario has, but the conversion rates (the counts show
    them), with titles, in the first scenario's order."""
    first = next(iter(scenarios.values()))
    labels = metric_names(first)
    shared = set.intersection(*(set(metric_names(s)) for s in scenarios.values()))
    return {
        m: _sentence(labels[m][1]) + (" (%)" if m.endswith("_rate") else "")
        for m in headline_metrics(first)
        if m in shared and labels[m][0] != "conversion"
    }


def _compare_metrics(results: dict[str, RunResult], scenarios: dict[str, Scenario]) -> Figure:
    panels = compare_panels(scenarios)
    fig, axes = _panels(len(panels))
    labels = list(results)
    x = np.arange(len(labels))
    for ax, (metric, title) in zip(axes, panels.items(), strict=True):
        scale = 100 if metric.endswith("_rate") else 1
        sums = [r.summaries()[metric] for r in results.values()]
        means = np.array([sm.mean for sm in sums]) * scale
        lo = np.array([sm.ci95[0] for sm in sums]) * scale
        hi = np.array([sm.ci95[1] for sm in sums]) * scale
        ax.bar(
            x,
            means,
            color=[OKABE_ITO[i % len(OKABE_ITO)] for i in x],
            yerr=_error_bars(lo, hi, means),
            capsize=4,
        )
        ax.set_title(textwrap.fill(title, 40), fontsize=12)
        ax.set_xticks(x, labels, rotation=20, ha="right", fontsize=10)
        ax.set_ylim(bottom=min(0.0, float(np.min(means))))
    n = next(iter(results.values())).replications
    fig.suptitle(
        "Scenarios side by side: the mean, common random numbers\n"
        f"({interval_words(n, 'error bars')})"
    )
    fig.tight_layout()
    return fig


def _compare_queues(results: dict[str, RunResult], scenarios: dict[str, Scenario]) -> Figure:
    first = next(iter(scenarios.values()))
    panels = {
        name: title
        for name, title in queue_panels(first).items()
        if all(name in r.daily[0] for r in results.values())
    }
    fig, axes = _panels(len(panels), sharex=True)
    for i, (label, result) in enumerate(results.items()):
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        dates = _dates(scenarios[label], result.daily[0]["day"])
        for ax, name in zip(axes, panels, strict=True):
            rows = np.stack([d[name] for d in result.daily])
            line_with_band(ax, dates, rows, label, color=colour)
    for ax, title in zip(axes, panels.values(), strict=True):
        _shade_warmup(ax, first)
        ax.set_title(textwrap.fill(title, 45), fontsize=12)
        ax.set_ylabel("cases (end of day)")
        ax.set_ylim(bottom=0)
        _date_axis(ax, labelled=False)
    fig.supxlabel(CALENDAR_AXIS, y=0.075)
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncol=min(len(results), 4), frameon=False)
    n = next(iter(results.values())).replications
    fig.suptitle(
        f"Queues over time, scenario by scenario: the mean\n({interval_words(n, 'shaded')})"
    )
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    return fig


def save_figures(figures: dict[str, Figure], folder: Path) -> list[str]:
    """Write figures as PNG and SVG into ``folder`` (all or nothing)."""
    from sgsim.outputs.files import atomic_folder

    names = [f"{n}.{ext}" for n in figures for ext in ("png", "svg")]
    with atomic_folder(folder, owned=names) as tmp:
        for name, fig in figures.items():
            with matplotlib.rc_context(STYLE):
                fig.savefig(tmp / f"{name}.png")
                fig.savefig(tmp / f"{name}.svg")
        return sorted(p.name for p in tmp.iterdir())


def warmup_figure(s: Scenario, stages: dict, window: int) -> Figure:
    """Each queue's daily length from empty: mean, Welch moving average, MSER-5 point."""
    titles = queue_panels(s)
    with matplotlib.rc_context(STYLE):
        fig, axes = _panels(len(stages), sharex=True)
        for k, (ax, (name, (mean, smooth, cut))) in enumerate(
            zip(axes, stages.items(), strict=True)
        ):
            colour = OKABE_ITO[k % len(OKABE_ITO)]
            days = np.arange(mean.size)
            ax.plot(
                days, mean, color=colour, alpha=0.35, linewidth=0.8, label="mean over replications"
            )
            ax.plot(
                days,
                smooth,
                color=colour,
                linewidth=2,
                label=f"Welch moving average (+-{window} days)",
            )
            ax.axvline(
                cut,
                color=OKABE_ITO[3],
                linestyle="--",
                linewidth=1.8,
                label=f"MSER-5 truncation: day {cut}",
            )
            ax.set_title(textwrap.fill(titles.get(name, name), 45), fontsize=12)
            ax.set_ylabel("cases (end of day)")
            ax.set_ylim(bottom=0)
            ax.legend(frameon=False, fontsize=9, loc="lower right")
        fig.supxlabel(f"calendar days from an empty start ({s.origin:%d %b %Y})")
        fig.suptitle("Warm-up: queues from an empty start")
        fig.tight_layout()
    return fig
