"""Figures of one run: funnel, queues over time, timeliness, staff, monthly concerns.

Drawn with matplotlib for a projector and for print: large type, units on every axis,
the domain's words, and the Okabe-Ito palette, which stays distinct for colour-blind
readers. Lines over time are the mean over replications with a shaded 95% band.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no screen needed

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from scipy import stats

from sgsim.scenario.schema import Scenario
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

QUEUE_TITLES = {
    "triage_queue": "Contacts waiting for front-door triage",
    "decision_queue": "Concerns waiting for an s42 decision",
    "allocation_queue": "Enquiries waiting for allocation",
    "open_enquiries": "Enquiries open (allocated, in progress)",
}


def role_colours(s: Scenario) -> dict[str, str]:
    """One colour per role, the same in every panel and figure."""
    return {r: OKABE_ITO[i % len(OKABE_ITO)] for i, r in enumerate(s.task_roles())}


def mean_band(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean over replications (rows) and its pointwise 95% confidence band."""
    rows = np.asarray(rows, dtype=float)
    mean = np.nanmean(rows, axis=0)
    n = rows.shape[0]
    if n < 2:
        return mean, mean, mean
    half = stats.t.ppf(0.975, n - 1) * np.nanstd(rows, axis=0, ddof=1) / np.sqrt(n)
    return mean, mean - half, mean + half


def _dates(s: Scenario, days: np.ndarray) -> list[dt.date]:
    return [s.origin + dt.timedelta(days=float(d)) for d in days]


def _shade_warmup(ax: plt.Axes, s: Scenario) -> None:
    if s.run.warmup_days:
        ax.axvspan(s.origin, s.run.start_date, color="0.9", zorder=0, label="warm-up (ignored)")


def _date_axis(ax: plt.Axes) -> None:
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))


def funnel(result: RunResult, s: Scenario) -> Figure:
    """Contacts -> concerns -> s42 / other enquiries -> concluded, with reported figures."""
    summaries = result.summaries()
    stages = [
        ("contacts", "Contacts"),
        ("concerns", "Concerns"),
        ("s42_enquiries", "s42 enquiries"),
        ("other_enquiries", "Other enquiries"),
        ("enquiries_concluded", "Enquiries\nconcluded"),
    ]
    fig, ax = plt.subplots(figsize=(11, 6))
    x = np.arange(len(stages))
    means = np.array([summaries[k].mean for k, _ in stages])
    lo = np.array([summaries[k].ci95[0] for k, _ in stages])
    hi = np.array([summaries[k].ci95[1] for k, _ in stages])
    err = np.nan_to_num(np.vstack([means - lo, hi - means]))
    ax.bar(
        x - 0.2,
        means,
        width=0.4,
        color=OKABE_ITO[0],
        yerr=err,
        capsize=4,
        label="simulated (mean, 95% CI)",
    )
    reported = [s.reported.figures.get(k) for k, _ in stages]
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
        ax.annotate(
            f"{m:,.0f}",
            (x[i] - 0.2, m),
            ha="center",
            va="bottom",
            fontsize=11,
            xytext=(0, 4),
            textcoords="offset points",
        )
    for i, r in enumerate(reported):
        if r is not None:
            ax.annotate(
                f"{r:,.0f}",
                (x[i] + 0.2, r),
                ha="center",
                va="bottom",
                fontsize=11,
                xytext=(0, 4),
                textcoords="offset points",
                color="0.3",
            )
    rates = [(1, "contact_to_concern_rate"), (2, "concern_to_s42_rate")]
    top = max(np.nanmax(hi), max((r or 0) for r in reported))
    for b, name in rates:
        rate = summaries[name].mean
        ax.annotate(
            f"{rate:.1%} \u2192",
            (x[b] - 0.5, hi[b] + 0.12 * top),
            ha="center",
            fontsize=13,
            color="0.2",
        )
    ax.text(
        0.99,
        0.62,
        "arrows: simulated conversion to the next stage",
        ha="right",
        transform=ax.transAxes,
        fontsize=11,
        color="0.35",
    )
    ax.set_xticks(x, [label for _, label in stages])
    ax.set_ylabel("cases in the measured year")
    ax.set_ylim(0, top * 1.12)
    ax.set_title(f"Safeguarding funnel: {s.name}")
    ax.legend(loc="upper right", frameon=False)
    return fig


