"""Reading a scenario file and the files it ``extends``, merged into one parsed table.

A file may say ``extends = "base.toml"`` (relative to itself) and give only what differs:
tables are merged key by key, anything else (a list, a distribution's table, a number) is
replaced whole. Nothing here checks values against the schema: ``sgsim.scenario.loading``
does that on the merged table.

What could make reading or merging itself fail is refused first, in one line: a file
larger than any scenario (before it is read), a chain of files too long, tables or lists
nested deeper than any scenario needs (merging, building and printing them recurse), and
an ``extends`` that is no path (a NUL byte, a newline). A file extended that is not a
scenario is refused without echoing anything it holds: it may be anyone's file.
"""

from __future__ import annotations

import re
import tomllib
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sgsim.scenario import schema as sc
from sgsim.scenario.errors import ScenarioError
from sgsim.scenario.suggest import nearest

MAX_FILE_BYTES = 1_000_000  # a scenario is a few kilobytes; a file this big is not one
MAX_EXTENDS = 16  # files in a chain, each extending the next
MAX_DEPTH = 16  # tables and lists within each other; a scenario needs 7
MAX_PATH_CHARS = 4096  # characters of an ``extends`` path


class Origins:
    """Which file holds each value of a merged scenario, so that an error in a value a
    file inherits names the file to change; and which tables a file adds beside those of
    the file it extends, so that an incomplete one can be told apart as a misspelling."""

    def __init__(self, file: str) -> None:
        self._files: dict[tuple[str, ...], str] = {(): file}  # key path -> file, below it too
        self._added: dict[tuple[str, ...], tuple[str, ...]] = {}  # new table -> its siblings

    def add(self, path: tuple[str, ...], siblings: tuple[str, ...]) -> None:
        """A file adds a table at ``path`` beside ``siblings``, those it extends has."""
        self._added[path] = siblings

    def misspelling(self, key: str) -> str:
        """A "did you mean" for a key within a table a file added whose name is close to
        one the file it extends has: most likely an override misspelt."""
        parts = _parts(key)
        for path, siblings in self._added.items():
            hint = nearest(path[-1], siblings) if parts[: len(path)] == path else ""
            if hint:
                return f"{hint} {path[-1]!r} is in no file this one extends"
        return ""

    def set(self, path: tuple[str, ...], file: str, table: bool) -> None:
        """The value at ``path`` is now the one ``file`` holds; if it replaces a ``table``,
        so is all below it (looked for only then: a file may override thousands of keys)."""
        if table:
            below = [p for p in self._files if len(p) > len(path) and p[: len(path)] == path]
            for p in below:
                del self._files[p]
        self._files[path] = file

    def holder(self, key: str) -> str | None:
        """The one file holding everything at a dotted key (``steps.triage.routes[0].to``),
        or None if the values there come from several files."""
        parts = _parts(key)
        prefix = max((p for p in self._files if parts[: len(p)] == p), key=len)
        files = {self._files[prefix]} | {
            f for p, f in self._files.items() if len(p) > len(parts) and p[: len(parts)] == parts
        }
        return files.pop() if len(files) == 1 else None


def _parts(key: str) -> tuple[str, ...]:
    """A dotted key's path of names, list indexes left out (``steps.triage.routes``)."""
    return tuple(re.sub(r"\[\d+\]", "", key).split(".")) if key else ()


@dataclass(frozen=True)
class ScenarioFiles:
    """A scenario file merged over the files it extends, with the text of each."""

    raw: dict[str, Any]  # the merged table, not yet validated
    texts: list[str]  # each file as written, the one extended first, for the run record
    origins: Origins  # which file holds each value


def read_scenario_files(path: Path) -> ScenarioFiles:
    """Read ``path`` and the chain of files it extends, and merge them."""
    raw, texts, origins = _read_with_extends(path, seen=())
    return ScenarioFiles(raw=raw, texts=texts, origins=origins)


