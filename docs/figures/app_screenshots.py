"""Take the README's screenshots of the web app in headless Chromium.

Start the app first (``sgsim app --port 8501``), then, from the sgsim folder:
``python docs/figures/app_screenshots.py [URL]``. Needs ``pip install '.[test,app]'`` and
Debian's ``chromium``. Writes ``docs/figures/app_*.png``.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

HERE = Path(__file__).parent
WAIT = 120_000  # ms: a West Sussex run and its figures on a busy machine


def pick(page: Page, label: str, option: str) -> None:
    """Choose an option of a Streamlit select box by typing its start."""
    page.get_by_label(label).first.click()
    page.keyboard.type(option)
    page.keyboard.press("Enter")
    page.wait_for_timeout(1500)


def main(url: str) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"))
        page = browser.new_page(viewport={"width": 1400, "height": 1250})
        page.goto(url)
        page.get_by_role("button", name="Run", exact=True).wait_for(timeout=WAIT)
        pick(page, "Scenario", "west_sussex")
        page.get_by_role("button", name="Run", exact=True).click()
        page.get_by_text("The funnel: contacts to enquiries").wait_for(timeout=WAIT)
        page.get_by_text("Concerns per month").last.wait_for(timeout=WAIT)
        page.get_by_text("The main measures in numbers").click()  # fold the table away
        page.wait_for_timeout(1000)
        page.screenshot(path=HERE / "app_run.png")

        pick(page, "Scenario", "teaching/01")
        page.get_by_text("Staff: team hub").click()
        field = page.get_by_label("triage officer: people in post")
        field.fill("3")
        field.press("Enter")
        page.wait_for_timeout(1500)
        page.get_by_role("tab", name="Compare two designs").click()
        page.get_by_role("button", name="Compare", exact=True).click()
        page.get_by_text("The two designs side by side").wait_for(timeout=WAIT)
        page.get_by_text("Your design (B) against").evaluate("e => e.scrollIntoView()")
        page.wait_for_timeout(1000)
        page.screenshot(path=HERE / "app_compare.png")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8501")
