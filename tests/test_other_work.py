"""Other work sharing the same people's hours (issue #9): a fixed share of hours.

Known answer: people who spend a share s of their hours on other work serve the pathway
as an M/M/c queue whose service rate is mu (1 - s), so the mean wait is Erlang C at that
rate (a 95% interval of ten replication means must hold it: a correct model fails 5% of
the time; the seed is fixed), and the pathway's share of their hours is lambda / (c mu).
"""

from __future__ import annotations

import pytest
from helpers import erlang_c_wait, make
from test_waiting_lists import one_queue

from sgsim.studies.runner import run_replications


def test_a_fixed_share_of_other_work_cuts_capacity_exactly():
    lam, minutes, c, share = 40.0, 57.6, 3, 0.25  # pathway load 0.8 of the rest
    raw = one_queue(c, minutes, lam, {})
    raw["teams"]["desk"]["roles"]["officer"]["other_work_share"] = share
    result = run_replications(make(raw), seed=41, replications=10)
    summaries = result.summaries()
    mu = 24 * 60 / minutes
    lo, hi = summaries["desk_wait_days_mean"].ci95
    assert lo <= erlang_c_wait(lam, mu * (1 - share), c) <= hi
    on_pathway = summaries["utilisation_desk_officer"].mean
    assert on_pathway == pytest.approx(lam / (c * mu), rel=0.03)
    total = summaries["utilisation_total_desk_officer"].mean
    assert total == pytest.approx(on_pathway + share)
