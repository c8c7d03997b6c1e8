"""Errors users can act on: one line naming the file, the key, what was expected and found."""

from __future__ import annotations


class ScenarioError(Exception):
    """A scenario file is wrong. ``str()`` gives the one-line message shown to the user."""

    def __init__(
        self, file: str, key: str, expected: str, got: object | None = None, hint: str = ""
    ) -> None:
        self.file = file
        self.key = key
        self.expected = expected
        self.got = got
        self.hint = hint
        super().__init__(self.message())

    def message(self) -> str:
        where = f"{self.file}: {self.key}" if self.key else self.file
        text = f"{where}: expected {self.expected}"
        if self.got is not None:
            text += f", got {_show(self.got)}"
        if self.hint:
            text += f" ({self.hint})"
        return text


def _show(value: object) -> str:
    """Render a found value briefly, so the message stays one line."""
    if isinstance(value, str) and value.startswith("<") and value.endswith(">"):
        return value[1:-1]
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
