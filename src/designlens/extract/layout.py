"""The layout extractor: boxes, spacing, radii and borders of one screenshot, in CSS px.

`analyze_layout` is the pure function of pixels (the overlay draws its result);
`LayoutExtractor` turns that result into raw tokens for the `spacing`, `radius`, `border`
and `color` groups. Images taller than a band are processed in overlapping horizontal
bands, so memory stays bounded by the band, not the page.

What counts as a box: flat regions of box size and shape (`boxes.find_regions`), less the
strokes and counters of big letters; textured rectangles and rounded squares (pictures:
photos, round avatars, cards holding one); and boxes too faint for the edge step (a card of
the page's colour set off by a soft shadow), found by a second pass at a one-level step.
Circles and grainy pictures are boxes whose content is not measured. Vertical padding to
text ends at the text's CSS line box (`_line_boxes`), for faint boxes too.

Bad input never raises: a tiny, blank, single-colour or photographic image gives an empty
or partial result, and each reason is issued with `warnings.warn(LayoutWarning)` and kept
in `LayoutResult.warnings`.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from designlens import fonts
from designlens.extract import boxes as _boxes
from designlens.extract import grid as _grid
from designlens.extract import radius as _radius
from designlens.extract import spacing as _spacing
from designlens.extract import text as _text
from designlens.extract import typography as _typography
from designlens.extract.boxes import Rect, Region, contrast_map, edge_mask, find_regions
from designlens.extract.grid import Grid, detect_grid
from designlens.extract.radius import (
    Border,
    Divider,
    close_rgb,
    corner_radii,
    detect_borders,
    find_dividers,
)
from designlens.extract.spacing import (
    LineBox,
    Measurement,
    TextEdges,
    dot_bearing,
    measure_gaps,
    measure_margins,
    measure_padding,
    measure_paragraph_gaps,
    measure_text_padding,
)
from designlens.extract.text import text_lines
from designlens.extract.typography import choose_fonts, line_sizes
from designlens.images import DecodedImage
from designlens.plugins import source_fingerprint
from designlens.tokens import Color, Dimension, Provenance, Token

DEFAULTS: dict[str, Any] = {
    "edge_step": 5,
    "min_box_css": 8,  # px: shortest side of a box (a progress bar, a checkbox)
    "min_box_long_css": 16,  # px: its longer side; smaller flat regions are mostly glyph counters
    "min_fill_ratio": 0.75,
    "max_spacing_css": 64,  # larger distances are mostly layout slack (centring), not spacing tokens
    "max_radius_css": 32,  # larger radii are measured only as full (pill, circle)
    "max_border_css": 4,
    "ink_bearing_css": 0.0,  # CSS px to take off distances measured to glyph ink (side bearing)
    # vertical paddings to text, measured to its CSS line box (spacing.LineBox) by a text pass
    # over the bands of boxes that padding ends at; false measures none of them
    "line_boxes": True,
    "band_height": 4096,  # image px: taller images are processed in bands
    "band_overlap": 512,
    "min_image_px": 16,  # smaller images carry no layout
    "texture_share": 0.5,  # share of edge pixels above which an image is a photo, not UI
    "speckle_density": 0.002,  # holes per CSS px^2 above which a flat region is a grainy picture
    "lossy": False,  # decoded from JPEG/WebP (set from the image): chroma is smeared at edges
}


class LayoutWarning(UserWarning):
    """Layout analysis returned an empty or partial result; the message says why."""


@dataclass(frozen=True, slots=True)
class LayoutBox:
    """A detected UI box: outer rect (border box) in image px, fill, border and radius."""

    rect: Rect
    fill: tuple[int, int, int]
    border: Border | None
    radius: float | None  # CSS px; None when not measurable
    full_radius: bool  # a pill or circle


@dataclass
class LayoutResult:
    """Everything measured in one image; lengths in image px unless named css."""

    scale: float
    boxes: list[LayoutBox] = field(default_factory=list)
    spacing: list[Measurement] = field(default_factory=list)
    dividers: list[Divider] = field(default_factory=list)  # one-sided borders between areas
    grid: Grid | None = None
    warnings: list[str] = field(default_factory=list)

    ink_bearing: float = 0.0  # CSS px a glyph's side bearing adds to a distance measured to ink

    def css(self, px: float) -> float:
        """Image px -> CSS px, to the half pixel (what a 2x screenshot can resolve)."""
        return round(px / self.scale * 2) / 2

    def value(self, m: Measurement) -> float:
        """A measurement in CSS px; distances to text lose the glyph's side bearing."""
        v = m.px / self.scale - (self.ink_bearing if m.to_ink and m.axis == "x" else 0.0)
        return round(v * 2) / 2


def _outer(region: Region, border: Border | None) -> Rect:
    x0, y0, x1, y1 = region.box
    b = border.width if border else 0
    return (x0 - b, y0 - b, x1 + b, y1 + b)


def _area(rect: Rect | None) -> int:
    return 0 if rect is None else (rect[2] - rect[0]) * (rect[3] - rect[1])


def _density(flat: npt.NDArray[np.uint8], rect: Rect) -> float:
    """Share of edge pixels (0 in the flat mask) inside `rect`."""
    x0, y0, x1, y1 = rect
    return float((flat[y0:y1, x0:x1] == 0).mean()) if x1 > x0 and y1 > y0 else 0.0


