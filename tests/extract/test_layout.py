"""The layout extractor on drawn screens whose boxes, spacing, radii and borders are known."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from designlens.extract.boxes import find_regions
from designlens.extract.layout import LayoutExtractor, LayoutWarning, analyze_layout
from designlens.extract.radius import corner_radius
from designlens.extract.spacing import LineBox, dot_bearing
from designlens.images import DecodedImage
from designlens.overlay import draw_overlay, label
from designlens.tokens import Color, Dimension
from tests.synthetic import FONT

SS = 4  # supersampling: shapes are drawn 4x and box-filtered down, anti-aliased like a browser


def _screen(width: int = 900, height: int = 400, scale: int = 1) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    img = Image.new("RGB", (width * scale * SS, height * scale * SS), "#ffffff")
    return img, ImageDraw.Draw(img)


def _rect(d: ImageDraw.ImageDraw, box: tuple[float, float, float, float], scale: int, **kw: object) -> None:
    """Draw a CSS-px box (x0, y0, x1, y1 exclusive) at `scale` image px per CSS px."""
    k = scale * SS
    x0, y0, x1, y1 = box
    kw = dict(kw)
    if "radius" in kw:
        kw["radius"] = float(kw["radius"]) * k  # type: ignore[arg-type]
    if "width" in kw:
        kw["width"] = int(kw["width"]) * k  # type: ignore[call-overload]
    d.rounded_rectangle([x0 * k, y0 * k, x1 * k - 1, y1 * k - 1], **kw)  # type: ignore[arg-type]


def _done(img: Image.Image) -> np.ndarray:
    return np.asarray(img.resize((img.width // SS, img.height // SS), Image.Resampling.BOX))


def card_screen(scale: int = 1) -> np.ndarray:
    """A bordered card (radius 8, 1 px border) with 16 px padding around two buttons 12 px apart,
    a pill badge 24 px tall and a 40 px circle avatar."""
    img, d = _screen(scale=scale)
    _rect(d, (100, 100, 500, 174), scale, radius=8, fill="#f1f3f5", outline="#d1d5db", width=1)
    _rect(d, (117, 117, 237, 157), scale, radius=6, fill="#2563eb")
    _rect(d, (249, 117, 369, 157), scale, radius=6, fill="#2563eb")
    _rect(d, (600, 100, 680, 124), scale, radius=12, fill="#dc2626")
    _rect(d, (700, 100, 740, 140), scale, radius=20, fill="#16a34a")
    return _done(img)


def values(tokens: list, group: str) -> dict[float, int]:
    return {
        t.value.value: t.extensions["count"]
        for t in tokens
        if t.name.startswith(group + ".") and isinstance(t.value, Dimension)
    }


def image(px: np.ndarray, scale: float = 1.0) -> DecodedImage:
    return DecodedImage(id="0" * 64, source="screen.png", pixels=px, scale=scale)


def test_boxes_are_found_at_their_painted_edges_with_their_containment() -> None:
    regions = find_regions(card_screen())
    boxes = {r.box: r for r in regions if r.is_box}
    card = boxes[(101, 101, 499, 173)]  # the fill inside the 1 px border
    buttons = [boxes[(117, 117, 237, 157)], boxes[(249, 117, 369, 157)]]
    assert all(b.parent == card.index for b in buttons)
    assert {b.index for b in buttons} <= set(card.children)


@pytest.mark.parametrize("radius", [2, 3, 4, 6, 8, 10, 12, 16, 20, 24, 30])
def test_corner_radius_is_measured_within_one_px(radius: int) -> None:
    img, d = _screen(300, 200)
    _rect(d, (50, 40, 170, 110), 1, radius=radius, fill="#2563eb")
    r = corner_radius(_done(img).astype(np.int16), (50, 40, 170, 110), 32)
    assert r is not None and abs(r - radius) <= 1.0


def test_bordered_box_radius_is_measured_on_its_outer_edge() -> None:
    img, d = _screen(300, 200)
    _rect(d, (50, 40, 170, 110), 1, radius=10, fill="#f8f9fa", outline="#dee2e6", width=1)
    r = corner_radius(_done(img).astype(np.int16), (50, 40, 170, 110), 32)
    assert r is not None and abs(r - 10) <= 1.0


def test_paddings_gaps_radii_and_borders_of_a_card_are_reported_in_css_px() -> None:
    tokens = LayoutExtractor().extract(image(card_screen()), {})
    spacing = values(tokens, "spacing")
    assert spacing.get(16.0, 0) >= 3  # left, top and bottom padding of the card
    assert spacing.get(12.0, 0) == 1  # the gap between the two buttons
    assert spacing.get(20.0, 0) == 1  # the gap between the pill and the circle
    assert set(spacing) == {12.0, 16.0, 20.0}  # the card's 130 px right side is slack, not padding
    radii = values(tokens, "radius")
    assert {6.0, 8.0, 12.0, 20.0} <= set(radii)
    full = {t.value.value for t in tokens if t.name.startswith("radius.") and t.extensions["full"]}
    assert full == {12.0, 20.0}  # the pill and the circle, as half their short side
    assert values(tokens, "border") == {1.0: 1}
    border_colors = [t.value for t in tokens if t.name.startswith("color.")]
    assert border_colors == [Color("#d1d5db")]
    assert all(t.extensions == {"kind": "border", "region": False} for t in tokens if t.type == "color")


def test_a_2x_screenshot_reports_the_same_css_px_as_1x() -> None:
    one = LayoutExtractor().extract(image(card_screen(1), 1.0), {})
    two = LayoutExtractor().extract(image(card_screen(2), 2.0), {})
    assert set(values(one, "spacing")) == set(values(two, "spacing"))
    assert set(values(one, "radius")) == set(values(two, "radius"))
    assert set(values(two, "border")) == {1.0}


NO_LINE_BOXES = {"line_boxes": False}


@pytest.mark.parametrize("size", [16, 20])
def test_padding_to_a_password_fields_bullets_leaves_out_their_side_bearing(size: int) -> None:
    img, d = _screen(400, 120)
    _rect(d, (40, 30, 340, 30 + 2 * size), 1, fill="#ffffff", outline="#dee2e6", width=1)
    # the pen is at the padding edge (1 px border + 16 px padding); DejaVu's bullet is centred
    # in its advance, so its ink starts some 0.2 em further right
    font = ImageFont.truetype(FONT, size * SS)
    d.text((57 * SS, (30 + size // 2) * SS), "\u2022" * 10, fill="#212529", font=font)
    layout = analyze_layout(_done(img), config=NO_LINE_BOXES)
    paddings = [layout.value(m) for m in layout.spacing if m.kind == "padding" and m.axis == "x"]
    assert paddings and all(abs(p - 16) <= 1 for p in paddings)


ICONS = [("square", 20, 36), ("square", 7, 12), ("star", 20, 36)]


@pytest.mark.parametrize(("shape", "size", "pitch"), ICONS)
def test_a_row_of_icons_is_no_row_of_bullets(shape: str, size: int, pitch: int) -> None:
    # five icons 12 px in from the box: square ones fill their corners (20 px ones are
    # boxes of their own; 7 px ones, under the smallest box, are ink), a star misses the
    # middles of its sides; none is a bullet
    img, d = _screen(400, 120)
    _rect(d, (40, 30, 300, 74), 1, fill="#ffffff", outline="#dee2e6", width=1)
    for i in range(5):
        x, y = (53 + pitch * i) * SS, (52 - size // 2) * SS
        if shape == "square":
            d.rectangle([x, y, x + size * SS - 1, y + size * SS - 1], fill="#212529")
        else:
            c = r = size / 2 * SS
            points = [
                (
                    x + c + (r if k % 2 == 0 else r * 0.45) * np.sin(k * np.pi / 5),
                    y + c - (r if k % 2 == 0 else r * 0.45) * np.cos(k * np.pi / 5),
                )
                for k in range(10)
            ]
            d.polygon(points, fill="#212529")
    layout = analyze_layout(_done(img), config=NO_LINE_BOXES)
    paddings = [layout.value(m) for m in layout.spacing if m.kind == "padding" and m.axis == "x"]
    assert paddings and all(abs(p - 12) <= 1 for p in paddings)


def test_dot_bearing_is_only_for_a_row_of_equal_round_dots_at_one_pitch() -> None:
    dots = [(10 + 12 * i, 20, 16 + 12 * i, 26) for i in range(6)]
    assert dot_bearing(dots) == pytest.approx(3.0)  # (12 - 6) / 2
    assert dot_bearing(dots[:3]) == 0.0  # too few to tell from a short word
    assert dot_bearing([(x0, 20, x1 + 6, 26) for x0, _, x1, _ in dots]) == 0.0  # not round
    assert dot_bearing([*dots[:5], (80, 20, 86, 26)]) == 0.0  # not one pitch
    assert dot_bearing([*dots[:5], (70, 24, 76, 30)]) == 0.0  # not one row


def test_horizontal_padding_to_text_is_measured_within_one_px() -> None:
    img, d = _screen(400, 120)
    _rect(d, (40, 30, 240, 70), 1, radius=6, fill="#2563eb")
    d.text((52 * SS, 41 * SS), "Save changes", fill="#ffffff", font=ImageFont.truetype(FONT, 15 * SS))
    layout = analyze_layout(_done(img), config=NO_LINE_BOXES)
    paddings = [layout.value(m) for m in layout.spacing if m.kind == "padding" and m.axis == "x"]
    assert paddings and all(abs(p - 12) <= 1 for p in paddings)
    # without line boxes, the box edge to ink is no vertical padding: none is measured
    assert not [m for m in layout.spacing if m.kind == "padding" and m.axis == "y"]


@pytest.mark.parametrize(
    ("px", "why"),
    [
        (np.zeros((1, 1, 3), np.uint8), "too small"),
        (np.zeros((8, 8, 3), np.uint8), "too small"),
        (np.full((800, 1280, 3), 255, np.uint8), "no UI boxes"),
        (np.full((600, 600, 3), (37, 99, 235), np.uint8), "no UI boxes"),
    ],
)
def test_empty_images_give_no_tokens_and_a_warning_saying_why(px: np.ndarray, why: str) -> None:
    with pytest.warns(LayoutWarning, match=why):
        tokens = LayoutExtractor().extract(image(px), {})
    assert tokens == []


def test_a_photo_gives_a_texture_warning_and_no_crash() -> None:
    rng = np.random.default_rng(7)
    photo = rng.integers(0, 256, (600, 800, 3), dtype=np.uint8)
    with pytest.warns(LayoutWarning, match="texture"):
        analyze_layout(photo)


def test_a_very_tall_page_is_processed_in_bands_without_losing_or_doubling_boxes() -> None:
    tall = np.full((20000, 1280, 3), 255, np.uint8)
    tile = card_screen()[80:200, :900]
    for top in range(0, 20000 - 120, 400):  # 50 cards, many across band edges
        tall[top : top + 120, :900] = tile
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        layout = analyze_layout(tall)
    assert any("bands" in str(w.message) for w in caught)
    cards = [b for b in layout.boxes if b.rect[2] - b.rect[0] == 400]
    assert len(cards) == 50
    assert len({b.rect for b in layout.boxes}) == len(layout.boxes)


def test_overlay_draws_on_a_copy_of_the_same_size() -> None:
    px = card_screen()
    out = draw_overlay(px, analyze_layout(px))
    assert out.shape == px.shape
    assert (out != px).any()
    assert (px == card_screen()).all()  # the input is untouched


def test_the_overlay_marks_a_padding_that_rests_on_an_inferred_line_height() -> None:
    img, d = _screen(400, 120)
    _rect(d, (40, 30, 240, 67), 1, radius=6, fill="#2563eb")
    _baseline_text(d, 52, 53, "Save changes", 14, "#ffffff")
    layout = analyze_layout(_done(img))
    labels = {label(layout, m) for m in layout.spacing if m.kind == "padding"}
    assert "~8" in labels  # the vertical padding to the single line
    assert any(not t.startswith("~") for t in labels)  # the horizontal one, to ink, is firm


def test_margin_between_paragraphs_is_measured_from_the_rhythm_of_their_lines() -> None:
    img, d = _screen(700, 400)
    font = ImageFont.truetype(FONT, 15 * SS)
    y = 40
    for lines in (3, 2, 3):  # three paragraphs, line height 24, margin 20 between them
        for _ in range(lines):
            d.text(
                (40 * SS, y * SS),
                "Every product team says performance matters, few own it.",
                fill="#333333",
                font=font,
            )
            y += 24
        y += 20
    layout = analyze_layout(_done(img))
    gaps = [layout.value(m) for m in layout.spacing if m.kind == "gap"]
    assert gaps == [20.0, 20.0]


def test_a_row_of_equal_cards_at_equal_gaps_is_read_as_a_column_grid() -> None:
    img, d = _screen(1280, 400)
    for i in range(4):  # 4 columns of 290 px, 24 px gutter, 24 px outer margins
        x = 24 + i * (290 + 24)
        _rect(d, (x, 100, x + 290, 250), 1, radius=6, fill="#ffffff", outline="#dee2e6", width=1)
    tokens = LayoutExtractor().extract(image(_done(img)), {})
    grid = [t for t in tokens if t.name == "grid.columns"]
    assert len(grid) == 1 and grid[0].value == 4
    assert grid[0].extensions["gutter"] == 24.0
    assert grid[0].extensions["marginLeft"] == grid[0].extensions["marginRight"] == 24.0


def test_two_equal_buttons_are_not_a_grid() -> None:
    img, d = _screen(1280, 400)
    _rect(d, (500, 100, 630, 140), 1, radius=6, fill="#2563eb")
    _rect(d, (642, 100, 772, 140), 1, radius=6, fill="#2563eb")
    assert analyze_layout(_done(img)).grid is None


def _text_lines_reference(holes: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """The plain-Python line grouping the compiled `text_lines` replaced."""
    lines: list[list[int]] = []
    for x0, y0, x1, y1 in sorted(holes, key=lambda r: (r[1], r[0])):
        for line in lines:
            if min(y1, line[3]) - max(y0, line[1]) >= 0.5 * min(y1 - y0, line[3] - line[1]):
                line[:] = [min(x0, line[0]), min(y0, line[1]), max(x1, line[2]), max(y1, line[3])]
                break
        else:
            lines.append([x0, y0, x1, y1])
    return [(a, b, c, d) for a, b, c, d in lines]


def _nearest_reference(boxes: np.ndarray) -> list[list[int]]:
    """The numpy neighbour search of `measure_gaps` the compiled `nearest_neighbours` replaced."""
    x0, y0, x1, y1 = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    out = []
    for i, a in enumerate(boxes.tolist()):
        row = []
        for axis in ("x", "y"):
            if axis == "x":
                gap = x0 - a[2]
                ok = (gap >= 0) & (
                    np.minimum(y1, a[3]) - np.maximum(y0, a[1]) >= 0.5 * np.minimum(y1 - y0, a[3] - a[1])
                )
            else:
                gap = y0 - a[3]
                ok = (gap >= 0) & (
                    np.minimum(x1, a[2]) - np.maximum(x0, a[0]) >= 0.5 * np.minimum(x1 - x0, a[2] - a[0])
                )
            ok[i] = False
            row.append(int(np.flatnonzero(ok)[np.argmin(gap[ok])]) if ok.any() else -1)
        out.append(row)
    return out


def test_compiled_layout_loops_match_their_python_originals() -> None:
    """The compiled loops (line grouping, gap neighbours, contour stats) give exactly what the
    Python they replaced gave, ties and all, on random boxes drawn on a small grid (many ties)."""
    import cv2

    from designlens.extract.boxes import _contour_stats, kernels
    from designlens.extract.spacing import _text_lines

    rng = np.random.default_rng(7)
    for _ in range(200):
        n = int(rng.integers(1, 40))
        xy = rng.integers(0, 60, size=(n, 2))
        wh = rng.integers(1, 20, size=(n, 2))
        boxes = np.concatenate([xy, xy + wh], axis=1).astype(np.int64)
        holes = [tuple(int(v) for v in b) for b in boxes.tolist()]
        assert _text_lines(holes) == _text_lines_reference(holes)  # type: ignore[arg-type]
        assert kernels().nearest_neighbours(boxes).tolist() == _nearest_reference(boxes)
    mask = (rng.random((120, 160)) > 0.4).astype(np.uint8) * 255
    contours, _ = cv2.findContours(mask, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    rects, areas, first = _contour_stats(contours)
    assert rects.tolist() == [list(cv2.boundingRect(c)) for c in contours]
    assert areas.tolist() == [cv2.contourArea(c) for c in contours]
    assert first.tolist() == [c[0, 0].tolist() for c in contours]


def test_loading_the_layout_extractor_does_not_import_numba() -> None:
    """Processes that load plugins but never extract (the CLI's parent, the API) must not pay
    for numba: the layout's compiled loops load on the first extraction."""
    import subprocess
    import sys

    code = (
        "import sys; from designlens import plugins; plugins.extractors(); "
        "import designlens.extract.layout; print('numba' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_despeckling_before_tracing_keeps_every_region(monkeypatch: pytest.MonkeyPatch) -> None:
    """Specks are dropped before the contours are traced on textured images: the regions
    (boxes, fills, areas, holes, tree) are exactly those traced on the raw mask, on noise
    with boxes in it, corner-touching edge pixels and specks at the image edge included."""
    from types import SimpleNamespace

    from designlens.extract import boxes

    real = boxes.kernels()
    always = SimpleNamespace(
        contour_stats=real.contour_stats, despeckle=lambda f, a, b, n: real.despeckle(f, a, b, 0)
    )
    never = SimpleNamespace(contour_stats=real.contour_stats, despeckle=lambda f, a, b, n: f)
    rng = np.random.default_rng(3)
    for trial in range(30):
        px = np.full((90, 120, 3), 255, np.uint8)
        px[10:70, 8:60] = (240, 240, 240)
        px[20:40, 15:45] = (30, 90, 200)
        noise = rng.random((90, 120)) < (0.05 + 0.3 * (trial % 3))
        px[noise] = rng.integers(0, 255, (int(noise.sum()), 3))
        flat = np.where(boxes.edge_mask(px, 5), 0, 255).astype(np.uint8)
        monkeypatch.setattr(boxes, "kernels", lambda: always)
        cleaned = boxes.find_regions(px, flat=flat)
        monkeypatch.setattr(boxes, "kernels", lambda: never)
        raw = boxes.find_regions(px, flat=flat)
        assert repr(cleaned) == repr(raw)
        assert (real.despeckle(flat, 4, 2, 0) != flat).any()  # there were specks to drop


def test_contrast_map_in_strips_equals_the_whole_image_difference() -> None:
    """The strip-wise contrast map is each pixel's largest channel step to its 4 neighbours,
    across strip boundaries too (an image of several strips, odd sizes, 1-px edge cases)."""
    from designlens.extract.boxes import contrast_map

    def whole(px: np.ndarray) -> np.ndarray:
        p = px.astype(np.int16)
        out = np.zeros(px.shape[:2], np.int16)
        dh = np.abs(p[:, 1:] - p[:, :-1]).max(axis=2)
        dv = np.abs(p[1:] - p[:-1]).max(axis=2)
        out[:, 1:] = np.maximum(out[:, 1:], dh)
        out[:, :-1] = np.maximum(out[:, :-1], dh)
        out[1:] = np.maximum(out[1:], dv)
        out[:-1] = np.maximum(out[:-1], dv)
        return out.astype(np.uint8)

    rng = np.random.default_rng(5)
    px = rng.integers(0, 256, (613, 1031, 3), dtype=np.uint8)  # 254 rows a strip: three strips
    for part in (px, px[:1], px[:, :1], px[:2, :3], px[255:260]):
        part = np.ascontiguousarray(part)
        assert np.array_equal(contrast_map(part), whole(part))


def test_layout_kernels_precompile_runs() -> None:
    """The install step's precompile (`python -m designlens.extract.layout_kernels`) runs."""
    from designlens.extract import layout_kernels

    layout_kernels.precompile()


LINE_BOXES = {"line_boxes": True}  # the default, spelled out where a test is about it


def _baseline_text(d: ImageDraw.ImageDraw, x: int, baseline: int, text: str, size: int, fill: str) -> None:
    d.text((x * SS, baseline * SS), text, fill=fill, font=ImageFont.truetype(FONT, size * SS), anchor="ls")


def _y_paddings(layout: object) -> list[tuple[float, bool]]:
    return [
        (layout.value(m), m.inferred)  # type: ignore[attr-defined]
        for m in layout.spacing  # type: ignore[attr-defined]
        if m.kind == "padding" and m.axis == "y"
    ]


def test_vertical_padding_to_a_wrapped_paragraph_ends_at_its_measured_line_box() -> None:
    """16 px text, line-height 26 px (measured: the paragraph wraps), 12 px padding above and
    below. The line box is 26 px tall with the content area (ascent + descent) centred in it:
    its top is baseline - (ascent - descent) / 2 - 13, so the first baseline sits 12 + 13 +
    0.69 * 16 / 2 = 30.5 px below the box's top; the ink is ~7 px further in than the padding."""
    img, d = _screen(700, 200)
    lines = [
        "Every product team says performance matters a lot",
        "but few teams own it from end to end, and",
        "fewer still measure it.",
    ]
    _rect(d, (40, 40, 470, 142), 1, fill="#e5e7eb")
    for k, line in enumerate(lines):
        _baseline_text(d, 52, 71 + 26 * k, line, 16, "#111827")
    px = _done(img)
    assert _y_paddings(analyze_layout(px, config=NO_LINE_BOXES)) == []  # the box edge to ink is no padding
    layout = analyze_layout(px, config=LINE_BOXES)
    paddings = _y_paddings(layout)
    assert len(paddings) == 2
    assert all(abs(v - 12) <= 1 and not inferred for v, inferred in paddings)
    assert all(m.slack == 0.0 for m in layout.spacing)  # a measured line height has none


def test_vertical_padding_to_a_single_line_uses_the_inferred_leading_and_says_so() -> None:
    """A button of one 14 px line and no wrapped text on the page: the line height is the body
    convention (1.5, 21 px) and the 8 px padding is flagged inferred, down to its token."""
    img, d = _screen(400, 120)
    _rect(d, (40, 30, 240, 67), 1, radius=6, fill="#2563eb")
    _baseline_text(d, 52, 53, "Save changes", 14, "#ffffff")
    layout = analyze_layout(_done(img), config=LINE_BOXES)
    paddings = _y_paddings(layout)
    assert paddings and all(abs(v - 8) <= 1 and inferred for v, inferred in paddings)
    assert _y_paddings(analyze_layout(_done(img))) == paddings  # line boxes are on by default
    image = DecodedImage(id="0" * 64, source="btn.png", pixels=_done(img), scale=1.0)
    tokens = LayoutExtractor().extract(image, LINE_BOXES)
    eight = [t for t in tokens if t.name == "spacing.8"]
    assert eight and eight[0].extensions["inferred"] >= 1
    # were the button's line height CSS `normal` (1.15 x 14 = 16.1 px) instead of 21 px, each
    # padding would be (21 - 16.1) / 2 = 2.45 px larger: the token says so for the base model
    assert abs(eight[0].extensions["slack"] - 2.45) <= 0.5
    assert all(abs(m.slack - 2.45) <= 0.5 for m in layout.spacing if m.inferred)


def test_a_line_box_of_inferred_height_that_overflows_its_box_is_measured_as_inline() -> None:
    """A highlight (`mark`: inline, 16 px DejaVu text, 2 px padding) paints its content area
    (ascent + descent, 18.6 px) and its padding: 23 px tall, less than the 24 px line box the
    1.5 convention infers. No box is smaller than its line box, so the line is measured to its
    `normal` line box instead: 2 px above and below, not nothing."""
    img, d = _screen(400, 120)
    _rect(d, (40, 30, 200, 53), 1, fill="#fde047")
    _baseline_text(d, 45, 47, "8 min read", 16, "#111827")
    layout = analyze_layout(_done(img), config=LINE_BOXES)
    paddings = [m for m in layout.spacing if m.kind == "padding" and m.axis == "y"]
    assert len(paddings) == 2
    assert all(abs(layout.value(m) - 2) <= 1 and m.inferred and m.slack == 0.0 for m in paddings)


def test_spacing_measured_on_a_jpeg_says_lossy() -> None:
    """The base model counts a lossy image's sightings loosely: its tokens must say so."""
    import io

    from designlens.images import decode

    img, d = _screen(400, 160)
    _rect(d, (40, 30, 240, 67), 1, radius=6, fill="#2563eb")
    _rect(d, (40, 91, 240, 128), 1, radius=6, fill="#2563eb")
    _baseline_text(d, 52, 53, "Save changes", 14, "#ffffff")
    _baseline_text(d, 52, 114, "Save changes", 14, "#ffffff")
    spacing = {}
    for fmt in ("PNG", "JPEG"):
        buf = io.BytesIO()
        Image.fromarray(_done(img)).save(buf, fmt, quality=85)
        image = decode(buf.getvalue(), f"x.{fmt.lower()}")
        spacing[fmt] = [t for t in LayoutExtractor().extract(image, {}) if t.name.startswith("spacing.")]
    assert spacing["PNG"] and spacing["JPEG"]
    assert not any("lossy" in t.extensions for t in spacing["PNG"])
    assert all(t.extensions["lossy"] is True for t in spacing["JPEG"])
    # the second button's line boxes are the first's, moved: the slack (a mean) moves with them
    inferred = [t for t in spacing["PNG"] if t.extensions.get("inferred")]
    assert inferred and sum(t.extensions["inferred"] for t in inferred) >= 3
    assert all(abs(t.extensions["slack"] - 2.45) <= 0.5 for t in inferred)


def test_an_inferred_line_height_bounded_by_the_pitch_has_no_slack_past_it() -> None:
    """CSS `normal` (1.15 em) is where an inferred line box's edges may really be, unless a
    stacked neighbour's pitch allows less: then no further than the pitch."""
    ink = (0, 10, 100, 24)
    free = LineBox.of(ink, 24.0, 16.0, 24.0, False)
    assert free.slack == pytest.approx((24 - 1.15 * 16) / 2)
    assert LineBox.of(ink, 24.0, 16.0, 17.0, False, most=17.0).slack == 0.0  # the pitch is under 18.4
    assert LineBox.of(ink, 24.0, 16.0, 22.0, False, most=22.0).slack == pytest.approx(free.slack - 1.0)
    assert LineBox.of(ink, 24.0, 16.0, 24.0, True).slack == 0.0  # a measured line height


def test_slack_is_in_css_px_on_a_2x_screenshot() -> None:
    img, d = _screen(400, 120, scale=2)
    _rect(d, (40, 30, 240, 67), 2, radius=6, fill="#2563eb")
    _baseline_text(d, 104, 106, "Save changes", 28, "#ffffff")
    image = DecodedImage(id="0" * 64, source="btn@2x.png", pixels=_done(img), scale=2.0)
    inferred = [t for t in LayoutExtractor().extract(image, {}) if t.extensions.get("inferred")]
    assert inferred and all(abs(t.extensions["slack"] - 2.45) <= 0.5 for t in inferred)  # not 4.9


def test_only_the_side_measured_to_an_inferred_line_box_is_inferred() -> None:
    """A card whose first content is a box (16 px below its top) and whose last is one line
    of 14 px text (16 px above its bottom, to a 21 px line box of the 1.5 convention)."""
    img, d = _screen(400, 160)
    _rect(d, (40, 30, 340, 130), 1, radius=8, fill="#f3f4f6")
    _rect(d, (56, 46, 96, 86), 1, radius=4, fill="#2563eb")
    _baseline_text(d, 56, 108, "Ada Lovelace", 14, "#111827")
    paddings = [m for m in analyze_layout(_done(img)).spacing if m.kind == "padding" and m.axis == "y"]
    top = [m for m in paddings if m.start[1] == 30]
    bottom = [m for m in paddings if m.end[1] == 130]
    assert top and not top[0].inferred and top[0].slack == 0.0
    assert bottom and bottom[0].inferred and abs(bottom[0].slack - 2.45) <= 0.5


def test_a_padding_seen_only_to_inferred_line_boxes_has_lower_confidence() -> None:
    from designlens.aggregate.spacing import SpacingAggregator
    from designlens.tokens import Provenance, Token

    def token(value: float, inferred: int) -> Token:
        ext = {"count": 4, "weak": 0, "inferred": inferred, "kinds": {"padding": 4}}
        prov = (Provenance("a", "a.png"),)
        return Token(f"spacing.{value:g}", "dimension", Dimension(value), provenance=prov, extensions=ext)

    out = {
        t.value.value: t.confidence for t in SpacingAggregator().aggregate([token(8, 0), token(24, 4)], {})
    }
    assert out[8] == 1.0
    assert out[24] == 0.5


def _read_areas(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Pixel counts of the images the layout's text pass reads (recorded per call)."""
    import importlib

    layout_module = importlib.import_module("designlens.extract.layout")
    areas: list[int] = []
    real = layout_module.text_lines

    def spy(px: np.ndarray, scale: float = 1.0):  # type: ignore[no-untyped-def]
        areas.append(px.shape[0] * px.shape[1])
        return real(px, scale)

    monkeypatch.setattr(layout_module, "text_lines", spy)
    return areas


def test_the_text_pass_reads_only_the_bands_padding_ends_at(monkeypatch: pytest.MonkeyPatch) -> None:
    """A tall card: a wrapped paragraph on top, many more lines, a button last. Its top padding
    ends at the first line box (measured from the paragraph's pitch), and the text pass reads
    the first lines' band, not the card; the button's side needs no text at all."""
    areas = _read_areas(monkeypatch)
    img, d = _screen(700, 560)
    _rect(d, (40, 40, 470, 520), 1, fill="#e5e7eb")
    for k in range(12):
        text = "Every product team says performance matters a lot"[: 40 + k]
        _baseline_text(d, 52, 71 + 26 * k, text, 16, "#111827")
    _rect(d, (52, 440, 200, 476), 1, radius=6, fill="#2563eb")
    _baseline_text(d, 64, 463, "Save", 14, "#ffffff")
    layout = analyze_layout(_done(img), config=LINE_BOXES)
    top = [m for m in layout.spacing if m.kind == "padding" and m.axis == "y" and m.start[1] == 40]
    assert top and abs(layout.value(top[0]) - 12) <= 1 and not top[0].inferred
    card = (470 - 40) * (520 - 40)
    assert areas and sum(areas) < card / 2  # reading the card would be all of it


def test_boxes_of_one_shape_are_read_once_and_each_gets_its_padding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Eight table cells in two rows, one shape (same height, ink at the same rows), different
    words: the text pass reads one cell, and every cell gets its 8 px vertical padding to the
    line box, measured from its own edges."""
    areas = _read_areas(monkeypatch)
    words = ["Ada", "Lovelace", "Alan", "Kahn", "Hamilton", "Knuth", "Liskov", "Backus"]  # no descenders
    img, d = _screen(600, 160)
    cells = []
    for k, word in enumerate(words):
        x, y = 20 + 120 * (k % 4), 30 + 50 * (k // 4)
        cells.append((x, y, x + 110, y + 37))
        _rect(d, cells[-1], 1, fill="#f3f4f6")
        _baseline_text(d, x + 12, y + 23, word, 14, "#111827")
    layout = analyze_layout(_done(img), config=LINE_BOXES)
    paddings = [m for m in layout.spacing if m.kind == "padding" and m.axis == "y"]
    assert len(paddings) == 2 * len(words)
    assert all(abs(layout.value(m) - 8) <= 1 for m in paddings)
    for x0, y0, x1, y1 in cells:  # each cell's two paddings start at its top and end at its bottom
        mine = [m for m in paddings if x0 <= m.start[0] < x1 and y0 <= m.start[1] < y1]
        own = sorted((m.start[1], m.end[1]) for m in mine)
        assert len(own) == 2 and own[0][0] == y0 and own[1][1] == y1
    assert len(areas) == 1 and areas[0] < 2 * (110 + 24) * (37 + 24)  # one cell and its margins, not eight


def test_a_line_cut_by_another_box_band_does_not_stand_in_for_the_real_one() -> None:
    """A card's first lines' band ends across a button's label inside it: the cut copy of the
    label is dropped, so the button's padding is what it is without the card's paragraph."""

    def button_paddings(with_paragraph: bool) -> list[tuple[tuple[int, int], float]]:
        img, d = _screen(700, 260)
        _rect(d, (40, 40, 600, 220), 1, fill="#e5e7eb")
        if with_paragraph:
            _baseline_text(d, 52, 71, "Every product team says performance matters", 16, "#111827")
        _rect(d, (52, 90, 260, 150), 1, fill="#ffffff")
        _baseline_text(d, 64, 121, "Save changes now", 14, "#111827")
        layout = analyze_layout(_done(img), config=LINE_BOXES)
        return sorted(
            (m.start, layout.value(m))
            for m in layout.spacing
            if m.kind == "padding" and m.axis == "y" and 52 <= m.start[0] <= 260 and 90 <= m.start[1] <= 150
        )

    alone = button_paddings(False)
    assert alone and button_paddings(True) == alone


def test_packed_display_text_keeps_each_frame_its_own_line() -> None:
    """Frames of 90 px text side by side on one shelf sit further apart than glyphs group into
    lines: each frame's line comes back, in its own place."""
    import importlib

    layout_module = importlib.import_module("designlens.extract.layout")
    img, d = _screen(1200, 500)
    _rect(d, (10, 10, 1000, 200), 1, fill="#ffffff")
    _baseline_text(d, 20, 60, "Wide heading text line here", 30, "#111827")
    for x in (10, 400):
        _rect(d, (x, 250, x + 290, 360), 1, fill="#ffffff")
        _baseline_text(d, x + 4, 330, "HHH", 90, "#111827")
    rects = [(10, 10, 1000, 205), (18, 252, 212, 358), (408, 252, 602, 358)]
    inks = [lb.ink for lb in layout_module._line_boxes(_done(img), 1.0, rects, (255, 255, 255))]
    for x0, y0, x1, y1 in rects:
        assert sum(1 for i in inks if x0 <= i[0] and i[2] <= x1 and y0 <= i[1] and i[3] <= y1) == 1


def test_frames_are_packed_apart_into_the_smallest_of_the_shelf_widths() -> None:
    import importlib

    layout_module = importlib.import_module("designlens.extract.layout")
    rng = np.random.default_rng(3)
    xs, ys = rng.integers(0, 500, 14), rng.integers(0, 500, 14)
    ws, hs = rng.integers(60, 380, 14), rng.integers(20, 160, 14)
    frames = [(0, 0, 1100, 40)] + [
        (int(x), int(y), int(x + w), int(y + h)) for x, y, w, h in zip(xs, ys, ws, hs, strict=True)
    ]
    gap = 12
    (height, width), spots = layout_module._pack(frames, gap)
    (h1, w1), _ = layout_module._shelves(frames, gap, 1100 + 2 * gap)
    assert height * width < h1 * w1  # the narrow frames share wider shelves
    placed = [(x, y, x + f[2] - f[0], y + f[3] - f[1]) for f, (x, y) in zip(frames, spots, strict=True)]
    for i, a in enumerate(placed):
        assert a[0] >= gap and a[1] >= gap and a[2] <= width and a[3] <= height
        for b in placed[i + 1 :]:  # apart by the gap vertically or by a glyph's reach sideways
            apart_y = a[3] + gap <= b[1] or b[3] + gap <= a[1]
            reach = 0.55 * max(a[3] - a[1], b[3] - b[1])
            apart_x = a[2] + reach <= b[0] or b[2] + reach <= a[0]
            assert apart_y or apart_x


def test_the_text_pass_reads_at_most_half_the_image_smallest_frames_first() -> None:
    import importlib

    layout_module = importlib.import_module("designlens.extract.layout")
    img, d = _screen(600, 400)
    _baseline_text(d, 20, 40, "Small line", 16, "#111827")
    _baseline_text(d, 20, 300, "Whole page line", 16, "#111827")
    small, big = (10, 10, 200, 60), (0, 100, 600, 400)  # the big one is more than half the image
    found = layout_module._line_boxes(_done(img), 1.0, [small, big], (255, 255, 255))
    assert [lb.ink[1] < 60 for lb in found] == [True]  # only the small frame was read
    both = layout_module._line_boxes(_done(img), 1.0, [small, (0, 250, 600, 330)], (255, 255, 255))
    assert len(both) == 2
    # a band nested in one over the budget is still read (nesting is decided within it)
    nested = (10, 270, 300, 320)
    inside = layout_module._line_boxes(_done(img), 1.0, [big, nested], (255, 255, 255))
    assert [lb.ink[1] > 250 for lb in inside] == [True]
