"""The workshop page: a thin Streamlit layout over ``sgsim.app``'s plain functions.

``sgsim app`` runs ``streamlit run`` on this file. The sidebar picks a scenario and holds
the controls it offers; the tabs run the design, compare two designs, offer the
downloads and say the scenario's assumptions in words. Nothing here computes: it lays out
what the other modules of ``sgsim.app`` return.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from sgsim.analysis.comparison import Difference, paired_differences
from sgsim.app import controls as ctl
from sgsim.app.design import Changes, Design, change_lines, make_design
from sgsim.app.downloads import (
    as_loaded,
    file_name,
    report_html,
    result_files,
    scenario_text,
    zipped,
)
from sgsim.app.estimate import SLOW_SECONDS, estimate_seconds, in_words, seconds_per_contact
from sgsim.app.explain import (
    difference_rows,
    figure_text,
    key_differences,
    measure_rows,
    plain,
    reported_rows,
)
from sgsim.app.library import Shipped, Source, find_folder, open_source, shipped, start_file
from sgsim.app.pictures import compare_pictures, run_pictures
from sgsim.app.upload import MAX_BYTES, load_upload
from sgsim.outputs.describe import assumptions, staffing_rows, words
from sgsim.scenario.errors import ScenarioError
from sgsim.scenario.loading import LoadedScenario
from sgsim.scenario.schema import Scenario
from sgsim.studies.runner import RunResult, run_replications

WORKERS = min(2, os.cpu_count() or 1)  # replications in parallel processes
UPLOAD = "Upload a scenario file (TOML)..."
INTRO = (
    "Change the staffing, demand or design of a council's adult safeguarding pathway in "
    "the sidebar, press **Run**, and see what happens to the funnel, the queues, "
    "timeliness and how busy each team is. Every run is repeated several times "
    "(replications) with different chance events; the ranges shown are how sure the "
    "average is."
)


@dataclass(frozen=True)
class Finished:
    """A finished run, kept between reruns of the page."""

    key: str  # the design and run settings it was made with
    loaded: LoadedScenario
    result: RunResult
    pictures: dict[str, bytes]


@dataclass(frozen=True)
class Compared:
    """A finished comparison of two designs."""

    key: str
    labels: tuple[str, str]
    scenario: Scenario
    diffs: list[Difference]
    pictures: dict[str, bytes]
    warnings: list[str]  # queues still growing, in either design


# --------------------------------------------------------------------------- cached reads


@st.cache_data(show_spinner=False)
def _shipped(folder: str | None) -> list[Shipped]:
    return shipped(Path(folder) if folder else None)


@st.cache_data(show_spinner=False)
def _open(path: str, label: str) -> Source:
    return open_source(Path(path), label)


@st.cache_data(show_spinner=False, max_entries=32)
def _upload(name: str, data: bytes, folder: str | None) -> Source:
    return load_upload(name, data, _shipped(folder))


@st.cache_data(show_spinner=False, max_entries=64)
def _per_contact(fingerprint: str, _s: Scenario) -> float:
    """Seconds per contact on this machine, timed once per scenario picked (by its
    contents: two uploads may share a name)."""
    return seconds_per_contact(_s)


# --------------------------------------------------------------------------- sidebar


def _pick_source(folder: str | None, library: list[Shipped]) -> Source | None:
    """The scenario picked (or uploaded) in the sidebar; None until one is."""
    start = start_file()
    choices: dict[str, Callable[[], Source]] = {}
    if start is not None:
        choices[f"{start.name} (started with)"] = lambda: _open(str(start), start.name)
    for entry in library:
        choices[f"{entry.name}: {entry.title}"] = lambda e=entry: _open(str(e.path), e.name)
    choices[UPLOAD] = lambda: _read_upload(folder)
    picked = st.sidebar.selectbox("Scenario", list(choices), key="scenario")
    try:
        return choices[picked]()
    except ScenarioError as exc:
        st.sidebar.error(plain(exc))
        return None


def _read_upload(folder: str | None) -> Source:
    data = st.sidebar.file_uploader(
        f"Scenario file (TOML, at most {MAX_BYTES // 1024} KB)",
        type=["toml"],
        key="upload",
        help='It may start with extends = "NAME" to change a shipped scenario (NAME as '
        "listed above, e.g. west_sussex_2022_23.toml), giving only what differs.",
    )
    if data is None:
        raise ScenarioError("upload", "", "a scenario file: choose one above", None)
    return _upload(data.name, data.getvalue(), folder)


def _number(c: ctl.Control, key: str) -> float:
    """A control's widget; returns the value in the scenario's own terms."""
    scale = 100.0 if c.percent else 1.0
    args = {
        "min_value": c.low * scale,
        "max_value": c.high * scale,
        "value": c.value * scale,
        "step": c.step * scale,
        "help": c.help or None,
        "key": key,
    }
    if c.whole:
        args = {k: int(v) if isinstance(v, float) else v for k, v in args.items()}
    if c.percent:
        args["format"] = "%.1f%%"
    elif not c.whole:
        args["format"] = "%.1f"
    widget = st.slider if c.slider else st.number_input
    return widget(plain(c.label), **args) / scale


def _changed(controls: list[ctl.Control], prefix: str, out: dict[str, float]) -> None:
    for c in controls:
        value = _number(c, f"{prefix}|{c.path}")
        if abs(value - c.value) > 1e-9:
            out[c.path] = round(value) if c.whole else round(value, 6)


def _controls(source: Source) -> tuple[int, int, Changes]:
    """The sidebar's controls: replications, seed and the changes to the scenario."""
    s, prefix = source.scenario, source.label
    settings: dict[str, float] = {}
    bar = st.sidebar
    bar.subheader("Run")
    replications = bar.slider(
        "replications", 2, ctl.MAX_REPLICATIONS, 10, key=f"{prefix}|replications",
        help="Each replication is one simulated year (or period) with its own chance "
        "events. More replications give narrower ranges but take longer.",
    )  # fmt: skip
    seed = int(bar.number_input("random seed", 0, 10**9, 12345, key=f"{prefix}|seed"))
    with bar:
        _changed(ctl.run_controls(s), prefix, settings)
    with bar.expander("Demand", expanded=True):
        _changed(ctl.demand_controls(s), prefix, settings)
    for team, controls in ctl.staff_controls(s).items():
        with bar.expander(f"Staff: team {plain(words(team))}"):
            _changed(controls, prefix, settings)
    for step, controls in ctl.step_controls(s).items():
        with bar.expander(f"Step {plain(words(step))}: outcomes and chances"):
            _changed(controls, prefix, settings)
    routes: dict[tuple[str, int], str] = {}
    with bar.expander("Routes: where cases go next"):
        st.caption(
            "Send a route's cases to another step. A step no case reaches any more is "
            "switched off, with any role no other step needs."
        )
        for r in ctl.route_choices(s):
            to = st.selectbox(
                plain(f"after {words(r.step)}, {r.label}"),
                r.options,
                index=r.options.index(r.current),
                key=f"{prefix}|route|{r.step}|{r.index}",
            )
            if to != r.current:
                routes[(r.step, r.index)] = to
    return replications, seed, Changes(settings, routes)


