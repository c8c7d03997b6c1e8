"""sgsim from Python: load a scenario, change it, run it, and get pandas DataFrames and
matplotlib Figures (for notebooks; ``docs/python_api.md`` walks through it).

    import sgsim

    ws = sgsim.load("scenarios/west_sussex_2022_23.toml")
    fewer = ws.with_settings({"teams.sah.roles.triage_officer.headcount": 4})
    results = fewer.run(replications=10, seed=1)
    results.summary()                                   # mean and 95% interval per metric
    sgsim.compare({"now": ws, "fewer": fewer}).differences()

Bad input raises ``ScenarioError``, whose message is the one line the command line prints
(file, key, what was expected, what was found); nothing here raises ``SystemExit``. Figures
are made outside pyplot, so the caller's matplotlib backend and open figures are left as
they were, and nothing is shown until the caller shows it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from sgsim.analysis.comparison import paired_differences, unique_labels
from sgsim.outputs import frames
from sgsim.outputs.figures import compare_figures, draw, draw_all, figure_names
from sgsim.scenario.errors import ScenarioError
from sgsim.scenario.loading import build_scenario, read_scenario_raw
from sgsim.scenario.schema import Scenario
from sgsim.studies.runner import RunResult, run_replications
from sgsim.studies.settings import apply_any_settings

__all__ = ["Comparison", "Model", "Results", "ScenarioError", "compare", "load"]

SEED = 12345  # the command line's default, so a notebook and `sgsim run` agree
REPLICATIONS = 20
DICT_SOURCE = "(scenario given as a dict)"  # where errors in a dict say they are


def load(source: str | Path | Mapping[str, Any]) -> Model:
    """A scenario from a TOML file (with its ``extends`` chain) or from a dict shaped like
    one, validated as ``sgsim validate`` does it."""
    if isinstance(source, Mapping):
        if "extends" in source:
            raise ScenarioError(
                DICT_SOURCE,
                "extends",
                "no extends in a dict (load the file it names, then use with_settings)",
                source["extends"],
            )
        raw, where = dict(source), DICT_SOURCE
    else:
        raw, where = read_scenario_raw(source), str(source)
    return Model(build_scenario(raw, where), raw, where)


@dataclass(frozen=True, repr=False)
class Model:
    """A validated scenario, with the parsed mapping it was built from (for new settings)
    and where it came from (for error messages)."""

    scenario: Scenario
    raw: Mapping[str, Any]
    source: str

    @property
    def name(self) -> str:
        return self.scenario.name

    def __repr__(self) -> str:
        return f"Model({self.name!r} from {self.source})"

    def with_settings(self, settings: Mapping[str, Any]) -> Model:
        """A copy with settings by dotted path, e.g.
        ``{"teams.sah.roles.triage_officer.headcount": 5, "demand.growth_per_year": 0.05}``.

        Paths are checked against the scenario's own names; setting some shares of a mix
        rescales the others to keep it summing to 1 (``sgsim.studies.settings``). A value
        that is not a number (a word, a list of routes, a distribution's table, "none" to
        switch a step off) is set as given. The result is validated like a file.
        """
        raw = apply_any_settings(self.raw, settings, self.source)
        return Model(build_scenario(raw, self.source), raw, self.source)

    def run(
        self,
        replications: int = REPLICATIONS,
        seed: int = SEED,
        workers: int = 1,
        event_logs: int = 1,
    ) -> Results:
        """Run replications 0..N-1 with the seed, in ``workers`` processes (the results are
        the same for any number); keep the event logs of the first ``event_logs``."""
        _need_counts(replications=replications, workers=workers)
        _need_counts(minimum=0, seed=seed, event_logs=event_logs)
        result = run_replications(
            self.scenario, seed, replications, keep_logs=event_logs, workers=workers
        )
        return Results(self, result)


@dataclass(frozen=True, repr=False)
class Results:
    """What a run produced, as DataFrames and Figures."""

    model: Model
    run: RunResult

    def __repr__(self) -> str:
        return (
            f"Results({self.model.name!r}: {self.run.replications} replications, "
            f"seed {self.run.seed})"
        )

    def metrics(self) -> pd.DataFrame:
        """One row per replication, one column per metric."""
        return frames.metrics_frame(self.run)

    def summary(self) -> pd.DataFrame:
        """One row per metric: group, label, unit, mean, 95% interval (lower, upper), spread of
        replications, replications, reported figure."""
        return frames.summary_frame(self.run, self.model.scenario)

    def events(self) -> pd.DataFrame:
        """The kept event logs, one row per event with the columns of ``events.csv``
        (vidigi and pm4py read it as it is)."""
        if not self.run.logs:
            raise ValueError("no event log was kept: run with event_logs=1 or more")
        return frames.events_frame(self.run.logs, self.model.scenario)

    def daily_queues(self) -> pd.DataFrame:
        """One row per replication and day, with each queue at the end of the day."""
        return frames.daily_queues_frame(self.run, self.model.scenario)

    def figure_names(self) -> tuple[str, ...]:
        """The figures this scenario has (``plot`` draws one)."""
        return figure_names(self.model.scenario)

    def plot(self, name: str) -> Figure:
        """One figure, as ``sgsim run --plots`` draws it: funnel, queues, waits..."""
        if name not in self.figure_names():
            raise ValueError(f"no figure {name!r}; this run has {', '.join(self.figure_names())}")
        return draw(name, self.run, self.model.scenario)

    def figures(self) -> dict[str, Figure]:
        """Every figure the scenario has, by name."""
        return draw_all(self.run, self.model.scenario)


@dataclass(frozen=True, repr=False)
class Comparison:
    """Scenarios run with common random numbers; the first is the baseline."""

    results: dict[str, Results]

    def __repr__(self) -> str:
        return f"Comparison({', '.join(self.results)})"

    def differences(self) -> pd.DataFrame:
        """One row per scenario and metric: the baseline's mean, this scenario's, and their
        difference taken replication by replication, with its 95% interval."""
        base, *others = self.results.values()
        return frames.differences_frame(
            {
                label: paired_differences(base.run.per_replication, r.run.per_replication)
                for label, r in zip(list(self.results)[1:], others, strict=True)
            }
        )

    def figures(self) -> dict[str, Figure]:
        """The headline metrics and the queues over time, scenario beside scenario."""
        return compare_figures(
            {label: r.run for label, r in self.results.items()},
            {label: r.model.scenario for label, r in self.results.items()},
        )


def compare(
    models: Mapping[str, Model] | Sequence[Model],
    replications: int = REPLICATIONS,
    seed: int = SEED,
    workers: int = 1,
) -> Comparison:
    """Run each model with the same seed, so replication r of every one sees the same
    contacts and decisions wherever the designs agree. Models given as a list are named
    by their scenario names."""
    named = (
        dict(models)
        if isinstance(models, Mapping)
        else dict(zip(unique_labels([m.name for m in models]), models, strict=True))
    )
    if len(named) < 2:
        raise ValueError(f"compare needs at least two models, got {len(named)}")
    return Comparison(
        {label: m.run(replications, seed, workers, event_logs=0) for label, m in named.items()}
    )


def _need_counts(minimum: int = 1, **counts: Any) -> None:
    """Whole numbers of at least ``minimum``, or a ValueError naming the first that is not."""
    for name, value in counts.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}")
