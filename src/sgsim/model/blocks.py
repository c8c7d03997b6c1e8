"""What chance decides for each case at each step, held a block of cases at a time.

Every step draws, vectorised, a value or two per case (``StepRunner.draw``). Held for every
case from the start to the end of a run, those draws were much of an England-sized run's
memory (64 MB at a tenth of its size). Here they are drawn for a block of ``BLOCK`` cases
when the block's first case arrives, and freed once every case of the block has left the
pathway: a run holds the blocks of the cases still in it (9.5 MB at the end of that run,
``benchmarks/case_draws.py``), and a case that never leaves (a queue that never settles)
holds its own block only.

The numbers are those of one whole draw. Cases come in **segments**, each with streams of
its own (``block`` of ``sgsim.model.streams``): the new contacts, each starting backlog and
open caseload, each kind of other work, each block of returning adults. A segment's
draws are made in order, a part at a time, from generators kept from one part to the
next; every distribution sgsim draws from gives the same numbers drawn in parts as drawn
at once (``tests/test_blocks.py`` checks each). A draw that follows another from the same
stream in a whole draw (one per risk level) starts where the whole draws before it would
have left that stream (``Streams.after``).

Blocks are aligned on case ids, so that reading a draw is ``column[i >> SHIFT][i & MASK]``.
A segment may end inside a block and the next one start there: each fills its own part.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from sgsim.model.demand import Cases
from sgsim.model.streams import stream

if TYPE_CHECKING:
    from sgsim.model.steps.base import StepRunner

SHIFT = 10
BLOCK = 1 << SHIFT  # cases a block: about 100 kB of West Sussex's draws
MASK = BLOCK - 1
AHEAD = 64  # blocks drawn at a time: numpy's cost a call, not a block's size, then dominates
SKIP_CHUNK = 1 << 16  # values drawn at a time to move a stream past a whole draw

# array typecode keeping draws of each numpy dtype kind: float, integer (an outcome's
# index: two bytes), yes or no
DRAW_TYPES = {"f": "d", "i": "h", "u": "h", "b": "b"}
MAX_OUTCOMES = 2**15  # outcome indices a two-byte draw holds

Sampler = Callable[[np.random.Generator, int], object]


@dataclass
class Segment:
    """Cases ``first`` to ``first + n - 1``, drawn from the streams of ``block``."""

    first: int
    n: int
    block: int | None
    seed: int
    replication: int
    drawn: int = 0  # cases drawn so far, from the first
    whole: bool = False  # the part being drawn is the whole segment
    # (drawer, stream name, draws before it or None): two runners of one step (before
    # and after a change) draw the same numbers, each from its own generator
    generators: dict[tuple[int, str, int | None], np.random.Generator] = field(default_factory=dict)
    starts: dict[tuple[int, str, int | None], dict[str, Any]] = field(default_factory=dict)

    def generator(
        self, drawer: int, owner: str, name: str, before: Sequence[Sampler] | None = None
    ) -> np.random.Generator:
        """Stream ``owner/name`` of drawer number ``drawer``, where this segment's parts
        drawn so far left it; with ``before`` (``Streams.after``), for the draw that
        follows those whole draws of the segment from the same stream."""
        key = (drawer, name, None if before is None else len(before))
        rng = self.generators.get(key)
        if rng is not None:
            return rng
        if self.drawn:
            raise RuntimeError(f"stream {owner}/{name} first drawn after a segment's start")
        if before and self.whole:  # the draw before it, just made whole, left it there
            rng = self.generator(drawer, owner, name, before[:-1])
        elif before:  # where the draw before it started, moved past that whole draw
            self.generator(drawer, owner, name, before[:-1])
            rng = np.random.Generator(np.random.PCG64())
            rng.bit_generator.state = self.starts[(drawer, name, len(before) - 1)]
            for start in range(0, self.n, SKIP_CHUNK):
                before[-1](rng, min(SKIP_CHUNK, self.n - start))
        else:
            rng = stream(self.seed, self.replication, owner, name, self.block)
        if before is not None:
            self.starts[key] = rng.bit_generator.state
        self.generators[key] = rng
        return rng


class Streams:
    """One step's streams for one part of a segment: ``rng(name)`` is the stream ``name``,
    where the segment's earlier parts left it."""

    def __init__(self, segment: Segment, drawer: int, owner: str) -> None:
        self.segment = segment
        self.drawer = drawer
        self.owner = owner

    def __call__(self, name: str) -> np.random.Generator:
        return self.segment.generator(self.drawer, self.owner, name)

    def after(self, name: str, before: Sequence[Sampler]) -> np.random.Generator:
        """The stream ``name`` for a draw that, in a whole draw of the segment, follows
        the draws ``before`` from the same stream: each a sampler ``(rng, n)``, the same
        list for the same draw at every part."""
        return self.segment.generator(self.drawer, self.owner, name, before)