def _flat(contrast: npt.NDArray[np.uint8], step: int) -> npt.NDArray[np.uint8]:
    """255 where a pixel is flat at `step` (no neighbour differs by more), else 0."""
    return np.asarray(cv2.threshold(contrast, step, 255, cv2.THRESH_BINARY_INV)[1], dtype=np.uint8)


def _around(
    px: npt.NDArray[np.uint8], rect: Rect | None, default: tuple[int, int, int]
) -> tuple[int, int, int]:
    """The colour just outside `rect` (2 px off its side middles, median over the sides in the image)."""
    if rect is None:
        return default
    h, w = px.shape[:2]
    x0, y0, x1, y1 = rect
    cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
    spots = [(cy, x0 - 2), (cy, x1 + 1), (y0 - 2, cx), (y1 + 1, cx)]
    seen = [px[y, x] for y, x in spots if 0 <= y < h and 0 <= x < w]
    if not seen:
        return default
    m = np.median(np.stack(seen), axis=0)
    return int(m[0]), int(m[1]), int(m[2])


def _in_word(frame: Rect | None, holes: npt.NDArray[np.int64]) -> bool:
    """Is `frame` (a hole of some region) a letter of a word: another hole of another size on
    its line within a quarter of its height? Letters sit a few px apart; a control and its
    label sit a margin apart, and a row of equal swatches is not a word. `holes`: N x 4."""
    if frame is None or holes.shape[0] == 0:
        return False
    x0, y0, x1, y1 = frame
    w, h = x1 - x0, y1 - y0
    hx0, hy0, hx1, hy1 = holes[:, 0], holes[:, 1], holes[:, 2], holes[:, 3]
    other = (np.abs(hx1 - hx0 - w) > 1) | (np.abs(hy1 - hy0 - h) > 1)  # not itself or its twin
    overlap = np.minimum(y1, hy1) - np.maximum(y0, hy0)
    beside = np.maximum(hx0 - x1, x0 - hx1) <= 0.25 * h
    return bool((other & (overlap >= 0.5 * np.minimum(h, hy1 - hy0)) & beside).any())


def _soft_boxes(
    px: npt.NDArray[np.uint8],
    contrast: npt.NDArray[np.uint8],
    scale: float,
    cfg: Mapping[str, Any],
    regions: list[Region],
    outer: Mapping[int, Rect],
) -> list[tuple[Region, int, float]]:
    """Boxes whose edge is too faint for the edge step: a card of the page's own colour set
    off by a soft shadow or a 2% ring, a panel one or two levels off the page. A second pass
    at a one-level step finds them; each comes with the region of the first pass it sits in
    and its corner radius in image px (`_flat_corner_radius`).

    Only boxes of about the colour of what surrounds them are taken (the rest the first pass
    sees), and only with content, where the first pass has no box already.
    """
    step = int(cfg["edge_step"])
    # Only big boxes are wanted here: an opening drops flat specks and 1-2 px channels first,
    # which keeps textured areas (thousands of specks at this step) fast.
    flat = _flat(contrast, 1)
    opened = np.asarray(cv2.morphologyEx(flat, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8)), dtype=np.uint8)
    fine = find_regions(px, scale, {**cfg, "edge_step": 1}, flat=opened)
    known = np.asarray(list(outer.values()), dtype=np.int64).reshape(-1, 4)
    boxes = np.asarray([r.box for r in regions], dtype=np.int64).reshape(-1, 4)
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    max_radius = round(float(cfg["max_radius_css"]) * scale)
    out: list[tuple[Region, int, float]] = []
    for f in fine:
        if not f.is_box or f.parent < 0 or not f.holes:
            continue
        if not close_rgb(f.fill, fine[f.parent].fill, 2 * step):
            continue
        box = np.asarray(f.box, dtype=np.int64)
        if (np.abs(known - box) <= 3).all(axis=1).any():
            continue  # the first pass has it
        inside = (boxes[:, :2] <= box[:2]).all(axis=1) & (boxes[:, 2:] >= box[2:]).all(axis=1)
        if not inside.any():
            continue
        host = regions[int(np.flatnonzero(inside)[np.argmin(areas[inside])])]
        if host.is_box or host.parent < 0:
            out.append((f, host.index, _flat_corner_radius(opened, f.box, max_radius)))
    return out


