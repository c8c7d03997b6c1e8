"""Reading a scenario file and the files it ``extends``, merged into one parsed table.

A file may say ``extends = "base.toml"`` (relative to itself) and give only what differs:
tables are merged key by key, anything else (a list, a distribution's table, a number) is
replaced whole. Nothing here checks values against the schema: ``sgsim.scenario.loading``
does that on the merged table.

What could make reading or merging itself fail is refused first, in one line: tables or
lists nested deeper than any scenario needs (merging, building and printing them recurse),
and an ``extends`` that is no path (a NUL byte, a newline).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sgsim.scenario.errors import ScenarioError

MAX_DEPTH = 16  # tables and lists within each other; a scenario needs 7
MAX_PATH_CHARS = 4096  # characters of an ``extends`` path


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
    except UnicodeDecodeError:
        raise ScenarioError(file, "", "a UTF-8 text file", "<undecodable bytes>") from None
    raw = _parse(text, file)
    check_depth(raw, file)
    parent = raw.get("extends")
    if parent is None:
        return raw, [f"# --- {path.name}\n{text}"]
    parent_path = (path.parent / _extends_path(parent, file)).resolve()
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


def _parse(text: str, file: str) -> dict[str, Any]:
    """The TOML text as tables, or a one-line error: the parser recurses into nested lists
    and inline tables, and refuses whole numbers of more than 4300 digits."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(file, "", "valid TOML", f"<{exc}>") from None
    except RecursionError:
        raise ScenarioError(file, "", _NESTING, "<deeper nesting>") from None
    except ValueError:
        raise ScenarioError(file, "", "valid TOML", "<a number too long to read>") from None


_NESTING = f"tables and lists nested at most {MAX_DEPTH} deep"


def check_depth(raw: Mapping[str, Any], file: str) -> None:
    """Refuse tables and lists nested more than MAX_DEPTH deep, naming where, before
    anything recurses into them."""
    todo: list[tuple[object, str, int]] = [(raw, "", 0)]
    while todo:
        node, key, depth = todo.pop()
        if isinstance(node, Mapping):
            children = [(f"{key}.{k}" if key else str(k), v) for k, v in node.items()]
        elif isinstance(node, list):
            children = [(f"{key}[{i}]", v) for i, v in enumerate(node)]
        else:
            continue
        if depth > MAX_DEPTH:
            raise ScenarioError(file, key, _NESTING, "<deeper nesting>")
        todo.extend((child, where, depth + 1) for where, child in children)


def _extends_path(parent: object, file: str) -> str:
    """What ``extends`` names, if it can be a path at all."""
    if not isinstance(parent, str) or not parent:
        raise ScenarioError(file, "extends", "a path to another scenario file", parent)
    if len(parent) > MAX_PATH_CHARS or not parent.isprintable():
        raise ScenarioError(
            file,
            "extends",
            f"a path of at most {MAX_PATH_CHARS} printable characters",
            parent,
        )
    return parent
