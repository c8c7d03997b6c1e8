"""An England-sized year on one core: CPU seconds and peak memory of one replication.

England's councils received about 3 million safeguarding contacts a year. This builds
West Sussex's design (``scenarios/west_sussex_2022_23.toml``) with its contacts and every
role's headcount multiplied by the same factor, so that the measured year has about
``--contacts`` contacts and each person's load is West Sussex's. One replication runs in
a fresh process (so the peak is this run's, not an earlier one's), with the collector
paused as ``sgsim run`` does and no event log kept for output files (``--event-log
none``), so its events go to disk in parts of its cases as it runs (as any run's over 4
million events do: ``sgsim.analysis.partition.on_disk``), and its metrics are computed
from them a part at a time. Printed: CPU seconds of the simulation and of the metrics,
and the process's peak resident memory (``ru_maxrss``), beside what the interpreter and
imports alone hold, and the peak per expected event (what ``sgsim.scenario.sizes`` uses
to refuse a run too big for the machine).

Targets (issue #14): under 60 s of CPU a simulated year and under 1 GB peak. The run
simulates the file's warm-up too (460 days: what ``sgsim warmup`` suggests for it), so the
CPU of the whole run is printed, and the CPU a simulated year (whole run x 365 / days
simulated) is what meets the target or not.

    python benchmarks/england.py [--contacts 3000000] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import resource
import subprocess
import sys
import time
from pathlib import Path

from sgsim.scenario.loading import build_scenario, read_scenario_raw
from sgsim.scenario.schema import Scenario
from sgsim.scenario.sizes import estimated_events
from sgsim.studies.settings import apply_settings

WEST_SUSSEX = Path(__file__).parent.parent / "scenarios" / "west_sussex_2022_23.toml"
WEST_SUSSEX_CONTACTS = 9265  # reported for 2022/23, what the file is set to reproduce


def england(contacts: float) -> Scenario:
    """West Sussex's design with demand and staffing scaled to ``contacts`` a year."""
    raw = read_scenario_raw(WEST_SUSSEX)
    factor = contacts / WEST_SUSSEX_CONTACTS
    settings = {"demand.contacts_per_year": raw["demand"]["contacts_per_year"] * factor}
    for team, t in raw["teams"].items():
        for role, r in t["roles"].items():
            settings[f"teams.{team}.roles.{role}.headcount"] = r["headcount"] * factor
    where = f"England-sized West Sussex (x{factor:.1f})"
    return build_scenario(apply_settings(raw, settings, where), where)


def peak_mb() -> float:
    """This process's peak resident memory so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(contacts: float, profile: bool) -> dict[str, float]:
    """One replication and its metrics, timed, in this (fresh) process."""
    from sgsim.studies.runner import run_replications

    s = england(contacts)
    before = peak_mb()
    profiler = cProfile.Profile() if profile else None
    t0 = time.process_time()
    if profiler:
        profiler.enable()
    result = run_replications(s, seed=1, replications=1)
    if profiler:
        profiler.disable()
    cpu = time.process_time() - t0
    if profiler:
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(25)
    metrics = result.per_replication[0]
    return {
        "events": estimated_events(s),
        "contacts": metrics["contacts"],
        "horizon_days": s.horizon_days,
        "cpu_seconds": cpu,
        "peak_mb": peak_mb(),
        "imports_mb": before,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contacts", type=float, default=3e6, help="contacts a year")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top 25")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.contacts, args.profile)))
        return
    command = [sys.executable, __file__, "--child", "--contacts", str(args.contacts)]
    if args.profile:
        command.append("--profile")
    out = json.loads(subprocess.run(command, check=True, text=True, stdout=subprocess.PIPE).stdout)
    print(
        f"England-sized West Sussex: {out['contacts']:,.0f} contacts in the measured year, "
        f"{out['horizon_days']} days simulated (warm-up included), one replication"
    )
    per_year = out["cpu_seconds"] * 365 / out["horizon_days"]
    print(f"CPU seconds, the whole run      : {out['cpu_seconds']:.1f} (simulate + metrics)")
    print(f"CPU seconds a simulated year    : {per_year:.1f} (target < 60)")
    print(
        f"peak memory                     : {out['peak_mb']:,.0f} MB (target < 1,000; "
        f"{out['imports_mb']:,.0f} MB of it interpreter, imports and scenario)"
    )
    per_event = (out["peak_mb"] - out["imports_mb"]) * 2**20 / out["events"]
    print(
        f"peak over imports per event     : {per_event:.0f} bytes "
        f"({out['events']:,.0f} events expected; sgsim.scenario.sizes.BYTES_PER_EVENT)"
    )


if __name__ == "__main__":
    main()
