"""The case process: one SimPy generator walks a contact along the whole pathway.

contact -> front-door triage -> (second triage) -> (sign-off of 'not a concern') -> concern
-> s42 three-stage test -> s42 / other enquiry -> allocation to a caseload place -> enquiry
work -> (manager sign-off) -> closure -> (later, a new contact from the same adult).

Every outcome was drawn when the contact was created (``sgsim.model.demand``); this module only
spends time, holds staff and caseload places, and records events. It computes no rates.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import simpy

from sgsim.model.demand import Cases
from sgsim.model.eventlog import CODE
from sgsim.model.pools import CaseloadPool, StaffPool
from sgsim.scenario.schema import Scenario

Record = Callable[[tuple[int, int, float, int, int, int]], None]

E = CODE  # short alias for event codes in the hot loop


class Pathway:
    """Wires the scenario's steps to staff pools and runs each contact through them."""

    def __init__(
        self,
        env: simpy.Environment,
        s: Scenario,
        cases: Cases,
        staff: dict[str, StaffPool],
        caseloads: dict[str, CaseloadPool],
        outcome_code: dict[str, int],
        record: Record,
        more_cases: Callable[[], None],
    ) -> None:
        self.env = env
        self.s = s
        self.cases = cases
        self.record = record
        self.more_cases = more_cases
        self.roles = list(staff)
        self.staff = staff
        self.role_code = {name: i for i, name in enumerate(staff)}
        caseload_roles = s.caseload_roles()
        self.caseload = [caseloads[r] for r in caseload_roles]
        self.caseload_staff = [staff[r] for r in caseload_roles]
        self.caseload_role_code = [self.role_code[r] for r in caseload_roles]
        self.o = outcome_code
        self.team_outcome = [outcome_code[t] for t in s.allocation.teams]
        self.abuse_outcome = [outcome_code[a] for a in s.enquiry.abuse_types]
        self.risk_outcome = [outcome_code[r] for r in s.closure.risk_outcomes]
        self.next_return = 0  # next unused case id among returning contacts
        self.parent: dict[int, int] = {}

    # ------------------------------------------------------------------ arrivals

    def arrivals(self, times: list[float]) -> Generator[Any, Any, None]:
        """Start a case process at each new contact's arrival time."""
        env = self.env
        for i, t in enumerate(times):
            yield env.timeout(t - env.now)
            env.process(self.contact(i))

    def returning(self, parent: int, delay: float) -> Generator[Any, Any, None]:
        """An adult whose enquiry closed comes back as a new contact after ``delay`` days."""
        yield self.env.timeout(delay)
        if self.next_return >= len(self.cases):
            self.more_cases()
        i = self.next_return
        self.next_return += 1
        self.parent[i] = parent
        yield from self.contact(i)

    # ------------------------------------------------------------------ steps

    def work(
        self,
        pool: StaffPool,
        role: int,
        i: int,
        priority: int,
        hours: float,
        start: int,
        end: int,
        outcome: int,
    ) -> Generator[Any, Any, None]:
        """A person of the role takes the task (urgent first), works its touch time, records.

        A task taken out of hours holds its person until the next opening, when the work
        (and the recorded start) begins; it may carry over a night or a weekend.
        """
        env = self.env
        wait = pool.acquire(priority)
        if wait is not None:
            yield wait
        person = pool.free.pop()
        now = env.now
        clock = pool.clock
        begin = clock.next_open(now) if hours > 0 else now  # nothing to wait for if no work
        self.record((i, start, begin, role, person, 0))
        done = clock.add_hours(now, hours * pool.stretch)
        yield env.timeout(done - now)
        self.record((i, end, done, role, person, outcome))
        pool.free.append(person)
        pool.release()

    def contact(self, i: int) -> Generator[Any, Any, None]:
        """The whole pathway of one contact."""
        env, c, o, s, record = self.env, self.cases, self.o, self.s, self.record
        record((i, E["contact_received"], env.now, -1, 0, 0))
        p = c.priority[i]

        # front-door triage, then the optional second triage and sign-off of 'not a concern'
        tri = s.triage
        concern = c.concern[i]
        yield from self.work(
            self.staff[tri.role],
            self.role_code[tri.role],
            i,
            p,
            c.triage_minutes[i] / 60,
            E["triage_started"],
            E["triaged"],
            o["concern"] if concern else o["not_a_concern"],
        )
        if concern and tri.second:
            concern = c.second_confirms[i]
            yield from self.work(
                self.staff[tri.second.role],
                self.role_code[tri.second.role],
                i,
                p,
                c.second_minutes[i] / 60,
                E["second_triage_started"],
                E["second_triaged"],
                o["concern"] if concern else o["not_a_concern"],
            )
        if not concern and tri.nfa_signoff:
            concern = c.overturned[i]
            yield from self.work(
                self.staff[tri.nfa_signoff.role],
                self.role_code[tri.nfa_signoff.role],
                i,
                p,
                c.signoff_minutes[i] / 60,
                E["nfa_signoff_started"],
                E["nfa_signed_off"],
                o["overturned"] if concern else o["upheld"],
            )
        if not concern:
            record((i, E["left"], env.now, -1, 0, o["not_a_concern"]))
            return

        # the s42 three-stage test
        record((i, E["concern_raised"], env.now, -1, 0, 0))
        s42 = c.s42[i]
        other = not s42 and c.other_enquiry[i]
        decision = "s42_enquiry" if s42 else "other_enquiry" if other else "no_enquiry"
        yield from self.work(
            self.staff[s.s42_test.role],
            self.role_code[s.s42_test.role],
            i,
            p,
            c.decision_minutes[i] / 60,
            E["decision_started"],
            E["s42_decided"],
            o[decision],
        )
        if decision == "no_enquiry":
            record((i, E["left"], env.now, -1, 0, o["no_enquiry"]))
            return
        yield from self.enquiry(i, p)
        yield from self.closure(i, p)

    def enquiry(self, i: int, p: int) -> Generator[Any, Any, None]:
        """Wait for a caseload place (urgent first), do the work, hold the place till done."""
        env, c = self.env, self.cases
        k = c.caseload_role[i]
        places = self.caseload[k]
        role = self.caseload_role_code[k]
        wait = places.acquire(p)
        if wait is not None:
            yield wait
        place = places.free.pop()
        now = env.now
        self.record((i, E["allocated"], now, role, place, self.team_outcome[c.team[i]]))
        pool = self.caseload_staff[k]
        elapsed_end = pool.clock.add_working_days(now, c.duration_days[i])
        if c.enquiry_hours[i] > 0:
            yield from self.work(
                pool,
                role,
                i,
                p,
                c.enquiry_hours[i],
                E["enquiry_started"],
                E["enquiry_work_done"],
                0,
            )
        if elapsed_end > env.now:
            yield env.timeout(elapsed_end - env.now)
        self.record(
            (i, E["enquiry_concluded"], env.now, role, place, self.abuse_outcome[c.abuse_type[i]])
        )
        places.free.append(place)
        places.release()

    def closure(self, i: int, p: int) -> Generator[Any, Any, None]:
        """Optional manager sign-off, the risk outcome, and perhaps a later new contact."""
        env, c, s = self.env, self.cases, self.s
        outcome = self.risk_outcome[c.risk_outcome[i]]
        role = s.closure.signoff_role
        if role:
            yield from self.work(
                self.staff[role],
                self.role_code[role],
                i,
                p,
                c.closure_minutes[i] / 60,
                E["closure_signoff_started"],
                E["closed"],
                outcome,
            )
        else:
            self.record((i, E["closed"], env.now, -1, 0, outcome))
        self.record((i, E["left"], env.now, -1, 0, self.o["closed"]))
        if c.returns[i]:
            env.process(self.returning(i, c.return_delay[i]))
