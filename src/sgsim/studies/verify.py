"""``sgsim verify``: the model checked against answers known without it.

Each check reduces the pathway to a system whose answer is known (a textbook queue, a
conservation law, or the same network simulated by Ciw), runs replications, and tests
whether the simulation's mean could be the known answer. The statistical checks form a
family held to a 5% chance of any false alarm for a correct model by Holm's method, so a
"FAIL" means something; exact checks must hold exactly. Little's law checks compare two
numbers from the same event log: they are bookkeeping identities, shown but not counted
as validation.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from sgsim.analysis.metrics import _Measure, queue_rows
from sgsim.analysis.summary import summarise
from sgsim.scenario.loading import build_scenario, with_settings
from sgsim.studies.runner import run_replications

SEED = 20240501
FAMILY_ALPHA = 0.05  # chance that a correct model fails any statistical check


@dataclass(frozen=True)
class Check:
    """One verification: what is expected, what was simulated, its 95% interval and, for a
    statistical check, the p-value of the simulated mean against the expected value."""

    name: str
    expected: float
    simulated: float
    interval: tuple[float, float]
    note: str = ""
    p_value: float | None = None  # None: an exact check (the interval must hold)
    bookkeeping: bool = False  # an identity between numbers from one log, not validation
    rejected: bool = False  # set by Holm's method over the statistical family
    level: float | None = None  # Holm's level for this check's p-value, in the family's order
    ran: bool = True  # False: a check that could not run here (shown, neither pass nor fail)

    @property
    def passed(self) -> bool:
        if not self.ran:
            return True
        if self.p_value is not None:
            return not self.rejected
        lo, hi = self.interval
        return bool(lo <= self.expected <= hi)

    @property
    def verdict(self) -> str:
        if not self.ran:
            return "not run"
        word = "pass" if self.passed else "FAIL"
        return f"{word} (identity)" if self.bookkeeping else word


def holm(checks: list[Check], alpha: float = FAMILY_ALPHA) -> list[Check]:
    """Holm's step-down method at family level alpha: the m statistical checks in order of
    p-value are held to alpha / m, alpha / (m - 1), ..., and rejected until the first that
    holds. Each check gets its level; those rejected are marked."""
    family = sorted(
        (k for k, c in enumerate(checks) if c.p_value is not None and not c.bookkeeping),
        key=lambda k: checks[k].p_value,
    )
    out = list(checks)
    rejecting = True
    for rank, k in enumerate(family):
        level = alpha / (len(family) - rank)
        rejecting = rejecting and checks[k].p_value <= level
        out[k] = dataclasses.replace(checks[k], level=level, rejected=rejecting)
    return out


# ----------------------------------------------------------------------- known answers


def erlang_c(lam: float, mu: float, c: int) -> tuple[float, float]:
    """M/M/c: probability of waiting and mean wait in queue."""
    a = lam / mu
    rho = a / c
    top = a**c / math.factorial(c) / (1 - rho)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait, p_wait / (c * mu - lam)


def pollaczek_khinchine(lam: float, mean: float, second_moment: float) -> float:
    """M/G/1: mean wait in queue, lambda E[S^2] / (2 (1 - rho)), from the service time's
    first two moments."""
    return lam * second_moment / (2 * (1 - lam * mean))


def erlang_a(lam: float, mu: float, theta: float, c: int, n_max: int = 400) -> tuple[float, float]:
    """M/M/c+M (Erlang A, exponential patience of rate theta): the share of arrivals who
    withdraw and the mean wait of every arrival, served or not, from the birth-death chain
    (in state n > c the death rate is c mu + (n - c) theta). Withdrawals happen at rate
    theta E[queue], and Little's law gives the mean wait as E[queue] / lambda."""
    weights = [1.0]
    for n in range(1, n_max):
        weights.append(weights[-1] * lam / (min(n, c) * mu + max(n - c, 0) * theta))
    p = np.array(weights) / sum(weights)
    queue = float(np.dot(np.maximum(np.arange(n_max) - c, 0), p))
    return theta * queue / lam, queue / lam


