"""Draw the figures of ``docs/validation.md`` again, from the code as it is.

From the sgsim folder: ``python docs/make_figures.py``. It runs West Sussex 2022/23 as
section 2 of the validation document does (20 replications, seed 12345) and draws every
figure ``sgsim run --plots`` draws, then the warm-up trial of section 4 (5 replications from
empty) and its figure, as PNG files in ``docs/figures/``. The app's screenshots are taken
by ``docs/figures/app_screenshots.py``. ``--replications``, ``--warmup-replications``,
``--warmup-days`` and ``--out`` make a smaller set elsewhere (the tests do); ``--workers``
runs replications in parallel (default 2).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

from sgsim.analysis.run_length import suggest_warmup
from sgsim.outputs.figures import STYLE, draw_all, queue_panels, warmup_figure
from sgsim.scenario.loading import load_scenario
from sgsim.studies.run_length import warmup_trial
from sgsim.studies.runner import run_replications

HERE = Path(__file__).parent
WEST_SUSSEX = HERE.parent / "scenarios" / "west_sussex_2022_23.toml"
SEED = 12345  # as sgsim's commands use by default
WINDOW = 15  # the Welch half-window, as ``sgsim warmup`` uses by default


def figures(
    replications: int, warmup_replications: int, warmup_days: int | None, workers: int
) -> dict:
    """Every figure of the document, by file name (without .png)."""
    s = load_scenario(WEST_SUSSEX).scenario
    result = run_replications(s, SEED, replications, workers=workers)
    drawn: dict[str, Figure] = draw_all(result, s)
    trial = warmup_trial(s, warmup_days)
    daily = run_replications(trial, SEED, warmup_replications, workers=workers).daily
    suggestion = suggest_warmup(daily, WINDOW, queue_panels(s))
    series = {n: (st.mean, st.smoothed, st.cut) for n, st in suggestion.stages.items()}
    drawn["warmup"] = warmup_figure(trial, series, WINDOW)
    return drawn


def main(argv: list[str] | None = None) -> list[Path]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--replications", type=int, default=20)
    p.add_argument("--warmup-replications", type=int, default=5)
    p.add_argument("--warmup-days", type=int, help="the warm-up trial's length")
    p.add_argument("--out", type=Path, default=HERE / "figures")
    p.add_argument("--workers", type=int, default=2, help="replications in parallel")
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    written = []
    with matplotlib.rc_context(STYLE):
        drawn = figures(args.replications, args.warmup_replications, args.warmup_days, args.workers)
        for name, fig in drawn.items():
            fig.savefig(args.out / f"{name}.png")
            written.append(args.out / f"{name}.png")
    return written


if __name__ == "__main__":
    for path in main():
        print(f"wrote {path}")
