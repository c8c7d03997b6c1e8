"""Metrics: pure functions from one replication's event log to named numbers.

Flows (contacts, concerns, enquiries...) count events inside the measured period (after the
warm-up). Waits and durations are taken for the cases whose wait or duration *ends* inside
the period. Queue lengths are exact time averages over the period. Utilisation is touch
hours worked divided by the hours the role's effective staff are at work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np

from sgsim.model.calendar import WorkingClock, WorkingDays, role_clock, scenario_days
from sgsim.model.eventlog import CODE, TASKS, EventLog
from sgsim.model.pools import staff_count
from sgsim.scenario.schema import Scenario

# name: (group, plain-words label)
BASE_METRICS: dict[str, tuple[str, str]] = {
    "contacts": ("funnel", "contacts received"),
    "returning_contacts": ("funnel", "of which adults coming back after closure"),
    "concerns": ("funnel", "concerns (after triage)"),
    "s42_enquiries": ("funnel", "s42 enquiries started"),
    "other_enquiries": ("funnel", "other (non-statutory) enquiries"),
    "enquiries_concluded": ("funnel", "enquiries concluded"),
    "open_cases_end": ("funnel", "cases still open at the end"),
    "contact_to_concern_rate": ("conversion", "contacts -> concerns"),
    "concern_to_s42_rate": ("conversion", "concerns -> s42 enquiries"),
    "concern_to_enquiry_rate": ("conversion", "concerns -> s42 + other (NHS definition)"),
    "concerns_per_month_min": ("conversion", "concerns in the quietest month"),
    "concerns_per_month_max": ("conversion", "concerns in the busiest month"),
    "decision_working_days_mean": ("timeliness", "working days, contact to decision"),
    "decision_within_target_rate": ("timeliness", "decisions within target"),
    "triage_wait_days_mean": ("timeliness", "days waiting for triage"),
    "allocation_wait_days_mean": ("timeliness", "days waiting for allocation"),
    "enquiry_duration_days_mean": ("timeliness", "days from allocation to conclusion"),
    "contact_to_closure_days_mean": ("timeliness", "days from contact to closure"),
    "triage_queue_mean": ("queues", "contacts waiting for triage"),
    "decision_queue_mean": ("queues", "concerns waiting for an s42 decision"),
    "allocation_queue_mean": ("queues", "enquiries waiting for allocation"),
    "open_enquiries_mean": ("queues", "enquiries open (allocated)"),
}

# Conversion rates that reports publish, as (numerator counts, denominator count).
PUBLISHED_RATE_NAMES = ("contact_to_concern_rate", "concern_to_s42_rate", "concern_to_enquiry_rate")
RATE_FROM_COUNTS: dict[str, tuple[tuple[str, ...], str]] = {
    "contact_to_concern_rate": (("concerns",), "contacts"),
    "concern_to_s42_rate": (("s42_enquiries",), "concerns"),
    "concern_to_enquiry_rate": (("s42_enquiries", "other_enquiries"), "concerns"),
}

# Queues measured over time: (event entering, event leaving, outcomes that enter).
QUEUES: dict[str, tuple[str, str, tuple[str, ...] | None]] = {
    "triage_queue": ("contact_received", "triage_started", None),
    "decision_queue": ("concern_raised", "decision_started", None),
    "allocation_queue": ("s42_decided", "allocated", ("s42_enquiry", "other_enquiry")),
    "open_enquiries": ("allocated", "enquiry_concluded", None),
}


def metric_names(s: Scenario) -> dict[str, tuple[str, str]]:
    """Every metric this scenario produces, with its group and label, in display order."""
    names = dict(BASE_METRICS)
    for role in s.task_roles():
        names[f"utilisation_{role}"] = ("staff", f"share of {role} hours on pathway tasks")
    for role in s.caseload_roles():
        names[f"caseload_mean_{role}"] = ("staff", f"open enquiries per {role}")
    for abuse in s.enquiry.abuse_types:
        names[f"abuse_{abuse}"] = ("outcomes", f"concluded enquiries: {abuse}")
    for risk in s.closure.risk_outcomes:
        names[f"risk_{risk}"] = ("outcomes", f"closed with risk {risk}")
    return names


def compute(
    log: EventLog,
    s: Scenario,
    days: WorkingDays | None = None,
    each: dict[str, np.ndarray] | None = None,
) -> dict[str, float]:
    """All metrics of one replication (``each``: its ``samples``, if already computed)."""
    days = days or scenario_days(s)
    start, end = float(s.run.warmup_days), float(s.horizon_days)
    m = _Measure(log, start, end)
    out: dict[str, float] = {}

    out["contacts"] = m.count("contact_received")
    returning = log.attributes["returning_from"][log.case] >= 0
    out["returning_contacts"] = float(
        np.count_nonzero(log.mask("contact_received") & returning & m.in_period)
    )
    out["concerns"] = m.count("concern_raised")
    out["s42_enquiries"] = m.count("s42_decided", "s42_enquiry")
    out["other_enquiries"] = m.count("s42_decided", "other_enquiry")
    out["enquiries_concluded"] = m.count("enquiry_concluded")
    out["open_cases_end"] = float(
        np.count_nonzero(log.mask("contact_received")) - np.count_nonzero(log.mask("left"))
    )
    out["contact_to_concern_rate"] = _ratio(out["concerns"], out["contacts"])
    out["concern_to_s42_rate"] = _ratio(out["s42_enquiries"], out["concerns"])
    out["concern_to_enquiry_rate"] = _ratio(
        out["s42_enquiries"] + out["other_enquiries"], out["concerns"]
    )
    monthly = concerns_per_month(log, s)
    out["concerns_per_month_min"] = float(min(monthly.values())) if monthly else np.nan
    out["concerns_per_month_max"] = float(max(monthly.values())) if monthly else np.nan

    each = each if each is not None else samples(log, s, days)
    out["decision_working_days_mean"] = _mean(each["decision_working_days"])
    out["decision_within_target_rate"] = _mean(each["decided_within_target"])
    for name in ("triage_wait", "allocation_wait", "enquiry_duration", "contact_to_closure"):
        out[f"{name}_days_mean"] = _mean(each[f"{name}_days"])

    for name, (enter, leave, outcomes) in QUEUES.items():
        out[f"{name}_mean"] = m.time_average(
            log.event == CODE[enter] if outcomes is None else m.with_outcomes(enter, outcomes),
            log.mask(leave),
        )

    out.update(utilisation(log, s, days, start, end))
    for k, role in enumerate(log.roles):
        if role in s.caseload_roles():
            held = m.time_average(
                log.mask("allocated") & (log.role == k),
                log.mask("enquiry_concluded") & (log.role == k),
            )
            out[f"caseload_mean_{role}"] = held / s.staffing[role].effective_staff
    for abuse in s.enquiry.abuse_types:
        out[f"abuse_{abuse}"] = m.count("enquiry_concluded", abuse)
    for risk in s.closure.risk_outcomes:
        out[f"risk_{risk}"] = m.count("closed", risk)
    return out


def _busy_hours(log: EventLog, s: Scenario, days: WorkingDays) -> dict[str, BusyClock]:
    """Per role, a function giving touch hours worked from time zero up to any times."""
    spans: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {r: [] for r in log.roles}
    horizon = float(s.horizon_days)
    for first, last in TASKS.values():
        starts = np.flatnonzero(log.mask(first))
        if starts.size == 0:
            continue
        finish = np.full(starts.size, horizon)  # unfinished tasks are busy to the end
        ends = np.flatnonzero(log.mask(last))
        order = np.argsort(log.case[starts])
        where = np.searchsorted(log.case[starts], log.case[ends], sorter=order)
        finish[order[where]] = log.time[ends]
        for k, role in enumerate(log.roles):
            mine = log.role[starts] == k
            if mine.any():
                spans[role].append((log.time[starts][mine], finish[mine]))
    out = {}
    for role, parts in spans.items():
        clock = role_clock(s, role, days)
        t0 = np.concatenate([a for a, _ in parts]) if parts else np.zeros(0)
        t1 = np.concatenate([b for _, b in parts]) if parts else np.zeros(0)
        out[role] = BusyClock(clock, clock.hours_at_many(t0), clock.hours_at_many(t1))
    return out


class BusyClock:
    """Touch hours a role worked up to time t: sum over tasks of min(W1, W(t)) - min(W0, W(t))."""

    def __init__(self, clock: WorkingClock, w0: np.ndarray, w1: np.ndarray) -> None:
        self.clock = clock
        self.w0, self.w1 = np.sort(w0), np.sort(w1)
        self.c0 = np.concatenate(([0.0], np.cumsum(self.w0)))
        self.c1 = np.concatenate(([0.0], np.cumsum(self.w1)))

    @staticmethod
    def _sum_min(x: np.ndarray, cum: np.ndarray, b: np.ndarray) -> np.ndarray:
        """sum_i min(x_i, b) for sorted x, for each b."""
        k = np.searchsorted(x, b, side="right")
        return cum[k] + b * (x.size - k)

    def worked(self, t: np.ndarray) -> np.ndarray:
        b = self.clock.hours_at_many(np.asarray(t, dtype=float))
        return self._sum_min(self.w1, self.c1, b) - self._sum_min(self.w0, self.c0, b)

    def utilisation(self, t: np.ndarray, people: int) -> np.ndarray:
        """Utilisation over each interval between consecutive times.

        Tasks are stretched by people / effective staff in the simulation (see
        ``sgsim.model.pools``), so busy hours are divided by the people simulated: the
        result is touch hours over the hours the effective staff are at work.
        """
        t = np.asarray(t, dtype=float)
        available = np.diff(self.clock.hours_at_many(t)) * people
        busy = np.diff(self.worked(t))
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(available > 0, busy / available, np.nan)


def utilisation(
    log: EventLog, s: Scenario, days: WorkingDays, start: float, end: float
) -> dict[str, float]:
    """Touch hours worked in the period over the role's hours at work in the period."""
    busy = _busy_hours(log, s, days)
    return {
        f"utilisation_{role}": float(
            busy[role].utilisation(np.array([start, end]), staff_count(s.staffing[role]))[0]
        )
        for role in log.roles
    }


