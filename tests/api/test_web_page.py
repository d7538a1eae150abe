"""The web page in headless Chromium against a real server: upload three screenshots, watch
progress reach 100 %, see the swatches, download tokens.json, no console errors."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import ARTIFACTS, LiveServer

pytestmark = pytest.mark.timeout(120)

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


@pytest.fixture()
def browser() -> Iterator[Any]:
    """Debian's Chromium through Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_page(browser: Any, server: LiveServer, width: int, height: int) -> tuple[Any, Any, list[str]]:
    """A page that records console errors and blocks every request but the local server."""
    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))

    def local_only(route: Any) -> None:
        if route.request.url.startswith((server.url, "blob:", "data:")):
            route.continue_()
        else:
            problems.append(f"blocked network request: {route.request.url}")
            route.abort()

    page.route("**/*", local_only)
    return context, page, problems


def test_upload_three_screenshots_watch_progress_see_swatches_and_download_tokens_json(
    live_server: Callable[..., LiveServer], browser: Any, screens: list[Path], tmp_path: Path
) -> None:
    server = live_server()
    context, page, problems = open_page(browser, server, 1200, 900)
    page.goto(server.url + "/")
    page.wait_for_selector("#types input[value=color]")
    page.set_input_files("#files", [str(p) for p in screens[:3]])
    page.click("#go")
    page.wait_for_function("document.getElementById('pct').textContent === '100 %'", timeout=90_000)
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    assert page.locator("#images li").count() == 3
    assert page.locator("#swatches .swatch").count() >= 3
    assert page.locator("#thumbs img").count() == 3
    loaded = "Array.from(document.querySelectorAll('#thumbs img')).every(i => i.naturalWidth > 0)"
    assert page.evaluate(loaded)
    assert page.locator("#contrast td").count() > 0
    with page.expect_download() as info:
        page.click("#downloads button[data-file='tokens.json']")
    saved = tmp_path / "tokens.json"
    info.value.save_as(saved)
    assert "color" in json.loads(saved.read_text())
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-page-finished.png"), full_page=True)

    # The same results at phone width, without sideways scrolling.
    page.set_viewport_size({"width": 390, "height": 844})
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    page.screenshot(path=str(ARTIFACTS / "web-page-phone.png"), full_page=True)
    assert overflow <= 0
    context.close()
    assert problems == []