# --------------------------------------------------------------------------- running


def _simulate(designs: list[Scenario], seed: int, replications: int) -> list[RunResult]:
    """Run each design's replications (same seed: common random numbers) behind one bar."""
    total = replications * len(designs)
    bar = st.progress(0.0, text="starting...")
    results = []
    for k, s in enumerate(designs):

        def done(r: int, k: int = k) -> None:
            finished = k * replications + r + 1
            bar.progress(finished / total, text=f"replication {finished} of {total}")

        results.append(run_replications(s, seed, replications, on_done=done, workers=WORKERS))
    bar.empty()
    return results


def _ask_time(s: Scenario, source: Source, replications: int, designs: int, key: str) -> bool:
    """Say how long the run should take; a run of minutes needs a tick first."""
    seconds = designs * estimate_seconds(
        s, replications, WORKERS, _per_contact(_run_key(repr(source.raw), 0, 0), source.scenario)
    )
    what = f"{replications} replications of {s.run.warmup_days} + {s.run.run_days} days"
    if designs > 1:
        what += f", for each of {designs} designs"
    if seconds < SLOW_SECONDS:
        st.caption(f"{what}: {in_words(seconds)} on this computer.")
        return True
    st.warning(
        f"{what} would take {in_words(seconds)} on this computer. Fewer replications or a "
        "shorter period answer sooner."
    )
    return st.checkbox("Run it anyway", key=f"slow|{key}")


def _run_key(text: str, replications: int, seed: int) -> str:
    return hashlib.sha256(f"{text}\n{replications}\n{seed}".encode()).hexdigest()