def weekly_utilisation(log: EventLog, s: Scenario, days: WorkingDays) -> dict[str, np.ndarray]:
    """Utilisation of each role in each week of the run (the last week may be partial)."""
    edges = np.append(np.arange(0, s.horizon_days, 7, dtype=float), float(s.horizon_days))
    busy = _busy_hours(log, s, days)
    out: dict[str, np.ndarray] = {"week_start_day": edges[:-1]}
    for role, clock in busy.items():
        out[role] = clock.utilisation(edges, staff_count(s.staffing[role]))
    return out


def concerns_per_month(log: EventLog, s: Scenario) -> dict[str, int]:
    """Concerns raised in each calendar month that lies wholly inside the measured period."""
    t = log.time[log.mask("concern_raised")]
    origin = np.datetime64(s.origin, "D")
    first = s.run.start_date
    last = s.run.start_date + dt.timedelta(days=s.run.run_days)  # exclusive
    months: dict[str, int] = {}
    month = dt.date(first.year, first.month, 1)
    if month < first:
        month = _next_month(month)
    while _next_month(month) <= last:
        lo = (np.datetime64(month, "D") - origin).astype(int)
        hi = (np.datetime64(_next_month(month), "D") - origin).astype(int)
        months[month.strftime("%Y-%m")] = int(np.count_nonzero((t >= lo) & (t < hi)))
        month = _next_month(month)
    return months


