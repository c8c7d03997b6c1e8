"""Metrics: pure functions from one replication's event log to named numbers.

Which metrics a scenario has follows from its steps' kinds (``sgsim.model.steps``): each
kind declares the counts it feeds (concerns, s42 enquiries...), the spans of a person's
touch time and of a caseload place, and whether its end is the front-door decision. Every
step has a queue (joined at ``queued``, left at ``started``) and a wait.

Flows count events inside the measured period (after the warm-up). Waits and durations are
taken for the cases whose wait or duration *ends* inside the period. Queue lengths are
exact time averages over the period. Utilisation is touch hours worked divided by the
hours the pool's effective staff are at work.

Each of these is a function of each case's own events plus sums over cases, so a log is
measured a part of its cases at a time (``sgsim.analysis.partition``): each part gives
its counts, areas and hours (``Sums``), and the metrics are finished from their totals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sgsim.analysis.partition import in_parts
from sgsim.model.calendar import WorkingClock, WorkingDays, scenario_days, team_clock
from sgsim.model.eventlog import EventLog, LogInfo, RunLog
from sgsim.model.pathway import HAND_OVER
from sgsim.model.pools import staff_count, task_stretch
from sgsim.model.rota import overrun_hours, person_hours, roster
from sgsim.model.steps import KINDS
from sgsim.model.steps.base import EVENT_CODE, PRIORITY_CHANGES, Count
from sgsim.model.steps.enquiry import CASELOAD
from sgsim.scenario.changes import period_key, period_title, period_view, steady_pools
from sgsim.scenario.schema import DAYS_PER_YEAR, Role, Scenario, pool_name

# Conversion rates that reports publish, as (numerator counts, denominator count).
RATE_FROM_COUNTS: dict[str, tuple[tuple[str, ...], str]] = {
    "contact_to_concern_rate": (("concerns",), "contacts"),
    "concern_to_s42_rate": (("s42_enquiries",), "concerns"),
    "concern_to_enquiry_rate": (("s42_enquiries", "other_enquiries"), "concerns"),
}
PUBLISHED_RATE_NAMES = tuple(RATE_FROM_COUNTS)
RATE_LABELS = {
    "contact_to_concern_rate": "contacts -> concerns (contacts of the period, once decided)",
    "concern_to_s42_rate": "concerns -> s42 enquiries (concerns of the period, once decided)",
    "concern_to_enquiry_rate": "concerns -> s42 + other (NHS definition; same cohort)",
}


def _kinds(s: Scenario) -> list[str]:
    """The kinds of step in the scenario, in pathway order."""
    return list(dict.fromkeys(step.kind for step in s.steps.values()))


def _totals(s: Scenario) -> dict[str, tuple[str, Count]]:
    """Kind-level counts the scenario's steps feed: name -> (kind, count)."""
    return {name: (kind, c) for kind in _kinds(s) for name, c in KINDS[kind].totals.items()}


def decision_target(s: Scenario) -> int | None:
    """The working days from contact to decision that the council aims for, if any."""
    targets = [
        getattr(step, "decision_target_working_days", None)
        for step in s.steps.values()
        if KINDS[step.kind].decides
    ]
    given = [t for t in targets if t is not None]
    return min(given) if given else None


def queue_names(s: Scenario) -> dict[str, str]:
    """Queues measured over time: per step, and per kind where the kind names its wait."""
    names = {
        f"{name}_queue": f"cases waiting at {name}"
        for name, step in s.steps.items()
        if not KINDS[step.kind].terminal
    }
    for kind in _kinds(s):
        wait = KINDS[kind].wait_name
        if wait:
            names[f"{wait}_queue"] = f"cases waiting for {wait} (all {kind} steps)"
    if s.caseload_pools():
        names["open_enquiries"] = "enquiries open (allocated)"
    return names


def metric_names(s: Scenario) -> dict[str, tuple[str, str]]:
    """Every metric this scenario produces, with its group and label, in display order:
    with ``[[changes]]``, those of the whole run, then each period's (``PERIOD.NAME``)."""
    names = _names(s)
    if s.periods:
        steady = steady_pools(s)
        pooled = ("utilisation_", "utilisation_total_", "caseload_mean_")
        for team, role in s.staff_pools() + s.caseload_pools():
            if (team, role) not in steady:  # staffed differently in different periods
                for prefix in pooled:
                    names.pop(prefix + pool_name(team, role), None)
        for k in range(len(s.periods)):
            title = period_title(s, k)
            for name, (_, label) in _names(period_view(s, k)).items():
                names[f"{period_key(k)}.{name}"] = (title, label)
    return names


