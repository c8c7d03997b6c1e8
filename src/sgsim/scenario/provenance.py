"""Which file of an ``extends`` chain a scenario's reported figures come from.

A ``[reported]`` table replaces its parent's whole, so all of a scenario's figures come
from one file: the nearest in the chain that has the table.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from sgsim.scenario.schema import Reported


def reported_origin(path: Path) -> Path | None:
    """The file whose ``[reported]`` table the scenario uses; None if no file has one.

    Call it after ``load_scenario``, which has checked that the chain ends and each file
    in it reads.
    """
    while True:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        if "reported" in raw:
            return path
        parent = raw.get("extends")
        if parent is None:
            return None
        path = Path(os.path.normpath(path.parent / parent))


def describe_reported(path: Path, reported: Reported) -> str:
    """Lines saying which file the reported figures and published rates come from."""
    origin = reported_origin(path)
    if origin is None:
        return "no [reported] table in this file or any file it extends"
    lines = [f"reported figures from {origin}: " + (", ".join(reported.figures) or "none")]
    if reported.published_rates:
        lines.append(f"published rates from {origin}: " + ", ".join(reported.published_rates))
    return "\n".join(lines)
