"""Step kinds: one module each, found here by their ``KIND`` declaration.

To add a kind, write its module (schema, streams, runner, checks and ``KIND``) in this
package; scenario loading, the model, metrics and outputs read its declarations.
"""

import importlib
import pkgutil

from sgsim.model.steps.base import EVENTS, StepKind


def _discover() -> dict[str, StepKind]:
    kinds: dict[str, StepKind] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        kind = getattr(module, "KIND", None)
        if isinstance(kind, StepKind):
            kinds[kind.name] = kind
    return kinds


KINDS: dict[str, StepKind] = _discover()

__all__ = ["EVENTS", "KINDS", "StepKind"]
