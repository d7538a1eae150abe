"""report.html: opens in headless Chromium with no console errors and no network, readable on a phone."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image

from designlens.export.report import ReportExporter
from designlens.relate.graph import TokenGraph
from designlens.tokens import TokenSet
from tests.export.conftest import IMAGE_A, IMAGE_B, ROOT

ARTIFACTS = ROOT / "test-artifacts"


def _png(color: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 40), color).save(buffer, format="PNG")
    return buffer.getvalue()


def _report(tokens: TokenSet, graph: TokenGraph, tmp_path: Path) -> Path:
    thumbnails = {IMAGE_A: _png((240, 240, 240)), IMAGE_B: _png((30, 60, 200))}
    html = ReportExporter().export(tokens, graph, {"thumbnails": thumbnails, "title": "Sample UI"})
    path = tmp_path / "report.html"
    path.write_bytes(html)
    return path


def test_report_opens_in_chromium_without_console_errors_and_is_screenshotted(
    tokens: TokenSet, graph: TokenGraph, tmp_path: Path, page: Any
) -> None:
    path = _report(tokens, graph, tmp_path)
    page.set_viewport_size({"width": 1100, "height": 900})
    page.goto(path.as_uri())
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
    assert page.problems == []
    counts = page.evaluate("""() => ({
        sections: [...document.querySelectorAll('h2')].map(h => h.textContent),
        swatches: document.querySelectorAll('.chip').length,
        thumbnails: document.querySelectorAll('.thumbs img').length,
        matrixCells: document.querySelectorAll('td.cell').length,
        graphEdges: document.querySelectorAll('svg line[marker-end]').length,
        specimens: document.querySelectorAll('.specimen').length,
        scripts: document.querySelectorAll('script').length,
    })""")
    assert counts["sections"] == [
        "Colors",
        "Semantic roles",
        "Spacing",
        "Typography",
        "Radii and shadows",
        "Contrast",
        "Relationships",
    ]
    assert counts["swatches"] == 10 and counts["thumbnails"] >= 10
    assert counts["matrixCells"] == 7 * 2  # 7 opaque text candidates on 2 large-area backgrounds
    assert counts["graphEdges"] == len(graph)
    assert counts["specimens"] == 3 + 4  # typography composites + font sizes
    assert counts["scripts"] == 0


def test_report_type_specimens_render_at_the_measured_sizes(
    tokens: TokenSet, graph: TokenGraph, tmp_path: Path, page: Any
) -> None:
    page.goto(_report(tokens, graph, tmp_path).as_uri())
    sizes = page.evaluate(
        "[...document.querySelectorAll('.specimen > div:last-child')].map(e => getComputedStyle(e).fontSize)"
    )
    assert sizes[:3] == ["16px", "24px", "14px"]


def test_report_fits_a_phone_screen_without_horizontal_scrolling(
    tokens: TokenSet, graph: TokenGraph, tmp_path: Path, page: Any
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(_report(tokens, graph, tmp_path).as_uri())
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.problems == []