def _names(s: Scenario) -> dict[str, tuple[str, str]]:
    totals = _totals(s)
    names: dict[str, tuple[str, str]] = {
        "contacts": ("funnel", "contacts received"),
        "returning_contacts": ("funnel", "of which adults coming back after closure"),
    }
    names |= {name: (c.group, c.label) for name, (_, c) in totals.items()}
    names["open_cases_end"] = ("funnel", "cases still open at the end")
    for rate, (top, bottom) in RATE_FROM_COUNTS.items():
        if all(n in names for n in (*top, bottom)):
            names[rate] = ("conversion", RATE_LABELS[rate])
    if "concerns" in totals:
        names["concerns_per_month_min"] = ("conversion", "concerns in the quietest month")
        names["concerns_per_month_max"] = ("conversion", "concerns in the busiest month")
    if any(KINDS[k].decides for k in _kinds(s)):
        names["decision_working_days_mean"] = ("timeliness", "working days, contact to decision")
        if decision_target(s) is not None:
            names["decision_within_target_rate"] = ("timeliness", "decisions within target")
    for span, label in _span_labels(s).items():
        names[f"{span}_days_mean"] = ("timeliness", label)
    for queue, label in queue_names(s).items():
        names[f"{queue}_mean"] = ("queues", label)
    for team, role in s.staff_pools():
        pool = pool_name(team, role)
        names[f"utilisation_{pool}"] = ("staff", f"share of {role} ({team}) hours on the pathway")
        if _has_other_work(s, s.role(team, role)):
            names[f"utilisation_total_{pool}"] = (
                "staff",
                f"share of {role} ({team}) hours on the pathway and other work",
            )
    for team, role in s.caseload_pools():
        pool = pool_name(team, role)
        names[f"caseload_mean_{pool}"] = ("staff", f"open enquiries per {role} ({team})")
    if s.caseload_pools():
        for abuse in s.demand.abuse_types:
            names[f"abuse_{abuse}"] = ("outcomes", f"concluded enquiries: {abuse}")
    for name, step in s.steps.items():
        if KINDS[step.kind].outcome_counts:
            for outcome in step.own_outcomes():
                names[f"{name}_{outcome}"] = ("outcomes", f"{name}: {outcome}")
        if step.waiting_list is not None:
            for outcome in step.waiting_list.outcome_names():
                names[f"{name}_{outcome}"] = ("queues", f"cases {outcome} from {name}'s list")
            if step.waiting_list.max_wait_days is not None:
                names[f"{name}_breaches"] = (
                    "queues",
                    f"cases waiting at {name} over {step.waiting_list.max_wait_days:g} days",
                )
        if KINDS[step.kind].terminal:
            names[f"exit_{name}"] = ("outcomes", f"cases leaving at {name}")
    for name, review in s.reviews().items():
        who = f"{review.role} ({review.team})"
        names[f"{name}_reviews"] = ("queues", f"reviews of cases waiting at {name}, by {who}")
        names[f"{name}_review_hours"] = ("queues", f"{who} hours reviewing {name}'s list")
        for change in PRIORITY_CHANGES:
            names[f"{name}_{change}"] = ("queues", f"{name}'s reviews: {change}".replace("_", " "))
    for team, role in s.staff_pools():
        r, pool = s.role(team, role), pool_name(team, role)
        if r.overtime is not None:
            names[f"overtime_hours_per_year_{pool}"] = (
                "staff",
                f"overtime hours a year, {role} ({team})",
            )
        if r.works_shifts:
            names[f"overrun_hours_per_year_{pool}"] = (
                "staff",
                f"hours a year finishing a task after going off, {role} ({team})",
            )
    for name in s.demand.other_work:
        names[f"other_work_{name}"] = ("funnel", f"pieces of other work arriving: {name}")
    if any(p.open_cases == "hand_over" for p in s.periods[1:]):
        for name, step in s.steps.items():
            if not KINDS[step.kind].terminal:
                names[f"{name}_handed_over"] = (
                    "queues",
                    f"cases moved from {name}'s queue to the step as a change redefined it",
                )
    for name, backlog in s.backlog.items():
        opened = backlog.open or backlog.open_by_team
        if backlog.waiting or not opened:
            names[f"{name}_backlog_cleared_day"] = (
                "queues",
                f"day the starting backlog at {name} was all taken up (from time zero)",
            )
            names[f"{name}_backlog_waiting_end"] = (
                "queues",
                f"cases of the starting backlog at {name} still waiting at the end",
            )
        if opened:
            names[f"{name}_open_cleared_day"] = (
                "queues",
                f"day the last case open at {name} at the start closed (from time zero)",
            )
            names[f"{name}_open_end"] = (
                "queues",
                f"cases open at {name} at the start still open at the end",
            )
    return names


def _span_labels(s: Scenario) -> dict[str, str]:
    """Per-case spans (days) the scenario has: waits at each step, enquiry durations.

    Each wait comes twice: ``X_wait`` over the waits that ended in the period, and
    ``X_wait_so_far`` counting also the cases still waiting at its end (their wait so
    far), which does not flatter a queue that is getting worse.
    """
    waits = {name: f"at {name}" for name, step in s.steps.items() if not KINDS[step.kind].terminal}
    for kind in _kinds(s):
        if KINDS[kind].wait_name:
            waits[KINDS[kind].wait_name] = f"for {KINDS[kind].wait_name}"
    labels = {}
    for name, where in waits.items():
        labels[f"{name}_wait"] = f"days waiting {where}"
        labels[f"{name}_wait_so_far"] = f"days waiting {where}, with those still waiting"
    if s.caseload_pools():
        labels["enquiry_duration"] = "days from allocation to conclusion"
        labels["contact_to_closure"] = "days from contact to leaving, after an enquiry"
    return labels


