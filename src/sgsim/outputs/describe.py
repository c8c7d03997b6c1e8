"""A scenario's assumptions in plain words, for the HTML report and for readers of a run."""

from __future__ import annotations

from sgsim.model.pools import caseload_places, staff_count
from sgsim.scenario.distributions import Distribution
from sgsim.scenario.schema import Scenario


def _pct(x: float) -> str:
    return f"{x:.0%}" if abs(x * 100 - round(x * 100)) < 1e-9 else f"{x:.1%}"


def _mean(d: Distribution | None, unit: str) -> str:
    if d is None:
        return f"0 {unit}"
    return f"{d.mean:.3g} {unit} on average, {type(d).__name__.lower()}"


def assumptions(s: Scenario) -> list[tuple[str, list[str]]]:
    """Sections of sentences describing every assumption of the scenario."""
    d = s.demand
    per_year = d.daily_contacts * 365.25
    sources = ", ".join(
        f"{name.replace('_', ' ')} {_pct(src.share)} ({_pct(src.concern_probability)} become "
        "concerns)"
        for name, src in d.sources.items()
    )
    pr = d.priority
    out = [
        (
            "Period",
            [
                f"The measured period is {s.run.run_days} days from {s.run.start_date:%d %B %Y}, "
                f"after a warm-up of {s.run.warmup_days} days that is simulated and ignored.",
                "Working days are Monday to Friday"
                + (
                    ", less England's bank holidays."
                    if s.calendar.bank_holidays == "england"
                    else "."
                )
                + f" The working day opens at {s.calendar.open_hour:g}:00.",
            ],
        ),
        (
            "Contacts",
            [
                f"About {per_year:,.0f} new contacts a year ({d.daily_contacts:.1f} a day), "
                f"growing {_pct(d.growth_per_year)} a year.",
                f"Sources: {sources}.",
                f"Priority on receipt: urgent {_pct(pr.urgent)}, normal {_pct(pr.normal)}, "
                f"low {_pct(pr.low)}; urgent work is taken first at every step.",
            ],
        ),
        ("Front-door triage", _triage(s)),
        ("Section 42 three-stage test", _s42(s)),
        ("Allocation and enquiry", _allocation(s)),
        ("Closure", _closure(s)),
    ]
    return out


def _triage(s: Scenario) -> list[str]:
    t = s.triage
    lines = [
        f"Every contact is triaged by a {t.role.replace('_', ' ')}, taking "
        f"{_mean(t.touch_minutes, 'minutes')}."
    ]
    if t.second:
        lines.append(
            f"Each contact passed on is triaged again by a {t.second.role.replace('_', ' ')} "
            f"({_mean(t.second.touch_minutes, 'minutes')}), who confirms "
            f"{_pct(t.second.confirm_probability)} as concerns (double triage)."
        )
    if t.nfa_signoff:
        lines.append(
            f"Every 'not a concern' decision is signed off by a "
            f"{t.nfa_signoff.role.replace('_', ' ')} "
            f"({_mean(t.nfa_signoff.touch_minutes, 'minutes')}); "
            f"{_pct(t.nfa_signoff.overturn_probability)} are overturned into concerns."
        )
    else:
        lines.append("'Not a concern' decisions are not signed off by a qualified worker.")
    return lines


def _s42(s: Scenario) -> list[str]:
    q = s.s42_test
    all_three = q.needs_care_and_support * q.abuse_or_neglect * q.unable_to_protect
    lines = [
        f"Each concern is tested by a {q.role.replace('_', ' ')} "
        f"({_mean(q.touch_minutes, 'minutes')}).",
        f"Chances of the three criteria: care and support needs "
        f"{_pct(q.needs_care_and_support)}, abuse or neglect (or its risk) "
        f"{_pct(q.abuse_or_neglect)}, unable to protect themself {_pct(q.unable_to_protect)}; "
        f"all three, and so an s42 enquiry, {_pct(all_three)} of concerns.",
        f"Of the rest, {_pct(q.other_enquiry_probability)} get an other (non-statutory) enquiry.",
        f"The target is a decision within {q.decision_target_working_days} working days of "
        "the contact.",
    ]
    for source, over in q.by_source.items():
        changed = {k: v for k, v in vars(over).items() if v is not None}
        lines.append(
            f"For {source.replace('_', ' ')} concerns: "
            + ", ".join(f"{k.replace('_', ' ')} {_pct(v)}" for k, v in changed.items())
            + "."
        )
    return lines


def _allocation(s: Scenario) -> list[str]:
    a = s.allocation
    lines = []
    for name, team in a.teams.items():
        routed = (
            "sources " + ", ".join(x.replace("_", " ") for x in team.sources)
            if team.sources
            else "every other source"
            if name == a.default_team
            else "no source"
        )
        senior = (
            f"; {', '.join(a.senior_risk_levels)}-risk enquiries go to a "
            f"{team.senior_role.replace('_', ' ')}"
            if team.senior_role
            else ""
        )
        lines.append(
            f"Team {name.replace('_', ' ')} takes {routed}: enquiries held by a "
            f"{team.role.replace('_', ' ')}{senior}."
        )
    lines.append(
        "Risk/complexity: "
        + ", ".join(f"{k} {_pct(v)}" for k, v in a.risk_levels.items())
        + ". An enquiry waits, urgent first, until a practitioner has room under the cap."
    )
    for level, dist in s.enquiry.duration_working_days.items():
        lines.append(f"A {level}-risk enquiry lasts {_mean(dist, 'working days')}.")
    lines.append(f"Practitioner touch time per enquiry: {_mean(s.enquiry.touch_hours, 'hours')}.")
    return lines


def _closure(s: Scenario) -> list[str]:
    c = s.closure
    lines = [
        "Risk outcome at closure: "
        + ", ".join(f"{k.replace('_', ' ')} {_pct(v)}" for k, v in c.risk_outcomes.items())
        + "."
    ]
    if c.signoff_role:
        lines.append(
            f"Closures are signed off by a {c.signoff_role.replace('_', ' ')} "
            f"({_mean(c.signoff_touch_minutes, 'minutes')})."
        )
    if c.return_probability:
        lines.append(
            f"{_pct(c.return_probability)} of adults come back as a new contact, "
            f"{_mean(c.return_after_days, 'days')} after closure."
        )
    return lines


def staffing_rows(s: Scenario) -> list[dict[str, str]]:
    """The staffing table: one row per role."""
    rows = []
    for name, r in s.staffing.items():
        rows.append(
            {
                "role": name.replace("_", " "),
                "headcount": f"{r.headcount:g}",
                "FTE": f"{r.fte:g}",
                "absence": _pct(r.absence_rate),
                "at work": f"{r.effective_staff:.1f}",
                "people simulated": str(staff_count(r)),
                "hours a day": f"{r.hours_per_day:g}",
                "calendar": r.calendar,
                "caseload places": str(caseload_places(r)) if r.caseload_cap else "-",
            }
        )
    return rows
