"""What a sound file in a sweep's ``points/`` holds, and setting aside any other.

A disk that filled up, a copy made by hand or an edit can leave a file there that is not a
finished point of this sweep. Rather than break every rerun, the file is named in a
one-line warning, moved to ``points/set_aside/`` (kept, not deleted) and its point runs
again.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

SET_ASIDE = "set_aside"

log = logging.getLogger(__name__)


def file_name(index: int) -> str:
    return f"{index:06d}.json"


def set_aside_bad_files(folder: Path, points: list[dict[str, float]], replications: int) -> None:
    """Move every file in ``folder`` that is not a sound point file to ``set_aside/``."""
    names = {file_name(i): i for i in range(len(points))}
    for path in sorted(folder.iterdir()):
        if path.name == SET_ASIDE:
            continue
        index = names.get(path.name)
        if index is None:
            expected = f"only point files {file_name(0)} to {file_name(len(points) - 1)}"
            found: str | None = "a folder" if path.is_dir() else "another file"
            rerun = ""
        else:
            expected = f"point {index}'s {replications} replications as JSON"
            found = _problem(path, index, points[index], replications)
            rerun = f"; point {index} runs again"
        if found is not None:
            moved = _move_aside(path)
            log.warning(
                "sgsim: warning: %s: expected %s, got %s; set aside as %s%s",
                _printable(path),
                expected,
                found,
                _printable(moved),
                rerun,
            )


def _problem(path: Path, index: int, inputs: dict[str, float], replications: int) -> str | None:
    """What is wrong with the file of one point, in a few words; None if it is sound."""
    if not path.is_file():
        return "a folder"
    try:
        doc = json.loads(path.read_bytes())
    except (ValueError, RecursionError):  # not UTF-8, not JSON, nested past recursion
        return "an empty file" if path.stat().st_size == 0 else "a file that is not JSON"
    if not isinstance(doc, dict) or doc.get("point") != index:
        return "JSON that is not this point's"
    if doc.get("inputs") != json.loads(json.dumps(inputs)):
        return "results for other inputs"
    reps = doc.get("replications")
    if not (
        isinstance(reps, list)
        and len(reps) == replications
        and all(isinstance(r, dict) and r for r in reps)
        and all(v is None or type(v) in (int, float) for r in reps for v in r.values())
    ):
        return "another number or shape of replications"
    return None


def _move_aside(path: Path) -> Path:
    """Move to ``set_aside/`` under the same name, numbered if that name is taken."""
    folder = path.parent / SET_ASIDE
    folder.mkdir(exist_ok=True)
    target, n = folder / path.name, 1
    while target.exists():
        target, n = folder / f"{path.name}.{n}", n + 1
    path.rename(target)
    return target


def _printable(path: Path) -> str:
    """A file name on one line, whatever characters it holds."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(path))
