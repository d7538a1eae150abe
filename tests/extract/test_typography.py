"""Typography from pixels, on Chromium renders (the calibration specimens and pages drawn here)."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from PIL import Image

from designlens.aggregate.typography import TypographyAggregator, fit_modular_scale
from designlens.export.css import CssExporter
from designlens.extract.text import TextLine, find_text_lines
from designlens.extract.typography import TypographyExtractor, leading_bound, measure_styles
from designlens.images import DecodedImage
from designlens.relate.graph import TokenGraph
from designlens.tokens import Alias, Dimension, Token, TokenSet, Typography
from designlens.tokens.dtcg import dumps, loads

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "typography"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--font-render-hinting=none",
    "--disable-lcd-text",
    "--force-color-profile=srgb",
    "--hide-scrollbars",
]


def render(tmp_path: Path, body: str, width: int = 1280, height: int = 800) -> np.ndarray:
    """Screenshot of an HTML body drawn by headless Chromium (no network: a file:// page)."""
    page = tmp_path / "page.html"
    page.write_text(f"<!doctype html><html><body style='margin:0;background:#fff'>{body}</body></html>")
    out = tmp_path / "shot.png"
    subprocess.run(
        [CHROMIUM, *ARGS, f"--window-size={width},{height}", f"--screenshot={out}", page.as_uri()],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return np.asarray(Image.open(out).convert("RGB"))


def image(px: np.ndarray, scale: float = 1.0) -> DecodedImage:
    return DecodedImage(id="t" * 64, source="test.png", pixels=np.ascontiguousarray(px), scale=scale)


PARAGRAPH = (
    "Manage the people, billing and security of your team. Invite colleagues by email; "
    "they join with the role you pick. Owners can change plans, download invoices and "
    "close the account whenever they like."
)


@pytest.fixture(scope="module")
def ui_page(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    tmp = tmp_path_factory.mktemp("ui")
    body = (
        "<div style='font-family:DejaVu Sans;color:#212529;padding:40px;width:560px'>"
        "<h1 style='font-size:32px;line-height:1.2;font-weight:700;margin:0 0 24px'>Account settings</h1>"
        f"<p style='font-size:16px;line-height:24px;margin:0 0 24px'>{PARAGRAPH}</p>"
        f"<p style='font-size:14px;line-height:21px;color:#6c757d;margin:0'>{PARAGRAPH}</p>"
        "</div>"
    )
    return render(tmp, body)


def test_specimen_sizes_are_read_within_one_px_from_cap_and_x_height() -> None:
    # Chromium's own renders of the calibration fonts: each row drawn at a known size.
    index = json.loads((FIXTURES / "specimens.json").read_text())
    hits = total = 0
    for key in ("dejavu-sans-400", "liberation-sans-700"):
        px = np.asarray(Image.open(FIXTURES / f"specimen-{key}.png").convert("RGB"))[:6000]
        styles, _ = measure_styles(px)
        for row in index[key]["rows"]:
            if row["y"] + row["line_height"] > 6000 or not row["sample"].startswith("Ham"):
                continue
            near = [
                s
                for s in styles
                if row["y"] <= s.line.baseline <= row["y"] + row["line_height"]
                and abs(s.line.x - row["x"]) < 8
            ]
            total += 1
            hits += any(abs(s.size - row["size"]) <= 1.0 for s in near)
    assert total > 50
    assert hits / total >= 0.85


def test_paragraph_sizes_and_line_heights_come_from_the_glyph_mask(ui_page: np.ndarray) -> None:
    styles, _ = measure_styles(ui_page)
    sizes = {round(s.size) for s in styles}
    assert any(abs(s - 16) <= 1 for s in sizes)
    assert any(abs(s - 14) <= 1 for s in sizes)
    assert any(abs(s - 32) <= 1 for s in sizes)
    body = [s for s in styles if abs(s.size - 16) <= 1 and s.line_height is not None]
    small = [s for s in styles if abs(s.size - 14) <= 1 and s.line_height is not None]
    assert body and all(abs(s.line_height - 24) <= 1 for s in body)  # type: ignore[operator]
    assert small and all(abs(s.line_height - 21) <= 1 for s in small)  # type: ignore[operator]


def test_text_colour_is_the_stroke_core_not_the_antialiased_edge(ui_page: np.ndarray) -> None:
    lines = find_text_lines(ui_page)
    inks = {t.ink for t in lines if t.glyphs >= 5}
    assert (33, 37, 41) in inks
    assert (108, 117, 125) in inks


def test_bold_heading_weighs_more_than_body_text(ui_page: np.ndarray) -> None:
    styles, _ = measure_styles(ui_page)
    heading = [s for s in styles if abs(s.size - 32) <= 1]
    body = [s for s in styles if abs(s.size - 16) <= 1]
    assert heading and body
    assert min(s.weight for s in heading) > max(s.weight for s in body)


def test_sizes_are_reported_in_css_px_at_device_scale_two(tmp_path: Path) -> None:
    style = "font-family:DejaVu Sans;font-size:16px;line-height:24px;margin:20px;width:500px"
    body = f"<p style='{style}'>{PARAGRAPH}</p>"
    px = render(tmp_path, body)
    big = np.asarray(Image.fromarray(px).resize((px.shape[1] * 2, px.shape[0] * 2), Image.Resampling.BICUBIC))
    styles, _ = measure_styles(big, scale=2.0)
    assert styles and all(abs(s.size - 16) <= 1.5 for s in styles if s.line.glyphs > 10)


def test_extractor_emits_raw_typography_tokens_the_aggregator_turns_into_aliased_composites(
    ui_page: np.ndarray,
) -> None:
    raw = TypographyExtractor().extract(image(ui_page), {})
    assert raw and all(t.name.startswith("typography.") and t.type == "typography" for t in raw)
    tokens = TokenSet(TypographyAggregator().aggregate(raw, {}))
    names = [t.name for t in tokens]
    assert any(n.startswith("font.size.") for n in names)
    assert any(n.startswith("font.lineHeight.") for n in names)
    assert "typography.body" in tokens
    body = tokens["typography.body"].value
    assert isinstance(body, Typography)
    for member in (body.font_size, body.font_weight, body.font_family, body.line_height):
        assert isinstance(member, Alias) and member.path in tokens
    size = tokens[body.font_size.path].value  # type: ignore[union-attr]
    assert isinstance(size, Dimension) and abs(size.value - 16) <= 1
    line = tokens[body.line_height.path]  # type: ignore[union-attr]
    assert isinstance(line.value, Dimension) and abs(line.value.value - 24) <= 1
    assert abs(float(line.extensions["ratio"]) - 1.5) <= 0.07
    # lossless DTCG and a CSS export
    assert loads(dumps(tokens)) == tokens
    css = CssExporter().export(tokens, TokenGraph(), {}).decode()
    assert "--typography-body-font-size: var(--font-size-" in css


def test_headings_and_captions_are_named_by_size_around_the_body() -> None:
    def raw(size: float, area: int, weight: int = 400) -> Token:
        return Token(
            f"typography.sans-{weight}-{size:g}".replace(".", "_"),
            "typography",
            Typography("sans-serif", Dimension(size), weight, 1.5),
            extensions={
                "area": area,
                "familyClass": "sans",
                "lineHeightsPx": [[size * 1.5, 2]],
                "lineHeightPx": size * 1.5,
            },
        )

    tokens = TokenSet(
        TypographyAggregator().aggregate(
            [raw(16, 50000), raw(40, 60000, 700), raw(24, 9000, 700), raw(12, 4000), raw(16, 3000, 700)], {}
        )
    )
    assert tokens["typography.heading-1"].value.font_size == Alias("font.size.4")  # type: ignore[union-attr]
    assert tokens["typography.body"].value.font_size == Alias("font.size.2")  # type: ignore[union-attr]
    assert "typography.body-bold" in tokens
    assert "typography.caption-1" in tokens


def test_modular_scale_is_found_with_confidence_and_random_sizes_get_little() -> None:
    ratio = fit_modular_scale([16 * 1.25**k for k in range(-2, 5)], 16)
    assert ratio is not None and ratio["ratio"] == 1.25 and ratio["confidence"] >= 0.9
    loose = fit_modular_scale([13, 17, 22.5, 37, 61], 17)
    assert loose is not None and loose["confidence"] < 0.9


def test_image_without_text_gives_no_tokens_and_says_why() -> None:
    px = np.full((300, 400, 3), 240, dtype=np.uint8)
    px[50:250, 60:340] = (37, 99, 235)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert TypographyExtractor().extract(image(px), {}) == []
    assert any("no text" in str(w.message) for w in caught)


def test_tiny_text_is_reported_with_low_confidence_and_a_warning(tmp_path: Path) -> None:
    px = render(
        tmp_path, f"<p style='font-family:DejaVu Sans;font-size:6px;margin:20px;width:400px'>{PARAGRAPH}</p>"
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        styles, _ = measure_styles(px)
    assert all(s.confidence <= 0.3 for s in styles if s.size < 8)
    assert styles and any("below 8 px" in str(w.message) for w in caught)


def test_huge_display_type_is_found_by_the_coarse_pass(tmp_path: Path) -> None:
    px = render(
        tmp_path,
        "<div style='font-family:DejaVu Sans;font-weight:700;font-size:160px;margin:20px'>Big 404</div>",
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        styles, _ = measure_styles(px)
    assert any(abs(s.size - 160) <= 16 for s in styles)
    assert any("beyond the calibrated sizes" in str(w.message) for w in caught)


def test_rotated_text_and_text_over_noise_do_not_crash_and_stay_unsure(ui_page: np.ndarray) -> None:
    rng = np.random.default_rng(7)
    noisy = np.clip(ui_page.astype(np.int16) + rng.integers(-60, 60, ui_page.shape), 0, 255).astype(np.uint8)
    clean = {round(s.size): s.confidence for s in measure_styles(ui_page)[0]}
    for s in measure_styles(noisy)[0]:
        assert s.confidence <= max(clean.values())


def _measure_warned(px: np.ndarray) -> tuple[list[Any], list[str], list[Token]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        styles, _ = measure_styles(px)
        tokens = TypographyExtractor().extract(image(px), {})
    return styles, [str(w.message) for w in caught], tokens


def test_a_screenshot_on_its_side_is_not_measured_and_says_why(
    ui_page: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Vertical text read across its lines gives heights that are not a font's (before:
    an 80 px 'serif' at family confidence 0.95): the page is read transposed, found to
    run vertically, and given up with a warning."""
    from designlens.extract import typography

    reads: list[tuple[int, ...]] = []
    real = typography.text_lines

    def spy(px: np.ndarray, *args: Any, **kwargs: Any) -> Any:
        reads.append(px.shape)
        return real(px, *args, **kwargs)

    monkeypatch.setattr(typography, "text_lines", spy)
    for k in (1, 3):
        reads.clear()
        side = np.ascontiguousarray(np.rot90(ui_page, k))
        styles, said, tokens = _measure_warned(side)
        assert styles == [] and tokens == []
        assert any("runs vertically" in m for m in said)
        assert (side.shape[1], side.shape[0], 3) in reads  # it was read transposed
    # the upright page is not read twice (nor said to be mostly unread), and is measured
    reads.clear()
    styles, said, _ = _measure_warned(ui_page)
    assert reads and all(shape == ui_page.shape for shape in reads)
    assert len(styles) >= 6
    assert not any("vertically" in m or "baseline" in m or "glyph-like marks" in m for m in said)


@pytest.mark.parametrize("angle", [3, 5, 15])
def test_rotated_lines_whose_glyphs_share_no_baseline_are_dropped_with_a_warning(
    ui_page: np.ndarray, angle: float
) -> None:
    """A few degrees of rotation keeps glyphs grouped in lines but takes them off one
    baseline: those lines are not measured (before: 8 lines with confident sizes)."""
    matrix = cv2.getRotationMatrix2D((640, 400), angle, 1.0)
    rotated = cv2.warpAffine(ui_page, matrix, (1280, 800), borderValue=(255, 255, 255))
    styles, said, _ = _measure_warned(rotated)
    assert any("do not share a baseline" in m for m in said)
    assert all(s.line.glyphs < 8 for s in styles)  # only lines too short to judge remain


def test_text_mostly_unread_is_said_and_short_lines_off_the_baseline_are_dropped(ui_page: np.ndarray) -> None:
    """At 30 degrees almost no glyph forms a line: the page says so, and the few short
    'lines' whose glyphs miss one baseline are not measured (before: a 7-glyph line with
    2 on the baseline gave a 14.4 px token at confidence 0.42)."""
    matrix = cv2.getRotationMatrix2D((640, 400), 30, 1.0)
    rotated = cv2.warpAffine(ui_page, matrix, (1280, 800), borderValue=(255, 255, 255))
    styles, said, tokens = _measure_warned(rotated)
    assert any("glyph-like marks form text lines" in m for m in said)
    assert all(s.line.glyphs < 4 or 3 * s.line.standing >= s.line.glyphs for s in styles)
    assert tokens == []


def test_text_over_a_photo_is_less_sure_than_on_flat_paint(tmp_path: Path) -> None:
    photo = Path(__file__).resolve().parents[2] / "eval" / "pages" / "assets" / "photo-city.jpg"
    (tmp_path / "photo.jpg").write_bytes(photo.read_bytes())
    text = (
        "<h1 style='font-size:40px;margin:0 0 20px'>Explore the city</h1>"
        f"<p style='font-size:18px;width:600px'>{PARAGRAPH}</p></div>"
    )
    box = "width:900px;height:500px;padding:40px;font-family:DejaVu Sans;color:#fff"
    over, _, over_tokens = _measure_warned(
        render(tmp_path, f"<div style='background:url(photo.jpg) center/cover;{box}'>{text}")
    )
    flat, _, flat_tokens = _measure_warned(render(tmp_path, f"<div style='background:#345;{box}'>{text}"))
    assert flat and over_tokens  # the heading over the photo is still read
    assert max(s.confidence for s in over) < min(s.confidence for s in flat)
    assert max(t.confidence or 0.0 for t in over_tokens) < max(t.confidence or 0.0 for t in flat_tokens)


def _raw(size: float, area: int, line: float | None, **extra: object) -> Token:
    ext: dict[str, object] = {"area": area, "familyClass": "sans", "lineHeightsPx": [], **extra}
    if line is not None:
        ext |= {"lineHeightsPx": [[line, 3]], "lineHeightPx": line}
    return Token(
        f"typography.sans-400-{size:g}",
        "typography",
        Typography("sans-serif", Dimension(size), 400, 0.0),
        extensions=ext,
    )


def _line_height(tokens: TokenSet, style: str) -> Token:
    value = tokens[style].value
    assert isinstance(value, Typography) and isinstance(value.line_height, Alias)
    return tokens[value.line_height.path]


def test_unmeasured_leading_is_an_alias_to_a_token_that_says_it_was_inferred() -> None:
    tokens = TokenSet(
        TypographyAggregator().aggregate(
            [_raw(16, 50000, 24.0), _raw(14, 9000, None), _raw(32, 9000, None)], {}
        )
    )
    small = _line_height(tokens, "typography.caption-1")
    assert small.value == Dimension(21.0)  # the body's measured 1.5, inherited by 14 px
    assert small.extensions["measured"] is False and small.extensions["inferredFrom"] == "inherited"
    heading = _line_height(tokens, "typography.heading-1")
    assert heading.value == Dimension(38.5)  # headings: the tighter heading leading, 1.2
    assert heading.extensions["inferredFrom"] == "heading-convention"
    body = _line_height(tokens, "typography.body")
    assert body.extensions["measured"] is True and heading.confidence < body.confidence


def test_with_nothing_measured_body_leading_is_the_convention_unless_tight_stacking_rules_it_out() -> None:
    loose = TokenSet(TypographyAggregator().aggregate([_raw(16, 50000, None, leadingBound=2.1)], {}))
    line = _line_height(loose, "typography.body")
    assert line.value == Dimension(24.0) and line.extensions["inferredFrom"] == "body-convention"
    tight = TokenSet(TypographyAggregator().aggregate([_raw(16, 50000, None, leadingBound=1.25)], {}))
    line = _line_height(tight, "typography.body")
    assert line.value == Dimension(18.5) and line.extensions["inferredFrom"] == "css-normal"
    # stacked lines 20 px apart: the line height cannot be more than that
    capped = TokenSet(
        TypographyAggregator().aggregate([_raw(16, 50000, None, stackedPitchesPx=[[20.0, 4], [32.0, 2]])], {})
    )
    line = _line_height(capped, "typography.body")
    assert line.value == Dimension(20.0) and line.extensions["inferredFrom"] == "stacked"


ITEMS = "".join(
    f"<div style='margin:0 0 6px'>{w}</div>" for w in ("Inbox", "Starred", "Sent", "Drafts", "Archive")
)


def test_wrapped_paragraph_pitch_is_leading_and_stacked_list_items_are_not(tmp_path: Path) -> None:
    # list items 6 px apart (pitch 30) beside a paragraph set at 24 px: only the paragraph
    # tells the line height; the list's pitch is only an upper bound
    body = (
        "<div style='display:flex;gap:80px;font-family:DejaVu Sans;font-size:16px;line-height:24px;"
        "margin:40px'>"
        f"<div style='width:160px'>{ITEMS}</div><p style='width:520px;margin:0'>{PARAGRAPH}</p></div>"
    )
    px = render(tmp_path, body)
    styles, _ = measure_styles(px)
    paragraph = [s for s in styles if s.line.x > 200 and s.line_height is not None]
    items = [s for s in styles if s.line.x < 200 and s.line_height is not None]
    assert paragraph and all(s.wrapped and abs(s.line_height - 24) <= 0.5 for s in paragraph)  # type: ignore[operator]
    assert items and not any(s.wrapped for s in items)
    assert all(abs(s.line_height - 30) <= 0.5 for s in items)  # type: ignore[operator]
    tokens = TokenSet(TypographyAggregator().aggregate(TypographyExtractor().extract(image(px), {}), {}))
    line = _line_height(tokens, "typography.body")
    assert abs(line.value.value - 24) <= 0.5 and line.extensions["measured"] is True  # type: ignore[union-attr]


def test_tightly_stacked_single_lines_bound_the_leading(tmp_path: Path) -> None:
    # single lines only (nothing wraps), set solid at line-height normal: the pitch between
    # stacked lines rules out the 1.5 convention, so the inferred leading is `normal`
    rows = "".join(
        f"<div style='font-size:{size}px'>{text}</div>"
        for size, text in (
            (16, "Wireless headphones"),
            (14, "Noise cancelling"),
            (16, "Leather wallet"),
            (14, "Slim fit"),
        )
    )
    body = f"<div style='font-family:DejaVu Sans;line-height:normal;margin:40px;width:300px'>{rows}</div>"
    px = render(tmp_path, body)
    styles, _ = measure_styles(px)
    bound = leading_bound(styles)
    assert bound is not None and bound < 1.4
    tokens = TokenSet(TypographyAggregator().aggregate(TypographyExtractor().extract(image(px), {}), {}))
    lines = [t for t in tokens if t.name.startswith("font.lineHeight.")]
    assert lines and all(t.extensions.get("inferredFrom") == "css-normal" for t in lines)
    assert all(abs(float(t.extensions["ratio"]) - 1.15) <= 0.05 for t in lines)


# --- the compiled per-line measurements against the numpy they replaced --------------------


def _ref_pmedian(values: list[float]) -> float:
    b = sorted(values)
    n = len(b)
    return b[n // 2] if n % 2 else 0.5 * (b[n // 2 - 1] + b[n // 2])


def _ref_heights(top: np.ndarray, bottom: np.ndarray) -> tuple[float, float | None, float | None, int]:
    tops, bots = top.tolist(), bottom.tolist()
    counts: dict[int, int] = {}
    for v in bots:
        r = int(np.floor(v + 0.25))
        counts[r] = counts.get(r, 0) + 1
    most = max(counts.values())
    base_i = min(r for r, c in counts.items() if c == most)
    on = [i for i, v in enumerate(bots) if abs(v - base_i) <= 1.0]
    flat = [bots[i] for i in on if abs(bots[i] - base_i) < 0.25]
    baseline = _ref_pmedian(flat) if flat else _ref_pmedian([bots[i] for i in on])
    hts = sorted(h for h in (baseline - tops[i] for i in on) if h > 1.5)
    if not hts:
        return baseline, None, None, 0
    tall = hts[-1]
    high = [h for h in hts if h >= 0.88 * tall]
    low = [h for h in hts if 0.55 * tall <= h <= 0.84 * tall]
    cap = _ref_pmedian(high)
    if len(low) >= max(1, 0.15 * len(hts)) and high:
        xh = _ref_pmedian(low)
        if 1.15 <= cap / xh <= 1.75:
            return baseline, cap, xh, len(hts)
    return baseline, cap, None, len(hts)


def _ref_line(
    px: np.ndarray,
    gray: np.ndarray,
    box: tuple[int, int, int, int],
    pys: np.ndarray,
    pxs: np.ndarray,
    pcov: np.ndarray,
    gx: np.ndarray,
    gw: np.ndarray,
    gh: np.ndarray,
    top: np.ndarray,
    bottom: np.ndarray,
    mass: np.ndarray,
    outline: np.ndarray,
) -> tuple[object, ...] | None:
    """One line measured the way text.py did before the compiled kernel (numpy, per line)."""
    x0, y0, x1, y1 = box
    crop = gray[y0:y1, x0:x1]
    hist = np.bincount(crop.ravel(), minlength=256)
    bg_grey = int(np.argmax(hist))
    share = float(hist[max(bg_grey - 3, 0) : bg_grey + 4].sum() / max(crop.size, 1))
    flat = int(np.argmax(crop.ravel() == bg_grey))
    bg = tuple(px[y0 + flat // crop.shape[1], x0 + flat % crop.shape[1]].tolist())
    core = pcov >= 0.98
    if np.count_nonzero(core) < 2:
        core = pcov >= 0.9 * float(pcov.max())
    cy, cx = pys[core], pxs[core]
    greys = gray[cy, cx]
    ink_grey = int(np.argmax(np.bincount(greys, minlength=256)))
    k = int(np.argmax(greys == ink_grey))
    ink = tuple(px[cy[k], cx[k]].tolist())
    contrast = float(abs(ink_grey - bg_grey))
    if contrast < 28.0:
        return None
    baseline, cap, xh, standing = _ref_heights(top, bottom)
    if standing < 2 or cap is None:
        return None
    b = np.sort((gw / gh).astype(np.float32))
    n = b.size
    aspect = float(b[n // 2]) if n % 2 else float(0.5 * (b[n // 2 - 1] + b[n // 2]))
    if xh is None and aspect >= 0.95:
        cap, xh = None, cap
    word_gap = 0.3 * (cap if cap is not None else 1.35 * (xh or 0.0))
    order = np.argsort(gx, kind="stable")
    left, right = gx[order], np.maximum.accumulate(gx[order] + gw[order])
    breaks = np.flatnonzero(left[1:] - right[:-1] > word_gap)
    end = int(right[breaks[0]]) if breaks.size else int(right[-1])
    out_sum = float(outline.sum())
    stroke = float(2.0 * mass.sum() / out_sum) if out_sum else 0.0
    return ink, bg, contrast, share, baseline, cap, xh, aspect, stroke, end - int(left[0]), standing


def test_compiled_line_measurements_equal_the_numpy_reference_to_the_bit() -> None:
    """text_kernels.line_metrics replaced per-line numpy calls: same values, same bits
    (float32 medians and numpy's pairwise float32 sums included), on random lines."""
    from designlens.extract import text_kernels

    rng = np.random.default_rng(7)
    noise = rng.integers(0, 256, (60, 300, 3), dtype=np.uint8)
    noise[rng.random((60, 300)) < 0.5] = (250, 250, 250)  # a dominant background
    measured = 0
    for trial in range(300):
        ng = int(rng.integers(2, 200 if trial % 10 == 0 else 40))
        npx = int(rng.integers(3, 400))
        x0, y0 = int(rng.integers(0, 150)), int(rng.integers(0, 30))
        box = (x0, y0, x0 + int(rng.integers(1, 150)), y0 + int(rng.integers(1, 30)))
        pys = rng.integers(0, 60, npx).astype(np.int32)
        pxs = rng.integers(0, 300, npx).astype(np.int32)
        px = noise.copy()
        px[pys, pxs] = rng.integers(0, 4, (npx, 1)) * 20 + rng.integers(0, 3, (npx, 3))  # dark ink
        gray = np.asarray(np.round(px.astype(np.float64) @ [0.299, 0.587, 0.114]).clip(0, 255), np.uint8)
        pcov = rng.choice([1.0, 0.99, 0.7, 0.3, 0.98], npx).astype(np.float32)
        pcov *= rng.choice([1.0, 0.9], npx).astype(np.float32)
        if trial % 3 == 0:  # no full-coverage core: the cores are within 90% of the darkest (float32)
            m = np.float32(rng.uniform(0.5, 0.97))
            pcov = rng.choice([m, np.float32(0.9 * float(m)), np.float32(0.4)], npx).astype(np.float32)
            pcov[0] = m
        gx = rng.integers(0, 400, ng).astype(np.int32)
        gw = rng.integers(1, 14, ng).astype(np.int32)
        gh = rng.integers(1, 20, ng).astype(np.int32)
        base = float(rng.integers(10, 40))
        sit = rng.choice([0.0, 0.0, 0.3, -0.2, 0.6, -4.0], ng)  # on the baseline, overshoot, descender
        bottom = (base + sit + rng.random(ng) * 0.1).astype(np.float32)
        top = (bottom - rng.choice([7.0, 10.0, 10.3, 1.0, 5.5], ng) - rng.random(ng) * 0.5).astype(np.float32)
        mass = (rng.random(ng) * 50).astype(np.float32)
        outline = rng.integers(0, 40, ng).astype(np.float32)
        want = _ref_line(px, gray, box, pys, pxs, pcov, gx, gw, gh, top, bottom, mass, outline)
        ints, floats, f32 = text_kernels.line_metrics(
            px,
            gray,
            np.array([box], np.int64),
            np.array([0]),
            np.array([npx]),
            pys,
            pxs,
            pcov,
            np.array([0]),
            np.array([ng]),
            gx,
            gw,
            gh,
            top,
            bottom,
            mass,
            outline,
            28.0,
            2,
        )
        (ok, ir, ig, ib, br, bgg, bb, first_word, standing), (contrast, share, baseline, cap, xh) = (
            ints[0].tolist(),
            floats[0].tolist(),
        )
        assert (contrast, share) == ((want[2], want[3]) if want else (contrast, share)), trial
        if want is None:
            assert not ok, trial
            continue
        measured += 1
        aspect, stroke = f32[0].tolist()
        got = (
            (ir, ig, ib),
            (br, bgg, bb),
            contrast,
            share,
            baseline,
            None if np.isnan(cap) else cap,
            None if np.isnan(xh) else xh,
            aspect,
            stroke,
            first_word,
            standing,
        )
        assert ok and got == want, trial
    assert measured > 150, measured


def _ref_glyph_pass(fg: np.ndarray, gray: np.ndarray, integral: np.ndarray | None) -> tuple[np.ndarray, ...]:
    """text._glyphs as it was in numpy (per-pixel gathers), for the compiled passes to equal."""
    from designlens.extract import text

    mask = (fg >= 36).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStatsWithAlgorithm(mask, 8, cv2.CV_32S, cv2.CCL_BBDT)
    keep = text._keep_components(np.asarray(stats, dtype=np.int32), 1.0, 3)
    index = np.full(n, -1, dtype=np.int32)
    index[keep] = np.arange(int(keep.sum()), dtype=np.int32)
    s = stats[keep]
    gx, gy, gw, gh = (s[:, i].astype(np.int32) for i in range(4))
    line = text._group_lines(gx, gy, gw, gh, fg.shape[:2])
    pts = np.asarray(cv2.findNonZero(mask)).reshape(-1, 2)
    xs, ys = pts[:, 0], pts[:, 1]
    gi = index[labels[ys, xs]]
    inside = gi >= 0
    ys, xs, gi = ys[inside].astype(np.int32), xs[inside].astype(np.int32), gi[inside]
    v8 = fg[ys, xs]
    n_lines = int(line.max()) + 1
    pl = line[gi]

    def quantile(values: np.ndarray, q: float) -> np.ndarray:
        hist = np.bincount(pl.astype(np.int64) * 256 + values, minlength=n_lines * 256).reshape(n_lines, 256)
        return text._hist_quantile(hist, q)

    contrast = quantile(v8, 0.95)
    hh, ww = fg.shape[:2]
    count, bx0, by0, bx1, by1 = text._line_boxes(line, gx, gy, gw, gh, n_lines)
    usable = (count >= 2) & (by0 > 0) & (by1 < hh) & (bx0 > 0) & (bx1 < ww)
    if integral is not None:
        ink_max = quantile(gray[ys, xs], 1.0)
        area = np.maximum((bx1 - bx0) * (by1 - by0), 1).astype(np.float64)
        x0, y0, x1, y1 = (np.minimum(b, lim) for b, lim in ((bx0, ww), (by0, hh), (bx1, ww), (by1, hh)))
        box = integral[y1, x1] - integral[y0, x1] - integral[y1, x0] + integral[y0, x0]
        usable &= ink_max.astype(np.float64) - box / area >= 0.35 * contrast
    sel = usable[pl]
    ys, xs, gi, v8, pl = ys[sel], xs[sel], gi[sel], v8[sel], pl[sel]
    cov = np.minimum(v8.astype(np.float32) / np.maximum(contrast[pl], 1.0), 1.0).astype(np.float32)
    ng = gx.size
    m_top, m_bot = np.zeros(ng, dtype=np.float32), np.zeros(ng, dtype=np.float32)
    at_top, at_bot = ys == gy[gi], ys == gy[gi] + gh[gi] - 1
    np.maximum.at(m_top, gi[at_top], cov[at_top])
    np.maximum.at(m_bot, gi[at_bot], cov[at_bot])
    half = np.zeros(mask.shape, dtype=np.uint8)
    strong = cov >= 0.5
    half[ys[strong], xs[strong]] = 1
    inner = cv2.erode(half, cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3)))
    edge = strong & (inner[ys, xs] == 0)
    mass = np.bincount(gi, weights=cov, minlength=ng).astype(np.float32)
    outline = np.bincount(gi[edge], minlength=ng).astype(np.float32)
    top, bottom = (gy + (1.0 - m_top)).astype(np.float32), (gy + gh - (1.0 - m_bot)).astype(np.float32)
    return line, ys, xs, cov, gi, contrast, usable, top, bottom, mass, outline


def test_compiled_glyph_passes_equal_the_numpy_reference(ui_page: np.ndarray) -> None:
    """The glyph pixels, coverage, edges, mass and outlines from text_kernels are those the
    numpy gathers gave, on a rendered page and on noise (both polarities; glyphs touching
    the image border included)."""
    from designlens.extract import text

    rng = np.random.default_rng(3)
    noisy = rng.integers(0, 256, (200, 300, 3), dtype=np.uint8)
    noisy[rng.random((200, 300)) < 0.7] = 255
    measured = 0
    for px in (ui_page, noisy, ui_page[5:400, 3:700]):
        gray, dark, light = text.stroke_maps(px)
        integral = cv2.integral(gray)
        for fg, ii in ((dark, None), (light, integral)):
            got = text._glyphs(fg, 1.0, 3, gray, ii)
            assert got is not None
            g, line, ys, xs, cov, gi, contrast, usable = got
            want = _ref_glyph_pass(fg, gray, ii)
            have = (line, ys, xs, cov, gi, contrast, usable, g.top, g.bottom, g.mass, g.outline)
            measured += int(usable.sum())
            for a, b in zip(have, want, strict=True):
                assert a.dtype == b.dtype and np.array_equal(a, b)
    assert measured >= 20


def test_a_line_split_at_a_sentence_break_still_shows_its_wrap(tmp_path: Path) -> None:
    """'plan. Upgrades': the full stop has no middle for the line finder to join, so the
    first line comes out as two pieces on one baseline; the wrap is judged on the whole
    line box, so the paragraph's pitch is measured as its line height (before: the left
    piece plus the next line's first word 'fitted', and the pitch counted as stacking)."""
    text = (
        "Go to Settings \u2192 Billing and choose a new plan. Upgrades apply immediately; downgrades "
        "apply at the end of the billing period."
    )
    style = "font-family:DejaVu Sans;font-size:16px;line-height:24px;margin:40px;width:520px"
    styles, _ = measure_styles(render(tmp_path, f"<p style='{style}'>{text}</p>"))
    top = min(s.line.baseline for s in styles)
    pieces = [s for s in styles if s.line.baseline - top <= 1]
    assert len(pieces) == 2  # the line finder splits the first line at "plan. "
    first = min(pieces, key=lambda s: s.line.x)
    assert first.wrapped and first.line_height == pytest.approx(24.0, abs=0.5)


def test_pieces_of_text_set_apart_like_flex_items_are_not_one_line_box() -> None:
    from designlens.extract.typography import _line_ends

    def piece(x: int, width: int) -> TextLine:
        return TextLine(x, 100, width, 12, 112.0, 11.0, 8.0, 1.5, 10, 0.6, (0, 0, 0), (255,) * 3, 200.0, True)

    # 16 px type: a sentence break (12 px, 0.75 em) joins, a 1.2 em gap between links does not
    lines = [piece(0, 200), piece(212, 100), piece(331, 80)]
    assert _line_ends(lines, [16.0] * 3) == [312, 312, 411]


def test_loading_the_typography_extractor_does_not_import_numba() -> None:
    """Processes that load plugins but never extract (the CLI's parent, the API) must not pay
    for numba; the compiled line measurements load on the first extraction."""
    code = (
        "import sys; from designlens import plugins; plugins.extractors(); "
        "import designlens.extract.typography, designlens.extract.text; print('numba' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_whole_pixel_pitches_one_pixel_apart_are_one_fractional_line_height() -> None:
    from designlens.extract.typography import pitch_clusters

    # 27.6 px leading drawn on whole-pixel baselines: pitches 28, 27, 28, 28, 27 ...
    assert pitch_clusters([28.0, 27.0, 28.0, 28.0, 27.0], 1.0) == [(27.6, 5)]
    # a second leading two pixels away stays its own line height
    assert pitch_clusters([24.0, 24.0, 24.0, 30.0, 31.0], 1.0) == [(24.0, 3), (30.5, 2)]
    # at device scale 2 one image pixel is half a CSS px
    assert pitch_clusters([27.5, 28.0, 27.5, 29.0], 0.5) == [(27.67, 3), (29.0, 1)]


def test_a_fractional_line_height_is_measured_between_the_pixel_pitches(tmp_path: Path) -> None:
    # 18.4 px type at line-height 1.5 (27.6 px): baselines snap to whole pixels, so the
    # pitches alternate 27/28; the line height is their mean, not the more frequent one
    style = "font-family:DejaVu Sans;font-size:18.4px;line-height:1.5;margin:40px;width:620px"
    px = render(tmp_path, f"<p style='{style}'>{PARAGRAPH} {PARAGRAPH}</p>")
    tokens = TypographyExtractor().extract(image(px), {})
    measured = [t for t in tokens if "lineHeightPx" in t.extensions]
    assert measured
    assert all(abs(float(t.extensions["lineHeightPx"]) - 27.6) <= 0.2 for t in measured)


def _heights_line(cap: float | None, x: float | None, y: int = 0) -> TextLine:
    ink, paper = (0, 0, 0), (255, 255, 255)
    return TextLine(0, y, 300, 40, y + 40.0, cap, x, 3.0, 8, 0.6, ink, paper, 200.0, True, 1.0, 0, 8)


def test_a_line_the_candidate_fonts_read_apart_takes_one_fonts_size_never_their_median() -> None:
    from designlens.extract.typography import PageFonts, _fonts, line_sizes

    fonts = {f.key: f for f in _fonts()}
    dejavu, liberation = fonts["dejavu-sans"], fonts["liberation-sans"]
    # a 20 px cap height alone: Liberation draws it at 29-30 px, DejaVu at 26-27 px; any font
    # fits a lone cap height, so the font that explains the page best (listed first) reads it
    lone = [_heights_line(20.0, None)]
    assert line_sizes(PageFonts((liberation, dejavu), "sans", 0.3), lone)[0].tolist() == [29.5]
    assert line_sizes(PageFonts((dejavu, liberation), "sans", 0.3), lone)[0].tolist() == [26.5]
    # cap 55 over x 43 is Liberation's 79-80 px, and fits DejaVu (76-77 px) clearly worse:
    # Liberation's reading whichever font the page prefers (not their median, 78)
    pair = [_heights_line(55.0, 43.0)]
    for order in ((dejavu, liberation), (liberation, dejavu)):
        assert line_sizes(PageFonts(order, "sans", 0.3), pair)[0].tolist() == [79.5]
    # 14 px body type (cap 10, x 8): both fonts draw it, so their median stays
    body = [_heights_line(10.0, 8.0)]
    for order in ((dejavu, liberation), (liberation, dejavu)):
        assert line_sizes(PageFonts(order, "sans", 0.3), body)[0].tolist() == [14.375]


def test_the_page_fonts_come_best_first() -> None:
    from designlens.extract.typography import choose_fonts

    # heights Liberation Sans draws at 14, 16, 20 and 24 px (cap, x-height)
    lines = [_heights_line(c, x, 50 * k) for k, (c, x) in enumerate(((10, 8), (12, 9), (14, 11), (17, 13)))]
    page = choose_fonts(lines)
    assert len(page.fonts) > 1  # small type does not settle the font ...
    assert page.fonts[0].key == "liberation-sans"  # ... but the best-fitting one leads
