"""The SimPy model of the pathway: staff pools, the case process, and ``simulate``."""

from sgsim.model.eventlog import EVENTS, EventLog
from sgsim.model.simulate import simulate

__all__ = ["EVENTS", "EventLog", "simulate"]