def priority_waits(lams: list[float], mu: float, c: int = 1) -> list[float]:
    """M/M/c with non-preemptive priority classes and one service rate (Cobham): mean wait
    of each class, W_k = W_0 / ((1 - sigma_{k-1}) (1 - sigma_k)), where sigma_k is the load
    of classes 1..k on c mu and W_0 = P(wait) / (c mu) the wait for the first server to
    free (Erlang C's probability of waiting; rho / mu on one server)."""
    p_wait, _ = erlang_c(sum(lams), mu, c)
    w0 = p_wait / (c * mu)
    out, sigma = [], 0.0
    for lam in lams:
        r = lam / (c * mu)
        out.append(w0 / ((1 - sigma) * (1 - sigma - r)))
        sigma += r
    return out


# ----------------------------------------------------------------------- reduced scenarios


def _pathway(**changes: Any) -> dict[str, Any]:
    """A small whole pathway as a parsed scenario; ``changes`` set dotted paths."""
    decision = {"kind": "decision", "team": "locality"}
    raw: dict[str, Any] = {
        "name": "verification pathway",
        "run": {"start_date": dt.date(2023, 2, 1), "run_days": 300, "warmup_days": 30},
        "calendar": {"bank_holidays": "england"},
        "demand": {
            "contacts_per_year": 4000,
            "sources": {"police": {"share": 0.5}, "health": {"share": 0.5}},
            "priority": {"urgent": 0.2, "normal": 0.6, "low": 0.2},
            "risk_levels": {"low": 0.5, "medium": 0.3, "high": 0.2},
        },
        "teams": {
            "front_door": {"roles": {"triage_officer": {"headcount": 3}}},
            "locality": {
                "roles": {
                    "practitioner": {"headcount": 5, "caseload_cap": 5},
                    "senior": {"headcount": 5, "caseload_cap": 3},
                    "manager": {"headcount": 1},
                }
            },
        },
        "steps": {
            "triage": {
                "kind": "decision",
                "team": "front_door",
                "role": "triage_officer",
                "touch_minutes": {"dist": "exponential", "mean": 30},
                "outcomes": {"concern": 0.3, "not_a_concern": 0.7},
                "outcomes_by_source": {
                    "police": {"concern": 0.2, "not_a_concern": 0.8},
                    "health": {"concern": 0.4, "not_a_concern": 0.6},
                },
                "routes": [{"outcome": "concern", "to": "s42_test"}, {"to": "not_a_concern"}],
            },
            "s42_test": {
                "kind": "s42_test",
                "team": "locality",
                "role": "practitioner",
                "touch_minutes": {"dist": "fixed", "value": 60},
                "needs_care_and_support": 0.9,
                "abuse_or_neglect": 0.8,
                "unable_to_protect": 0.75,
                "other_enquiry_probability": 0.1,
                "routes": [
                    {"outcome": "no_enquiry", "to": "no_enquiry"},
                    {"risk_level": "high", "to": "senior_enquiry"},
                    {"to": "enquiry"},
                ],
            },
            "enquiry": _enquiry("practitioner"),
            "senior_enquiry": _enquiry("senior"),
            "closure": decision
            | {
                "role": "manager",
                "touch_minutes": {"dist": "uniform", "low": 10, "high": 20},
                "outcomes": {"reduced": 0.6, "removed": 0.3, "remains": 0.1},
                "next": "closed",
            },
            "closed": {"kind": "exit"},
            "not_a_concern": {"kind": "exit"},
            "no_enquiry": {"kind": "exit"},
        },
    }
    return with_settings(raw, changes)


def _enquiry(role: str) -> dict[str, Any]:
    return {
        "kind": "enquiry",
        "team": "locality",
        "role": role,
        "duration_by_risk_level": {
            "low": {"dist": "fixed", "value": 5},
            "medium": {"dist": "triangular", "low": 5, "mode": 10, "high": 20},
            "high": {"dist": "lognormal", "mean": 20, "sd": 8},
        },
        "touch_hours": {"dist": "gamma", "shape": 2, "scale": 2},
        "next": "closure",
    }


