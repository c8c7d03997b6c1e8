"""Independent random streams, keyed by name, per replication.

Stream (replication r, owner, name) is seeded by ``SeedSequence(seed, spawn_key=(r, h))``
where ``h`` is a stable hash of ``owner/name`` (the owner is ``demand`` or a step's name).
So a replication's numbers never depend on how many replications are run, each source of
randomness has its own stream, and adding, removing or reordering a step never changes
another step's draws: two designs run with one seed see the same contacts and the same
decisions wherever they agree (common random numbers).
"""

from __future__ import annotations

import hashlib

import numpy as np


def stream_key(owner: str, name: str) -> int:
    """A stable 63-bit number for a stream's name (Python's hash() changes per process)."""
    digest = hashlib.blake2b(f"{owner}/{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1


def stream(
    seed: int, replication: int, owner: str, name: str, block: int | None = None
) -> np.random.Generator:
    """The generator for one named source of randomness in one replication.

    ``block`` numbers a block of contacts drawn after the first (adults coming back after
    closure, a starting backlog), drawn from streams of their own so the first contacts
    are the same whether or not anyone comes back.
    """
    key = (replication, stream_key(owner, name))
    if block is not None:
        key = (*key, block + 1)
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))
