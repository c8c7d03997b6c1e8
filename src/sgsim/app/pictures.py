"""The ``--plots`` figures as PNG images for the page, drawn one caller at a time.

matplotlib's figure machinery is not thread-safe, and a Streamlit server runs each
browser's page (and each deferred download) in a thread of its own; so all drawing in the
app goes through ``DRAWING``. Figures are drawn together (as ``--plots`` draws them) and
turned into images one by one, so the page can show each as soon as it is ready.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from sgsim.outputs.figures import STYLE, compare_figures, draw_all
from sgsim.scenario.schema import Scenario
from sgsim.studies.runner import RunResult

DRAWING = threading.RLock()
SCREEN_DPI = 100  # the files' 150 would take half as long again, for no gain on a screen


def _images(figures: dict[str, Figure]) -> Iterator[tuple[str, bytes]]:
    for name, fig in figures.items():
        buf = io.BytesIO()
        with DRAWING, matplotlib.rc_context(STYLE):
            fig.savefig(buf, format="png", dpi=SCREEN_DPI)
            plt.close(fig)
        yield name, buf.getvalue()


def run_pictures(result: RunResult, s: Scenario) -> Iterator[tuple[str, bytes]]:
    """Every figure ``sgsim run --plots`` draws for this run, as (name, PNG)."""
    with DRAWING:
        figures = draw_all(result, s)
    return _images(figures)


def compare_pictures(
    results: dict[str, RunResult], scenarios: dict[str, Scenario]
) -> Iterator[tuple[str, bytes]]:
    """The figures ``sgsim compare --plots`` draws, as (name, PNG)."""
    with DRAWING:
        figures = compare_figures(results, scenarios)
    return _images(figures)
