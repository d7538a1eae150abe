"""Box shadows from the fall-off outside box edges: Chromium-drawn CSS shadows and flat UIs."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from designlens.aggregate.shadow import ShadowAggregator, similar, strength
from designlens.export.css import CssExporter
from designlens.extract import shadow as shadow_module
from designlens.extract.shadow import ShadowExtractor, find_shadows, fit_falloff
from designlens.images import DecodedImage
from designlens.relate.graph import TokenGraph
from designlens.tokens import Color, Dimension, Shadow, ShadowLayer, Token, TokenSet
from designlens.tokens.dtcg import dumps, loads
from tests.synthetic import draw_ui, pixels

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--force-color-profile=srgb",
    "--hide-scrollbars",
]


def render(tmp_path: Path, body: str) -> np.ndarray:
    page = tmp_path / "page.html"
    page.write_text(f"<!doctype html><html><body style='margin:0;background:#f8f9fa'>{body}</body></html>")
    out = tmp_path / "shot.png"
    subprocess.run(
        [CHROMIUM, *ARGS, "--window-size=800,500", f"--screenshot={out}", page.as_uri()],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return np.asarray(Image.open(out).convert("RGB"))


def cards(shadow: str) -> str:
    card = f"width:220px;height:120px;background:#fff;border-radius:6px;box-shadow:{shadow};margin:40px"
    return f"<div style='display:flex'><div style='{card}'></div><div style='{card}'></div></div>"


def image(px: np.ndarray) -> DecodedImage:
    return DecodedImage(id="s" * 64, source="shadow.png", pixels=np.ascontiguousarray(px))


@pytest.mark.parametrize(
    ("css", "offset_y", "blur", "alpha"),
    [("0 2px 4px rgba(0,0,0,.075)", 2, 4, 0.075), ("0 4px 14px rgba(0,0,0,.12)", 4, 14, 0.12)],
)
def test_css_box_shadow_is_fitted_from_the_fall_off(
    tmp_path: Path, css: str, offset_y: float, blur: float, alpha: float
) -> None:
    found = find_shadows(render(tmp_path, cards(css)))
    assert len(found) == 2  # one per card
    for s in found:
        assert abs(s.offset_y - offset_y) <= 1.5
        assert abs(s.blur - blur) <= max(1.5, 0.25 * blur)
        assert abs(s.alpha - alpha) <= 0.35 * alpha
        assert s.rgb == (0, 0, 0) and not s.inset


@pytest.mark.parametrize("offset_x", [6, -5, 0])
def test_horizontal_offset_is_read_from_the_sides(tmp_path: Path, offset_x: int) -> None:
    # the side whose shadow reaches further out is the side the shadow is pushed to
    found = find_shadows(render(tmp_path, cards(f"{offset_x}px 4px 10px rgba(0,0,0,.25)")))
    assert len(found) == 2
    for s in found:
        assert abs(s.offset_x - offset_x) <= 1.0
        assert abs(s.offset_y - 4) <= 1.0


def test_flat_ui_without_shadows_gives_no_shadow_tokens(tmp_path: Path) -> None:
    assert ShadowExtractor().extract(image(pixels(draw_ui())), {}) == []
    # bordered cards (a 1 px edge is a step, not a fall-off) and a gradient band
    body = (
        "<div style='width:300px;height:140px;background:#fff;border:1px solid #dee2e6;margin:40px'></div>"
        "<div style='width:600px;height:80px;background:linear-gradient(#fff,#ccc);margin:40px'></div>"
    )
    assert ShadowExtractor().extract(image(render(tmp_path, body)), {}) == []


def test_noise_and_degenerate_images_give_no_shadows() -> None:
    rng = np.random.default_rng(3)
    assert find_shadows(rng.integers(0, 256, (300, 400, 3), dtype=np.uint8)) == []
    for shape in ((1, 1, 3), (3, 3, 3), (10, 2000, 3), (2000, 10, 3)):
        assert find_shadows(np.zeros(shape, dtype=np.uint8)) == []


def _edges_reference(
    g: np.ndarray, min_len: int, min_step: int, min_fade: float
) -> list[tuple[int, int, int]]:
    """shadow._edges as a loop over runs, each mean read with ndarray.mean (as it was)."""
    h = g.shape[0]
    out = []
    for step in (np.clip(g[:-1].astype(int) - g[1:], 0, 255), np.clip(g[1:].astype(int) - g[:-1], 0, 255)):
        ys, starts, ends = shadow_module._runs((step >= min_step).astype(np.uint8), min_len)
        for y, x0, x1 in zip(ys.tolist(), starts.tolist(), ends.tolist(), strict=True):
            trim = max(4, (x1 - x0) // 6)
            a, b = x0 + trim, x1 - trim
            if y + 5 >= h or b - a < 4:
                continue
            if float(g[y + 4, a:b].mean()) - float(g[y + 1, a:b].mean()) >= min_fade:
                out.append((y, x0, x1))
    return sorted(out)


def test_edge_candidates_equal_the_per_run_reference() -> None:
    """_edges reads the fade below every run at once (prefix sums of the rows involved, one
    per row however many runs share it): the same runs kept as one mean per run gave, on
    rows of cells (many runs per row) with and without a fall-off below, at random greys."""
    rng = np.random.default_rng(5)
    kept_shared = 0
    for _ in range(20):
        g = np.full((300, 640), 235, np.uint8)
        for row in range(4):
            y = 20 + 70 * row + int(rng.integers(0, 6))
            x = int(rng.integers(0, 30))
            while x < 560:
                w = int(rng.integers(30, 160))
                g[y - 20 : y + 1, x : x + w] = int(rng.integers(245, 256))
                kind = rng.integers(0, 3)  # a fall-off below, a flat edge, or a darker rule
                for d in range(1, 8):
                    g[y + d, x : x + w] = 235 - (int(rng.integers(6, 20)) >> d if kind == 0 else 0)
                if kind == 2:
                    g[y + 1, x : x + w] = int(rng.integers(150, 220))
                x += w + int(rng.integers(0, 12))
        got = [(e.y, e.x0, e.x1) for e in shadow_module._edges(g, 40, 4, 1.0)]
        want = _edges_reference(g, 40, 4, 1.0)
        assert got == want
        ys = [y for y, _, _ in want]
        kept_shared += sum(ys.count(y) >= 2 for y in set(ys))
    assert kept_shared >= 10  # rows whose runs each needed their own columns of the prefix sums


def test_fall_off_fit_recovers_sigma_and_edge_offset() -> None:
    d = np.arange(30) + 0.5
    from math import erfc, sqrt

    profile = np.array([20 * 0.5 * erfc((v - 3.0) / (4.0 * sqrt(2))) for v in d])
    fit = fit_falloff(profile)
    assert fit is not None
    assert abs(fit.sigma - 4.0) <= 0.6 and abs(fit.offset - 3.0) <= 0.6 and abs(fit.amplitude - 20) <= 2


def layer(oy: float, blur: float, alpha: float) -> Shadow:
    return Shadow(
        (ShadowLayer(Color("#000000", alpha), Dimension(0), Dimension(oy), Dimension(blur), Dimension(0)),)
    )


def test_aggregator_merges_near_shadows_and_orders_the_elevation_scale_by_strength() -> None:
    raw = [
        Token("shadow.raw1", "shadow", layer(8, 16, 0.1), extensions={"boxes": 3}),
        Token("shadow.raw1", "shadow", layer(2, 4, 0.075), extensions={"boxes": 6}),
        Token("shadow.raw2", "shadow", layer(2.5, 4.5, 0.07), extensions={"boxes": 2}),
    ]
    out = TokenSet(ShadowAggregator().aggregate(raw, {}))
    assert [t.name for t in out] == ["shadow.1", "shadow.2"]
    assert out["shadow.1"].value == layer(2, 4, 0.075)
    assert out["shadow.1"].extensions["boxes"] == 8
    assert strength(layer(2, 4, 0.075)) < strength(layer(8, 16, 0.1))
    assert similar(layer(2, 4, 0.075), layer(2.5, 4.5, 0.07)) and not similar(
        layer(2, 4, 0.075), layer(8, 16, 0.1)
    )
    assert loads(dumps(out)) == out
    assert (
        "--shadow-1: 0 2px 4px 0 rgb(0 0 0 / 0.075);" in CssExporter().export(out, TokenGraph(), {}).decode()
    )


def test_no_raw_shadows_means_no_shadow_tokens() -> None:
    assert ShadowAggregator().aggregate([], {}) == []
