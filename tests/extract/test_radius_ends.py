"""Round ends and round glyphs: a thin pill's radius, and bold round letters that are no pictures."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from designlens.extract.layout import analyze_layout
from designlens.extract.radius import corner_radius
from tests.extract.test_layout import SS, _done, _rect, _screen
from tests.synthetic import BOLD


def _coverage(size: tuple[int, int], rect: tuple[int, int, int, int], r: float, n: int = 16) -> np.ndarray:
    """Exact share of each pixel a rounded rect covers (n x n samples a pixel), as a browser
    paints it: a 4 px arc leaves the outermost column of a round end 0.97 covered, where
    drawing 4x and box-filtering down (`_rect`) fills it to the full."""
    w, h = size
    x0, y0, x1, y1 = rect
    xs, ys = np.meshgrid((np.arange(w * n) + 0.5) / n, (np.arange(h * n) + 0.5) / n)
    dx, dy = xs - np.clip(xs, x0 + r, x1 - r), ys - np.clip(ys, y0 + r, y1 - r)
    inside = (xs >= x0) & (xs <= x1) & (ys >= y0) & (ys <= y1) & (dx * dx + dy * dy <= r * r)
    return np.asarray(inside.reshape(h, n, w, n).mean(axis=(1, 3)))


def test_a_thin_pill_is_full_round_though_its_end_columns_are_anti_aliased() -> None:
    """Progress bars 8 px thick with `border-radius` clipped to 4 px: the outermost column
    (row) of each round end is an edge pixel, left out of the region's box; the radius is
    still the full 4 px, not the 2 px corners of the box a pixel short."""
    cover = np.maximum(
        _coverage((400, 120), (40, 40, 300, 48), 4), _coverage((400, 120), (340, 20, 348, 100), 4)
    )
    fill = np.asarray([37, 99, 235], dtype=np.float64)
    px = np.rint(255 * (1 - cover[..., None]) + fill * cover[..., None]).astype(np.uint8)
    layout = analyze_layout(px)
    bars = sorted((b.rect, b.radius, b.full_radius) for b in layout.boxes)
    assert len(bars) == 2
    for rect, radius, full in bars:
        assert full and radius == 4.0, (rect, radius)


def test_a_straight_side_is_not_grown() -> None:
    """A square-cornered box on the pixel grid has no anti-aliased column: radius 0."""
    img, d = _screen(300, 200)
    _rect(d, (50, 40, 170, 48), 1, fill="#2563eb")
    assert corner_radius(_done(img), (50, 40, 170, 48), 32) == 0.0


def test_bold_round_letters_of_a_heading_are_no_round_pictures() -> None:
    """A bold heading's O and e are round holes of the page all edges, as an avatar photo
    is, but drawn in one ink: no pictures, no radius. A grey photo beside it stays one."""
    rng = np.random.default_rng(5)
    page = Image.new("RGB", (600 * SS, 200 * SS), "#f4f5f7")
    d = ImageDraw.Draw(page)
    d.text((40 * SS, 40 * SS), "Orders cache Octopus", fill="#212121", font=ImageFont.truetype(BOLD, 28 * SS))
    size = 28
    shade = rng.integers(90, 150, (size * SS, size * SS, 1), dtype=np.uint8)
    photo = Image.fromarray(np.repeat(shade, 3, axis=2))  # grey: all on the ink-ground line
    mask = Image.new("L", photo.size, 0)
    ImageDraw.Draw(mask).ellipse([0, 0, size * SS - 1, size * SS - 1], fill=255)
    page.paste(photo, (440 * SS, 40 * SS), mask)
    layout = analyze_layout(_done(page))
    assert [b.rect for b in layout.boxes if b.rect[0] < 420] == []
    avatar = [b for b in layout.boxes if b.rect[0] >= 420]
    assert len(avatar) == 1 and avatar[0].full_radius and avatar[0].radius == 14.0
