"""A small TOML writer for scenarios, laid out as the shipped files are.

Python reads TOML but does not write it. Scenarios need only strings, numbers, booleans,
dates, lists and tables, and read best as the shipped files write them: distributions,
routes and shares that sum to 1 as inline tables on one line, everything else as
``[section]`` tables. A comment block may head the file.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def dumps(table: Mapping[str, Any], comments: Iterable[str] = ()) -> str:
    """The table as TOML text, after ``# `` comment lines."""
    lines = [f"# {line}".rstrip() for line in comments]
    _table(table, [], lines)
    return "\n".join(lines).strip("\n") + "\n"


def _table(table: Mapping[str, Any], path: list[str], lines: list[str]) -> None:
    here = [(k, v) for k, v in table.items() if not _is_section(v)]
    if here and path:
        lines += ["", f"[{'.'.join(_key(p) for p in path)}]"]
    lines += [f"{_key(k)} = {_value(v)}" for k, v in here]
    for k, v in table.items():
        if _is_section(v):
            _table(v, [*path, k], lines)


def _is_section(value: Any) -> bool:
    return isinstance(value, Mapping) and not _inline(value)


def _inline(table: Mapping[str, Any]) -> bool:
    """Distributions, shares that sum to 1, and empty tables go on one line."""
    if "dist" in table or not table:
        return True
    values = list(table.values())
    numbers = values and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    return bool(numbers) and math.isclose(sum(values), 1.0, abs_tol=1e-3)


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        if not math.isfinite(v):
            raise ValueError(f"TOML has no value for {v!r} in a scenario")
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # a TOML basic string
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, Mapping):
        return "{ " + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")