class CaseDraws:
    """Every step's draws for the cases of a run, in blocks: drawn on a case's arrival
    (``need``), freed when a block's last case leaves (``free``)."""

    def __init__(
        self, seed: int, replication: int, runners: list[StepRunner], cases: Cases
    ) -> None:
        self.seed = seed
        self.replication = replication
        self.runners = runners
        self.cases = cases
        self.segments: list[Segment] = []
        self.starts: list[int] = []  # each segment's first case, for bisect
        self.pending: list[int] = []  # per block: its cases not drawn yet
        self.live: list[int] = []  # per block: its cases that have not left yet
        self.held: set[int] = set()  # blocks whose draws are held

    def add(self, first: int, n: int, block: int | None) -> None:
        """Cases ``first`` to ``first + n - 1``, whose attributes are drawn, are a
        segment drawing from the streams of ``block``."""
        if n == 0:
            return
        self.segments.append(Segment(first, n, block, self.seed, self.replication))
        self.starts.append(first)
        last = (first + n - 1) >> SHIFT
        while len(self.live) <= last:
            self.live.append(0)
            self.pending.append(0)
        for k in range(first >> SHIFT, last + 1):
            part = min(first + n, (k + 1) << SHIFT) - max(first, k << SHIFT)
            self.live[k] += part
            self.pending[k] += part

    def need(self, i: int) -> None:
        """Case ``i`` arrives: if its segment's part of its block is not drawn yet, draw it
        and the segment's next AHEAD - 1 blocks (with any parts before it: a segment is
        drawn in order)."""
        segment = self.segments[bisect_right(self.starts, i) - 1]
        a = segment.first + segment.drawn
        if a > i:
            return
        b = min(segment.first + segment.n, ((i >> SHIFT) + AHEAD) << SHIFT)
        segment.whole = b - a == segment.n
        cases, names = self.cases, Cases.__dataclass_fields__
        part = Cases(*(np.asarray(getattr(cases, name)[a:b]) for name in names))
        for drawer, runner in enumerate(self.runners):
            drawn = runner.draw_all(Streams(segment, drawer, runner.name), part, b - a)
            for name, values in drawn.items():
                _store(runner.draws.setdefault(name, []), a, np.asarray(values), runner.name)
        for k in range(a >> SHIFT, ((b - 1) >> SHIFT) + 1):
            self.held.add(k)
            self.pending[k] -= min(b, (k + 1) << SHIFT) - max(a, k << SHIFT)
        segment.drawn = b - segment.first
        if segment.drawn == segment.n:
            segment.generators.clear()
            segment.starts.clear()

    def free(self, k: int) -> None:
        """Drop block ``k``'s draws: its last case has left (``Pathway.contact`` counts
        ``live`` down as each case leaves)."""
        if k not in self.held:
            return
        self.held.discard(k)
        for runner in self.runners:
            for column in runner.draws.values():
                if k < len(column):
                    column[k] = None

    def release(self) -> None:
        """Drop every block's draws and the segments' streams: the run is over."""
        for runner in self.runners:
            for column in runner.draws.values():
                column.clear()
        self.held.clear()
        self.segments.clear()
        self.starts.clear()


def _store(column: list[Any], first: int, values: np.ndarray, owner: str) -> None:
    """Put the values of cases ``first`` onwards in their blocks of ``column``, each an
    ``array`` (8 bytes a number, 2 an outcome, 1 a yes or no; a list's float is 32)."""
    if values.dtype.kind in "iu" and values.size and values.max() >= MAX_OUTCOMES:
        raise ValueError(f"step {owner}: more than {MAX_OUTCOMES} outcomes")
    typecode = DRAW_TYPES[values.dtype.kind]
    values = values.astype(typecode)
    end = first + values.size
    while len(column) <= (end - 1) >> SHIFT:
        column.append(None)
    for k in range(first >> SHIFT, ((end - 1) >> SHIFT) + 1):
        a, b = max(first, k << SHIFT), min(end, (k + 1) << SHIFT)
        part = array(typecode, values[a - first : b - first].tobytes())
        if b - a == BLOCK:
            column[k] = part
            continue
        if column[k] is None:
            column[k] = array(typecode, bytes(BLOCK * values.itemsize))
        column[k][a & MASK : (a & MASK) + b - a] = part
