"""Reading a scenario file and the files it ``extends``, merged into one parsed table.

A file may say ``extends = "base.toml"`` (relative to itself) and give only what differs:
tables are merged key by key, anything else (a list, a distribution's table, a number) is
replaced whole. Nothing here checks values against the schema: ``sgsim.scenario.loading``
does that on the merged table.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sgsim.scenario.errors import ScenarioError


@dataclass(frozen=True)
class ScenarioFiles:
    """A scenario file merged over the files it extends, with the text of each."""

    raw: dict[str, Any]  # the merged table, not yet validated
    texts: list[str]  # each file as written, the one extended first, for the run record


def read_scenario_files(path: Path) -> ScenarioFiles:
    """Read ``path`` and the chain of files it extends, and merge them."""
    raw, texts = _read_with_extends(path, seen=())
    return ScenarioFiles(raw=raw, texts=texts)


def _read_with_extends(path: Path, seen: tuple[Path, ...]) -> tuple[dict[str, Any], list[str]]:
    file = str(path)
    if not path.is_file():
        raise ScenarioError(file, "", "an existing scenario file (.toml)", "<no such file>")
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except UnicodeDecodeError:
        raise ScenarioError(file, "", "a UTF-8 text file", "<undecodable bytes>") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(file, "", "valid TOML", f"<{exc}>") from None
    parent = raw.get("extends")
    if parent is None:
        return raw, [f"# --- {path.name}\n{text}"]
    if not isinstance(parent, str):
        raise ScenarioError(file, "extends", "a path to another scenario file", parent)
    parent_path = (path.parent / parent).resolve()
    if parent_path in seen or parent_path == path.resolve():
        raise ScenarioError(file, "extends", "a chain without loops", parent)
    if not parent_path.is_file():
        raise ScenarioError(file, "extends", "an existing scenario file", parent)
    base, texts = _read_with_extends(parent_path, (*seen, path.resolve()))
    return _merge(base, raw), [*texts, f"# --- {path.name}\n{text}"]


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if (
            isinstance(value, Mapping)
            and isinstance(merged.get(key), Mapping)
            and "dist" not in value
        ):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged
