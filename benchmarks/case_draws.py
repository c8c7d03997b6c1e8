"""What an England-sized run holds of its cases at its end: the steps' draws, in blocks.

Each step draws what chance decides for every case (``sgsim.model.blocks``); a run holds
them for the blocks of cases still in the pathway, not for every case. This runs one
replication of ``benchmarks/england.py``'s scenario and prints, at the end of the run
(before the pathway is released: the peak of a run's memory), the draws held beside
what every case's draws would take, the blocks held, the cases they are held for, and
the cases' attributes (two bytes a category, four a route key).

    python benchmarks/case_draws.py [--contacts 300000]
"""

from __future__ import annotations

import argparse
from typing import Any

from england import england

from sgsim.model.blocks import BLOCK
from sgsim.model.pathway import Pathway
from sgsim.model.simulate import simulate
from sgsim.studies.runner import paused_gc

MB = 2**20


def held(pathway: Pathway) -> dict[str, Any]:
    """Bytes of draws held, of every case's draws, of the cases' attributes; blocks."""
    columns = [c for r in pathway.all_runners for c in r.draws.values()]
    arrays = [b for c in columns for b in c if b is not None]
    per_case = sum(next(b for b in c if b is not None).itemsize for c in columns if any(c))
    cases = pathway.cases
    draws = pathway.draws
    return {
        "draws": sum(len(b) * b.itemsize for b in arrays),
        "all_draws": per_case * len(cases),
        "attributes": sum(len(a) * a.itemsize for a in vars(cases).values()),
        "blocks_held": len(draws.held),
        "blocks": len(draws.live),
        "in_pathway": sum(draws.live),
        "cases": len(cases),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contacts", type=float, default=3e5, help="contacts a year")
    args = parser.parse_args()
    seen: dict[str, Any] = {}
    release = Pathway.release

    def measured(pathway: Pathway) -> None:
        seen.update(held(pathway))
        release(pathway)

    Pathway.release = measured  # type: ignore[method-assign]
    with paused_gc():
        simulate(england(args.contacts), 1, 0)
    print(f"England-sized West Sussex at {args.contacts:,.0f} contacts a year, seed 1")
    print(
        f"steps' draws held at the end : {seen['draws'] / MB:,.1f} MB "
        f"(every case's draws: {seen['all_draws'] / MB:,.1f} MB)"
    )
    print(
        f"blocks of {BLOCK:,} cases held  : {seen['blocks_held']:,} of {seen['blocks']:,}, "
        f"for {seen['in_pathway']:,} cases not yet left of {seen['cases']:,}"
    )
    print(f"cases' attributes            : {seen['attributes'] / MB:,.1f} MB")


if __name__ == "__main__":
    main()