def compute(
    log: RunLog,
    s: Scenario,
    days: WorkingDays | None = None,
    each: dict[str, np.ndarray] | None = None,
) -> dict[str, float]:
    """All metrics of one replication (``each``: its ``samples``, if already computed);
    with ``[[changes]]``, each period's too, measured over that period alone.

    A part of the cases at a time (``sgsim.analysis.partition``): each part adds its
    counts, queue areas and touch hours (``Sums``), and the metrics are finished from the
    totals, with what is not a sum over cases (the staff's hours at work) from the whole
    log."""
    days = days or scenario_days(s)
    names = metric_names(s)
    views = [s] + [period_view(s, k) for k in range(len(s.periods))]
    totals = [Sums() for _ in views]

    def measure(part: EventLog) -> list[Sums]:
        return [_part_sums(part, v, days, means=k > 0 or each is None) for k, v in enumerate(views)]

    for sums in in_parts(log, measure):
        for total, own in zip(totals, sums, strict=True):
            total.add(own)
    if each is not None:
        totals[0].total |= _sample_sums(each)
    out = _finish(log, s, days, totals[0])
    for k, view in enumerate(views[1:]):
        own = _finish(log, view, days, totals[k + 1])
        out |= {f"{period_key(k)}.{name}": value for name, value in own.items()}
    return {name: out[name] for name in names}


