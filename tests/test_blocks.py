"""Per-case draws in blocks (issue #14, ``sgsim.model.blocks``): drawn a block at a time,
they are the numbers one whole draw gives; a block is freed once its cases have left; a
case that never leaves holds its own block only."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import ROOT, SHIPPED, make, minimal_raw, short

from sgsim.model import blocks
from sgsim.model.blocks import MASK, SHIFT
from sgsim.model.demand import Cases, arrival_times, pick
from sgsim.model.engine import Engine
from sgsim.model.pathway import Pathway
from sgsim.model.streams import stream
from sgsim.scenario.distributions import (
    Empirical,
    Exponential,
    Fixed,
    Gamma,
    Lognormal,
    Triangular,
    Uniform,
)
from sgsim.scenario.loading import load_scenario

UNEVEN = (1, 2, 3, 500, 1, 1023, 4096)  # part sizes, then the rest in one


def in_parts(draw, n: int) -> np.ndarray:
    """``draw(rng, m)`` called for uneven parts of ``n`` from one generator, joined."""
    rng = stream(7, 1, "test", "parts")
    parts, done = [], 0
    for size in (*UNEVEN, n):
        size = min(size, n - done)
        parts.append(draw(rng, size))
        done += size
        if done == n:
            return np.concatenate(parts)
    raise AssertionError("unreachable")


def at_once(draw, n: int) -> np.ndarray:
    return draw(stream(7, 1, "test", "parts"), n)


DISTRIBUTIONS = [
    Fixed(3.0),
    Exponential(2.0),
    Uniform(1.0, 4.0),
    Triangular(1.0, 2.0, 5.0),
    Triangular(2.0, 2.0, 2.0),  # no draw at all
    Lognormal(3.0, 2.0),
    Lognormal(3.0, 0.0),  # no draw at all
    Gamma(0.5, 2.0),  # each of numpy's three gamma methods
    Gamma(1.0, 2.0),
    Gamma(3.5, 2.0),
    Empirical((1.0, 2.0, 3.0)),  # integers: 32-bit draws, kept by the bit generator
    Empirical((1.0, 2.0, 3.0), (1.0, 2.0, 3.0)),  # inverted uniforms
    Empirical((7.0,)),
    Empirical(tuple(float(v) for v in range(70_000))),
]


@pytest.mark.parametrize("dist", DISTRIBUTIONS, ids=repr)
def test_every_distribution_draws_the_same_numbers_in_parts_as_at_once(dist):
    """Prefix stability: the answer is one whole draw from the same stream."""
    n = 10_007
    assert np.array_equal(in_parts(dist.sample, n), at_once(dist.sample, n))


@pytest.mark.parametrize(
    "draw",
    [
        lambda rng, m: pick(rng, (0.2, 0.5, 0.3), m),  # a case's attributes (demand)
        lambda rng, m: rng.random(m),  # outcomes, returns
        lambda rng, m: rng.random((m, 3)),  # the s42 test's three criteria, row by row
    ],
    ids=["pick", "random", "random rows"],
)
def test_every_other_draw_of_a_case_is_the_same_in_parts_as_at_once(draw):
    n = 10_007
    assert np.array_equal(in_parts(draw, n), at_once(draw, n))


def test_the_comparison_can_fail_numpy_small_integers_are_buffered():
    """numpy draws two-byte integers two or four to a 32-bit number and drops the rest at
    the end of a call, so drawn in parts they differ: no step draws them."""

    def draw(rng, m):
        return rng.integers(0, 5, m, dtype=np.int16)

    assert not np.array_equal(in_parts(draw, 10_007), at_once(draw, 10_007))


class WholeStreams:
    """Each stream drawn whole, from its start, as every step drew before blocks: a
    draw that follows others from the same stream (one per risk level) comes after
    each of them drawn whole for all ``n`` cases."""

    def __init__(self, seed: int, replication: int, owner: str, block: int | None, n: int):
        self.key = (seed, replication, owner)
        self.block = block
        self.n = n

    def __call__(self, name: str) -> np.random.Generator:
        return stream(*self.key, name, self.block)

    def after(self, name, before) -> np.random.Generator:
        rng = self(name)
        for sample in before:
            sample(rng, self.n)
        return rng


SCENARIOS = [
    *SHIPPED,  # every kind of step, periods, backlogs, open caseloads, other work
    ROOT / "scenarios" / "teaching" / "08_waiting_list_withdrawals.toml",  # patience
    ROOT / "scenarios" / "teaching" / "11_fortnightly_panel.toml",
]


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: Path(p).stem)
def test_each_steps_draws_in_blocks_are_its_whole_draws(path, monkeypatch):
    """Every segment of cases (new contacts, backlogs, open caseloads, other work) drawn
    a block at a time, from cases picked out of order, gives each step's whole draw."""
    monkeypatch.setattr(blocks, "AHEAD", 1)  # a part per block: as many parts as can be
    s = load_scenario(path).scenario
    pathway = Pathway(Engine(), s, 3, 1, lambda row: None)
    pathway.add_cases(len(arrival_times(s, 3, 1)))
    pathway.add_open_cases()
    pathway.add_backlog()
    pathway.add_other_work()
    pathway.add_cases(300, block=5)  # a block of returning adults
    draws = pathway.draws
    rng = np.random.default_rng(0)
    for segment in list(draws.segments):
        ids = np.arange(segment.first, segment.first + segment.n)
        for i in sorted(rng.choice(ids, min(4, ids.size), replace=False)):
            draws.need(int(i))
        draws.need(int(ids[-1]))
        cases = pathway.cases
        attributes = Cases(
            *(np.asarray(getattr(cases, name))[ids] for name in Cases.__dataclass_fields__)
        )
        for runner in pathway.all_runners:
            owner = WholeStreams(3, 1, runner.name, segment.block, ids.size)
            for name, whole in runner.draw_all(owner, attributes, ids.size).items():
                column = runner.draws[name]
                got = np.array([column[i >> SHIFT][i & MASK] for i in ids.tolist()])
                typecode = column[segment.first >> SHIFT].typecode
                expected = np.asarray(whole).astype(typecode)
                assert np.array_equal(got, expected), (runner.name, name, segment.block)