# Per-case durations in days: (event it runs from, event it runs to).
SPANS = {
    "triage_wait_days": ("contact_received", "triage_started"),
    "allocation_wait_days": ("s42_decided", "allocated"),
    "enquiry_duration_days": ("allocated", "enquiry_concluded"),
    "contact_to_closure_days": ("contact_received", "closed"),
}


def samples(log: EventLog, s: Scenario, days: WorkingDays) -> dict[str, np.ndarray]:
    """Per-case values behind the means and plots.

    Timeliness against the target is judged on the cohort of contacts whose deadline falls
    in the measured period: a contact still undecided at its deadline is a breach. Counting
    only decided contacts would flatter an overloaded front door, whose oldest, lowest
    priority contacts are exactly the ones not yet decided.
    """
    m = _Measure(log, float(s.run.warmup_days), float(s.horizon_days))
    arrived = m.case_time("contact_received")
    decided = np.full(arrived.size, np.nan)
    case, at = _decisions(log, 0.0, m.end)
    decided[case] = at
    deadline = days.deadline(arrived, s.s42_test.decision_target_working_days)
    cohort = (deadline > m.start) & (deadline <= m.end)
    on_time = decided[cohort] < deadline[cohort]  # NaN (undecided) compares False
    in_period = (decided >= m.start) & (decided < m.end)
    out = {
        "decision_working_days": days.elapsed(arrived[in_period], decided[in_period]),
        "decided_within_target": on_time,
    }
    for name, (first, last) in SPANS.items():
        out[name] = m.durations(first, last)
    return out


