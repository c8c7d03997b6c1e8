"""What a reader opens stays inside the repository (issue #12): links and images in the
documents point at files that are here, nothing points at the folder of source reports
outside it, and reports are cited by title, council and date. The documents' figures are
drawn by a script in the repository from the code as it is."""

from __future__ import annotations

import re
import runpy
import tomllib

import pytest
from helpers import ROOT

PAGES = sorted(
    [ROOT / "README.md"]
    + [p for folder in ("docs", "scenarios", "experiments") for p in (ROOT / folder).rglob("*.md")]
)
TEXTS = PAGES + sorted(
    p
    for folder in ("docs", "scenarios", "experiments", "src")
    for pattern in ("*.toml", "*.py")
    for p in (ROOT / folder).rglob(pattern)
)
LINK = re.compile(r"\]\(([^)\s]+)\)")
OUTSIDE = re.compile(r"\.\./shared|shared/seeds|seed_pathways|\b\d{3}_[0-9a-f]{16}\.txt\b")
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"


def test_the_pages_and_texts_are_found():
    assert len(PAGES) >= 10 and len(TEXTS) >= 100
    # the pattern finds what the first scenarios held (a frozen copy is kept for tests)
    assert OUTSIDE.search((ROOT / "tests" / "data" / "v01" / "east_sussex_hscc.toml").read_text())


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_and_image_is_a_file_in_the_repository(page):
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue  # a web address or a place on the page
        path = (page.parent / target.split("#")[0]).resolve()
        assert path.is_relative_to(ROOT.resolve()), (page, target)
        assert path.exists(), (page, target)


def test_nothing_points_at_the_source_reports_outside_the_repository():
    found = [
        f"{p.relative_to(ROOT)}: {m.group(0)}"
        for p in TEXTS
        for m in OUTSIDE.finditer(p.read_text(encoding="utf-8"))
    ]
    assert not found


@pytest.mark.parametrize(
    "path",
    sorted(
        p
        for folder in ("scenarios", "experiments")
        for p in (ROOT / folder).rglob("*.toml")
        if "source" in tomllib.loads(p.read_text()).get("reported", {})
    ),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_reports_are_cited_by_title_council_and_date(path):
    source = tomllib.loads(path.read_text())["reported"]["source"]
    assert re.search(r"\b(County|City|Borough) Council\b|\b(CC|BC)\b", source), source
    assert re.search(rf"\b({MONTHS}) (19|20)\d\d\b", source), source
    assert re.search(r"Report|report|Challenge|Assessment", source), source


def test_the_documents_figures_are_drawn_by_the_script_in_docs(tmp_path):
    """docs/make_figures.py, at a small size, draws every figure validation.md shows."""
    script = runpy.run_path(str(ROOT / "docs" / "make_figures.py"))
    written = script["main"](
        [
            "--replications",
            "1",
            "--warmup-replications",
            "1",
            "--warmup-days",
            "120",
            "--workers",
            "1",
            "--out",
            str(tmp_path),
        ]
    )
    assert all(p.stat().st_size > 10_000 for p in written)
    shown = set(
        re.findall(r"\(figures/([a-z_]+\.png)\)", (ROOT / "docs" / "validation.md").read_text())
    )
    assert {p.name for p in written} == shown
    assert shown <= {p.name for p in (ROOT / "docs" / "figures").iterdir()}
