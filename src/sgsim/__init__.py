"""sgsim: a discrete-event simulation of the adult safeguarding pathway of an English council.

Contacts arrive at the front door, are triaged, pass (or fail) the Care Act s42 three-stage
test, are allocated to practitioners, enquired into and closed, with configurable staffing.
"""

__version__ = "0.1.0"