def daily_queues(log: EventLog, s: Scenario) -> dict[str, np.ndarray]:
    """Queue lengths at the end of each simulated day, and each day's arrivals."""
    day_ends = np.arange(1, s.horizon_days + 1, dtype=float)
    out: dict[str, np.ndarray] = {"day": day_ends - 1}
    for name, (enter, leave, outcomes) in QUEUES.items():
        entering = (
            log.event == CODE[enter]
            if outcomes is None
            else _Measure(log, 0, 0).with_outcomes(enter, outcomes)
        )
        ins = np.sort(log.time[entering])
        outs = np.sort(log.time[log.mask(leave)])
        out[name] = np.searchsorted(ins, day_ends, side="left") - np.searchsorted(
            outs, day_ends, side="left"
        )
    for k, role in enumerate(log.roles):
        if role in s.caseload_roles():
            ins = np.sort(log.time[log.mask("allocated") & (log.role == k)])
            outs = np.sort(log.time[log.mask("enquiry_concluded") & (log.role == k)])
            out[f"open_enquiries_{role}"] = np.searchsorted(ins, day_ends) - np.searchsorted(
                outs, day_ends
            )
    for name, event in (("contacts", "contact_received"), ("concerns", "concern_raised")):
        t = log.time[log.mask(event)]
        out[name] = np.bincount(t.astype(np.int64), minlength=s.horizon_days)[: s.horizon_days]
    return out


class _Measure:
    """Helpers that restrict one log to the measured period."""

    def __init__(self, log: EventLog, start: float, end: float) -> None:
        self.log, self.start, self.end = log, start, end
        self.in_period = (log.time >= start) & (log.time < end)

    def with_outcomes(self, event: str, outcomes: Iterable[str]) -> np.ndarray:
        codes = [self.log.outcomes.index(o) for o in outcomes]
        return self.log.mask(event) & np.isin(self.log.outcome, codes)

    def count(self, event: str, outcome: str | None = None) -> float:
        return float(np.count_nonzero(self.log.rows(event, outcome) & self.in_period))

    def case_time(self, event: str) -> np.ndarray:
        """Time of the event for each case id (NaN where it did not happen)."""
        n = self.log.attributes["source"].size
        out = np.full(n, np.nan)
        rows = self.log.mask(event)
        out[self.log.case[rows]] = self.log.time[rows]
        return out

    def durations(self, first: str, last: str) -> np.ndarray:
        """Time from ``first`` to ``last`` for each case whose ``last`` is in the period."""
        began = self.case_time(first)
        rows = self.log.mask(last) & self.in_period
        return self.log.time[rows] - began[self.log.case[rows]]

    def time_average(self, enter: np.ndarray, leave: np.ndarray) -> float:
        """Exact time-average over the period of (entered so far - left so far)."""

        def area(times: np.ndarray) -> float:
            return float(np.sum(np.clip(self.end - np.maximum(times, self.start), 0, None)))

        span = self.end - self.start
        return (area(self.log.time[enter]) - area(self.log.time[leave])) / span


def _decisions(log: EventLog, start: float, end: float) -> tuple[np.ndarray, np.ndarray]:
    """Case ids and times of each contact's final front-door decision in the period."""
    nfa = log.rows("left", "not_a_concern")
    rows = (nfa | log.mask("s42_decided")) & (log.time >= start) & (log.time < end)
    return log.case[rows], log.time[rows]


def _next_month(d: dt.date) -> dt.date:
    return dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)


def _ratio(a: float, b: float) -> float:
    return a / b if b else np.nan


def _mean(x: np.ndarray) -> float:
    return float(np.mean(x)) if np.size(x) else np.nan
