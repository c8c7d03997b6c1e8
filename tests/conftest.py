"""Fixtures shared by the tests, and the Hypothesis profile every property test runs under."""

from __future__ import annotations

import pytest
from helpers import make, minimal_raw
from hypothesis import settings

from sgsim.scenario.schema import Scenario

# The same examples on every run and every machine, so CI passes or fails the same way.
settings.register_profile("sgsim", derandomize=True, database=None, deadline=None)
settings.load_profile("sgsim")


@pytest.fixture
def minimal() -> Scenario:
    return make(minimal_raw())
