"""Distributions give the means and spreads their parameters say."""

from __future__ import annotations

import numpy as np
import pytest

from sgsim.scenario.distributions import parse_distribution
from sgsim.scenario.errors import ScenarioError

N = 200_000


@pytest.mark.parametrize(
    ("spec", "mean", "sd"),
    [
        ({"dist": "fixed", "value": 4}, 4, 0),
        ({"dist": "exponential", "mean": 30}, 30, 30),
        ({"dist": "uniform", "low": 10, "high": 20}, 15, 10 / np.sqrt(12)),
        ({"dist": "triangular", "low": 0, "mode": 3, "high": 6}, 3, np.sqrt(54 / 18 - 9 + 9) / 1),
        ({"dist": "lognormal", "mean": 45, "sd": 30}, 45, 30),
        ({"dist": "gamma", "shape": 4, "scale": 3}, 12, 6),
        ({"dist": "empirical", "values": [1, 2, 10], "weights": [1, 1, 2]}, 5.75, None),
    ],
)
def test_sample_mean_and_sd(spec, mean, sd):
    dist = parse_distribution(spec, "x", "f.toml")
    x = dist.sample(np.random.default_rng(1), N)
    assert dist.mean == pytest.approx(mean)
    assert x.mean() == pytest.approx(mean, rel=0.01, abs=0.01)
    if spec["dist"] == "triangular":
        sd = np.sqrt((0 + 9 + 36 - 0 - 0 - 18) / 18)
    if sd is not None:
        assert x.std() == pytest.approx(sd, rel=0.02, abs=0.01)
    assert (x >= 0).all()


@pytest.mark.parametrize(
    ("spec", "key"),
    [
        ({"dist": "exponential", "mean": -1}, "x.mean"),
        ({"dist": "lognormal", "mean": 5, "sd": -1}, "x.sd"),
        ({"dist": "uniform", "low": 5, "high": 1}, "x.high"),
        ({"dist": "fixed", "value": "3"}, "x.value"),
        ({"dist": "fixed", "value": 3, "mean": 2}, "x.mean"),
        ({"dist": "empirical", "values": []}, "x.values"),
        ({"dist": "empirical", "values": [1, -2]}, "x.values"),
        ({"mean": 3}, "x.dist"),
    ],
)
def test_invalid_parameters_are_named(spec, key):
    with pytest.raises(ScenarioError) as info:
        parse_distribution(spec, "x", "f.toml")
    assert str(info.value).startswith(f"f.toml: {key}: expected")
