"""sgsim: a discrete-event simulation of the adult safeguarding pathway of an English council.

Contacts arrive at the front door, are triaged, pass (or fail) the Care Act s42 three-stage
test, are allocated to practitioners, enquired into and closed, with configurable staffing.

From Python (``sgsim.api``; ``docs/python_api.md``):

- ``load(file_or_dict)`` -> ``Model``: a validated scenario;
  ``Model.with_settings({dotted.path: value})`` -> a changed copy;
  ``Model.run(replications, seed, workers)`` -> ``Results``;
- ``Results.metrics()``, ``.summary()``, ``.events()``, ``.daily_queues()`` -> DataFrames;
  ``.plot(name)``, ``.figures()`` -> matplotlib Figures;
- ``compare(models, replications, seed)`` -> ``Comparison``: ``.differences()``,
  ``.figures()``;
- ``ScenarioError``: bad input, with a one-line message.

The API is imported on first use, so the command line does not load pandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Comparison", "Model", "Results", "ScenarioError", "compare", "load"]

if TYPE_CHECKING:
    from sgsim.api import Comparison, Model, Results, ScenarioError, compare, load


def __getattr__(name: str) -> Any:
    if name in __all__:
        from sgsim import api

        return getattr(api, name)
    raise AttributeError(f"module 'sgsim' has no attribute {name!r}")