def _exponential(minutes: float) -> dict[str, Any]:
    return {"dist": "exponential", "mean": minutes}


def _queue_only(
    lam_per_day: float,
    touch: dict[str, Any],
    servers: int,
    days: int,
    priority: dict[str, float] | None = None,
    concern: float = 0.0,
    second: tuple[float, int] = (60.0, 1),
    waiting_list: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Triage (touch minutes ``touch``, its queue managed by ``waiting_list``) then, for a
    share ``concern``, the s42 decision: 24/7 stages with Poisson arrivals, the second
    with exponential touch times; every case leaves after them."""
    always = {"calendar": "24/7", "hours_per_day": 24}
    mean, c2 = second
    triage: dict[str, Any] = {
        "kind": "decision",
        "team": "front_door",
        "role": "triage_officer",
        "touch_minutes": touch,
        "outcomes": {"concern": concern, "not_a_concern": 1 - concern},
        "routes": [{"outcome": "concern", "to": "s42_test"}, {"to": "left"}],
    }
    if waiting_list:
        triage["waiting_list"] = waiting_list
    return {
        "name": "verification queue",
        "run": {"start_date": dt.date(2023, 2, 1), "run_days": days, "warmup_days": 20},
        "calendar": {"bank_holidays": "none"},
        "demand": {
            "contacts_per_day": lam_per_day,
            "sources": {"all": {"share": 1.0}},
            "priority": priority or {"normal": 1.0},
        },
        "teams": {
            "front_door": {"roles": {"triage_officer": {"headcount": servers} | always}},
            "hub": {"roles": {"practitioner": {"headcount": c2} | always}},
        },
        "steps": {
            "triage": triage,
            "s42_test": {
                "kind": "s42_test",
                "team": "hub",
                "role": "practitioner",
                "touch_minutes": _exponential(mean),
                "needs_care_and_support": 0.0,  # concerns leave after the decision
                "abuse_or_neglect": 1.0,
                "unable_to_protect": 1.0,
                "next": "left",
            },
            "left": {"kind": "exit"},
        },
    }


# ----------------------------------------------------------------------- checks


def _interval(values: list[float]) -> tuple[float, tuple[float, float]]:
    s = summarise(values, lower=-math.inf)
    return s.mean, s.ci95


def _check(name: str, expected: float, values: list[float], note: str = "") -> Check:
    """A statistical check: one-sample t-test of the replication means against expected."""
    mean, ci = _interval(values)
    p = (
        float(stats.ttest_1samp(values, expected).pvalue)
        if np.std(values) > 0
        else (1.0 if mean == expected else 0.0)
    )
    return Check(name, expected, mean, ci, note, p_value=p)


def check_mmc(reps: int, days: int, seed: int) -> list[Check]:
    lam, minutes, c = 60.0, 57.6, 3
    s = build_scenario(_queue_only(lam, _exponential(minutes), c, days), "verify: M/M/3")
    result = run_replications(s, seed, reps)
    p_wait, wq = erlang_c(lam, 24 * 60 / minutes, c)
    waits = [m["triage_wait_days_mean"] for m in result.per_replication]
    waited = [float(np.mean(x["triage_wait_days"] > 1e-12)) for x in result.samples]
    return [
        _check("M/M/3 mean wait in queue (days), Erlang C", wq, waits, "rho = 0.8"),
        _check("M/M/3 probability of waiting, Erlang C", p_wait, waited, "rho = 0.8"),
    ]


def check_pollaczek_khinchine(reps: int, days: int, seed: int) -> list[Check]:
    """One triage officer with touch times that are not exponential: M/D/1 (fixed) and
    M/G/1 with lognormal touch times (coefficient of variation 1.5)."""
    lam, minutes = 40.0, 25.2  # rho = 0.7
    sd = 1.5 * minutes
    out = []
    for label, touch, second_moment in (
        ("fixed", {"dist": "fixed", "value": minutes}, minutes**2),
        ("lognormal", {"dist": "lognormal", "mean": minutes, "sd": sd}, minutes**2 + sd**2),
    ):
        s = build_scenario(_queue_only(lam, touch, 1, days), f"verify: M/G/1, {label}")
        result = run_replications(s, seed, reps)
        day = 24 * 60
        expected = pollaczek_khinchine(lam, minutes / day, second_moment / day**2)
        waits = [m["triage_wait_days_mean"] for m in result.per_replication]
        out.append(
            _check(
                f"M/G/1 {label} touch times, mean wait (days), Pollaczek-Khinchine",
                expected,
                waits,
                "rho = 0.7" + (", cv 1.5" if label == "lognormal" else ""),
            )
        )
    return out


def check_erlang_a(reps: int, days: int, seed: int) -> list[Check]:
    """Two triage officers, overloaded, with cases that withdraw after an exponential wait
    (``waiting_list.withdraw_after_days``): M/M/2+M, Erlang A."""
    lam, minutes, c, patience = 60.0, 57.6, 2, 0.05  # offered load 1.2 per officer
    raw = _queue_only(
        lam,
        _exponential(minutes),
        c,
        days,
        waiting_list={"withdraw_after_days": {"dist": "exponential", "mean": patience}},
    )
    s = build_scenario(raw, "verify: Erlang A")
    result = run_replications(s, seed, reps, keep_logs=reps)
    shares, waits = [], []
    for log in result.logs:
        m = _Measure(log, float(s.run.warmup_days), float(s.horizon_days))
        withdrew = log.rows("left_queue", step="triage")
        ended = m.durations(
            log.rows("queued", step="triage"), log.rows("started", step="triage") | withdrew
        )
        shares.append(m.count(withdrew) / ended.size)
        waits.append(float(ended.mean()))
    share, wait = erlang_a(lam, 24 * 60 / minutes, 1 / patience, c)
    note = "M/M/2+M, offered load 1.2"
    return [
        _check("withdrawal, share of contacts who withdraw, Erlang A", share, shares, note),
        _check("withdrawal, mean wait of all contacts (days), Erlang A", wait, waits, note),
    ]


def check_priority(reps: int, days: int, seed: int) -> list[Check]:
    lam, mu, c = 40.0, 25.0, 2  # rho = 0.8 on two servers
    shares = {"urgent": 0.2, "normal": 0.5, "low": 0.3}
    raw = _queue_only(lam, _exponential(24 * 60 / mu), c, days, priority=shares)
    s = build_scenario(raw, "verify: priority M/M/2")
    result = run_replications(s, seed, reps, keep_logs=reps)
    expected = priority_waits([lam * x for x in shares.values()], mu, c)
    per_class: list[list[float]] = [[], [], []]
    for log in result.logs:
        m = _Measure(log, float(s.run.warmup_days), float(s.horizon_days))
        rows = log.rows("started", step="triage") & m.in_period
        arrived = m.case_time(log.rows("arrived"))
        waits = log.time[rows] - arrived[log.case[rows]]
        prio = log.attributes["priority"][log.case[rows]]
        for k in range(3):
            per_class[k].append(float(waits[prio == k].mean()))
    return [
        _check(
            f"priority queue, {name} mean wait (days), Cobham",
            expected[k],
            per_class[k],
            "M/M/2, rho = 0.8, non-preemptive",
        )
        for k, name in enumerate(shares)
    ]


def check_littles_law(reps: int, days: int, seed: int) -> list[Check]:
    """L = lambda W on every stage's queue, over a finite window.

    L comes from the time-average of the queue, W from per-case waits. Over a finite window
    they differ only by the edges: waits before the window of cases queued at its start,
    and time in the window of cases still queued at its end. Those edges are measured from
    the cases (not from L), and allowed for; any other gap would be an error in L or W.
    """
    s = build_scenario(_pathway(**{"run.run_days": days}), "verify: Little's law")
    result = run_replications(s, seed, reps, keep_logs=reps)
    ws, we = float(s.run.warmup_days), float(s.horizon_days)
    out = []
    for name in ("triage_queue", "decision_queue", "allocation_queue", "open_enquiries"):
        gaps, edges = [], []
        for log, metrics in zip(result.logs, result.per_replication, strict=True):
            m = _Measure(log, ws, we)
            enter, leave = queue_rows(log, s)[name]
            waits = m.durations(enter, leave)
            length = metrics[f"{name}_mean"]
            lam_w = waits.size / (we - ws) * float(waits.mean()) if waits.size else 0.0
            gaps.append(length - lam_w)
            edges.append(_edges(m, enter, leave) / (we - ws))
        mean, (lo, hi) = _interval(gaps)
        allowance = float(np.mean(edges))
        out.append(
            Check(
                f"Little's law, {name.replace('_', ' ')}: L - lambda W (cases)",
                0.0,
                mean,
                (lo - allowance - 1e-9, hi + allowance + 1e-9),  # and rounding
                f"window edges allow {allowance:.3g} cases",
                bookkeeping=True,
            )
        )
    return out


def _edges(m: _Measure, enter: np.ndarray, leave: np.ndarray) -> float:
    """Waits before the window of those queued at its start, plus time in the window of
    those still queued at its end (case-days)."""
    log = m.log
    arrived = np.full(log.n_cases, np.nan)
    arrived[log.case[enter]] = log.time[enter]
    left = np.nan_to_num(m.case_time(leave), nan=np.inf)
    entered = ~np.isnan(arrived)
    at_start = entered & (arrived < m.start) & (left >= m.start) & (left < m.end)
    at_end = entered & (arrived < m.end) & (left >= m.end)
    start = np.sum((m.start - arrived)[at_start])
    end = np.sum((m.end - np.maximum(arrived, m.start))[at_end])
    return float(start + end)


TWO_STAGE = {"lam": 40.0, "p": 0.4, "m1": 57.6, "c1": 2, "m2": 43.2, "c2": 1}


def check_two_stage(reps: int, days: int, seed: int, ciw_reps: int) -> list[Check]:
    """Triage then the s42 decision with probability p: node 2 is M/M/c by Burke's theorem,
    and the same network simulated in Ciw must agree."""
    t = TWO_STAGE
    raw = _queue_only(
        t["lam"], _exponential(t["m1"]), t["c1"], days, concern=t["p"], second=(t["m2"], t["c2"])
    )
    s = build_scenario(raw, "verify: two-stage network")
    result = run_replications(s, seed, reps, keep_logs=reps)
    waits1 = [m["triage_wait_days_mean"] for m in result.per_replication]
    waits2 = []
    for log in result.logs:
        m = _Measure(log, float(s.run.warmup_days), float(s.horizon_days))
        at_test = log.rows("queued", step="s42_test"), log.rows("started", step="s42_test")
        waits2.append(float(m.durations(*at_test).mean()))
    _, w1 = erlang_c(t["lam"], 24 * 60 / t["m1"], t["c1"])
    _, w2 = erlang_c(t["lam"] * t["p"], 24 * 60 / t["m2"], t["c2"])
    checks = [
        _check("two-stage, triage wait (days), Jackson network", w1, waits1),
        _check("two-stage, s42 decision wait (days), Jackson network", w2, waits2),
    ]
    ciw = _ciw_two_stage(ciw_reps, days, seed)
    if ciw is None:
        checks.append(
            Check(
                "two-stage vs Ciw: not run (pip install ciw)",
                math.nan,
                math.nan,
                (math.nan, math.nan),
                "Ciw is a test-only dependency",
                ran=False,
            )
        )
        return checks
    for stage, ours, theirs in (("triage", waits1, ciw[0]), ("s42 decision", waits2, ciw[1])):
        diff = float(np.mean(ours) - np.mean(theirs))
        se = math.sqrt(np.var(ours, ddof=1) / len(ours) + np.var(theirs, ddof=1) / len(theirs))
        half = stats.t.ppf(0.975, min(len(ours), len(theirs)) - 1) * se
        checks.append(
            Check(
                f"two-stage vs Ciw, {stage} wait: sgsim - Ciw (days)",
                0.0,
                diff,
                (diff - half, diff + half),
                p_value=float(stats.ttest_ind(ours, theirs, equal_var=False).pvalue),
            )
        )
    return checks


def _ciw_two_stage(reps: int, days: int, seed: int) -> tuple[list[float], list[float]] | None:
    try:
        import ciw
    except ImportError:
        return None
    t = TWO_STAGE
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=t["lam"]), None],
        service_distributions=[
            ciw.dists.Exponential(rate=24 * 60 / t["m1"]),
            ciw.dists.Exponential(rate=24 * 60 / t["m2"]),
        ],
        routing=[[0.0, t["p"]], [0.0, 0.0]],
        number_of_servers=[t["c1"], t["c2"]],
    )
    w1, w2 = [], []
    for r in range(reps):
        ciw.seed(seed + r)
        sim = ciw.Simulation(network)
        sim.simulate_until_max_time(days + 20)
        recs = [x for x in sim.get_all_records() if x.arrival_date >= 20]
        w1.append(float(np.mean([x.waiting_time for x in recs if x.node == 1])))
        w2.append(float(np.mean([x.waiting_time for x in recs if x.node == 2])))
    return w1, w2


def check_conservation(reps: int, days: int, seed: int) -> list[Check]:
    """Every contact ends once or is open; conversions equal the configured chances."""
    raw = _pathway(
        **{
            "run.run_days": days,
            "demand.contacts_per_year": 12000,
            "teams.front_door.roles.triage_officer.headcount": 9,
            "teams.locality.roles.practitioner.headcount": 14,
        }
    )
    s = build_scenario(raw, "verify: conservation")
    result = run_replications(s, seed, reps, keep_logs=reps)
    broken = []
    for log in result.logs:
        n = log.n_cases
        received = np.bincount(log.case[log.rows("arrived")], minlength=n)
        left = np.bincount(log.case[log.rows("left")], minlength=n)
        broken.append(float(np.count_nonzero(received != 1) + np.count_nonzero(left > 1)))
    checks = [
        Check(
            "conservation: contacts not received once or ending twice",
            0.0,
            float(sum(broken)),
            (0.0, 0.0),
        )
    ]
    p_concern = 0.5 * 0.2 + 0.5 * 0.4
    p_s42 = 0.9 * 0.8 * 0.75
    for name, p, total in (
        ("contact_to_concern_rate", p_concern, "contacts"),
        ("concern_to_s42_rate", p_s42, "concerns"),
    ):
        rates = [m[name] for m in result.per_replication]
        n = sum(m[total] for m in result.per_replication)
        mean = float(np.average(rates, weights=[m[total] for m in result.per_replication]))
        se = math.sqrt(mean * (1 - mean) / n)
        checks.append(
            Check(
                f"conversion {name.replace('_', ' ')} = configured",
                p,
                mean,
                (mean - 1.96 * se, mean + 1.96 * se),
                "binomial",
                p_value=float(2 * stats.norm.sf(abs(mean - p) / se)),
            )
        )
    return checks


def run_checks(
    quick: bool = False,
    on_done: Callable[[str], None] | None = None,
    seed: int = SEED,
    alpha: float = FAMILY_ALPHA,
) -> list[Check]:
    """Every check; ``quick`` uses fewer replications and shorter runs (for tests). The
    statistical checks are held together to ``alpha`` by Holm's method."""
    reps, days = (10, 300) if quick else (20, 400)
    steps: list[tuple[str, Callable[[], list[Check]]]] = [
        ("M/M/c", lambda: check_mmc(reps, days, seed)),
        ("M/G/1", lambda: check_pollaczek_khinchine(reps, days, seed)),
        ("Erlang A", lambda: check_erlang_a(reps, days, seed)),
        ("priority", lambda: check_priority(reps, days, seed)),
        ("Little's law", lambda: check_littles_law(max(reps // 2, 3), days, seed)),
        ("two-stage", lambda: check_two_stage(reps, days, seed, reps)),
        ("conservation", lambda: check_conservation(max(reps // 2, 3), days, seed)),
    ]
    out: list[Check] = []
    for label, step in steps:
        out.extend(step())
        if on_done:
            on_done(label)
    return holm(out, alpha)
