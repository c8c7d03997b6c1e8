"""compare: a practical verdict beside the statistical one (issue #11).

The result sets are made by hand, so the paired differences, and whether their 95%
interval lies inside the threshold, are known without the code under test.
"""

from __future__ import annotations

import csv
import json

import pytest
from helpers import MINIMAL

from sgsim.analysis.comparison import paired_differences
from sgsim.cli import main


def pairs(metric: str, baseline: list[float], differences: list[float]):
    """Two result sets whose replication-by-replication differences are given."""
    base = [{metric: b} for b in baseline]
    other = [{metric: b + d} for b, d in zip(baseline, differences, strict=True)]
    return base, other


def only(metric: str, base, other, **kwargs):
    (d,) = paired_differences(base, other, **kwargs)
    assert d.metric == metric
    return d


def test_a_tiny_but_certain_change_in_contacts_is_clear_yet_not_material():
    # differences -1 .. -0.2: the interval excludes zero, but 5% of ~1000 contacts is 50
    base, other = pairs("contacts", [1000, 1010, 990, 1000], [-1, -0.5, -0.2, -0.5])
    d = only("contacts", base, other)
    assert d.verdict == "clearly lower"
    assert d.threshold == pytest.approx(50)
    assert d.practical == "no material difference"


def test_a_utilisation_change_of_a_tenth_of_a_point_is_not_material():
    # +0.1 to +0.2 points; 5% of 51% is 2.5 points, above the 1-point floor
    base, other = pairs(
        "utilisation_front_door_triage_officer", [0.50, 0.52, 0.51], [0.001, 0.002, 0.0015]
    )
    d = only("utilisation_front_door_triage_officer", base, other)
    assert d.verdict == "clearly higher"
    assert d.threshold == pytest.approx(0.0255)
    assert d.practical == "no material difference"


def test_floors_for_small_baselines():
    # 5% of a 2% rate is a tenth of a point: the floor of one percentage point applies
    base, other = pairs("decision_within_target_rate", [0.02, 0.02, 0.02], [0.004, 0.006, 0.005])
    assert only("decision_within_target_rate", base, other).threshold == pytest.approx(0.01)
    assert only("decision_within_target_rate", base, other).practical == ("no material difference")
    # a wait of 0.4 days: half a day is the floor, and +0.2 days is inside it
    base, other = pairs("allocation_wait_days_mean", [0.4, 0.4, 0.4], [0.2, 0.21, 0.19])
    d = only("allocation_wait_days_mean", base, other)
    assert d.threshold == pytest.approx(0.5) and d.practical == "no material difference"
    # a count of 3: one case is the floor
    base, other = pairs("other_enquiries", [3, 3, 3], [0.5, 0.6, 0.4])
    d = only("other_enquiries", base, other)
    assert d.threshold == pytest.approx(1) and d.practical == "no material difference"


def test_material_changes_and_the_inconclusive_middle():
    # +90 to +110 on 1000: the interval (about 87 to 113) lies wholly above 50
    base, other = pairs("contacts", [1000, 1000, 1000, 1000], [100, 110, 90, 100])
    assert only("contacts", base, other).practical == "materially higher"
    base, other = pairs("contacts", [1000, 1000, 1000, 1000], [-100, -110, -90, -100])
    assert only("contacts", base, other).practical == "materially lower"
    # differences -60 .. +60: the interval reaches past both -50 and +50
    base, other = pairs("contacts", [1000, 1000, 1000, 1000], [-60, 60, 0, 10])
    d = only("contacts", base, other)
    assert d.verdict == "within noise" and d.practical == "inconclusive"


def test_the_relative_threshold_is_configurable():
    base, other = pairs("contacts", [1000, 1000, 1000, 1000], [100, 110, 90, 100])
    d = only("contacts", base, other, material=0.2)  # 200 contacts now
    assert d.threshold == pytest.approx(200) and d.practical == "no material difference"


def test_too_few_replications_for_either_verdict():
    base, other = pairs("contacts", [1000], [100])
    d = only("contacts", base, other)
    assert d.verdict == d.practical == "too few replications"


def test_compare_prints_writes_and_documents_the_practical_verdict(tmp_path, capsys):
    args = ["compare", str(MINIMAL), str(MINIMAL), "-n", "3"]
    assert main([*args, "--out", str(tmp_path)]) == 0
    assert "no material difference" in capsys.readouterr().out
    rows = list(csv.DictReader((tmp_path / "comparison.csv").open()))
    contacts = next(r for r in rows if r["metric"] == "contacts")
    assert contacts["practical_verdict"] == "no material difference"
    assert float(contacts["material_threshold"]) == pytest.approx(
        0.05 * float(contacts["baseline_mean"])
    )
    assert main([*args, "--json", "--material", "0.1"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["material"]["relative"] == 0.1
    (diffs,) = doc["comparisons"].values()
    c = diffs["contacts"]
    assert c["material_threshold"] == pytest.approx(0.1 * c["baseline_mean"])
    assert c["practical_verdict"] == "no material difference"


@pytest.mark.parametrize("value", ["-0.1", "1.5", "x"])
def test_material_must_be_a_fraction(value, capsys):
    with pytest.raises(SystemExit) as info:
        main(["compare", str(MINIMAL), str(MINIMAL), "--material", value])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "--material" in err and "between 0 and 1" in err