def _read_with_extends(
    path: Path, seen: tuple[Path, ...], child: str | None = None
) -> tuple[dict[str, Any], list[str], Origins]:
    """The file at ``path`` merged over the files it extends; ``seen`` are the files
    extending it, the last of them ``child``."""
    file = str(path)
    text = _read_text(path, file)
    raw = _parse(text, file)
    if child is not None and not _is_scenario(raw):
        raise ScenarioError(
            child,
            "extends",
            "a scenario file (only a scenario's tables and keys at the top)",
            "<a file that is not one>",
        )
    check_depth(raw, file)
    parent = raw.get("extends")
    if parent is None:
        return raw, [f"# --- {path.name}\n{text}"], Origins(file)
    parent_path = (path.parent / _extends_path(parent, file)).resolve()
    if parent_path in seen or parent_path == path.resolve():
        raise ScenarioError(file, "extends", "a chain without loops", parent)
    if len(seen) + 1 >= MAX_EXTENDS:
        raise ScenarioError(
            file, "extends", f"a chain of at most {MAX_EXTENDS} files", "<a longer one>"
        )
    if not parent_path.is_file():
        raise ScenarioError(file, "extends", "an existing scenario file", parent)
    base, texts, origins = _read_with_extends(parent_path, (*seen, path.resolve()), file)
    merged = merge_tables(base, raw, origins, file)
    if "reported" in raw:  # replaced whole: one council's figures never mix with another's
        merged["reported"] = raw["reported"]
    return merged, [*texts, f"# --- {path.name}\n{text}"], origins


def _read_text(path: Path, file: str) -> str:
    """The text of a scenario file no larger than MAX_FILE_BYTES, its size checked before
    it is read and its reading stopped past it (a file under /proc says its size is 0)."""
    try:
        if not path.is_file():
            raise ScenarioError(file, "", "an existing scenario file (.toml)", "<no such file>")
        size = path.stat().st_size
        if size <= MAX_FILE_BYTES:
            with path.open("rb") as f:
                data = f.read(MAX_FILE_BYTES + 1)
            size = len(data)
    except OSError as exc:
        raise ScenarioError(file, "", "a file sgsim can read", f"<{exc.strerror}>") from None
    if size > MAX_FILE_BYTES:
        raise ScenarioError(file, "", _SIZE, f"<{size:,} bytes>")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(file, "", "a UTF-8 text file", "<undecodable bytes>") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")  # as Path.read_text reads it


_SIZE = f"a file of at most {MAX_FILE_BYTES / 1e6:g} MB ({MAX_FILE_BYTES:,} bytes)"


def _is_scenario(raw: Mapping[str, Any]) -> bool:
    """Whether a parsed file could be (part of) a scenario: only a scenario's top-level
    keys, each holding a table, or a string where the scenario has one. A file that is
    not (a credentials file, say) is refused without echoing any of it."""
    hints = typing.get_type_hints(sc.Scenario)
    for key, value in raw.items():
        if key == "changes":  # [[changes]]: a list of tables, checked when it is built
            continue
        hint = str if key == "extends" else hints.get(key) if key != "periods" else None
        if hint is None or not isinstance(value, str if hint is str else Mapping):
            return False
    return True


def merge_tables(
    base: Mapping[str, Any],
    override: Mapping[str, Any],
    origins: Origins,
    file: str,
    at: tuple[str, ...] = (),
) -> dict[str, Any]:
    """``override`` (from ``file``) over ``base``: tables key by key, the rest whole; a
    table set to "none" is removed (a step, a role, a waiting list...)."""
    merged = dict(base)
    for key, value in override.items():
        path = (*at, key)
        old = merged.get(key)
        if value == "none" and isinstance(old, Mapping):
            del merged[key]
        elif isinstance(value, Mapping) and isinstance(old, Mapping) and "dist" not in value:
            merged[key] = merge_tables(old, value, origins, file, path)
            continue
        else:
            merged[key] = value
            if isinstance(value, Mapping) and old is None and base:
                origins.add(path, tuple(base))
        origins.set(path, file, table=isinstance(old, Mapping))
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
