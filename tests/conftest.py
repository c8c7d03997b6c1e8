"""Fixtures shared by the tests."""

from __future__ import annotations

import pytest
from helpers import make, minimal_raw

from sgsim.scenario.schema import Scenario


@pytest.fixture
def minimal() -> Scenario:
    return make(minimal_raw())
