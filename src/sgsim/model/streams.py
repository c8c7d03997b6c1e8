"""Independent random streams per replication and per source of randomness.

Stream (replication r, source k) is seeded by ``SeedSequence(seed, spawn_key=(r, k))``, so a
replication's numbers never depend on how many replications are run, and each source of
randomness (arrivals, triage outcomes, durations...) has its own stream. Two scenarios run
with one seed therefore see the same contacts and the same decisions wherever their designs
agree: common random numbers.
"""

from __future__ import annotations

import numpy as np

STREAMS = (
    "arrivals",
    "source",
    "priority",
    "triage_touch",
    "concern",
    "second_touch",
    "second",
    "signoff_touch",
    "signoff",
    "decision_touch",
    "criteria",
    "other_enquiry",
    "risk_level",
    "duration",
    "enquiry_touch",
    "abuse_type",
    "location",
    "closure_touch",
    "risk_outcome",
    "return",
    "return_delay",
)

# Contacts made by adults who come back after closure are drawn in blocks from streams of
# their own, so the first contacts are the same whether or not anyone comes back.
RETURN_OFFSET = 1000


def stream(
    seed: int, replication: int, name: str, return_block: int | None = None
) -> np.random.Generator:
    """The generator for one named source of randomness in one replication."""
    k = STREAMS.index(name)
    key = (
        (replication, k) if return_block is None else (replication, RETURN_OFFSET + k, return_block)
    )
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))