@dataclass
class Sums:
    """What a part of the cases adds to the metrics: ``total``, sums over its cases
    (counts, queue areas, touch hours; named by the metric, or ``what:name``); ``high``,
    maxima (the day a backlog's last case left); ``spans``, per staff pool index, the
    touch work of pools working shifts, whose hours past a shift's end are not a sum over
    tasks (``sgsim.model.rota.overrun_hours``)."""

    total: dict[str, Any] = field(default_factory=dict)
    high: dict[str, float] = field(default_factory=dict)
    spans: dict[int, list[tuple[np.ndarray, np.ndarray]]] = field(default_factory=dict)

    def add(self, other: Sums) -> None:
        for key, value in other.total.items():
            self.total[key] = self.total[key] + value if key in self.total else value
        for key, high in other.high.items():
            self.high[key] = max(self.high.get(key, -np.inf), high)
        for k, spans in other.spans.items():
            self.spans.setdefault(k, []).extend(spans)

    def busy(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Start and end times of staff pool k's touch work, on every case."""
        spans = self.spans.get(k, [])
        if not spans:
            return np.zeros(0), np.zeros(0)
        return np.concatenate([a for a, _ in spans]), np.concatenate([b for _, b in spans])


def _part_sums(log: EventLog, s: Scenario, days: WorkingDays, means: bool) -> Sums:
    """What the cases of one part of the log add to the metrics (``means``: with the sums
    behind the means of per-case samples)."""
    m = _Measure(log, float(s.run.warmup_days), float(s.horizon_days))
    names = _names(s)
    sums = _touch_sums(log, s, days, np.array([m.start, m.end]), safeguarding=True)
    out = sums.total

    arrived = log.rows("arrived") & contact_cases(log)[log.case]
    out["contacts"] = m.count(arrived)
    returning = (log.attributes["returning_from"] >= 0)[log.case]
    out["returning_contacts"] = m.count(arrived & returning)
    for name, (kind, c) in _totals(s).items():
        out[name] = m.count(log.rows(c.event, kind=kind, outcome=c.outcome))
    safeguarding = safeguarding_cases(log)[log.case]
    before_end = log.time < m.end
    out["open_cases_end"] = float(
        np.count_nonzero(log.rows("arrived") & safeguarding & before_end)
        - np.count_nonzero(log.rows("left") & safeguarding & before_end)
    )
    out |= _cohort_counts(log, s, m)
    if "concerns_per_month_min" in names:
        out |= {f"month:{month}": n for month, n in _concerns_per_month(log, s).items()}
    if means:
        out |= _sample_sums(_samples(log, s, days))
    for queue, (enter, leave) in queue_rows(log, s).items():
        out[f"area:{queue}"] = m.area(enter, leave)
    for team, role in s.caseload_pools():
        pool = pool_name(team, role)
        out[f"area:caseload_{pool}"] = m.area(*_place_rows(log, log.pools.index(pool + CASELOAD)))
    if s.caseload_pools():
        concluded = log.rows("finished", kind="enquiry")
        abuse = log.attributes["abuse_type"][log.case]
        for code, name in enumerate(s.demand.abuse_types):
            out[f"abuse_{name}"] = m.count(concluded & (abuse == code))
    for name, step in s.steps.items():
        if KINDS[step.kind].outcome_counts:
            for outcome in step.own_outcomes():
                out[f"{name}_{outcome}"] = m.count(log.rows("finished", step=name, outcome=outcome))
        if step.waiting_list is not None:
            for outcome in step.waiting_list.outcome_names():
                out[f"{name}_{outcome}"] = m.count(
                    log.rows("left_queue", step=name, outcome=outcome)
                )
            limit = step.waiting_list.max_wait_days
            if limit is not None:
                enter, leave = queue_rows(log, s)[f"{name}_queue"]
                out[f"{name}_breaches"] = float(
                    np.count_nonzero(m.waits_so_far(enter, leave) > limit)
                )
        if KINDS[step.kind].terminal:
            out[f"exit_{name}"] = m.count(log.rows("left", step=name))
    _backlog_sums(log, s, sums)
    out |= _review_sums(log, s, m, days)
    if HAND_OVER in log.outcomes:
        for name in s.steps:
            out[f"{name}_handed_over"] = m.count(
                log.rows("left_queue", step=name, outcome=HAND_OVER)
            )
    kind_of_work = log.attributes["other_work"][log.case]
    for k, name in enumerate(s.demand.other_work):
        out[f"other_work_{name}"] = m.count(log.rows("arrived") & (kind_of_work == k))
    return sums


def _finish(log: LogInfo, s: Scenario, days: WorkingDays, sums: Sums) -> dict[str, float]:
    """The metrics from the parts' sums: ratios, means, time averages, and what is not a
    sum over cases (the staff's hours at work, overtime) from the whole log."""
    names = _names(s)
    total = sums.total
    out = {name: value for name, value in total.items() if name in names}
    start, end = float(s.run.warmup_days), float(s.horizon_days)
    if "concerns" in _totals(s):
        out.update({k: v for k, v in _cohort_rates(total).items() if k in names})
    if "concerns_per_month_min" in names:
        monthly = [n for key, n in total.items() if key.startswith("month:")]
        out["concerns_per_month_min"] = float(min(monthly)) if monthly else np.nan
        out["concerns_per_month_max"] = float(max(monthly)) if monthly else np.nan
    if "decision_working_days_mean" in names:
        out["decision_working_days_mean"] = _mean_of(total, "decision_working_days")
    if "decision_within_target_rate" in names:
        out["decision_within_target_rate"] = _mean_of(total, "decided_within_target")
    for span in _span_labels(s):
        out[f"{span}_days_mean"] = _mean_of(total, f"{span}_days")
    for queue in queue_names(s):
        out[f"{queue}_mean"] = total[f"area:{queue}"] / (end - start)
    period = np.array([start, end])
    out.update(utilisation(log, s, days, sums, period))
    for team, role in s.caseload_pools():
        pool = pool_name(team, role)
        out[f"caseload_mean_{pool}"] = (
            total[f"area:caseload_{pool}"] / (end - start) / s.role(team, role).effective_staff
        )
    out.update(backlog_clearing(s, sums))
    out.update(overtime(log, s, days, sums, period))
    for name, review in s.reviews().items():
        hours = total[f"review_hours:{name}"] / task_stretch(s.role(*review.team_role))
        out[f"{name}_review_hours"] = float(hours)
    return {name: out[name] for name in names}


def overtime(
    log: LogInfo, s: Scenario, days: WorkingDays, sums: Sums, period: np.ndarray
) -> dict[str, float]:
    """Per role working shifts, as rates a year over the period: overtime person-hours
    (roles with overtime), and hours past a shift's end finishing the task in hand."""
    out = {}
    per_year = DAYS_PER_YEAR / (period[1] - period[0])
    for k, (team, role) in enumerate(s.staff_pools()):
        r, pool = s.role(team, role), pool_name(team, role)
        if not r.works_shifts:
            continue
        stays = log.overtime[log.overtime[:, 0] == k, 1:]
        if r.overtime is not None:
            hours = np.diff(person_hours(stays[:, 0], stays[:, 1], stays[:, 2], period))[0]
            out[f"overtime_hours_per_year_{pool}"] = float(hours * per_year)
        on = people_on_duty(log, s, (team, role), days)
        busy = sums.busy(log.pools.index(pool))
        out[f"overrun_hours_per_year_{pool}"] = float(
            np.diff(overrun_hours(busy, on, period))[0] * per_year
        )
    return out


def _review_sums(log: EventLog, s: Scenario, m: _Measure, days: WorkingDays) -> dict[str, float]:
    """Waiting-list reviews done in the period, per step: how many, the reviewers' working
    hours between start and end (``review_hours:STEP``; less the pool's stretch, they are
    its touch hours) and the priorities they changed."""
    out = {}
    for name, review in s.reviews().items():
        done = log.rows("reviewed", step=name)
        rows, t1 = pairs(log, log.rows("review_started", step=name), done)
        clock = team_clock(s, *review.team_role, days)
        ended = (t1 >= m.start) & (t1 < m.end)
        worked = clock.hours_at_many(t1[ended]) - clock.hours_at_many(log.time[rows][ended])
        out[f"{name}_reviews"] = m.count(done)
        out[f"review_hours:{name}"] = float(worked.sum())
        for change in PRIORITY_CHANGES:
            out[f"{name}_{change}"] = m.count(log.rows("reviewed", step=name, outcome=change))
    return out


def _backlog_sums(log: EventLog, s: Scenario, sums: Sums) -> None:
    """For each starting backlog, its cases' waits: how many, how many still waiting at
    the end, and the last leaving; for the cases open at the start, how many closed and
    the last closing."""
    in_backlog = ~np.isnan(log.attributes["backlog_age"])
    rows = queue_rows(log, s)
    for name in s.backlog:
        enter, leave = rows[f"{name}_queue"]
        first, left_at = pairs(log, enter & in_backlog[log.case], leave)
        left_at = left_at[log.time[first] == 0]  # the backlog itself, not later visits
        sums.total[f"backlog_cases:{name}"] = left_at.size
        sums.total[f"backlog_waiting:{name}"] = int(np.count_nonzero(np.isnan(left_at)))
        if not np.all(np.isnan(left_at)):
            sums.high[f"backlog_left:{name}"] = float(np.nanmax(left_at))
    was_open = ~np.isnan(log.attributes["open_age"])
    for name, backlog in s.backlog.items():
        if backlog.open + sum(backlog.open_by_team.values()):
            closed = log.time[log.rows("finished", step=name) & was_open[log.case]]
            sums.total[f"open_closed:{name}"] = closed.size
            if closed.size:
                sums.high[f"open_closed_at:{name}"] = float(closed.max())


def backlog_clearing(s: Scenario, sums: Sums) -> dict[str, float]:
    """For each starting backlog: the day its last case left the step's queue (NaN if some
    are still waiting at the end), and how many are still waiting then; the same for the
    cases open at the start (the day the last closed)."""
    out = {}
    total = sums.total
    for name in s.backlog:
        waiting = total[f"backlog_waiting:{name}"]
        out[f"{name}_backlog_waiting_end"] = float(waiting)
        cleared = waiting == 0 and total[f"backlog_cases:{name}"]
        out[f"{name}_backlog_cleared_day"] = (
            sums.high[f"backlog_left:{name}"] if cleared else np.nan
        )
    for name, backlog in s.backlog.items():
        n = backlog.open + sum(backlog.open_by_team.values())
        if n:
            closed = total[f"open_closed:{name}"]
            out[f"{name}_open_end"] = float(n - closed)
            out[f"{name}_open_cleared_day"] = (
                sums.high[f"open_closed_at:{name}"] if closed == n else np.nan
            )
    return out


def _cohort_counts(log: EventLog, s: Scenario, m: _Measure) -> dict[str, int]:
    """The cohorts behind the conversion rates, followed to their outcome, so numerator
    and denominator are the same cases: the contacts received in the period that have been
    decided (a concern, or left before becoming one) by the end of the run, and the
    concerns raised in the period whose s42 decision was made by then. (Counts of different
    events in one window would mix cohorts: concerns raised in the warm-up decided in the
    period, so a rate could pass 1.)"""
    totals = _totals(s)
    if "concerns" not in totals:
        return {}
    kind, concern = totals["concerns"]
    became_concern = np.zeros(log.n_cases, dtype=bool)
    became_concern[log.case[log.rows(concern.event, kind=kind, outcome=concern.outcome)]] = True
    left = np.zeros(log.n_cases, dtype=bool)
    left[log.case[log.rows("left")]] = True
    cohort = np.zeros(log.n_cases, dtype=bool)
    cohort[log.case[log.rows("arrived") & m.in_period]] = True
    cohort &= contact_cases(log)
    decided = cohort & (became_concern | left)
    raised = np.zeros(log.n_cases, dtype=bool)
    raised[log.case[log.rows(concern.event, kind=kind, outcome=concern.outcome) & m.in_period]] = (
        True
    )
    outcome = np.full(log.n_cases, -1)
    finished = log.rows("finished", kind=kind)
    outcome[log.case[finished]] = log.outcome[finished]
    judged = raised & (outcome >= 0)
    code = {name: log.outcomes.index(name) for name in ("s42_enquiry", "other_enquiry")}
    return {
        "cohort:decided": np.count_nonzero(decided),
        "cohort:concern": np.count_nonzero(decided & became_concern),
        "cohort:judged": np.count_nonzero(judged),
        "cohort:s42": np.count_nonzero(judged & (outcome == code["s42_enquiry"])),
        "cohort:other": np.count_nonzero(judged & (outcome == code["other_enquiry"])),
    }


def _cohort_rates(total: dict[str, Any]) -> dict[str, float]:
    """Conversion rates over the cohorts of ``_cohort_counts``."""
    judged, s42 = total["cohort:judged"], total["cohort:s42"]
    return {
        "contact_to_concern_rate": _ratio(total["cohort:concern"], total["cohort:decided"]),
        "concern_to_s42_rate": _ratio(s42, judged),
        "concern_to_enquiry_rate": _ratio(s42 + total["cohort:other"], judged),
    }


def queue_rows(log: EventLog, s: Scenario) -> QueueRows:
    """For each queue, the rows that join it and the rows that leave it."""
    return QueueRows(log, s)


class QueueRows(Mapping[str, tuple[np.ndarray, np.ndarray]]):
    """Each queue's joining and leaving rows, built when asked for: every queue's masks
    at once would hold two bytes an event per queue (a gigabyte at England's scale)."""

    def __init__(self, log: EventLog, s: Scenario) -> None:
        self.log = log
        self.steps: dict[str, list[int]] = {
            f"{name}_queue": [log.steps.index(name)]
            for name, step in s.steps.items()
            if not KINDS[step.kind].terminal
        }
        for kind in _kinds(s):
            wait = KINDS[kind].wait_name
            if wait:
                self.steps[f"{wait}_queue"] = [k for k, x in enumerate(log.kinds) if x == kind]
        self.names = list(self.steps) + (["open_enquiries"] if s.caseload_pools() else [])

    def __getitem__(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        log = self.log
        if name == "open_enquiries" and name in self.names:
            return log.rows("started", kind="enquiry"), log.rows("finished", kind="enquiry")
        at = np.isin(log.step, self.steps[name])
        served_or_left = log.rows("started") | log.rows("left_queue")
        return log.rows("queued") & at, served_or_left & at

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)


def _place_rows(log: EventLog, pool: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows taking and freeing a place of one caseload pool, for any work holding one."""
    holding = np.isin(log.step, [k for k, kind in enumerate(log.kinds) if KINDS[kind].place_span])
    mine = (log.pool == pool) & holding
    return log.rows("started") & mine, log.rows("finished") & mine


def pairs(log: EventLog, first: np.ndarray, last: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Match each ``first`` row with its case's next ``last`` row (a case is at one step at
    a time): returns the ``first`` row indices and the matching times (NaN if none yet).

    The log is in time order, ties in the order events happened, so a stable sort by case
    keeps each case's events in the order they happened.
    """
    rows = np.flatnonzero(first | last)
    is_last = last[rows]
    order = np.argsort(log.case[rows], kind="stable")
    rows, is_last = rows[order], is_last[order]
    starts = np.flatnonzero(~is_last)
    following = starts + 1
    ok = following < rows.size
    paired = np.zeros(starts.size, dtype=bool)
    paired[ok] = is_last[following[ok]] & (
        log.case[rows[following[ok]]] == log.case[rows[starts[ok]]]
    )
    t_last = np.full(starts.size, np.nan)
    t_last[paired] = log.time[rows[following[paired]]]
    return rows[starts], t_last


def _touch_events(s: Scenario) -> list[tuple[str, str, str | None]]:
    """(start event, end event, kind or None for any step) of every span of touch time."""
    out: list[tuple[str, str, str | None]] = [
        (first, last, kind) for kind in _kinds(s) for first, last in KINDS[kind].touch_spans
    ]
    if s.reviews():
        out.append(("review_started", "reviewed", None))
    return out


def _touch_spans(
    log: EventLog, s: Scenario, cases: np.ndarray | None = None
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Per staff pool index, the start and end times of its touch work (on the cases
    ``cases`` marks, or on all); unfinished work is busy to the end of the run."""
    spans: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
    horizon = float(s.horizon_days)
    for first, last, kind in _touch_events(s):
        rows, t1 = pairs(log, log.rows(first, kind=kind), log.rows(last, kind=kind))
        if cases is not None:
            keep = cases[log.case[rows]]
            rows, t1 = rows[keep], t1[keep]
        t0, pool = log.time[rows], log.pool[rows]
        t1 = np.where(np.isnan(t1), horizon, t1)
        for k in np.unique(pool):
            mine = pool == k
            spans.setdefault(int(k), []).append((t0[mine], t1[mine]))
    return {
        k: (np.concatenate([a for a, _ in parts]), np.concatenate([b for _, b in parts]))
        for k, parts in spans.items()
    }


def _touch_sums(
    log: EventLog, s: Scenario, days: WorkingDays, t: np.ndarray, safeguarding: bool
) -> Sums:
    """Per staff pool, the touch hours worked between consecutive times t: on every case
    (``busy:POOL``) and, if asked and other work comes as its own demand, on safeguarding
    cases alone (``busy_safeguarding:POOL``); and the touch work of pools working shifts."""
    sums = Sums()
    every = _touch_spans(log, s)
    mine = every
    if safeguarding and s.demand.other_work:
        mine = _touch_spans(log, s, safeguarding_cases(log))
    none = (np.zeros(0), np.zeros(0))
    for team, role in s.staff_pools():
        pool = pool_name(team, role)
        k, clock = log.pools.index(pool), team_clock(s, team, role, days)
        sums.total[f"busy:{pool}"] = _worked(clock, every.get(k, none), t)
        if mine is not every:
            sums.total[f"busy_safeguarding:{pool}"] = _worked(clock, mine.get(k, none), t)
        if s.role(team, role).works_shifts and k in every:
            sums.spans[k] = [every[k]]
    return sums


def _worked(clock: WorkingClock, busy: tuple[np.ndarray, np.ndarray], t: np.ndarray) -> np.ndarray:
    """Touch hours of tasks (``busy``: starts, ends) worked between consecutive times t,
    from the hours worked up to a time: the sum over tasks of min(W1, W(t)) - min(W0, W(t))
    on the working clock W."""
    b = clock.hours_at_many(np.asarray(t, dtype=float))

    def sum_min(x: np.ndarray) -> np.ndarray:
        """sum_i min(x_i, b) for each b."""
        x = np.sort(x)
        cum = np.concatenate(([0.0], np.cumsum(x)))
        k = np.searchsorted(x, b, side="right")
        return cum[k] + b * (x.size - k)

    return np.diff(sum_min(clock.hours_at_many(busy[1])) - sum_min(clock.hours_at_many(busy[0])))


def at_work(
    log: LogInfo,
    s: Scenario,
    pair: tuple[str, str],
    clock: WorkingClock,
    days: WorkingDays,
    busy: tuple[np.ndarray, np.ndarray],
) -> Callable[[np.ndarray], np.ndarray]:
    """Person-hours the pool's simulated people are at work from time zero to each time:
    the working clock times the people, or, for a role working shifts, the rostered
    hours, the overtime, and the time past a shift's end finishing a task (``busy``: the
    pool's touch work)."""
    r = s.role(*pair)
    if not r.works_shifts:
        people = staff_count(r)
        return lambda t: clock.hours_at_many(t) * people
    on = people_on_duty(log, s, pair, days)

    def hours(t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        return person_hours(*on, t) + overrun_hours(busy, on, t)

    return hours


def people_on_duty(
    log: LogInfo, s: Scenario, pair: tuple[str, str], days: WorkingDays
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Spans (starts, ends, people) of a shift-working pool's people on: its roster, then
    its overtime stays."""
    rostered = roster(s, s.role(*pair), days)
    stays = log.overtime[log.overtime[:, 0] == s.staff_pools().index(pair), 1:]
    return (
        np.concatenate([rostered.start, stays[:, 0]]),
        np.concatenate([rostered.end, stays[:, 1]]),
        np.concatenate([rostered.people, stays[:, 2]]),
    )


def _shares(
    log: LogInfo, s: Scenario, days: WorkingDays, sums: Sums, t: np.ndarray, key: str
) -> dict[str, np.ndarray]:
    """Per staff pool, the share of its hours at work spent on pathway tasks in each
    interval between consecutive times t (touch hours: ``KEY:POOL`` of the sums).

    Tasks are stretched by people / pathway staff in the simulation (see
    ``sgsim.model.pools``), so busy hours over the hours the simulated people are at
    work is the share of the *pathway's* hours in use; times (1 - other work share) it
    is the share of all hours at work.
    """
    out = {}
    for team, role in s.staff_pools():
        pool, r = pool_name(team, role), s.role(team, role)
        clock = team_clock(s, team, role, days)
        hours = at_work(log, s, (team, role), clock, days, sums.busy(log.pools.index(pool)))
        available = np.diff(hours(t))
        busy = sums.total[f"{key}:{pool}"] * (1 - r.other_work_share)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[pool] = np.where(available > 0, busy / available, np.nan)
    return out


def utilisation(
    log: LogInfo, s: Scenario, days: WorkingDays, sums: Sums, period: np.ndarray
) -> dict[str, float]:
    """Touch hours worked in the period over the pool's hours at work in the period: on
    safeguarding, and in total (with other work, as its own demand or a fixed share)."""
    key = "busy_safeguarding" if s.demand.other_work else "busy"
    safeguarding = _shares(log, s, days, sums, period, key)
    every = _shares(log, s, days, sums, period, "busy") if s.demand.other_work else safeguarding
    out = {}
    for team, role in s.staff_pools():
        pool, r = pool_name(team, role), s.role(team, role)
        out[f"utilisation_{pool}"] = float(safeguarding[pool][0])
        if _has_other_work(s, r):
            out[f"utilisation_total_{pool}"] = float(every[pool][0]) + r.other_work_share
    return out


def safeguarding_cases(log: EventLog) -> np.ndarray:
    """Per case id: a safeguarding case (a contact or a backlog case), not other work."""
    return log.attributes["other_work"] < 0


def contact_cases(log: EventLog) -> np.ndarray:
    """Per case id: a contact received during the run (not other work, not a backlog,
    not a case open at the start)."""
    new = np.isnan(log.attributes["backlog_age"]) & np.isnan(log.attributes["open_age"])
    return safeguarding_cases(log) & new


def _has_other_work(s: Scenario, role: Role) -> bool:
    return role.other_work_share > 0 or bool(s.demand.other_work)


def weekly_utilisation(log: RunLog, s: Scenario, days: WorkingDays) -> dict[str, np.ndarray]:
    """Utilisation of each staff pool in each week of the run (the last may be partial)."""
    edges = np.append(np.arange(0, s.horizon_days, 7, dtype=float), float(s.horizon_days))
    sums = Sums()
    for own in in_parts(log, lambda part: _touch_sums(part, s, days, edges, safeguarding=False)):
        sums.add(own)
    return {"week_start_day": edges[:-1]} | _shares(log, s, days, sums, edges, "busy")


def concerns_per_month(log: RunLog, s: Scenario) -> dict[str, int]:
    """Concerns raised in each calendar month that lies wholly inside the measured period."""
    sums = Sums()
    for own in in_parts(log, lambda part: _concerns_per_month(part, s)):
        sums.add(Sums(own))
    return sums.total


def _concerns_per_month(log: EventLog, s: Scenario) -> dict[str, int]:
    """Concerns raised in each calendar month that lies wholly inside the measured period."""
    totals = _totals(s)
    if "concerns" not in totals:
        return {}
    kind, c = totals["concerns"]
    t = log.time[log.rows(c.event, kind=kind, outcome=c.outcome)]
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


def samples(log: RunLog, s: Scenario, days: WorkingDays) -> dict[str, np.ndarray]:
    """Per-case values behind the means and plots.

    Timeliness against the target is judged on the cohort of contacts whose deadline falls
    in the measured period: a contact still undecided at its deadline is a breach. Counting
    only decided contacts would flatter an overloaded front door, whose oldest, lowest
    priority contacts are exactly the ones not yet decided.

    A part of the cases at a time (``sgsim.analysis.partition``).
    """
    parts = in_parts(log, lambda part: _samples(part, s, days))
    if len(parts) == 1:
        return parts[0]
    return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}


def _samples(log: EventLog, s: Scenario, days: WorkingDays) -> dict[str, np.ndarray]:
    m = _Measure(log, float(s.run.warmup_days), float(s.horizon_days))
    out: dict[str, np.ndarray] = {}
    arrived = m.case_time(log.rows("arrived") & contact_cases(log)[log.case])
    if any(KINDS[k].decides for k in _kinds(s)):
        decided = np.full(arrived.size, np.nan)
        case, at = _decisions(log, s, m.end)
        decided[case] = at
        in_period = (decided >= m.start) & (decided < m.end) & ~np.isnan(arrived)
        out["decision_working_days"] = days.elapsed(arrived[in_period], decided[in_period])
        target = decision_target(s)
        if target is not None:
            deadline = days.deadline(arrived, target)
            cohort = (deadline > m.start) & (deadline <= m.end)
            out["decided_within_target"] = decided[cohort] < deadline[cohort]  # NaN is False
    for queue, (enter, leave) in queue_rows(log, s).items():
        if queue == "open_enquiries":
            continue
        out[queue.removesuffix("_queue") + "_wait_days"] = m.durations(enter, leave)
        out[queue.removesuffix("_queue") + "_wait_so_far_days"] = m.waits_so_far(enter, leave)
    if s.caseload_pools():
        enter, leave = queue_rows(log, s)["open_enquiries"]
        out["enquiry_duration_days"] = m.durations(enter, leave)
        left = log.rows("left")
        concluded = np.zeros(log.n_cases, dtype=bool)
        concluded[log.case[log.rows("finished", kind="enquiry")]] = True
        rows = left & concluded[log.case] & m.in_period & ~np.isnan(arrived[log.case])
        out["contact_to_closure_days"] = log.time[rows] - arrived[log.case[rows]]
    return out


def daily_queues(log: RunLog, s: Scenario) -> dict[str, np.ndarray]:
    """Queue lengths at the end of each simulated day, and each day's arrivals (a part of
    the cases at a time)."""
    sums = Sums()
    for own in in_parts(log, lambda part: _daily_queues(part, s)):
        sums.add(Sums(own))
    return {"day": np.arange(s.horizon_days, dtype=float)} | sums.total


def _daily_queues(log: EventLog, s: Scenario) -> dict[str, np.ndarray]:
    day_ends = np.arange(1, s.horizon_days + 1, dtype=float)
    out: dict[str, np.ndarray] = {}

    def level(enter: np.ndarray, leave: np.ndarray) -> np.ndarray:
        ins = np.sort(log.time[enter])
        outs = np.sort(log.time[leave])
        return np.searchsorted(ins, day_ends, side="left") - np.searchsorted(
            outs, day_ends, side="left"
        )

    for queue, (enter, leave) in queue_rows(log, s).items():
        out[queue] = level(enter, leave)
    for team, role in s.caseload_pools():
        pool = pool_name(team, role)
        out[f"open_enquiries_{pool}"] = level(*_place_rows(log, log.pools.index(pool + CASELOAD)))
    counted = {"contacts": log.rows("arrived") & contact_cases(log)[log.case]}
    totals = _totals(s)
    if "concerns" in totals:
        kind, c = totals["concerns"]
        counted["concerns"] = log.rows(c.event, kind=kind, outcome=c.outcome)
    for name, rows in counted.items():
        t = log.time[rows]
        out[name] = np.bincount(t.astype(np.int64), minlength=s.horizon_days)[: s.horizon_days]
    return out


class _Measure:
    """Helpers that restrict one log to the measured period."""

    def __init__(self, log: EventLog, start: float, end: float) -> None:
        self.log, self.start, self.end = log, start, end
        self.in_period = (log.time >= start) & (log.time < end)

    def count(self, rows: np.ndarray) -> float:
        return float(np.count_nonzero(rows & self.in_period))

    def case_time(self, rows: np.ndarray) -> np.ndarray:
        """Time of the (first) row for each case id (NaN where none)."""
        out = np.full(self.log.n_cases, np.nan)
        picked = np.flatnonzero(rows)[::-1]  # the earliest row is written last
        out[self.log.case[picked]] = self.log.time[picked]
        return out

    def durations(self, first: np.ndarray, last: np.ndarray) -> np.ndarray:
        """Time from each ``first`` row to its case's next ``last`` row, ending in the period."""
        rows, t1 = pairs(self.log, first, last)
        ended = (t1 >= self.start) & (t1 < self.end)
        return t1[ended] - self.log.time[rows][ended]

    def waits_so_far(self, enter: np.ndarray, leave: np.ndarray) -> np.ndarray:
        """Each wait that ends in the period, and each still going at its end (so far)."""
        rows, t1 = pairs(self.log, enter, leave)
        t0 = self.log.time[rows]
        ended = (t1 >= self.start) & (t1 < self.end)
        waiting = (t0 < self.end) & ~(t1 < self.end)  # not left by the end (NaN: never)
        return np.concatenate([t1[ended] - t0[ended], self.end - t0[waiting]])

    def area(self, enter: np.ndarray, leave: np.ndarray) -> float:
        """The area under (entered so far - left so far) over the period: over the
        period's length, its exact time average."""

        def area(times: np.ndarray) -> float:
            return float(np.sum(np.clip(self.end - np.maximum(times, self.start), 0, None)))

        return area(self.log.time[enter]) - area(self.log.time[leave])


def _decisions(log: EventLog, s: Scenario, end: float) -> tuple[np.ndarray, np.ndarray]:
    """Case ids and times of each contact's front-door decision: the end of a deciding
    step, or leaving the pathway before reaching one."""
    deciding = [k for k, kind in enumerate(log.kinds) if KINDS[kind].decides]
    rows = (log.event == EVENT_CODE["finished"]) & np.isin(log.step, deciding)
    rows |= log.rows("left")
    rows &= (log.time < end) & safeguarding_cases(log)[log.case]
    picked = np.flatnonzero(rows)[::-1]  # keep each case's earliest
    first = np.full(log.n_cases, np.nan)
    first[log.case[picked]] = log.time[picked]
    case = np.flatnonzero(~np.isnan(first))
    return case, first[case]


def _next_month(d: dt.date) -> dt.date:
    return dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)


def _ratio(a: float, b: float) -> float:
    return a / b if b else np.nan


def _sample_sums(each: dict[str, np.ndarray]) -> dict[str, Any]:
    """The sum and the number of each sample's values (``sum:NAME``, ``n:NAME``)."""
    out: dict[str, Any] = {}
    for name, values in each.items():
        out[f"sum:{name}"] = np.sum(values)
        out[f"n:{name}"] = values.size
    return out


def _mean_of(total: dict[str, Any], name: str) -> float:
    """The mean of a sample from its sum and size (NaN for none)."""
    n = total[f"n:{name}"]
    return float(total[f"sum:{name}"] / n) if n else np.nan
