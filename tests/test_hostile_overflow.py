"""Distribution parameters and weights that overflow (issue #13): they gave a run of zero
contacts, or no run at all, from a file ``validate`` accepted. Each is now refused, naming
the key and the range accepted."""

from __future__ import annotations

import pytest
from helpers import settings_rejected

TOUCH = "steps.triage.touch_minutes"

OVERFLOWING = [
    ({TOUCH: {"dist": "lognormal", "mean": 30, "sd": 1e200}}, f"{TOUCH}.sd"),
    ({TOUCH: {"dist": "lognormal", "mean": 1e-6, "sd": 1000}}, f"{TOUCH}.sd"),
    ({TOUCH: {"dist": "exponential", "mean": 1e308}}, f"{TOUCH}.mean"),
    ({TOUCH: {"dist": "gamma", "shape": 1e300, "scale": 1e300}}, f"{TOUCH}.shape"),
    ({TOUCH: {"dist": "empirical", "values": [1e308, 1e308]}}, f"{TOUCH}.values"),
    ({TOUCH: {"dist": "empirical", "values": [1, 2], "weights": [1e308, 1e308]}}, TOUCH),
    ({"demand.month_of_year": [1e308] * 12}, "demand.month_of_year"),
    ({"demand.month_of_year": [1e308] + [1.0] * 11}, "demand.month_of_year"),
    ({"demand.day_of_week": [5e-324] + [0.0] * 6}, "demand.day_of_week"),
    ({"calendar.open_hour": 20.0}, "calendar.open_hour"),
]


@pytest.mark.parametrize(("settings", "key"), OVERFLOWING)
def test_parameters_that_overflow_are_refused_not_run_to_zero_contacts(settings, key):
    assert settings_rejected(settings).startswith(f"test.toml: {key}")
