"""Fixtures shared by the tests, and the hypothesis profile every run uses."""

from __future__ import annotations

import pytest
from helpers import make, minimal_raw
from hypothesis import settings

from sgsim.scenario.schema import Scenario

# The same examples on every run, locally and in CI, so a run never passes or fails by
# chance (issue #11). Hypothesis's own "ci" profile: derandomised, no example database, no
# deadline, and a reproduction blob on failure. To hunt for new failing examples, run
# `pytest --hypothesis-profile=default` (random examples).
settings.register_profile("sgsim", parent=settings.get_profile("ci"))
settings.load_profile("sgsim")


@pytest.fixture
def minimal() -> Scenario:
    return make(minimal_raw())
