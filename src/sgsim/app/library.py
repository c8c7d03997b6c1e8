"""The shipped scenarios: what the app offers to pick, and all an upload may extend.

The folder is the repository's ``scenarios/`` (found beside the installed package, or in
the folder the app is started from, or given with ``--scenarios``). Its ``*.toml`` files
and those one folder down (``teaching/``) are offered, each by its name relative to the
folder: ``west_sussex_2022_23.toml``, ``teaching/01_balanced.toml``. Only these names are
ever resolved to files: a name from a user is looked up in this list, never joined to a
path on the server.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from sgsim.scenario.errors import ScenarioError
from sgsim.scenario.loading import build_scenario, read_scenario_raw
from sgsim.scenario.schema import Scenario
from sgsim.scenario.suggest import nearest

FOLDER_VARIABLE = "SGSIM_APP_SCENARIOS"  # how ``sgsim app`` tells the page its folder
START_VARIABLE = "SGSIM_APP_SCENARIO"  # and the scenario it was started with, if any


@dataclass(frozen=True)
class Source:
    """A scenario the app starts a design from: its parsed tables, merged along its
    ``extends`` chain, and the validated Scenario."""

    label: str  # as shown and as errors name it: "teaching/01_balanced.toml"
    raw: dict[str, Any]
    scenario: Scenario


def open_source(path: Path, label: str) -> Source:
    """Read and validate a scenario file on the server (shipped, or the trainer's own)."""
    raw = read_scenario_raw(path)
    return Source(label, raw, build_scenario(raw, label))


@dataclass(frozen=True)
class Shipped:
    """One shipped scenario file."""

    name: str  # relative to the folder, with "/": "teaching/01_balanced.toml"
    path: Path
    title: str  # the scenario's own name

    @property
    def parts(self) -> tuple[str, ...]:
        return PurePosixPath(self.name).parts


def start_file() -> Path | None:
    """The scenario ``sgsim app SCENARIO`` was started with, if any."""
    given = os.environ.get(START_VARIABLE)
    return Path(given) if given else None


def find_folder() -> Path | None:
    """The shipped scenarios' folder: as ``sgsim app`` set it, else the repository's
    (an install from the source folder), else ``scenarios/`` here, else none."""
    given = os.environ.get(FOLDER_VARIABLE)
    if given:
        return Path(given)
    for candidate in (Path(__file__).resolve().parents[3] / "scenarios", Path("scenarios")):
        if candidate.is_dir():
            return candidate.resolve()
    return None


def shipped(folder: Path | None) -> list[Shipped]:
    """The scenario files of the folder and of its subfolders, top level first."""
    if folder is None or not folder.is_dir():
        return []
    paths = sorted(folder.glob("*.toml")) + sorted(folder.glob("*/*.toml"))
    return [
        Shipped(p.relative_to(folder).as_posix(), p, str(read_scenario_raw(p).get("name", p.stem)))
        for p in paths
    ]


def parent_of(extends: object, library: list[Shipped], file: str) -> tuple[Shipped, int]:
    """The shipped scenario an upload's ``extends`` names, and how many folders below the
    library's top the upload must sit for the name to resolve from there.

    The name is a shipped file's name or its last parts (``01_balanced.toml``, as the
    teaching files write it), matching exactly one file. Anything else (a path out of the
    folder, an absolute path, a file not shipped) is refused with a ScenarioError.
    """
    names = [entry.name for entry in library]
    expected = "the name of a shipped scenario (" + (", ".join(names) or "none here") + ")"
    if not isinstance(extends, str):
        raise ScenarioError(file, "extends", expected, extends)
    wanted = PurePosixPath(extends).parts
    matches = [e for e in library if wanted and e.parts[-len(wanted) :] == wanted]
    if len(matches) != 1 or ".." in wanted:
        raise ScenarioError(file, "extends", expected, extends, hint=nearest(extends, names))
    entry = matches[0]
    return entry, len(entry.parts) - len(wanted)