def _flat_corner_radius(flat: npt.NDArray[np.uint8], box: Rect, max_radius: int) -> float:
    """Corner radius (image px) of a faint box, read from its flat mask rather than its colours:
    a shadow darkens the outside of a corner unevenly, but the fill itself is exact.

    The box's own flat pixels (flooded from its left side) lie one pixel inside its paint. In
    each corner, the pixels before the first own one of each row, down to the first row that
    starts with one, are the missing corner area r^2 (1 - pi/4) of that shape, whose radius
    is one less than the paint's. The median over the rounded corners; 0 when none is.
    """
    bx0, by0, bx1, by1 = box
    own = (flat[by0:by1, bx0:bx1] > 0).astype(np.uint8)
    h, w = own.shape
    cy = h // 2
    starts = np.flatnonzero(own[cy])
    if h < 6 or w < 6 or not starts.size:
        return 0.0
    cv2.floodFill(own, None, (int(starts[0]), cy), 2)
    shape = own[1:-1, 1:-1] == 2  # the flat shape's extent
    k = min(shape.shape[0] // 2, shape.shape[1] // 2, max_radius + 2)
    if k < 2:
        return 0.0
    found = []
    for window in (shape[:k, :k], shape[:k, -k:][:, ::-1], shape[-k:, :k][::-1], shape[-k:, -k:][::-1, ::-1]):
        lead = np.where(window.any(axis=1), window.argmax(axis=1), k)
        straight = np.flatnonzero(lead == 0)
        missing = float(lead[: int(straight[0]) if straight.size else k].sum())
        if missing >= 1.0:
            found.append(math.sqrt(missing / (1.0 - math.pi / 4.0)) + 1.0)
    if not found:
        return 0.0
    return float(min(float(np.median(found)), min(w, h) / 2.0))


class _HoleArrays:
    """Each region's holes as an N x 4 array, built on first use."""

    def __init__(self) -> None:
        self._arrays: dict[int, npt.NDArray[np.int64]] = {}

    def __call__(self, region: Region) -> npt.NDArray[np.int64]:
        if region.index not in self._arrays:
            self._arrays[region.index] = np.asarray(region.holes, dtype=np.int64).reshape(-1, 4)
        return self._arrays[region.index]


def _drop_letters(px: npt.NDArray[np.uint8], regions: list[Region], step: int, holes_of: _HoleArrays) -> None:
    """Letters of big text are flat regions (bold strokes) around empty flat space of the
    colour outside (counters): neither is a box. A letter has other letters beside it on
    its line; a ring-shaped control (a toggle, a radio button) has its label a margin away."""
    for stroke in regions:
        if stroke.parent < 0 or len(stroke.holes) != len(stroke.children):
            continue
        counters = [regions[c] for c in stroke.children]
        if not stroke.is_box and not any(c.is_box for c in counters):
            continue
        parent = regions[stroke.parent]
        if not _in_word(stroke.frame, holes_of(parent)):
            continue
        outside = _around(px, stroke.frame, parent.fill)  # the local colour, on a gradient too
        if all(not c.holes and close_rgb(c.fill, outside, step) for c in counters):
            for letter in (stroke, *counters):
                letter.is_box = False


def _bullet_bearing(px: npt.NDArray[np.uint8], region: Region, kids: Sequence[Rect], step: int) -> float:
    """`dot_bearing` of a box whose content is nothing but a row of discs (a password
    field's bullets), else 0. A disc touches its bounding box only at the middles of its
    sides: there the pixels are mostly ink, in the corners mostly fill (a square icon's
    corners are ink; a star misses the middles of its sides). Anti-aliased, so by share:
    a pixel's difference from the fill over the dot centre's, and at each side's middle
    the inner of its two outermost pixels may stand for it (the outer is often a faint
    edge)."""
    bearing = dot_bearing(region.holes)
    if not bearing or any(_spacing.matches(h, kids) for h in region.holes):
        return 0.0
    fill = region.fill

    def away(y: int, x: int) -> int:
        return max(abs(int(px[y, x, c]) - fill[c]) for c in range(3))

    for x0, y0, x1, y1 in region.holes:
        mx, my = (x0 + x1) // 2, (y0 + y1) // 2
        ink = away(my, mx)
        if ink <= 2 * step:
            return 0.0  # a ring, or no ink at all
        corners = ((y0, x0), (y0, x1 - 1), (y1 - 1, x0), (y1 - 1, x1 - 1))
        # each side's middle pixel and the one inside it: the outer one may be a faint edge
        middles = (
            max(away(y0, mx), away(y0 + 1, mx)),
            max(away(y1 - 1, mx), away(y1 - 2, mx)),
            max(away(my, x0), away(my, x0 + 1)),
            max(away(my, x1 - 1), away(my, x1 - 2)),
        )
        if any(2 * away(y, x) >= ink for y, x in corners) or any(2 * m < ink for m in middles):
            return 0.0
    return bearing


def _full(radius: float | None, rect: Rect) -> bool:
    """A radius (image px) that reaches half the short side: a pill or circle."""
    return radius is not None and radius >= min(rect[2] - rect[0], rect[3] - rect[1]) / 2.0 - 0.01


def _one_ink(px: npt.NDArray[np.uint8], rect: Rect, ground: tuple[int, int, int], step: int) -> bool:
    """Is `rect` a glyph: one colour (the pixel furthest from `ground`) drawn solid on `ground`?

    Text and icons are one colour, anti-aliased against what they sit on: every pixel is
    the ink, the ground or a blend of the two (up to 2% may be off that line by more than 2
    `step`s: lossy images ring around strokes), and most are the ink or the ground (within
    a tenth of the way), blends being only the strokes' edges. A photo has colours off the
    line, and even a grey one (all on it) is mostly shades between."""
    x0, y0, x1, y1 = rect
    p = px[y0:y1, x0:x1].reshape(-1, 3).astype(np.float64) - np.asarray(ground, dtype=np.float64)
    if p.shape[0] == 0:
        return False
    ink = p[int(np.argmax((p * p).sum(axis=1)))]
    norm = float(ink @ ink)
    if norm <= 0.0:
        return True
    t = np.clip(p @ ink / norm, 0.0, 1.0)
    off = np.abs(p - t[:, None] * ink).max(axis=1)
    solid = (t <= 0.1) | (t >= 0.9)
    return float((off > 2 * step).mean()) <= 0.02 and float(solid.mean()) >= 0.5


def _pictures(
    flat: npt.NDArray[np.uint8],
    regions: list[Region],
    outer: Mapping[int, Rect],
    min_across: int,
    max_border: int,
    texture: float,
    px: npt.NDArray[np.uint8],
    step: int,
) -> dict[int, list[Rect]]:
    """Filled rectangles and rounded squares among each region's holes with no box of their
    own inside: photos, round avatars, cards holding a photo. Boxes for the gaps around them,
    by region index. A rounded one is all photo, so most of it must be texture (a flat pie
    chart's segments are not), and of more than one ink (`_one_ink`): a bold round glyph of a
    heading (an O, an e) is a round hole all edges, as a photo is, but in one colour."""
    out: dict[int, list[Rect]] = {}
    for region in regions:
        if not region.solid and not region.rounded:
            continue
        own = [outer[c] for c in region.children if c in outer]
        # holes mostly filled by one flat region are that region (a letter's stroke), not a picture
        filled = {
            regions[c].frame
            for c in region.children
            if regions[c].width * regions[c].height >= 0.5 * _area(regions[c].frame)
        }
        rounded = set(region.rounded)
        for rect in (*region.solid, *region.rounded):
            if rect in filled or any(
                all(abs(a - b) <= max_border + 1 for a, b in zip(rect, o, strict=True)) for o in own
            ):
                continue
            # texture inside, not only at the outline, and room for it: a solid letter stem or
            # a rule is no picture (a stem of display text is under twice the smallest box)
            inner = (rect[0] + 2, rect[1] + 2, rect[2] - 2, rect[3] - 2)
            narrow = min(rect[2] - rect[0], rect[3] - rect[1]) < min_across
            if narrow or _density(flat, inner) <= (0.5 if rect in rounded else texture / 4):
                continue
            if rect in rounded and _one_ink(px, rect, _around(px, rect, region.fill), step):
                continue
            out.setdefault(region.index, []).append(rect)
    return out


def _analyze_band(px: npt.NDArray[np.uint8], scale: float, cfg: Mapping[str, Any]) -> LayoutResult:
    result = LayoutResult(scale)
    step = int(cfg["edge_step"])
    contrast = contrast_map(px)
    flat = _flat(contrast, step)
    regions = find_regions(px, scale, cfg, flat=flat)
    texture = float(cfg["texture_share"])
    max_spacing = round(float(cfg["max_spacing_css"]) * scale)
    max_radius = round(float(cfg["max_radius_css"]) * scale)
    max_border = max(1, round(float(cfg["max_border_css"]) * scale))
    speckles = float(cfg["speckle_density"]) / (scale * scale)
    min_side = round(float(cfg["min_box_css"]) * scale)
    outer: dict[int, Rect] = {}
    closed: set[int] = set()  # regions whose content is not laid out by spacing (photos, circles)
    holes_of = _HoleArrays()
    _drop_letters(px, regions, step, holes_of)
    candidates = [r for r in regions if r.is_box and r.parent >= 0]
    fills = [r.fill for r in candidates]
    borders = detect_borders(px, [r.box for r in candidates], fills, max_border, step, bool(cfg["lossy"]))
    kept: list[tuple[Region, Border | None, Rect]] = []
    for region, border in zip(candidates, borders, strict=True):
        parent = regions[region.parent]
        same = not region.holes and close_rgb(region.fill, _around(px, region.frame, parent.fill), step)
        if border is None and same and _in_word(region.frame, holes_of(parent)):
            region.is_box = False  # a counter inside thin strokes
            continue
        rect = _outer(region, border)
        outer[region.index] = rect
        kept.append((region, border, rect))
    # one-sided borders (a header's, a row's) between flat areas whose own outline has none
    ring = {region.index: border.width for region, border, _ in kept if border is not None}
    areas = [r for r in regions if r.is_box or r.parent < 0]
    min_long = round(float(cfg["min_box_long_css"]) * scale)
    result.dividers = find_dividers(
        px,
        [r.box for r in areas],
        [r.fill for r in areas],
        [regions[r.parent].fill if r.parent >= 0 else r.fill for r in areas],
        [ring.get(r.index, 0) for r in areas],
        max_border,
        2 * min_long,
        step,
    )
    radii = corner_radii(px, [rect for _, _, rect in kept], max_radius)
    for (region, border, rect), r in zip(kept, radii, strict=True):
        w, h = rect[2] - rect[0], rect[3] - rect[1]
        full = _full(r, rect)
        # a circle's content is centred in a size set by width and height, not by padding;
        # a grainy picture's specks are not content
        circle = full and abs(w - h) <= max(1, 0.05 * w)
        if circle or len(region.holes) > speckles * region.width * region.height:
            closed.add(region.index)
        result.boxes.append(LayoutBox(rect, region.fill, border, None if r is None else r / scale, full))
    pictures = _pictures(flat, regions, outer, 2 * min_side, max_border, texture, px, step)
    photos = [rect for rects in pictures.values() for rect in rects]
    for rect, r in zip(photos, corner_radii(px, photos, max_radius), strict=True):
        cx, cy = (rect[0] + rect[2]) // 2, (rect[1] + rect[3]) // 2
        fill = (int(px[cy, cx, 0]), int(px[cy, cx, 1]), int(px[cy, cx, 2]))
        result.boxes.append(LayoutBox(rect, fill, None, None if r is None else r / scale, _full(r, rect)))
    soft: dict[int, list[Rect]] = {}
    texts: dict[int, TextEdges] = {}  # boxes whose first or last content is text, by region
    soft_texts: list[TextEdges] = []  # the same for faint boxes (not in `regions`)
    for f, host, radius in _soft_boxes(px, contrast, scale, cfg, regions, outer):
        x0, y0, x1, y1 = f.box
        inside = [o for o in outer.values() if o[0] >= x0 and o[1] >= y0 and o[2] <= x1 and o[3] <= y1]
        result.spacing += measure_padding(f, inside, max_spacing, _bullet_bearing(px, f, inside, step))
        edges = TextEdges.of(f, inside) if cfg["line_boxes"] else None
        if edges is not None:
            soft_texts.append(edges)
        soft.setdefault(host, []).append(f.box)
        result.boxes.append(LayoutBox(f.box, f.fill, None, radius / scale, _full(radius, f.box)))
    w_img = px.shape[1]
    tiny = round(float(cfg["min_box_css"]) * scale) * round(float(cfg["min_box_long_css"]) * scale)
    kids_of: dict[int, list[Rect]] = {}  # each measured region's content boxes
    for region in regions:
        if region.index in closed or not (region.holes or region.index in soft):
            continue  # nothing inside to measure
        if region.parent >= 0 and region.index not in outer and region.width * region.height < tiny:
            continue  # a speck of a photo, a letter's counter: holds no layout
        kids = [outer[c] for c in region.children if c in outer] + pictures.get(region.index, [])
        kids_of[region.index] = kids = kids + soft.get(region.index, [])
        if cfg["line_boxes"] and region.index in outer:
            edges = TextEdges.of(region, kids)
            if edges is not None:
                texts[region.index] = edges
    ground = regions[0].fill if regions else (255, 255, 255)
    lines = _spacing.LineIndex(_text_line_boxes(px, scale, [*texts.values(), *soft_texts], ground))
    for edges in soft_texts:
        result.spacing += measure_text_padding(edges, lines, max_spacing)
    for index, kids in kids_of.items():
        region = regions[index]
        result.spacing += measure_gaps(region, kids, max_spacing)
        result.spacing += measure_paragraph_gaps(region, kids, max_spacing)
        if region.parent < 0 and region.box[0] == 0 and region.box[2] == w_img:
            result.spacing += measure_margins(region, w_img, max_spacing)
        elif index in outer or (region.parent < 0 and region.is_box):
            # a box, or a panel that reaches the image edge (sidebar, main column): its padding
            bearing = _bullet_bearing(px, region, kids, step)
            result.spacing += measure_padding(region, kids, max_spacing, bearing)
            if index in texts:
                result.spacing += measure_text_padding(texts[index], lines, max_spacing)
    return result


def _shape(edges: TextEdges) -> tuple[int, ...]:
    """What decides a box's line boxes, relative to it: its height and its first and last
    lines' ink rows. Boxes of one shape have the same line boxes in the same places."""
    y0, y1 = edges.box[1], edges.box[3]
    out = [y1 - y0]
    if edges.top:
        out += [0, edges.top[0] - y0, edges.top[1] - y0]
    if edges.bottom:
        out += [1, y1 - edges.bottom[1], y1 - edges.bottom[0]]
    return tuple(out)


def _bands(edges: TextEdges) -> list[Rect]:
    """The rows a line box can be read from: the first and last text lines with the line
    next to each (for a wrapped paragraph's pitch), cut 2 px past a row no text of about
    their size crosses (so a line cut by a band's edge, a child's or a bar's, touches it:
    `_line_boxes` drops those), as wide as the text in them.

    Only the box's first and last content are padded against, so the text pass needs no
    more than these bands, a small part of a text-heavy box; a side whose first content
    is a child box needs none, and a box whose text ink comes within 2 px of its edge none
    at all (the line box reaches past the ink: no padding is left to measure, on that
    side or, as the smaller of the two, on the box).
    """
    x0, y0, x1, y1 = edges.box
    ink = edges.ink
    if (edges.top and edges.top[0] - y0 < 2) or (edges.bottom and y1 - edges.bottom[1] < 2):
        return []

    def clear(row: int, down: bool, line: int) -> int:
        """The first row at or past `row` (downwards or upwards) that no text up to 1.5
        lines tall crosses (a bar or a picture may be cut: it holds no line)."""
        while True:
            crossing = [h for h in ink if h[1] < row < h[3] and h[3] - h[1] <= 1.5 * line]
            if not crossing:
                return row
            row = max(h[3] for h in crossing) if down else min(h[1] for h in crossing)

    def strip(top: int, bottom: int, line: int) -> Rect:
        """Rows top..bottom, as wide as the text in them and a line's room around."""
        xs = [(h[0], h[2]) for h in ink if h[1] < bottom and h[3] > top]
        pad = max(4, line)
        left = max(x0, min(a for a, _ in xs) - pad) if xs else x0
        right = min(x1, max(b for _, b in xs) + pad) if xs else x1
        return (left, top, right, bottom)

    out: list[Rect] = []
    first_line = 0
    if edges.top:
        first, first_end = edges.top
        line = first_line = first_end - first
        end = min(y1, clear(min(y1, first + round(3.6 * line)), True, line) + 2)
        out.append(strip(y0, end, line))
    if edges.bottom:
        last_start, last = edges.bottom
        line = last - last_start
        start = max(y0, clear(max(y0, last - round(3.6 * line)), False, line) - 2)
        if out and start <= out[0][3]:
            out = [strip(y0, y1, max(line, first_line))]
        else:
            out.append(strip(start, y1, line))
    return out


def _text_line_boxes(
    px: npt.NDArray[np.uint8],
    scale: float,
    boxes: Sequence[TextEdges],
    ground: tuple[int, int, int],
) -> list[LineBox]:
    """Line boxes of the first and last text lines of `boxes` (each box's text edges).

    Boxes of one shape (height, and where their first and last lines' ink sits) have the
    same line boxes in the same places: a table's cells, a list's rows. The narrowest of
    each shape is read and its first and last lines' line boxes are moved into the others.
    """
    groups: dict[tuple[int, ...], list[TextEdges]] = {}
    for e in boxes:
        groups.setdefault(_shape(e), []).append(e)
    reps = {shape: min(members, key=lambda e: e.box[2] - e.box[0]) for shape, members in groups.items()}
    read = _line_boxes(px, scale, [s for rep in reps.values() for s in _bands(rep)], ground)
    out = list(read)
    for shape, members in groups.items():
        rep = reps[shape]
        rows = ([rep.top[0]] if rep.top else []) + ([rep.bottom[1]] if rep.bottom else [])
        own = [  # its first and last lines only: a child's text is not in every box of the shape
            lb
            for lb in read
            if _spacing.inside(lb.ink, rep.box)
            and any(abs(lb.ink[1] - r) <= 1 or abs(lb.ink[3] - r) <= 1 for r in rows)
        ]
        for e in members:
            if e is not rep:
                dx, dy = e.box[0] - rep.box[0], e.box[1] - rep.box[1]
                out += [lb.moved(dx, dy) for lb in own]
    return out


def _pack(frames: list[Rect], gap: int) -> tuple[tuple[int, int], list[tuple[int, int]]]:
    """Shelf-pack `frames` into one image: its (height, width) and each frame's top-left.

    Tallest first, left to right on shelves. Frames sit `gap` apart vertically and, on a
    shelf, further apart than the text pass's line grouping reaches (0.55 of a glyph's
    height each way, `text._group_lines`; a glyph is at most the shelf's height), so no
    text line joins two frames. Shelves as wide as the widest frame, or up to three times
    that: whichever makes the smallest image (the pass costs about its pixels).
    """
    widest = max(f[2] - f[0] for f in frames) + 2 * gap
    packs = [_shelves(frames, gap, round(widest * k)) for k in (1.0, 1.5, 2.0, 3.0)]
    return min(packs, key=lambda p: p[0][0] * p[0][1])


def _shelves(frames: list[Rect], gap: int, width: int) -> tuple[tuple[int, int], list[tuple[int, int]]]:
    """`_pack` with shelves `width` px wide (at least the widest frame and its gaps)."""
    order = sorted(range(len(frames)), key=lambda i: frames[i][1] - frames[i][3])
    spots: list[tuple[int, int]] = [(0, 0)] * len(frames)
    y = gap
    x = width  # no shelf open yet
    shelf = side = right = 0
    for i in order:
        w, h = frames[i][2] - frames[i][0], frames[i][3] - frames[i][1]
        if x + w + gap > width:  # a new shelf, as tall as its first (tallest) frame
            y += shelf + (gap if shelf else 0)
            x, shelf = gap, h
            side = max(gap, 2 * math.ceil(0.55 * h) + 2)
        spots[i] = (x, y)
        right = max(right, x + w + gap)
        x += w + side
    return (y + shelf + gap, right), spots


def _line_boxes(
    px: npt.NDArray[np.uint8], scale: float, rects: list[Rect], ground: tuple[int, int, int]
) -> list[LineBox]:
    """Line boxes of the text lines inside `rects` (bands of boxes whose first or last
    content is text, `_bands`).

    The text pass runs once, on the rects packed into one small image on the page's ground
    (`_pack`): their pixels are all it reads. Font size comes from glyph heights (the
    typography calibration); the line height is the baseline pitch of a wrapped paragraph
    where the line is in one (measured), else the page's measured leading ratio, else the
    body convention, bounded by the pitch to a stacked neighbour in the same rect (inferred).
    """
    if not rects:
        return []
    # The pass costs about its atlas' pixels: it reads at most half the image's worth, the
    # smallest bands first. Bands are a small part of their boxes, but JPEG ringing can join
    # a box's text and badges into one tall "line" whose band is then the whole box.
    budget, read = px.shape[0] * px.shape[1] // 2, 0
    within: list[Rect] = []
    for r in sorted(set(rects), key=_area):
        read += _area(r)
        if read > budget:
            break
        within.append(r)
    # a nested box's band inside another's holds nothing new
    frames: list[Rect] = []
    for r in sorted(within, key=_area, reverse=True):
        if not any(f[0] <= r[0] and f[1] <= r[1] and f[2] >= r[2] and f[3] >= r[3] for f in frames):
            frames.append(r)
    if not frames:
        return []
    shape, spots = _pack(frames, max(4, round(12 * scale)))
    atlas = np.empty((*shape, 3), dtype=np.uint8)
    atlas[...] = ground
    for (x0, y0, x1, y1), (ax, ay) in zip(frames, spots, strict=True):
        atlas[ay : ay + y1 - y0, ax : ax + x1 - x0] = px[y0:y1, x0:x1]
    # each line's frame: the one its ink lies in, clear of the frame's first and last rows
    # (a line touching them was cut by the band's edge: its heights are not the glyphs')
    spot = np.asarray(spots, dtype=np.int64)
    ends = spot + np.asarray([(f[2] - f[0], f[3] - f[1]) for f in frames], dtype=np.int64)
    found, home = [], []
    for t in text_lines(atlas, scale)[0]:
        inside = (
            (spot[:, 0] <= t.x)
            & (t.x + t.width <= ends[:, 0])
            & (spot[:, 1] < t.y)
            & (t.y + t.height < ends[:, 1])
        )
        hit = np.flatnonzero(inside)
        if t.glyphs >= 2 and hit.size:
            found.append(t)
            home.append(int(hit[0]))
    if not found:
        return []
    sizes = [float(v) for v in line_sizes(choose_fonts(found), found)[0]]
    pitches: list[tuple[float, bool] | None] = [None] * len(found)
    max_pitch = float(_typography.DEFAULTS["max_pitch"])
    for k in set(home):
        mine = [i for i, h in enumerate(home) if h == k]
        ours = _typography.line_pitches([found[i] for i in mine], [sizes[i] for i in mine], max_pitch)
        for i, p in zip(mine, ours, strict=True):
            pitches[i] = p
    ratios = [p[0] / s for p, s in zip(pitches, sizes, strict=True) if p is not None and p[1] and s > 0]
    ratio = float(np.median(ratios)) if ratios else fonts.BODY_LEADING
    out = []
    for t, size, p, k in zip(found, sizes, pitches, home, strict=True):
        dx, dy = frames[k][0] - spots[k][0], frames[k][1] - spots[k][1]
        ink = (t.x + dx, t.y + dy, t.x + t.width + dx, t.y + t.height + dy)
        if p is not None and p[1]:
            out.append(LineBox.of(ink, t.baseline + dy, size, p[0], True))
        else:
            most = math.inf if p is None else p[0]
            out.append(LineBox.of(ink, t.baseline + dy, size, min(ratio * size, most), False, most))
    return out


def _down(rect: Rect, dy: int) -> Rect:
    return rect[0], rect[1] + dy, rect[2], rect[3] + dy


def _shift(m: Measurement, dy: int) -> Measurement:
    if dy == 0:
        return m
    return replace(m, start=(m.start[0], m.start[1] + dy), end=(m.end[0], m.end[1] + dy))


def analyze_layout(
    px: npt.NDArray[np.uint8], scale: float = 1.0, config: Mapping[str, Any] | None = None
) -> LayoutResult:
    """Boxes, spacing, radii and borders of an sRGB screenshot (H x W x 3 uint8).

    Never raises on odd pixels; reasons for an empty or partial result are in `.warnings`
    (and issued as LayoutWarning).
    """
    cfg = {**DEFAULTS, **(config or {})}
    h, w = px.shape[:2]
    result = LayoutResult(scale, ink_bearing=float(cfg["ink_bearing_css"]))
    if min(h, w) < int(cfg["min_image_px"]):
        return _warn(result, f"image is {w}x{h} px, too small to hold UI layout: no layout tokens")
    band, overlap = int(cfg["band_height"]), int(cfg["band_overlap"])
    starts = [0] if h <= band else list(range(0, h - overlap, band - overlap))
    edge_share = 0.0
    half = overlap // 2
    for k, start in enumerate(starts):
        stop = min(h, start + band)
        part = _analyze_band(px[start:stop], scale, cfg)
        # Each band owns what starts between the middles of its overlaps with its neighbours,
        # so a box up to half an overlap tall is measured whole, once.
        lo = 0 if k == 0 else half
        hi = stop - start if k == len(starts) - 1 else stop - start - overlap + half
        sample = np.ascontiguousarray(px[start + lo : start + hi : 4, ::4])  # cv2 is slow on strided views
        edge_share += float(edge_mask(sample, int(cfg["edge_step"])).mean()) * (hi - lo)
        own = [b for b in part.boxes if lo <= b.rect[1] < hi]
        result.boxes += [replace(b, rect=_down(b.rect, start)) for b in own]
        for m in part.spacing:
            if lo <= min(m.start[1], m.end[1]) < hi:
                result.spacing.append(_shift(m, start))
        lines = [d for d in part.dividers if lo <= d.rect[1] < hi]
        result.dividers += [replace(d, rect=_down(d.rect, start)) for d in lines]
    if len(starts) > 1:
        _warn(
            result,
            f"tall image ({w}x{h} px) processed in {len(starts)} overlapping bands of {band} px: "
            f"boxes taller than {half} px that cross a band edge are measured in part",
        )
    if edge_share / h > float(cfg["texture_share"]):
        _warn(result, f"{edge_share / h:.0%} of the image is texture (a photo, not UI): layout is partial")
    result.grid = detect_grid([b.rect for b in result.boxes], w)
    if not result.boxes:
        _warn(
            result,
            "no UI boxes found (blank, single-colour or photographic image): no radius or border tokens",
        )
    if not result.spacing:
        _warn(result, "no spacing found between boxes and their content: no spacing tokens")
    return result


def _warn(result: LayoutResult, message: str) -> LayoutResult:
    result.warnings.append(message)
    warnings.warn(message, LayoutWarning, stacklevel=3)
    return result


def _name(value: float) -> str:
    return f"{value:g}".replace(".", "_")


class LayoutExtractor:
    """The built-in layout extractor (entry point `designlens.extractors:layout`)."""

    name = "layout"
    defaults = DEFAULTS  # the config keys it reads (`designlens extract --set TYPE.KEY=VALUE`)
    # The source fingerprint keys the result cache: any change to the layout code invalidates it.
    version = "0.2.0+" + source_fingerprint(
        __file__,
        _boxes.__file__,
        _grid.__file__,
        _radius.__file__,
        _spacing.__file__,
        _text.__file__,
        _typography.__file__,
        str(Path(_text.__file__).with_name("text_kernels.py")),
        str(Path(_text.__file__).with_name("typography_calibration.py")),
        str(Path(_boxes.__file__).with_name("layout_kernels.py")),
        fonts.__file__,
    )
    token_type = "layout"

    def extract(self, image: DecodedImage, config: Mapping[str, Any]) -> list[Token]:
        result = analyze_layout(image.pixels, image.scale, {"lossy": image.lossy, **config})
        return layout_tokens(result, image)


def layout_tokens(result: LayoutResult, image: DecodedImage) -> list[Token]:
    """Raw tokens of one image: `spacing.*`, `radius.*`, `border.width.*`, border `color.*`
    and `grid.columns` when the page shows a column grid.

    Each distinct value becomes one token with `count` (how often it was measured) and,
    for spacing, the count per kind (padding, gap, margin), of sightings that may be slack
    (`weak`) and of those measured to a line box of inferred line height (`inferred`, with
    `slack`: CSS px their padding would, on average, grow by were that line height CSS
    `normal`), and `lossy` when the image's format is (JPEG, WebP: its edges are a pixel or
    two off).
    """
    prov = (Provenance(image.id, image.source),)
    total = max(1, image.width * image.height)
    tokens: list[Token] = []
    spacing: dict[float, Counter[str]] = {}
    weak: Counter[float] = Counter()
    inferred: Counter[float] = Counter()
    slack: dict[float, float] = {}
    for m in result.spacing:
        value = result.value(m)
        if value > 0:
            spacing.setdefault(value, Counter())[m.kind] += 1
            weak[value] += m.weak
            inferred[value] += m.inferred
            slack[value] = slack.get(value, 0.0) + m.slack / result.scale
    for value in sorted(spacing):
        kinds = spacing[value]
        ext: dict[str, Any] = {
            "count": sum(kinds.values()),
            "weak": weak[value],
            "inferred": inferred[value],
            "kinds": dict(sorted(kinds.items())),
        }
        if inferred[value]:
            ext["slack"] = round(slack[value] / inferred[value], 2)
        if image.lossy:
            ext["lossy"] = True
        name = f"spacing.{_name(value)}"
        tokens.append(Token(name, "dimension", Dimension(value), provenance=prov, extensions=ext))
    radii: dict[float, list[bool]] = {}
    for b in result.boxes:
        if b.radius is not None and b.radius >= 0.75:
            value = round(b.radius * 2) / 2 if b.full_radius else float(round(b.radius))
            radii.setdefault(value, []).append(b.full_radius)
    for value in sorted(radii):
        seen = radii[value]
        tokens.append(
            Token(
                f"radius.{_name(value)}",
                "dimension",
                Dimension(value),
                provenance=prov,
                extensions={"count": len(seen), "full": all(seen)},
            )
        )
    widths: Counter[float] = Counter()
    colors: Counter[tuple[int, int, int]] = Counter()
    for b in result.boxes:
        if b.border is not None:
            widths[result.css(b.border.width)] += 1
            x0, y0, x1, y1 = b.rect
            if b.border.painted:
                colors[b.border.color] += 2 * (x1 - x0 + y1 - y0) * b.border.width
    for d in result.dividers:
        widths[result.css(d.border.width)] += 1
        colors[d.border.color] += _area(d.rect)
    for value in sorted(widths):
        tokens.append(
            Token(
                f"border.width.{_name(value)}",
                "dimension",
                Dimension(value),
                provenance=prov,
                extensions={"count": widths[value]},
            )
        )
    for rgb, pixels in sorted(colors.items()):
        color = Color.from_rgb(*rgb)
        tokens.append(
            Token(
                f"color.{color.hex[1:]}",
                "color",
                color,
                provenance=(Provenance(image.id, image.source, pixels, pixels / total),),
                extensions={"kind": "border", "region": False},
            )
        )
    if result.grid is not None:
        g = result.grid
        tokens.append(
            Token(
                "grid.columns",
                "number",
                g.columns,
                provenance=prov,
                extensions={
                    "count": 1,
                    "columnWidth": result.css(g.column_width),
                    "gutter": result.css(g.gutter),
                    "marginLeft": result.css(g.margin_left),
                    "marginRight": result.css(g.margin_right),
                },
            )
        )
    return tokens
