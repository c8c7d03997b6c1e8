"""What ``sgsim calibrate`` prints: its plan before it starts, and what it found."""

from __future__ import annotations

from rich.console import Console

from sgsim.outputs.layout import Column, Sheet
from sgsim.outputs.tables import fmt, fmt_range, reported_verdict
from sgsim.studies.calibrate import Calibration
from sgsim.studies.calibration_plan import PILOT_REPLICATIONS, Plan


def plan_lines(plan: Plan) -> list[str]:
    """The replications and why, the evaluation budget, and the time it may take."""
    if not plan.needed:
        why = "as given (-n)"
    elif None in plan.needed.values():
        over = [n for n, k in plan.needed.items() if k is None]
        why = (
            f"the cap (--max-replications); the 95% interval of {', '.join(over)} would "
            f"need more to come within {plan.tolerance:.0%} of the reported figure"
        )
    else:
        most = max(plan.needed, key=lambda n: plan.needed[n] or 0)
        why = (
            f"chosen so each reported figure's 95% interval is within {plan.tolerance:.0%} "
            "of it (--tolerance) or within one year-to-year standard deviation, whichever "
            f"is wider; {most} needs the most"
        )
    return [
        f"Pilot: {PILOT_REPLICATIONS} replications at the starting values, "
        f"{plan.seconds_per_replication:.2g} s each.",
        f"Replications: {plan.replications} per evaluation, {why}.",
        f"At most {plan.max_evaluations} evaluations of the objective (--max-evaluations): "
        f"{plan.fit_evaluations} for the fit, {plan.range_evaluations} for the differences "
        "at the fitted values (the 95% ranges and flat directions); then "
        f"{plan.replications} "
        f"replications of the fitted values on fresh seeds (seed {plan.fresh_seed}).",
        f"Estimated time: at most {_duration(plan.seconds)}.",
    ]


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"about {seconds:.0f} s"
    if seconds < 90 * 60:
        return f"about {seconds / 60:.1f} min"
    return f"about {seconds / 3600:.1f} h"


def print_calibration(console: Console, c: Calibration, source: str) -> None:
    """The fitted values with their ranges, the fit in and out of sample, flat directions."""
    stopped = "" if c.converged else "; the optimiser stopped at its budget"
    fitted = Sheet(
        f"Fitted parameters ({c.evaluations} evaluations of {c.replications} replications; "
        f"objective {c.objective_start:.3g} -> {c.objective_end:.3g}{stopped})",
        [Column("parameter", "left"), Column("started at"), Column("fitted"), Column("95% range")],
    )
    for p in c.parameters:
        lo, hi = c.ranges[p.path]
        fitted.add_row(p.path, f"{p.start:.4g}", f"{c.fitted[p.path]:.4g}", f"{lo:.4g} to {hi:.4g}")
    console.print(fitted)
    console.print(_fit_table(c, source))
    if c.flat_directions:
        console.print(
            "[bold]Not pinned down by the reported figures[/bold]: these parameters can move "
            "together (in these proportions, and three times as far) with the fit still "
            "inside its 95% range, so each one's own range understates its uncertainty:"
        )
        for flat in c.flat_directions:
            console.print("  " + " with ".join(f"{k} {v:+g}" for k, v in flat.items()))
    else:
        console.print("Every fitted parameter is pinned down by the reported figures.")


def _fit_table(c: Calibration, source: str) -> Sheet:
    table = Sheet(
        f"Reported vs simulated with the fitted values ({source or 'source not given'}): in "
        f"sample (seed {c.seed}, the fit's own replications) and out of sample (seed "
        f"{c.fresh_seed}, fresh)",
        [
            Column("figure", "left"),
            Column("reported"),
            Column("mean in sample"),
            Column("mean out of sample"),
            Column("its 95% CI"),
            Column("verdict in sample", "left", prose=True),
            Column("verdict out of sample", "left", prose=True),
        ],
        caption="The fit chose its values on the in-sample replications, so it fitted their "
        "noise too and the in-sample verdict flatters; the out-of-sample verdict, on "
        "replications the fit never saw, is the one to trust. in CI: inside the 95% CI of "
        "the simulated mean; in spread: inside the middle 95% of simulated years.",
    )
    for inside, fresh in zip(c.checks(fresh=False), c.checks(fresh=True), strict=True):
        name = fresh.name
        table.add_row(
            name,
            fmt(name, fresh.reported),
            fmt(name, inside.simulated.mean),
            fmt(name, fresh.simulated.mean),
            fmt_range(name, fresh.simulated.ci95),
            reported_verdict(inside),
            reported_verdict(fresh),
        )
    return table
