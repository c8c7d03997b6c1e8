"""The CSV files of ``sgsim run --out`` open in pandas with the right types (issue #12):
counts as whole numbers, values rounded to their unit, each metric described in words
with its unit, and each case's outcome and key dates, which follow from the event log."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import MINIMAL

from sgsim.analysis.metrics import metric_names
from sgsim.cli.main import main
from sgsim.scenario.loading import load_scenario

DATES = ["contact_date", "decision_date", "allocation_date", "closure_date"]
COUNTS = ["contacts", "concerns", "s42_enquiries", "enquiries_concluded", "open_cases_end"]


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    folder = tmp_path_factory.mktemp("run") / "out"
    assert main(["run", str(MINIMAL), "-n", "3", "--out", str(folder)]) == 0
    return folder


def decimals(x: float) -> int:
    text = repr(float(x))
    return 0 if text.endswith(".0") else len(text.split(".")[1])


def test_summary_describes_each_metric_with_its_unit_rounded_to_it(out):
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary.columns[:4]) == ["metric", "description", "unit", "mean"]
    for column in ("mean", "ci95_low", "ci95_high", "range95_low", "range95_high"):
        assert summary[column].dtype == float
    assert summary["replications"].dtype == "int64"
    # bookkeeping: the words are the ones the tables, the report and the app use
    labels = metric_names(load_scenario(MINIMAL).scenario)
    assert dict(zip(summary["metric"], summary["description"], strict=True)) == {
        m: labels[m][1] for m in summary["metric"]
    }
    units = dict(zip(summary["metric"], summary["unit"], strict=True))
    assert units["contacts"] == "cases"
    assert units["contact_to_concern_rate"] == "share (0 to 1)"
    assert units["decision_working_days_mean"] == "working days"
    assert units["allocation_wait_days_mean"] == "calendar days"
    most = {"cases": 1, "calendar days": 2, "working days": 2, "share (0 to 1)": 4}
    for _, row in summary.iterrows():
        for column in ("mean", "ci95_low", "ci95_high"):
            if pd.notna(row[column]):
                assert decimals(row[column]) <= most[row["unit"]], (row["metric"], column)


def test_counts_of_each_replication_are_whole_numbers(out):
    per_replication = pd.read_csv(out / "replications.csv")
    for count in COUNTS:
        assert per_replication[count].dtype == "int64", count
    share = per_replication["contact_to_concern_rate"]
    assert share.dtype == float and share.between(0, 1).all()


def test_cases_carry_their_outcome_and_calendar_dates_from_the_event_log(out):
    cases = pd.read_csv(out / "cases.csv", parse_dates=DATES)
    events = pd.read_csv(out / "events.csv", parse_dates=["time:timestamp"])
    for column in DATES:
        assert pd.api.types.is_datetime64_any_dtype(cases[column]), column
    assert cases["entity_id"].dtype == "int64" and cases["open_at_end"].dtype == bool
    by_case = events.groupby("entity_id")
    day = events.assign(day=events["time:timestamp"].dt.normalize())

    def first_day(rows: pd.DataFrame) -> pd.Series:
        return rows.groupby("entity_id")["day"].min()

    cases = cases.set_index("entity_id")
    arrived = first_day(day[day["event"] == "arrival"])
    left = first_day(day[day["event"] == "depart"])
    # the decision: the s42 test done, or leaving before it (triage's 'not a concern')
    decided = first_day(day[(day["event"] == "s42_test_ends") | (day["event"] == "depart")])
    allocated = first_day(day[day["pool"].str.endswith("_caseload", na=False)])
    pd.testing.assert_series_equal(cases["contact_date"], arrived, check_names=False)
    for column, want in (
        ("closure_date", left),
        ("decision_date", decided),
        ("allocation_date", allocated),
    ):
        got = cases[column].dropna()
        pd.testing.assert_series_equal(got, want.reindex(got.index), check_names=False)
        assert set(got.index) == set(want.index), column
    # still open at the end: no departure, no closure date
    assert (cases["open_at_end"] == ~cases.index.isin(left.index)).all()
    assert cases.loc[cases["open_at_end"], "closure_date"].isna().all()
    last = by_case["outcome"].agg(lambda o: o.dropna().iloc[-1] if o.notna().any() else None)
    pd.testing.assert_series_equal(
        cases["outcome"].fillna("none"), last.fillna("none"), check_names=False
    )


def test_a_contact_dates_as_the_calendar_says(out):
    """Hand-computed: the run starts on 2023-01-02 with a 30-day warm-up, so the origin is
    2022-12-03; a contact 0.5 days in is on 2022-12-03, one 29.99 days in on 2023-01-01."""
    cases = pd.read_csv(out / "cases.csv", parse_dates=DATES)
    origin = pd.Timestamp("2022-12-03")
    expected = origin + pd.to_timedelta(cases["arrived"].round(5).apply(int), unit="D")
    near_midnight = (cases["arrived"] % 1 > 0.99999) | (cases["arrived"] % 1 < 1e-5)
    assert (cases.loc[~near_midnight, "contact_date"] == expected[~near_midnight]).all()
    assert cases["contact_date"].min() == origin