def queues(result: RunResult, s: Scenario) -> Figure:
    """Queue length at each stage over time, mean and 95% band, warm-up shaded."""
    fig, axes = plt.subplots(2, 2, figsize=(13, 8), sharex=True)
    dates = _dates(s, result.daily[0]["day"])
    for ax, (name, title), colour in zip(axes.flat, QUEUE_TITLES.items(), OKABE_ITO, strict=False):
        mean, lo, hi = mean_band(np.stack([d[name] for d in result.daily]))
        _shade_warmup(ax, s)
        ax.fill_between(dates, lo, hi, color=colour, alpha=0.25, linewidth=0, label="95% band")
        ax.plot(dates, mean, color=colour, linewidth=1.6, label="mean over replications")
        ax.set_title(title, fontsize=13)
        ax.set_ylabel("cases (end of day)")
        ax.set_ylim(bottom=0)
        _date_axis(ax)
    axes[0, 0].legend(loc="upper left", frameon=False, fontsize=10)
    fig.suptitle(f"Queues over time ({len(result.daily)} replications)")
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def decision_times(result: RunResult, s: Scenario) -> Figure:
    """Working days from contact to decision, with the target and the share within it."""
    days = np.concatenate([x["decision_working_days"] for x in result.samples])
    target = s.s42_test.decision_target_working_days
    fig, ax = plt.subplots(figsize=(11, 6))
    top = int(max(days.max() if days.size else 0, target)) + 2
    bins = np.arange(-0.5, top + 0.5, 1)
    weights = np.full(days.size, 100 / max(days.size, 1))
    ax.hist(days, bins=bins, weights=weights, color=OKABE_ITO[0], edgecolor="white")
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
    """Allocation wait and enquiry duration distributions."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5.5))
    for ax, key, colour, label in (
        (left, "allocation_wait_days", OKABE_ITO[1], "days from s42 decision to allocation"),
        (right, "enquiry_duration_days", OKABE_ITO[2], "days from allocation to conclusion"),
    ):
        x = np.concatenate([r[key] for r in result.samples])
        if x.size:
            ax.hist(
                x, bins=40, color=colour, edgecolor="white", weights=np.full(x.size, 100 / x.size)
            )
            ax.axvline(x.mean(), color="0.2", linestyle="--")
            ax.set_xlim(0, max(float(np.percentile(x, 99.5)), 1.0))
            ax.annotate(
                f"mean {x.mean():.1f} days\n90th percentile {np.percentile(x, 90):.1f}",
                (0.55, 0.8),
                xycoords="axes fraction",
                fontsize=12,
            )
        ax.set_xlabel(label + " (longest 0.5% off the axis)")
        ax.set_ylabel("share of enquiries (%)")
    left.set_title("Waiting for allocation")
    right.set_title("Enquiry duration")
    fig.tight_layout()
    return fig


def staff(result: RunResult, s: Scenario) -> Figure:
    """Utilisation by role (weekly) and open enquiries per practitioner (daily)."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(13, 9), sharex=True)
    weeks = result.weekly_utilisation[0]["week_start_day"]
    wdates = _dates(s, weeks + 3.5)
    _shade_warmup(top, s)
    colours = role_colours(s)
    for role, colour in colours.items():
        mean, lo, hi = mean_band(np.stack([w[role] for w in result.weekly_utilisation]) * 100)
        top.fill_between(wdates, lo, hi, color=colour, alpha=0.2, linewidth=0)
        top.plot(wdates, mean, color=colour, linewidth=1.6, label=role.replace("_", " "))
    top.set_ylabel("utilisation (% of hours at work)")
    top.set_title("Share of staff time on pathway tasks, by role (weekly)")
    top.set_ylim(0, 105)
    top.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    dates = _dates(s, result.daily[0]["day"])
    _shade_warmup(bottom, s)
    for role in s.caseload_roles():
        colour = colours[role]
        per_person = np.stack([d[f"open_enquiries_{role}"] for d in result.daily])
        mean, lo, hi = mean_band(per_person / s.staffing[role].effective_staff)
        bottom.fill_between(dates, lo, hi, color=colour, alpha=0.2, linewidth=0)
        bottom.plot(dates, mean, color=colour, linewidth=1.6, label=role.replace("_", " "))
        bottom.axhline(s.staffing[role].caseload_cap, color=colour, linestyle=":", linewidth=1.2)
    bottom.set_ylabel("open enquiries per practitioner")
    bottom.set_title("Safeguarding caseload per practitioner (dotted: the cap)")
    bottom.set_ylim(bottom=0)
    bottom.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    _date_axis(bottom)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def monthly_concerns(result: RunResult, s: Scenario) -> Figure:
    """Concerns each calendar month, against a report's monthly range where given."""
    months = list(result.monthly_concerns[0])
    fig, ax = plt.subplots(figsize=(12, 6))
    if months:
        rows = np.array([[m[k] for k in months] for m in result.monthly_concerns], dtype=float)
        mean, lo, hi = mean_band(rows)
        x = np.arange(len(months))
        ax.bar(
            x,
            mean,
            color=OKABE_ITO[0],
            yerr=np.vstack([mean - lo, hi - mean]),
            capsize=3,
            label="simulated (mean, 95% CI)",
        )
        ax.plot(x, rows.min(axis=0), "v", color="0.45", label="lowest simulated year")
        ax.plot(x, rows.max(axis=0), "^", color="0.45", label="highest simulated year")
        labels = [dt.date.fromisoformat(m + "-01").strftime("%b\n%Y") for m in months]
        ax.set_xticks(x, labels, fontsize=11)
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
FIGURES = tuple(_DRAWERS)


