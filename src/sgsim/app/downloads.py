"""What the app offers to download: the scenario as changed, the results, the report.

The changed scenario is written whole (not as ``extends`` of a file the reader may not
have), headed by what was changed from which file, so it runs anywhere with ``sgsim run``
and can be uploaded back. The results are the files ``sgsim run --out`` writes and the
report is ``sgsim report``'s, both made by the same code, for the same run.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sgsim import __version__
from sgsim.app import tomlwrite
from sgsim.app.pictures import DRAWING
from sgsim.outputs.files import write_run
from sgsim.outputs.report import build_report
from sgsim.scenario.loading import LoadedScenario
from sgsim.scenario.schema import Scenario
from sgsim.studies.runner import RunResult


def scenario_text(raw: Mapping[str, Any], origin: str, changed: list[str]) -> str:
    """The changed scenario as a whole TOML file, saying where it came from."""
    comments = [f"Made with the sgsim {__version__} web app from {origin}."]
    if changed:
        comments += ["Changed there:", *(f"  {line}" for line in changed)]
    table = {k: v for k, v in raw.items() if k != "extends"}
    return tomlwrite.dumps(table, comments)


def file_name(origin: str, changed: bool) -> str:
    """The download's name: the origin's, marked when it was changed."""
    stem = Path(origin).stem
    return f"{stem}_changed.toml" if changed else f"{stem}.toml"


def as_loaded(s: Scenario, text: str, name: str) -> LoadedScenario:
    """The changed scenario as if loaded from the file it downloads as (for the report's
    "reproduce this run" and the run record)."""
    return LoadedScenario(scenario=s, path=Path(name), text=text)


def command(name: str, replications: int, seed: int) -> list[str]:
    """The command that runs the downloaded scenario as the app did."""
    return ["sgsim", "run", name, "--replications", str(replications), "--seed", str(seed)]


def result_files(loaded: LoadedScenario, result: RunResult) -> dict[str, bytes]:
    """The files ``sgsim run --out`` writes for this run, by name."""
    with tempfile.TemporaryDirectory(prefix="sgsim-app-") as tmp:
        folder = Path(tmp) / "results"
        names = write_run(
            folder, loaded, result, command(loaded.path.name, result.replications, result.seed)
        )
        return {name: (folder / name).read_bytes() for name in names}


def zipped(files: Mapping[str, bytes]) -> bytes:
    """Files in one zip archive."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def report_html(loaded: LoadedScenario, result: RunResult) -> str:
    """``sgsim report``'s HTML file for this run."""
    with DRAWING:
        return build_report(
            loaded, result, command(loaded.path.name, result.replications, result.seed)
        )
