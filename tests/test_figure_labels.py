"""Every figure says what its bands are, which days its time axes count, and starts its
counts and shares at zero (issue #12); one replication draws without an interval and says
so (issue #13). Checked on the matplotlib objects themselves: legend texts, titles, axis
labels and limits."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import MINIMAL, make, minimal_raw, short
from matplotlib.axes import Axes
from matplotlib.collections import FillBetweenPolyCollection, PolyCollection
from matplotlib.container import ErrorbarContainer
from matplotlib.figure import Figure

from sgsim.cli.main import main
from sgsim.outputs.figures import compare_figures, draw_all
from sgsim.studies.runner import run_replications

INTERVAL = "95% interval of the mean"
NO_INTERVAL = "one replication, so no interval"


@pytest.fixture(scope="module")
def scenario():
    return make(short(minimal_raw(), days=120))


@pytest.fixture(scope="module")
def figures(scenario) -> dict[str, Figure]:
    result = run_replications(scenario, 7, 3)
    return draw_all(result, scenario) | compare_figures(
        {"a": result, "b": result}, {"a": scenario, "b": scenario}
    )


@pytest.fixture(scope="module")
def single(scenario) -> dict[str, Figure]:
    result = run_replications(scenario, 7, 1)
    return draw_all(result, scenario) | compare_figures(
        {"a": result, "b": result}, {"a": scenario, "b": scenario}
    )


def words(ax: Axes) -> str:
    """Every text a reader sees about a panel: its legend, title, labels and the figure's
    own title and labels."""
    fig = ax.figure
    legend = ax.get_legend()
    parts = [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
    parts += [t.get_text() for t in legend.get_texts()] if legend else []
    parts += [t.get_text() for leg in fig.legends for t in leg.get_texts()]
    parts += [fig.get_suptitle(), fig.get_supxlabel()]
    return " ".join(parts).replace("\n", " ")


def bands(ax: Axes) -> list[PolyCollection]:
    return [c for c in ax.collections if isinstance(c, FillBetweenPolyCollection)]


def error_bars(ax: Axes) -> list:
    return [c for c in ax.containers if isinstance(c, ErrorbarContainer)] + [
        c for c in ax.containers if getattr(c, "errorbar", None) is not None
    ]


def panels(figures: dict[str, Figure]) -> list[tuple[str, Axes]]:
    return [(name, ax) for name, fig in figures.items() for ax in fig.axes if ax.get_visible()]


def test_every_band_and_error_bar_says_it_is_an_interval_of_the_mean(figures):
    drawn = 0
    for name, ax in panels(figures):
        if bands(ax) or error_bars(ax):
            drawn += 1
            assert INTERVAL in words(ax), name
    assert drawn >= 5  # the funnel, queues, staff (2 panels), months, comparisons


def test_every_time_axis_says_calendar_or_working_days(figures):
    for name, ax in panels(figures):
        dates = ax.xaxis.get_converter() is not None
        histogram = name in ("waits", "decision_times")
        if dates or histogram:
            shared = ax.get_shared_x_axes().get_siblings(ax)  # labelled once, below
            label = " ".join([a.get_xlabel() for a in shared] + [ax.figure.get_supxlabel()])
            assert "calendar" in label or "working days" in label, (name, label)
    assert "working days" in figures["decision_times"].axes[0].get_xlabel()
    assert figures["waits"].axes[0].get_xlabel() == "calendar days"


def test_counts_and_shares_are_drawn_from_zero(figures):
    for name, ax in panels(figures):
        assert ax.get_ylim()[0] == 0, name


def test_one_replication_draws_no_interval_and_says_so(single):
    for name, ax in panels(single):
        assert not bands(ax), name
        assert not any(c.has_yerr for c in ax.containers if isinstance(c, ErrorbarContainer))
        assert not [c for c in ax.containers if getattr(c, "errorbar", None) is not None], name
        assert INTERVAL not in words(ax), name
    for name in ("funnel", "queues", "staff", "monthly_concerns", "compare_metrics"):
        assert NO_INTERVAL in " ".join(words(ax) for ax in single[name].axes), name
    funnel = single["funnel"].axes[0]
    assert np.isfinite(funnel.get_ylim()).all()


@pytest.mark.parametrize(
    "command",
    [
        ["run", "-n", "1", "--plots", "{tmp}/plots", "--out", "{tmp}/out"],
        ["report", "-n", "1", "-o", "{tmp}/report.html"],
        ["compare", "-n", "1", "--plots", "{tmp}/plots", "--out", "{tmp}/out"],
        ["warmup", "-n", "1", "--plots", "{tmp}/plots"],
    ],
    ids=lambda c: c[0],
)
def test_every_command_runs_with_one_replication(tmp_path, command, capsys):
    """Issue #13: ``sgsim report -n 1`` failed ("Axis limits cannot be NaN or Inf")."""
    args = [a.format(tmp=tmp_path) for a in command]
    scenarios = [str(MINIMAL)] * (2 if command[0] == "compare" else 1)
    assert main([args[0], *scenarios, *args[1:]]) == 0