def draw_all(result: RunResult, s: Scenario) -> dict[str, Figure]:
    """Every figure, by name."""
    with plt.rc_context(STYLE):
        return {name: draw(result, s) for name, draw in _DRAWERS.items()}


def write_figures(result: RunResult, s: Scenario, folder: Path) -> list[str]:
    """Write each figure of one run as PNG and SVG into ``folder``."""
    return save_figures(draw_all(result, s), folder)


COMPARE_METRICS = (
    ("concerns", "concerns in the year"),
    ("s42_enquiries", "s42 enquiries in the year"),
    ("decision_within_target_rate", "decisions within target (%)"),
    ("decision_working_days_mean", "working days, contact to decision"),
    ("allocation_wait_days_mean", "days waiting for allocation"),
    ("open_enquiries_mean", "enquiries open (mean)"),
)


def compare_figures(results: dict[str, RunResult], scenarios: dict[str, Scenario]) -> dict:
    """Side-by-side figures of several scenarios run with common random numbers."""
    with plt.rc_context(STYLE):
        return {
            "compare_metrics": _compare_metrics(results),
            "compare_queues": _compare_queues(results, scenarios),
        }


def _compare_metrics(results: dict[str, RunResult]) -> Figure:
    fig, axes = plt.subplots(2, 3, figsize=(14, 8))
    labels = list(results)
    x = np.arange(len(labels))
    for ax, (metric, title) in zip(axes.flat, COMPARE_METRICS, strict=True):
        scale = 100 if metric.endswith("_rate") else 1
        sums = [r.summaries()[metric] for r in results.values()]
        means = np.array([sm.mean for sm in sums]) * scale
        lo = np.array([sm.ci95[0] for sm in sums]) * scale
        hi = np.array([sm.ci95[1] for sm in sums]) * scale
        ax.bar(
            x,
            means,
            color=[OKABE_ITO[i % len(OKABE_ITO)] for i in x],
            yerr=np.nan_to_num(np.vstack([means - lo, hi - means])),
            capsize=4,
        )
        ax.set_title(title, fontsize=13)
        ax.set_xticks(x, labels, rotation=20, ha="right", fontsize=10)
    fig.suptitle("Scenarios side by side (mean and 95% CI, common random numbers)")
    fig.tight_layout()
    return fig


def _compare_queues(results: dict[str, RunResult], scenarios: dict[str, Scenario]) -> Figure:
    fig, axes = plt.subplots(2, 2, figsize=(13, 8), sharex=True)
    first = scenarios[next(iter(scenarios))]
    for i, (label, result) in enumerate(results.items()):
        s = scenarios[label]
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        dates = _dates(s, result.daily[0]["day"])
        for ax, name in zip(axes.flat, QUEUE_TITLES, strict=True):
            mean, lo, hi = mean_band(np.stack([d[name] for d in result.daily]))
            ax.fill_between(dates, lo, hi, color=colour, alpha=0.2, linewidth=0)
            ax.plot(dates, mean, color=colour, linewidth=1.5, label=label)
    for ax, title in zip(axes.flat, QUEUE_TITLES.values(), strict=True):
        _shade_warmup(ax, first)
        ax.set_title(title, fontsize=13)
        ax.set_ylabel("cases (end of day)")
        ax.set_ylim(bottom=0)
        _date_axis(ax)
    handles, names = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncol=min(len(results), 4), frameon=False)
    fig.suptitle("Queues over time, scenario by scenario (mean and 95% band)")
    fig.autofmt_xdate()
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig


def save_figures(figures: dict[str, Figure], folder: Path) -> list[str]:
    """Write figures as PNG and SVG into ``folder`` (all or nothing)."""
    from sgsim.outputs.files import atomic_folder

    names = [f"{n}.{ext}" for n in figures for ext in ("png", "svg")]
    with atomic_folder(folder, owned=names) as tmp:
        for name, fig in figures.items():
            with plt.rc_context(STYLE):
                fig.savefig(tmp / f"{name}.png")
                fig.savefig(tmp / f"{name}.svg")
            plt.close(fig)
        return sorted(p.name for p in tmp.iterdir())


def warmup_figure(s: Scenario, stages: dict, window: int) -> Figure:
    """Each stage's daily queue from empty: mean, Welch moving average, MSER-5 point."""
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(2, 2, figsize=(13, 8), sharex=True)
        for ax, (name, (mean, smooth, cut)), colour in zip(
            axes.flat, stages.items(), OKABE_ITO, strict=False
        ):
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
            ax.set_title(QUEUE_TITLES[name], fontsize=13)
            ax.set_ylabel("cases (end of day)")
            ax.legend(frameon=False, fontsize=9, loc="lower right")
        for ax in axes[1]:
            ax.set_xlabel(f"days from an empty start ({s.origin:%d %b %Y})")
        fig.suptitle("Warm-up: queues from an empty start")
        fig.tight_layout()
    return fig