# ------------------------------------------------------------ freed on leaving, pinning

PARTNER_DAYS = 3  # every case leaves this many days after it arrives...
STUCK_DAYS = 10_000  # ...but one of the stuck step's, which leaves after the run


def partner_raw(stuck_share: float) -> dict:
    """Contacts handed to a partner for exactly PARTNER_DAYS, then out; those of source
    ``care_provider`` (``stuck_share`` of them) wait STUCK_DAYS instead."""
    raw = short(minimal_raw(), 50)
    raw.pop("reported")
    raw["teams"] = {}
    raw["demand"]["contacts_per_year"] = 365 * 300  # 15,000 contacts: 15 blocks
    raw["demand"]["sources"] = {
        "police": {"share": 1 - stuck_share},
        "care_provider": {"share": stuck_share, "entry": "stuck"},
    }
    raw["steps"] = {
        "partner": {
            "kind": "handoff",
            "partner": "health",
            "delay_days": {"dist": "fixed", "value": PARTNER_DAYS},
            "next": "out",
        },
        "stuck": {
            "kind": "handoff",
            "partner": "nobody",
            "delay_days": {"dist": "fixed", "value": STUCK_DAYS},
            "next": "out",
        },
        "out": {"kind": "exit"},
    }
    return raw


def held_blocks(raw: dict, checkpoints: list[float]) -> tuple[list[set], list[set], int]:
    """Blocks of draws held at each checkpoint, in a run; the same computed from the
    arrival times and the delays: a block is held from its first case's arrival until
    its last case has left; and how many blocks the run has."""
    s = make(raw)
    times = arrival_times(s, 1, 0)
    env = Engine()
    pathway = Pathway(env, s, 1, 0, lambda row: None)
    pathway.add_cases(times.size)
    pathway.arrivals(times.tolist())
    stuck = np.asarray(pathway.cases.source) == s.demand.categories("source").index("care_provider")
    leaves = times + np.where(stuck, STUCK_DAYS, PARTNER_DAYS)
    block = np.arange(times.size) >> SHIFT
    first_arrival = np.array([times[block == k].min() for k in range(block[-1] + 1)])
    last_leaving = np.array([leaves[block == k].max() for k in range(block[-1] + 1)])
    held, expected = [], []
    for t in checkpoints:
        env.run_until(t)
        held.append(set(pathway.draws.held))
        expected.append(set(np.flatnonzero((first_arrival <= t) & (last_leaving > t)).tolist()))
    return held, expected, int(block[-1] + 1)


CHECKPOINTS = [k + 0.5 for k in range(50)]  # between events: arrivals are at random times


def test_a_blocks_draws_are_freed_once_its_cases_have_left(monkeypatch):
    """With every case leaving PARTNER_DAYS after it arrives, the blocks held at each
    time are those with a case arrived and one not yet left: two or three of 15."""
    monkeypatch.setattr(blocks, "AHEAD", 1)
    held, expected, total = held_blocks(partner_raw(0.0), CHECKPOINTS)
    assert held == expected
    assert total == 15 and max(len(h) for h in held) <= 3
    assert held[-1] == {13, 14}  # the last days' cases are still there at the end


def test_a_case_that_never_leaves_holds_its_own_block_only(monkeypatch):
    """Two stuck cases in 15,000 (seed 1 draws cases 5,164 and 9,928: blocks 5 and 9):
    the blocks held are theirs and the recent ones, not every block after the first."""
    monkeypatch.setattr(blocks, "AHEAD", 1)
    held, expected, _ = held_blocks(partner_raw(2e-4), CHECKPOINTS)
    assert held == expected
    assert held[-1] == {5, 9, 13, 14}  # not 6 to 8 nor 10 to 12


def test_drawing_ahead_holds_at_most_ahead_blocks_more():
    """With blocks drawn AHEAD at a time (as runs do), the blocks held include those a
    block at a time holds, and at most AHEAD drawn ahead besides."""
    raw = partner_raw(0.0)
    _, expected, _ = held_blocks(raw, CHECKPOINTS)
    s = make(raw)
    env = Engine()
    pathway = Pathway(env, s, 1, 0, lambda row: None)
    pathway.add_cases(arrival_times(s, 1, 0).size)
    pathway.arrivals(arrival_times(s, 1, 0).tolist())
    for t, need in zip(CHECKPOINTS, expected, strict=True):
        env.run_until(t)
        assert need <= pathway.draws.held
        assert len(pathway.draws.held) <= len(need) + blocks.AHEAD


def test_release_drops_every_block():
    s = make(partner_raw(2e-4))
    env = Engine()
    pathway = Pathway(env, s, 1, 0, lambda row: None)
    pathway.add_cases(arrival_times(s, 1, 0).size)
    pathway.arrivals(arrival_times(s, 1, 0).tolist())
    env.run_until(s.horizon_days)
    assert pathway.draws.held
    pathway.release()
    assert not pathway.draws.held
    assert all(not column for r in pathway.all_runners for column in r.draws.values())
