"""Tables laid out for the width they are printed at, never cutting a value short.

A table whose labels and numbers fit the width in full is drawn as a rich Table (prose
columns, such as verdicts and notes, wrap at spaces if they keep a comfortable width).
One that does not fit is stacked:
each row's label on a line of its own, with the prose beside it where there is room, and
the numbers on the line below, aligned under their headers; if even that line is too
wide, one number a line. Labels and numbers are never shortened to "…", in a terminal or
piped.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

GAP = 2  # spaces between stacked columns
INDENT = 2  # a stacked row's numbers sit under its label, indented
COMFORT = 24  # in a rich Table, prose wraps no narrower than this (or its natural width)


@dataclass(frozen=True)
class Column:
    header: str
    justify: Literal["left", "right"] = "right"
    prose: bool = False  # words that may wrap at spaces; labels and numbers never do


@dataclass
class Sheet:
    """A table's content, laid out when printed. The first column labels each row; cells
    may hold rich markup; a heading starts a section."""

    title: str
    columns: list[Column]
    caption: str = ""
    rows: list[list[str] | str] = field(default_factory=list)

    def add_row(self, *cells: str) -> None:
        self.rows.append(list(cells))

    def add_heading(self, text: str) -> None:
        self.rows.append(text)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if _table_width(self) <= options.max_width:
            yield _table(self)
        else:
            yield from _stacked(self, options.max_width)
        yield Text()  # tables printed one after another stay apart


def _cells(sheet: Sheet, i: int) -> list[str]:
    return [r[i] for r in sheet.rows if not isinstance(r, str)]


def _plain(text: str) -> str:
    return Text.from_markup(text).plain


def _natural(col: Column, cells: list[str]) -> int:
    """The width of the column's longest line."""
    return max(cell_len(line) for t in [col.header, *cells] for line in _plain(t).split("\n"))


def _least(col: Column, cells: list[str]) -> int:
    """The narrowest the column can be without cutting anything."""
    if not col.prose:
        return _natural(col, cells)
    return max(cell_len(w) for t in [col.header, *cells] for w in _plain(t).split() or [""])


def _comfortable(col: Column, cells: list[str]) -> int:
    """The narrowest a column may be in a rich Table: prose wrapped into a narrow column
    on every row reads worse than the stacked layout."""
    if not col.prose:
        return _natural(col, cells)
    return max(_least(col, cells), min(_natural(col, cells), COMFORT))


def _table_width(sheet: Sheet) -> int:
    """Width of the rich Table with prose as narrow as is comfortable: three spaces between
    columns (a blank rule and its padding). The label column holds the headings too."""
    headings = [r for r in sheet.rows if isinstance(r, str)]
    widths = [
        _comfortable(c, _cells(sheet, i) + (headings if i == 0 else []))
        for i, c in enumerate(sheet.columns)
    ]
    return sum(widths) + 3 * (len(widths) - 1)


def _table(sheet: Sheet) -> Table:
    table = Table(
        title=sheet.title,
        title_justify="left",
        caption=sheet.caption or None,
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )
    headings = [r for r in sheet.rows if isinstance(r, str)]
    for i, col in enumerate(sheet.columns):
        cells = _cells(sheet, i) + (headings if i == 0 else [])
        table.add_column(
            col.header,
            justify=col.justify,
            no_wrap=not col.prose,
            overflow="fold",
            min_width=_comfortable(col, cells),
        )
    for row in sheet.rows:
        if isinstance(row, str):
            table.add_section()
            table.add_row(f"[bold]{row}[/bold]", *[""] * (len(sheet.columns) - 1))
        else:
            table.add_row(*row)
    return table


def _fit(columns: list[Column], cells: list[list[str]], room: int) -> list[int] | None:
    """Widths for columns side by side in the room: natural, then prose narrowed as far as
    its longest word; None when even that is too wide."""
    widths = [_natural(c, x) for c, x in zip(columns, cells, strict=True)]
    least = [_least(c, x) for c, x in zip(columns, cells, strict=True)]
    excess = sum(widths) + GAP * (len(widths) - 1) - room
    while excess > 0:
        i = max(range(len(widths)), key=lambda k: widths[k] - least[k])
        cut = min(widths[i] - least[i], excess)
        if cut == 0:
            return None
        widths[i] -= cut
        excess -= cut
    return widths


def _stacked(sheet: Sheet, width: int) -> Iterator[RenderableType]:
    label, values = sheet.columns[0], list(range(1, len(sheet.columns)))
    label_width = _natural(label, _cells(sheet, 0))
    beside = [i for i in values if sheet.columns[i].prose]
    top = _fit(
        [sheet.columns[i] for i in beside],
        [_cells(sheet, i) for i in beside],
        width - label_width - GAP,
    )
    if top is None:
        beside, top = [], []
    below = [i for i in values if i not in beside]
    bottom = _fit(
        [sheet.columns[i] for i in below], [_cells(sheet, i) for i in below], width - INDENT
    )

    def line(row: list[str]) -> RenderableType:
        grid = _grid([label, *(sheet.columns[i] for i in beside)], [label_width, *top])
        grid.add_row(*(row[i] for i in [0, *beside]))
        return grid

    def under(row: list[str]) -> RenderableType:
        if bottom is not None:
            grid = _grid([sheet.columns[i] for i in below], bottom)
            grid.add_row(*(row[i] for i in below))
        else:  # one number a line
            grid = Table.grid(padding=(0, 1, 0, 0))
            grid.add_column(style="dim", no_wrap=True)
            grid.add_column(overflow="fold")
            for i in below:
                grid.add_row(f"{sheet.columns[i].header}:", row[i])
        return Padding(grid, (0, 0, 0, INDENT), expand=False)

    headers = [f"[table.header]{c.header}[/]" for c in sheet.columns]
    yield Text(sheet.title, style="table.title")
    yield line(headers)
    if bottom is not None:
        yield under(headers)
    yield Rule(style="table.header", characters="─")
    for row in sheet.rows:
        if isinstance(row, str):
            yield Text.from_markup(f"[bold]{row}[/bold]")
        else:
            yield line(row)
            yield under(row)
    if sheet.caption:
        yield Text(sheet.caption, style="table.caption")


def _grid(columns: list[Column], widths: list[int]) -> Table:
    grid = Table.grid(padding=(0, GAP, 0, 0))
    for col, w in zip(columns, widths, strict=True):
        grid.add_column(justify=col.justify, width=w, no_wrap=not col.prose, overflow="fold")
    return grid
