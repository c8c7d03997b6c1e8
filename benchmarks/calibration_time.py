"""Wall time of calibrating four West Sussex parameters to its reported figures.

What ``sgsim calibrate scenarios/west_sussex_2022_23.toml --fit ...`` does with its
defaults (replications chosen by the pilot, the default evaluation budget) on
``--workers`` processes: the pilot, the fit, the differences at the fitted values that
give the 95% ranges and flat directions, and the check on fresh seeds. The four
parameters are those the funnel's counts pin: the chance that a police and a health
contact is a concern, the s42 test's third criterion, and the chance that a concern
failing the test still gets an enquiry.

Target (issue #14): under 60 s on 2 cores.

    python benchmarks/calibration_time.py [--workers 2]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sgsim.scenario.loading import load_scenario, read_scenario_raw
from sgsim.studies.calibrate import calibrate, parse_fit
from sgsim.studies.calibration_plan import plan_calibration

SCENARIO = Path(__file__).parent.parent / "scenarios" / "west_sussex_2022_23.toml"
PARAMETERS = (
    "steps.triage.outcomes_by_source.police.concern",
    "steps.triage.outcomes_by_source.health.concern",
    "steps.s42_test.unable_to_protect",
    "steps.s42_test.other_enquiry_probability",
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    file = str(SCENARIO)
    raw = read_scenario_raw(SCENARIO)
    targets = dict(load_scenario(SCENARIO).scenario.reported.figures)
    params = [parse_fit(path, raw, file) for path in PARAMETERS]
    began = time.perf_counter()
    plan = plan_calibration(raw, file, params, targets, seed=12345, workers=args.workers)
    planned = time.perf_counter() - began
    print(f"West Sussex, {len(params)} parameters, {len(targets)} reported figures")
    print(
        f"replications per evaluation: {plan.replications} "
        f"(most needed by {max(plan.needed, key=lambda n: plan.needed[n] or 0)})"
    )
    print(f"pilot: {planned:.1f} s; at most {plan.max_evaluations} evaluations", flush=True)
    result = calibrate(raw, file, params, targets, plan, workers=args.workers)
    seconds = time.perf_counter() - began
    print(f"evaluations: {result.evaluations} of at most {plan.max_evaluations}")
    fresh = result.checks(fresh=True)
    print(
        f"out of sample (seed {result.fresh_seed}): "
        f"{sum(bool(c.within_ci) for c in fresh)} of {len(fresh)} reported figures inside "
        "the 95% CI of the simulated mean; outside: "
        + (", ".join(c.name for c in fresh if not c.within_ci) or "none")
    )
    print(
        f"whole calibration: {seconds:.1f} s wall on {args.workers} workers "
        "(target < 60 s on 2 cores)"
    )


if __name__ == "__main__":
    main()
