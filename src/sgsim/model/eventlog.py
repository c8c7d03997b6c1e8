"""The event log: one row per case event, the single source of truth for every metric.

Columns follow the layout process-mining and animation tools (e.g. vidigi) read:
``entity_id, event_type, event, time, resource_id``, plus the stage, the staff role and the
outcome. Codes are small integers during the run and are named on output.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# event name: (event_type, stage). The order defines the integer codes.
EVENTS: dict[str, tuple[str, str]] = {
    "contact_received": ("arrival_departure", "front_door"),
    "triage_started": ("resource_use", "triage"),
    "triaged": ("resource_use_end", "triage"),
    "second_triage_started": ("resource_use", "second_triage"),
    "second_triaged": ("resource_use_end", "second_triage"),
    "nfa_signoff_started": ("resource_use", "nfa_signoff"),
    "nfa_signed_off": ("resource_use_end", "nfa_signoff"),
    "concern_raised": ("queue", "s42_decision"),
    "decision_started": ("resource_use", "s42_decision"),
    "s42_decided": ("resource_use_end", "s42_decision"),
    "allocated": ("resource_use", "caseload"),
    "enquiry_started": ("resource_use", "enquiry"),
    "enquiry_work_done": ("resource_use_end", "enquiry"),
    "enquiry_concluded": ("resource_use_end", "caseload"),
    "closure_signoff_started": ("resource_use", "closure"),
    "closed": ("resource_use_end", "closure"),
    "left": ("arrival_departure", "exit"),
}
CODE = {name: i for i, name in enumerate(EVENTS)}

# Tasks that take a person's touch time: (start event, end event).
TASKS = {
    "triage": ("triage_started", "triaged"),
    "second_triage": ("second_triage_started", "second_triaged"),
    "nfa_signoff": ("nfa_signoff_started", "nfa_signed_off"),
    "s42_decision": ("decision_started", "s42_decided"),
    "enquiry": ("enquiry_started", "enquiry_work_done"),
    "closure": ("closure_signoff_started", "closed"),
}

# Outcomes every scenario has; teams, abuse types and risk outcomes are added per scenario.
FIXED_OUTCOMES = (
    "",
    "concern",
    "not_a_concern",
    "upheld",
    "overturned",
    "s42_enquiry",
    "other_enquiry",
    "no_enquiry",
)
# Where a case leaves the pathway (outcome of the ``left`` event).
EXITS = ("not_a_concern", "no_enquiry", "closed")


@dataclass(frozen=True)
class EventLog:
    """One replication's events as columns, with the names behind the codes."""

    replication: int
    case: np.ndarray  # int64, case (entity) id
    event: np.ndarray  # int16, code into EVENTS
    time: np.ndarray  # float64, days from the origin
    role: np.ndarray  # int16, index into roles, -1 for none
    resource: np.ndarray  # int32, person or caseload place within the role, 0 for none
    outcome: np.ndarray  # int16, index into outcomes
    roles: tuple[str, ...]
    outcomes: tuple[str, ...]
    attributes: dict[str, np.ndarray]  # per-case: source, priority, team, ... (by case id)
    attribute_names: dict[str, tuple[str, ...]]  # category names for coded attributes

    def __len__(self) -> int:
        return int(self.case.size)

    def mask(self, name: str) -> np.ndarray:
        """Rows of one event."""
        return self.event == CODE[name]

    def rows(self, name: str, outcome: str | None = None) -> np.ndarray:
        """Boolean mask of one event, optionally with one outcome."""
        m = self.event == CODE[name]
        if outcome is not None:
            m &= self.outcome == self.outcomes.index(outcome)
        return m
