"""Figures of a sweep: a heatmap for two-parameter grids, lines with bands for one
parameter, a tornado for one-at-a-time, bars of Sobol or Morris indices, and scatter
plots for Latin hypercubes."""

from __future__ import annotations

import csv
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from sgsim.outputs.figures import (
    OKABE_ITO,
    STYLE,
    band_key,
    line_with_band,
    save_figures,
    subplots,
)
from sgsim.studies.sweep.spec import SweepSpec


def _label(name: str) -> str:
    """Parameter paths as users write them; metric names in words."""
    return name if "." in name else name.replace("_", " ")


def _scale(metric: str) -> tuple[float, str]:
    return (
        (100.0, " (%)")
        if metric.endswith("_rate") or metric.startswith("utilisation")
        else (1.0, "")
    )


def sweep_figures(spec: SweepSpec, result: dict, folder: Path) -> dict[str, Figure]:
    """Every figure the design calls for, for each plot metric: ``KIND_METRIC``."""
    points, per_point = result["design"], result["per_point"]
    params = spec.parameters
    figs: dict[str, Figure] = {}
    with matplotlib.rc_context(STYLE):
        for metric in spec.plot_metrics:
            k, unit = _scale(metric)
            means = result["means"][metric] * k
            if spec.design == "grid" and len(params) == 2:
                figs[f"heatmap_{metric}"] = _heatmap(spec, points, means, metric + unit)
            if len(params) == 1 and spec.design in ("grid", "oat"):
                figs[f"line_{metric}"] = _line(spec, points, per_point, metric, k, unit)
            if spec.design == "oat":
                figs[f"tornado_{metric}"] = _tornado(folder / "one_at_a_time.csv", metric, k, unit)
            if spec.design == "sobol":
                figs[f"sobol_{metric}"] = _indices(
                    folder / "sobol_indices.csv",
                    metric,
                    [("S1", "first-order"), ("ST", "total")],
                    "Sobol sensitivity index",
                )
            if spec.design == "morris":
                figs[f"morris_{metric}"] = _indices(
                    folder / "morris_indices.csv",
                    metric,
                    [("mu_star", "mu* (mean |elementary effect|)")],
                    "Morris mu*" + unit,
                )
            if spec.design in ("lhs", "sobol", "morris") or (
                spec.design == "grid" and len(params) > 2
            ):
                figs[f"scatter_{metric}"] = _scatter(spec, points, means, metric + unit)
    return figs


def write_sweep_figures(spec: SweepSpec, result: dict, folder: Path, plots: Path) -> list[str]:
    return save_figures(sweep_figures(spec, result, folder), plots)


def _heatmap(spec, points, values, title) -> Figure:
    px, py = spec.parameters
    xs = sorted({pt[px.path] for pt in points})
    ys = sorted({pt[py.path] for pt in points})
    grid = np.full((len(ys), len(xs)), np.nan)
    for pt, v in zip(points, values, strict=True):
        grid[ys.index(pt[py.path]), xs.index(pt[px.path])] = v
    fig, ax = subplots(figsize=(1.3 * len(xs) + 4, 0.8 * len(ys) + 3))
    image = ax.imshow(grid, origin="lower", aspect="auto", cmap="cividis")
    for (r, c), v in np.ndenumerate(grid):
        if np.isfinite(v):
            ax.text(
                c,
                r,
                f"{v:.3g}",
                ha="center",
                va="center",
                fontsize=11,
                color="white" if v < np.nanmean(grid) else "black",
            )
    ax.set_xticks(range(len(xs)), [f"{x:g}" for x in xs])
    ax.set_yticks(range(len(ys)), [f"{y:g}" for y in ys])
    ax.set_xlabel(_label(px.path))
    ax.set_ylabel(_label(py.path))
    fig.colorbar(image, ax=ax, label=_label(title))
    ax.set_title(f"{_label(title)}: mean over {spec.replications} replications")
    return fig


