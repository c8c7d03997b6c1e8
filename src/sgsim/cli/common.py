"""What the commands share: their parsers' options and argument types, the progress bar,
and writing files whole."""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from sgsim.outputs.folders import check_replaceable
from sgsim.scenario.errors import ScenarioError
from sgsim.scenario.loading import LoadedScenario, load_scenario
from sgsim.scenario.schema import Scenario
from sgsim.scenario.sizes import check_run_memory
from sgsim.studies.runner import RunResult, run_replications

Handler = Callable[[argparse.Namespace], int]


def command_parser(
    sub: argparse._SubParsersAction,
    name: str,
    handler: Handler,
    *,
    help: str,
    description: str,
    epilog: str | None = None,
) -> argparse.ArgumentParser:
    """A command's parser, bound to the function that runs it.

    Descriptions and epilogs are laid out as written, so examples keep their lines.
    """
    parser = sub.add_parser(
        name,
        help=help,
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(handler=handler)
    return parser


def add_run_options(p: argparse.ArgumentParser, replications: int | None = 20) -> None:
    """Replications, seed and workers: the options of every command that runs a scenario.

    ``replications`` None leaves the command to choose them (calibrate: from the noise).
    """
    p.add_argument(
        "-n",
        "--replications",
        type=positive,
        default=replications,
        help="independent replications (default: %(default)s); more gives tighter intervals"
        if replications
        else "independent replications (default: chosen from the noise, see --tolerance)",
    )
    add_seed(p)
    p.add_argument(
        "-j",
        "--workers",
        type=positive,
        default=1,
        help="replications in parallel processes (default: %(default)s); results are identical",
    )


def add_seed(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--seed",
        type=_seed,
        default=12345,
        help="random seed (default: %(default)s); the same seed gives identical output",
    )


def add_executor_options(p: argparse.ArgumentParser) -> None:
    """Where many runs go: local processes, or a Dask cluster (sweeps, national runs)."""
    p.add_argument(
        "--workers", type=positive, default=None, help="parallel workers (default: every core)"
    )
    p.add_argument(
        "--executor",
        choices=("local", "dask"),
        default="local",
        help="local processes, or a Dask cluster (pip install 'sgsim[dask]'); default: %(default)s",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDR",
        help="with --executor dask: the scheduler address (tcp://host:8786); "
        "without it a local Dask cluster is started",
    )


def check_executor_options(args: argparse.Namespace) -> None:
    """``--scheduler`` goes with ``--executor dask``, and without ``--workers``: the
    cluster at that address has the workers it has, so the option would be ignored."""
    if args.scheduler and args.executor != "dask":
        raise ScenarioError(
            "command line", "--scheduler", "--executor dask with it", "--executor local"
        )
    if args.scheduler and args.workers is not None:
        raise ScenarioError(
            "command line",
            "--workers",
            "no --workers with --scheduler (the cluster decides its workers)",
            str(args.workers),
        )


def add_output(p: argparse.ArgumentParser, default: str, what: str) -> None:
    p.add_argument(
        "-o", "--output", type=Path, default=Path(default), help=f"{what} (default: %(default)s)"
    )


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def positive(text: str) -> int:
    """A count option (replications, workers, days): a whole number, at least 1."""
    value = _whole(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def fraction(text: str) -> float:
    """A share option (--material, --tolerance): a number strictly between 0 and 1."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {text!r}")
    return value


def _seed(text: str) -> int:
    value = _whole(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {value}")
    return value


def command_line() -> list[str]:
    """The command as typed, for the run records that say how to reproduce a file."""
    return ["sgsim", *sys.argv[1:]]


def need_folder(path: Path | None, option: str) -> None:
    """Refuse, before any simulation runs, an output folder that could not be written or
    swapped in (``sgsim.outputs.folders``)."""
    if path is not None:
        check_replaceable(path, option)


def progress_bar() -> Progress:
    """A bar on stderr, so that stdout holds only the results (tables or JSON)."""
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    return Progress(*columns, console=Console(stderr=True), transient=True)


def simulate_with_progress(
    scenarios: list[Scenario],
    seed: int,
    replications: int,
    keep_logs: int = 0,
    workers: int = 1,
) -> list[RunResult]:
    """Run each scenario's replications behind one progress bar (on stderr), once each
    run is known to fit in memory with its options."""
    for s in scenarios:
        check_run_memory(s, replications, keep_logs, workers)
    results = []
    with progress_bar() as progress:
        task = progress.add_task("simulating", total=replications * len(scenarios))
        for s in scenarios:
            progress.update(task, description=f"simulating {s.name}")
            results.append(
                run_replications(
                    s,
                    seed,
                    replications,
                    keep_logs=keep_logs,
                    on_done=lambda _: progress.advance(task),
                    workers=workers,
                )
            )
    return results


def write_document(
    args: argparse.Namespace, build: Callable[[LoadedScenario, RunResult, list[str]], str]
) -> int:
    """Run the scenario and write one document from the run (HTML report, STRESS-DES)."""
    loaded = load_scenario(args.scenario)
    if args.output.is_dir():
        raise ScenarioError(str(args.output), "--output", "a file name", "<a folder>")
    (result,) = simulate_with_progress(
        [loaded.scenario], args.seed, args.replications, workers=args.workers
    )
    text = build(loaded, result, command_line())
    write_text_atomically(args.output, text)
    print(f"wrote {args.output} ({len(text) / 1e6:.1f} MB)", file=sys.stderr)
    return 0


def write_text_atomically(path: Path, text: str) -> None:
    """Write a whole file or nothing: a temporary file beside it, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes files private; a report is to share
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
