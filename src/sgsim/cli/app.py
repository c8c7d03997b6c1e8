"""``sgsim app``: the workshop web app, served by Streamlit on this computer.

It runs ``streamlit run`` on ``sgsim/app/page.py`` (in place of this process where it
can), listening on 127.0.0.1 (this computer only) unless ``--host`` says otherwise, and
tells the page which scenarios to offer through the environment (``sgsim.app.library``).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from sgsim.cli.common import command_parser
from sgsim.scenario.errors import ScenarioError
from sgsim.scenario.loading import load_scenario

LOOPBACK = "127.0.0.1"
NEEDS = ("streamlit",)

DESCRIPTION = """\
Start the workshop web app: pick or upload a scenario, change demand, staffing
and design with sliders, run it, compare two designs side by side, and download
the changed scenario, the results and the HTML report. Needs the app extra:
pip install 'sgsim[app]' (from the sgsim folder: pip install '.[app]')."""

EPILOG = """\
examples:
  sgsim app
      open http://127.0.0.1:8501 in a browser on this computer
  sgsim app scenarios/teaching/01_balanced.toml --port 8600
      start with a scenario picked
  sgsim app --host 0.0.0.0
      let other computers on the network open it (everyone there can)"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = command_parser(
        sub,
        "app",
        cmd_app,
        help="start the workshop web app in a browser",
        description=DESCRIPTION,
        epilog=EPILOG,
    )
    p.add_argument("scenario", type=Path, nargs="?", help="scenario file to start with (.toml)")
    p.add_argument(
        "--host",
        default=LOOPBACK,
        help="address to listen on (default: %(default)s, this computer only)",
    )
    p.add_argument("--port", type=int, default=8501, help="port (default: %(default)s)")
    p.add_argument(
        "--scenarios",
        type=Path,
        metavar="DIR",
        help="folder of scenarios to offer, and the only ones an upload may extend "
        "(default: the sgsim folder's scenarios/)",
    )


def cmd_app(args: argparse.Namespace) -> int:
    missing = [name for name in NEEDS if importlib.util.find_spec(name) is None]
    if missing:
        print(
            f"sgsim: error: the web app needs {', '.join(missing)}: "
            "pip install 'sgsim[app]' (from the sgsim folder: pip install '.[app]')",
            file=sys.stderr,
        )
        return 2
    from sgsim.app import library

    env = dict(os.environ)
    if args.scenario is not None:
        load_scenario(args.scenario)  # a bad file fails here, in one line, not in the page
        env[library.START_VARIABLE] = str(args.scenario.resolve())
    if args.scenarios is not None:
        if not args.scenarios.is_dir():
            raise ScenarioError(str(args.scenarios), "--scenarios", "a folder", "<not a folder>")
        env[library.FOLDER_VARIABLE] = str(args.scenarios.resolve())
    if args.host != LOOPBACK:
        print(
            f"sgsim: listening on {args.host}: other computers that can reach this one can "
            "open the app",
            file=sys.stderr,
        )
    command = streamlit_command(args.host, args.port)
    if os.name == "posix":  # become the server: signals (Ctrl-C, a kill) reach it directly
        os.execve(command[0], command, env)
    return subprocess.call(command, env=env)


def streamlit_command(host: str, port: int) -> list[str]:
    """``streamlit run`` on the page, serving only ``host``, with nothing sent elsewhere."""
    page = Path(__file__).resolve().parent.parent / "app" / "page.py"
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(page),
        f"--server.address={host}",
        f"--server.port={port}",
        "--server.headless=true",
        "--server.maxUploadSize=1",  # MB, Streamlit's least; the page holds uploads to 64 KB
        "--server.fileWatcherType=none",
        "--browser.gatherUsageStats=false",
        "--client.toolbarMode=viewer",
        "--theme.base=light",
    ]