def _line(spec, points, per_point, metric, k, unit) -> Figure:
    (p,) = spec.parameters
    order = np.argsort([pt[p.path] for pt in points])
    x = np.array([points[i][p.path] for i in order])
    rows = np.array([[rep[metric] * k for rep in per_point[i]] for i in order]).T
    fig, ax = subplots(figsize=(10, 6))
    line_with_band(ax, x, rows, "mean over replications", color=OKABE_ITO[0], marker="o")
    ax.set_xlabel(_label(p.path))
    ax.set_ylabel(_label(metric) + unit)
    ax.set_ylim(bottom=min(0.0, float(np.nanmin(rows))))
    band_key(ax, len(rows))
    ax.set_title(f"{_label(metric)} as {_label(p.path)} varies")
    return fig


def _read(path: Path, metric: str) -> list[dict[str, str]]:
    with path.open() as f:
        return [r for r in csv.DictReader(f) if r["metric"] == metric]


def _tornado(path: Path, metric: str, k: float, unit: str) -> Figure:
    rows = sorted(_read(path, metric), key=lambda r: float(r["swing"] or 0))
    fig, ax = subplots(figsize=(11, 1.0 * len(rows) + 2.5))
    base = float(rows[0]["base_metric"]) * k if rows else 0
    for i, r in enumerate(rows):
        lo, hi = float(r["metric_at_low"]) * k, float(r["metric_at_high"]) * k
        for end, colour, label in (
            (lo, OKABE_ITO[0], "at the lowest value"),
            (hi, OKABE_ITO[1], "at the highest value"),
        ):
            ax.barh(
                i, end - base, left=base, color=colour, height=0.6, label=label if i == 0 else None
            )
        ax.annotate(
            f"{float(r['low_value']):g} .. {float(r['high_value']):g}",
            (max(lo, hi), i),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=10,
        )
    ax.axvline(base, color="0.2", linewidth=1.2)
    ax.set_yticks(range(len(rows)), [_label(r["parameter"]) for r in rows])
    ax.set_xlabel(_label(metric) + unit)
    ax.set_title(f"One at a time: what moves {_label(metric)} (line: base scenario)")
    ax.legend(frameon=False, loc="lower right")
    return fig


def _indices(path: Path, metric: str, columns, ylabel: str) -> Figure:
    rows = _read(path, metric)
    fig, ax = subplots(figsize=(11, 6))
    x = np.arange(len(rows))
    width = 0.8 / len(columns)
    for j, (col, name) in enumerate(columns):
        values = [float(r[col]) for r in rows]
        conf = [float(r[col + "_conf"]) for r in rows]
        ax.bar(
            x + (j - (len(columns) - 1) / 2) * width,
            values,
            width,
            yerr=conf,
            capsize=4,
            color=OKABE_ITO[j],
            label=name + " (95% interval)",
        )
    ax.set_xticks(x, [_label(r["parameter"]) for r in rows], rotation=20, ha="right")
    ax.set_ylabel(ylabel)
    ax.axhline(0, color="0.3", linewidth=0.8)
    ax.set_title(f"What drives {_label(metric)}")
    ax.legend(frameon=False)
    return fig


def _scatter(spec, points, values, title) -> Figure:
    n = len(spec.parameters)
    cols = min(n, 3)
    rows = -(-n // cols)
    fig, axes = subplots(rows, cols, figsize=(4.5 * cols, 3.8 * rows), squeeze=False)
    for ax, p in zip(axes.flat, spec.parameters, strict=False):
        ax.scatter([pt[p.path] for pt in points], values, s=14, color=OKABE_ITO[0], alpha=0.6)
        ax.set_xlabel(_label(p.path), fontsize=11)
        ax.set_ylabel(_label(title), fontsize=11)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    fig.suptitle(f"{_label(title)} at each design point (mean over replications)")
    fig.tight_layout()
    return fig
