"""Shared fixtures for the export tests: the fixed sample TokenSet (every value type, aliases of
every kind) behind the golden files, its graph, and the node tools."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from designlens.colorspace import oklch
from designlens.pipeline import relate
from designlens.relate.graph import TokenGraph
from designlens.tokens import (
    Alias,
    Color,
    Dimension,
    Provenance,
    Shadow,
    ShadowLayer,
    Token,
    TokenSet,
    Typography,
)

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / "tools"
BIN = TOOLS / "node_modules" / ".bin"

IMAGE_A = "a" * 64
IMAGE_B = "b" * 64


def _color(
    name: str, hex_: str, share: float, images: tuple[str, ...] = (IMAGE_A,), alpha: float = 1.0
) -> Token:
    color = Color(hex_, alpha)
    lch = oklch(color.rgb)
    pixels = round(share * 1_000_000)
    return Token(
        name,
        "color",
        color,
        provenance=tuple(Provenance(i, f"{i[:1]}.png", pixels // len(images), share) for i in images),
        extensions={
            "share": share,
            "pixels": pixels,
            "oklch": [round(lch[0], 4), round(lch[1], 4), round(lch[2], 2)],
            "images": len(images),
        },
    )


def _dim(name: str, value: float, unit: str = "px") -> Token:
    return Token(name, "dimension", Dimension(value, unit))  # type: ignore[arg-type]


def sample_tokens() -> TokenSet:
    both = (IMAGE_A, IMAGE_B)
    return TokenSet(
        [
            _color("color.white", "#ffffff", 0.55, both),
            _color("color.gray.50", "#f9fafb", 0.2),
            _color("color.gray.200", "#e5e7eb", 0.02, both),
            _color("color.gray.500", "#6b7280", 0.01),
            _color("color.gray.900", "#111827", 0.05, both),
            _color("color.blue.500", "#3b82f6", 0.03),
            _color("color.blue.700", "#1d4ed8", 0.005),
            _color("color.red.600", "#dc2626", 0.002),
            _color("color.green.600", "#16a34a", 0.002),
            _color("color.scrim", "#111827", 0.0, alpha=0.4),
            Token("color.link", "color", Alias("color.blue.700"), description="links"),
            _dim("spacing.1", 4),
            _dim("spacing.2", 8),
            _dim("spacing.4", 16),
            _dim("spacing.6", 24),
            _dim("radius.sm", 4),
            _dim("radius.full", 9999),
            _dim("font.size.sm", 14),
            _dim("font.size.body", 16),
            _dim("font.size.lg", 20),
            _dim("font.size.2xl", 1.5, "rem"),
            _dim("font.letter-spacing.tight", -0.2),
            Token("font.weight.regular", "fontWeight", 400),
            Token("font.weight.bold", "fontWeight", 700),
            Token("font.family.sans", "fontFamily", ("Inter", "system-ui", "sans-serif")),
            Token("font.family.mono", "fontFamily", "JetBrains Mono"),
            Token("font.line-height.normal", "number", 1.5),
            Token("font.line-height.tight", "number", 1.25),
            Token(
                "typography.body",
                "typography",
                Typography(
                    Alias("font.family.sans"),
                    Alias("font.size.body"),
                    Alias("font.weight.regular"),
                    Alias("font.line-height.normal"),
                ),
            ),
            Token(
                "typography.heading",
                "typography",
                Typography(
                    Alias("font.family.sans"),
                    Alias("font.size.2xl"),
                    700,
                    1.25,
                    Alias("font.letter-spacing.tight"),
                ),
            ),
            Token("typography.code", "typography", Typography("JetBrains Mono", Dimension(14), 400, 1.5)),
            Token(
                "shadow.sm",
                "shadow",
                Shadow(
                    (
                        ShadowLayer(
                            Color("#000000", 0.1), Dimension(0), Dimension(1), Dimension(2), Dimension(0)
                        ),
                    )
                ),
            ),
            Token(
                "shadow.md",
                "shadow",
                Shadow(
                    (
                        ShadowLayer(
                            Alias("color.scrim"), Dimension(0), Dimension(4), Dimension(6), Dimension(-1)
                        ),
                        ShadowLayer(
                            Color("#000000", 0.06),
                            Dimension(0),
                            Dimension(1),
                            Dimension(0),
                            Dimension(1),
                            inset=True,
                        ),
                    )
                ),
            ),
        ]
    )


@pytest.fixture(scope="session")
def node_tools() -> Path:
    """tools/node_modules/.bin, installed from the committed lockfile when missing (offline after)."""
    if not (BIN / "tz").exists():
        npm = shutil.which("npm")
        assert npm, "npm is needed to install the export consumers (tools/package-lock.json)"
        # `install`, not `ci`: see scripts/system-deps.sh (npm 11 and Tailwind's optional packages)
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=TOOLS, check=True)
    return BIN


@pytest.fixture()
def tokens() -> TokenSet:
    return sample_tokens()


@pytest.fixture()
def graph(tokens: TokenSet) -> TokenGraph:
    return relate(tokens)


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium through Playwright (never a downloaded browser).

    Module scope, not session: Playwright's sync API keeps an event loop running on the main
    thread while it is open, and asyncio.run() in later tests would refuse to start.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    """A page that records console errors and failed requests, and blocks all but file:// URLs."""
    context = browser.new_context()
    page = context.new_page()
    page.problems = []
    page.on(
        "console",
        lambda m: page.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: page.problems.append(f"request failed: {r.url}"))

    def only_files(route: Any) -> None:
        if route.request.url.startswith(("file://", "data:")):
            route.continue_()
        else:
            page.problems.append(f"blocked network request: {route.request.url}")
            route.abort()

    page.route("**/*", only_files)
    yield page
    context.close()


def run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a consumer; a failure shows its whole output."""
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, (
        f"{' '.join(map(str, cmd))} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    )
    return done


def fails(cmd: list[str], cwd: Path) -> str:
    """Run a consumer that must reject its input; return what it said."""
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=180)
    assert done.returncode != 0, f"{' '.join(map(str, cmd))} accepted what it should reject:\n{done.stdout}"
    return done.stdout + done.stderr


@pytest.fixture()
def exported(tmp_path: Path, tokens: TokenSet, graph: TokenGraph, node_tools: Path) -> Path:
    """Every format of the sample written to a directory that can resolve the node tools."""
    from designlens.pipeline import render_exports
    from designlens.plugins import exporters

    for name, data in render_exports(tokens, graph, sorted(exporters())).items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "node_modules").symlink_to(TOOLS / "node_modules", target_is_directory=True)
    return tmp_path