# --------------------------------------------------------------------------- panels


def _table(rows: list[dict[str, str]]) -> None:
    """A table whose cells and headers are shown as written (see ``explain.plain``)."""
    st.table([{plain(k): plain(v) for k, v in row.items()} for row in rows])


def _kept(slot: str, key: str, button: str, does: str) -> Finished | Compared | None:
    """The last run (or comparison) kept, saying when the settings have changed since."""
    done = st.session_state.get(slot)
    if done is None:
        st.info(f"Press **{button}** to {does}.")
    elif done.key != key:
        st.info(f"The settings have changed since: press **{button}** to see their effect.")
    return done


def _figures(pictures: dict[str, bytes], drawing: Iterator[tuple[str, bytes]] | None) -> None:
    """The figures with their words: those kept, or each as soon as it is drawn."""
    for name, data in drawing if drawing is not None else pictures.items():
        pictures[name] = data
        title, words = figure_text(name)
        st.subheader(title)
        st.markdown(f"**What am I looking at?** {words}")
        st.image(data, width="stretch")


def _run_panel(design: Design, source: Source, text: str, name: str, run: tuple[int, int]) -> None:
    replications, seed = run
    s = design.scenario
    key = _run_key(text, replications, seed)
    go = _ask_time(s, source, replications, 1, "run")
    drawing = None
    if st.button("Run", type="primary", disabled=not go, key="run"):
        (result,) = _simulate([s], seed, replications)
        st.session_state["finished"] = Finished(key, as_loaded(s, text, name), result, {})
        drawing = run_pictures(result, s)
    done: Finished | None = _kept("finished", key, "Run", "simulate this design")
    if done is None:
        return
    shown = done.loaded.scenario
    summaries = done.result.summaries()
    st.subheader(f"{plain(shown.name)}: {done.result.replications} replications")
    for growth in done.result.unsettled(shown):
        st.warning(plain(growth.words))
    with st.expander("The main measures in numbers", expanded=True):
        st.markdown(
            "**What am I looking at?** The main measures of the measured period: the "
            "average over replications and its 95% interval (where the average would lie "
            "if the run were repeated many times)."
        )
        _table(measure_rows(shown, summaries))
    reported = reported_rows(shown, summaries)
    if reported:
        with st.expander("Reported and simulated"):
            st.markdown(
                "**What am I looking at?** The council's published figures beside the "
                "model's. *In CI*: inside the interval of the simulated average; *in "
                "spread*: inside the middle 95% of simulated years (a council's figure is "
                "one year, so this is an honest match); *differs*: outside both."
            )
            _table(reported)
    _figures(done.pictures, drawing)


def _baselines(source: Source, library: list[Shipped]) -> dict[str, Callable[[], Source]]:
    options: dict[str, Callable[[], Source]] = {
        f"{source.label} without your changes": lambda: source
    }
    pinned: Source | None = st.session_state.get("pinned")
    if pinned is not None:
        options[pinned.label] = lambda: pinned
    for entry in library:
        options[entry.name] = lambda e=entry: _open(str(e.path), e.name)
    return options


