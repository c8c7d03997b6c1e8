"""End to end in a real headless browser: ``sgsim app`` started as a trainer would start it,
on 127.0.0.1 and a free port, the page loaded in Chromium (the system's, driven by
Playwright), a small scenario run, and its funnel shown.

Skipped, saying why, only where no Chromium is installed (``.ci/run`` installs one) or
the app extra is missing.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import MINIMAL, SGSIM

CHROMIUM = next(
    (path for name in ("chromium", "chromium-browser") if (path := shutil.which(name))), None
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium installed (Debian: apt-get install chromium)"
)
pytest.importorskip("streamlit", reason="the app extra is not installed: pip install '.[app]'")
sync_api = pytest.importorskip("playwright.sync_api", reason="pip install '.[test]'")

HOST = "127.0.0.1"  # loopback only
START_SECONDS = 60
SMALL = """extends = "{minimal}"
name = "small test pathway"
[run]
run_days = 60
warmup_days = 10
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"sgsim app exited: {log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"sgsim app did not answer within {START_SECONDS} s: {log.read_text()}")


@pytest.fixture
def app_url(tmp_path: Path) -> Iterator[str]:
    """``sgsim app small.toml --port PORT``, running until the test ends."""
    scenario = tmp_path / "small.toml"
    scenario.write_text(SMALL.format(minimal=MINIMAL.as_posix()))
    port = free_port()
    log = tmp_path / "app.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [*SGSIM, "app", str(scenario), "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=tmp_path,
        )
    url = f"http://{HOST}:{port}"
    try:
        wait_until_up(url, server, log)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_a_browser_runs_a_small_scenario_and_sees_its_funnel(app_url: str):
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 900})
            page.goto(app_url)
            run = page.get_by_role("button", name="Run", exact=True)
            run.wait_for(timeout=30_000)
            run.click()
            funnel = page.get_by_text("The funnel: contacts to enquiries")
            funnel.wait_for(timeout=60_000)
            page.get_by_text("small test pathway: 10 replications").wait_for(timeout=5_000)
            image = page.locator("[data-testid='stImage'] img").first
            image.wait_for(timeout=30_000)
            assert image.evaluate("img => img.naturalWidth") > 500
        finally:
            browser.close()
