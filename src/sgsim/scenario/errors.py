"""Errors users can act on: one line naming the file, the key, what was expected and found.

Names, values and file names come from the user: a newline or a terminal escape in any of
them would break the message over lines or forge a second one, so every part is shown
with such characters escaped, as Python writes them in a string (``\\n``, ``\\x1b``).
"""

from __future__ import annotations

import reprlib

LONGEST_PART = 300  # characters of a key, file name or expectation shown before "..."
LONGEST_VALUE = 60  # characters of a found value shown before "..."


class _Brief(reprlib.Repr):
    """``repr`` in brief: two levels deep (a table nested a thousand deep would exhaust
    the stack), a few items, and no whole number too long for Python to write out."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel = 2
        self.maxstring = self.maxother = LONGEST_VALUE
        self.maxlist = self.maxdict = 4

    def repr_int(self, x: int, level: int) -> str:
        return f"<{_huge(x)}>" if x.bit_length() > 64 else super().repr_int(x, level)


_BRIEF = _Brief()


class ScenarioError(Exception):
    """A scenario file is wrong. ``str()`` gives the one-line message shown to the user.

    ``holder`` names the file the faulty value is written in when that is not ``file``,
    the file loaded: a file it extends.
    """

    def __init__(
        self, file: str, key: str, expected: str, got: object | None = None, hint: str = ""
    ) -> None:
        super().__init__(file, key, expected)
        self.file = file
        self.key = key
        self.expected = expected
        self.got = got
        self.hint = hint
        self.holder: str | None = None

    def __str__(self) -> str:
        return self.message()

    def __reduce__(self) -> tuple:
        """Pickled whole, so a worker process's error reaches its parent as it was."""
        return (
            type(self),
            (self.file, self.key, self.expected, self.got, self.hint),
            {"holder": self.holder},
        )

    def message(self) -> str:
        where = _part(self.file)
        if self.key:
            where += f": {_part(self.key)}"
        if self.holder is not None:
            where += f" (in {_part(self.holder)})"
        text = f"{where}: expected {_part(self.expected)}"
        if self.got is not None:
            text += f", got {_show(self.got)}"
        if self.hint:
            text += f" ({_part(self.hint)})"
        return text


def one_line(text: str) -> str:
    """``text`` with every character that is not printable escaped (newlines, tabs, NUL,
    terminal escapes, line and paragraph separators), so it prints as one line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _part(text: str) -> str:
    """A part of the message from the user's file: on one line, and not too long."""
    return _shorten(one_line(str(text)), LONGEST_PART)


def _show(value: object) -> str:
    """Render a found value briefly, so the message stays one line."""
    if isinstance(value, str) and value.startswith("<") and value.endswith(">"):
        return _part(value[1:-1])
    if isinstance(value, int) and value.bit_length() > 64:
        return _huge(value)
    return _shorten(one_line(_BRIEF.repr(value)), LONGEST_VALUE)


def _huge(number: int) -> str:
    """A whole number too long to write out (Python refuses past 4300 digits), described."""
    return f"a number of about {int(number.bit_length() * 0.30103)} digits"


def _shorten(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 3] + "..."