def _compare_panel(
    design: Design, source: Source, library: list[Shipped], run: tuple[int, int]
) -> None:
    replications, seed = run
    s = design.scenario
    st.markdown(
        "Run two designs on the same contacts, replication by replication (common random "
        "numbers), so that what differs between them is the design, not chance. **B** is "
        "your design as set in the sidebar; **A** is the baseline."
    )
    if st.button("Keep my current design as A", key="pin"):
        st.session_state["pinned"] = Source("your design, as kept", design.raw, s)
    options = _baselines(source, library)
    picked = st.selectbox("Design A (the baseline)", list(options), key="baseline")
    try:
        a_source = options[picked]()
        period = {"run.run_days": s.run.run_days, "run.warmup_days": s.run.warmup_days}
        a = make_design(a_source.raw, Changes(period), a_source.label).scenario
    except ScenarioError as exc:
        st.error(plain(exc))
        return
    key = _run_key(f"{picked}\n{design.raw}", replications, seed)
    go = _ask_time(s, source, replications, 2, "compare")
    drawing = None
    if st.button("Compare", type="primary", disabled=not go, key="compare"):
        results = _simulate([a, s], seed, replications)
        diffs = paired_differences(results[0].per_replication, results[1].per_replication)
        warnings = [
            f"In {label}: {growth.words}"
            for label, result, design_s in (("A", results[0], a), ("B", results[1], s))
            for growth in result.unsettled(design_s)
        ]
        st.session_state["compared"] = Compared(
            key, (picked, "your design"), s, diffs, {}, warnings
        )
        drawing = compare_pictures(dict(zip("AB", results, strict=True)), {"A": a, "B": s})
    done: Compared | None = _kept("compared", key, "Compare", "run both designs")
    if done is None:
        return
    st.subheader(f"Your design (B) against {plain(done.labels[0])} (A)")
    for warning in done.warnings:
        st.warning(plain(warning))
    st.markdown(
        "**What am I looking at?** Each line is a clear change from A to B, with its 95% "
        "interval in brackets. The rest show no clear change: the interval of their "
        "difference includes no change at all, so it could be chance."
    )
    clear, unclear = key_differences(done.diffs, done.scenario)
    st.markdown(
        "\n".join(f"- {plain(line)}" for line in clear) or "No clear change in the main measures."
    )
    if unclear:
        st.markdown("**No clear change:** " + plain("; ".join(unclear)) + ".")
    with st.expander("Every measure"):
        _table(difference_rows(done.diffs, done.scenario))
    _figures(done.pictures, drawing)


def _downloads_panel(text: str, name: str) -> None:
    st.markdown(
        "**The scenario as changed** is a whole scenario file: run it with "
        f"`sgsim run {name}`, or upload it here again."
    )
    st.download_button(
        "Scenario as changed (TOML)", text, file_name=name, mime="text/plain", key="dl-toml"
    )
    done: Finished | None = st.session_state.get("finished")
    if done is None:
        st.info("Run the design to download its results and report.")
        return
    loaded, result = done.loaded, done.result
    st.markdown(
        f"**The last run** ({plain(loaded.scenario.name)}, {result.replications} replications): "
        "the CSV files `sgsim run --out` writes, and the HTML report `sgsim report` writes "
        "(one file with the assumptions in words, the results and every figure)."
    )
    st.download_button(
        "Results (CSV files, zip)",
        lambda: zipped(result_files(loaded, result)),
        file_name=f"{loaded.path.stem}_results.zip",
        mime="application/zip",
        on_click="ignore",
        key="dl-zip",
    )
    st.download_button(
        "Summary (CSV)",
        lambda: result_files(loaded, result)["summary.csv"],
        file_name=f"{loaded.path.stem}_summary.csv",
        mime="text/csv",
        on_click="ignore",
        key="dl-csv",
    )
    st.download_button(
        "Report (HTML)",
        lambda: report_html(loaded, result),
        file_name=f"{loaded.path.stem}_report.html",
        mime="text/html",
        on_click="ignore",
        key="dl-html",
    )


def _about_panel(s: Scenario) -> None:
    st.markdown(f"**{plain(s.name)}**. {plain(s.description)}")
    for heading, lines in assumptions(s):
        st.markdown(f"**{plain(heading)}**\n" + "\n".join(f"- {plain(line)}" for line in lines))
    st.markdown("**Staffing**")
    _table(staffing_rows(s))


# --------------------------------------------------------------------------- the page


def main() -> None:
    st.set_page_config(page_title="sgsim workshop", layout="wide")
    st.title("Safeguarding pathway: what if?")
    st.markdown(INTRO)
    folder = find_folder()
    folder_name = str(folder) if folder else None
    library = _shipped(folder_name)
    source = _pick_source(folder_name, library)
    if source is None:
        st.info("Pick a scenario in the sidebar, or upload one.")
        return
    replications, seed, changes = _controls(source)
    try:
        design = make_design(source.raw, changes, source.label)
    except ScenarioError as exc:
        st.error(plain(exc))
        return
    lines = change_lines(source.raw, changes, design)
    if design.switched_off:
        st.sidebar.warning(plain(lines[-1]))
    name = file_name(source.label, bool(changes))
    text = scenario_text(design.raw, source.label, lines)
    run = (replications, seed)
    tabs = st.tabs(["Run", "Compare two designs", "Downloads", "The scenario in words"])
    with tabs[0]:
        _run_panel(design, source, text, name, run)
    with tabs[1]:
        _compare_panel(design, source, library, run)
    with tabs[2]:
        _downloads_panel(text, name)
    with tabs[3]:
        _about_panel(design.scenario)


main()
