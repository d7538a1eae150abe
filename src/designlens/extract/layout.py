"""The layout extractor: boxes, spacing, radii and borders of one screenshot, in CSS px.

`analyze_layout` is the pure function of pixels (the overlay draws its result);
`LayoutExtractor` turns that result into raw tokens for the `spacing`, `radius`, `border`
and `color` groups. Images taller than a band are processed in overlapping horizontal
bands, so memory stays bounded by the band, not the page.

Bad input never raises: a tiny, blank, single-colour or photographic image gives an empty
or partial result, and each reason is issued with `warnings.warn(LayoutWarning)` and kept
in `LayoutResult.warnings`.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from designlens.extract.boxes import Rect, Region, edge_mask, find_regions
from designlens.extract.grid import Grid, detect_grid
from designlens.extract.radius import Border, corner_radius, detect_border
from designlens.extract.spacing import (
    Measurement,
    measure_gaps,
    measure_margins,
    measure_padding,
    measure_paragraph_gaps,
)
from designlens.images import DecodedImage
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
    "band_height": 4096,  # image px: taller images are processed in bands
    "band_overlap": 512,
    "min_image_px": 16,  # smaller images carry no layout
    "texture_share": 0.5,  # share of edge pixels above which an image is a photo, not UI
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


def _analyze_band(px: npt.NDArray[np.uint8], scale: float, cfg: Mapping[str, Any]) -> LayoutResult:
    result = LayoutResult(scale)
    regions = find_regions(px, scale, cfg)
    p16 = px.astype(np.int16)
    max_spacing = round(float(cfg["max_spacing_css"]) * scale)
    max_radius = round(float(cfg["max_radius_css"]) * scale)
    max_border = max(1, round(float(cfg["max_border_css"]) * scale))
    outer: dict[int, Rect] = {}
    for region in regions:
        if not region.is_box or region.parent < 0:
            continue
        border = detect_border(p16, region.box, region.fill, max_border, int(cfg["edge_step"]))
        rect = _outer(region, border)
        outer[region.index] = rect
        r = corner_radius(p16, rect, max_radius)
        full = r is not None and r >= min(rect[2] - rect[0], rect[3] - rect[1]) / 2.0 - 0.01
        result.boxes.append(LayoutBox(rect, region.fill, border, None if r is None else r / scale, full))
    for region in regions:
        kids = [outer[c] for c in region.children if c in outer]
        result.spacing += measure_gaps(region, kids, max_spacing)
        result.spacing += measure_paragraph_gaps(region, kids, max_spacing)
        if region.parent < 0:
            result.spacing += measure_margins(region, px.shape[1], max_spacing)
        elif region.index in outer:
            result.spacing += measure_padding(region, kids, max_spacing)
    return result


def _shift(m: Measurement, dy: int) -> Measurement:
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
        edge_share += float(edge_mask(px[start + lo : start + hi : 4, ::4], int(cfg["edge_step"])).mean()) * (
            hi - lo
        )
        for b in part.boxes:
            if lo <= b.rect[1] < hi:
                x0, y0, x1, y1 = b.rect
                result.boxes.append(
                    LayoutBox((x0, y0 + start, x1, y1 + start), b.fill, b.border, b.radius, b.full_radius)
                )
        for m in part.spacing:
            if lo <= min(m.start[1], m.end[1]) < hi:
                result.spacing.append(_shift(m, start))
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
    version = "0.1.0"
    token_type = "layout"

    def extract(self, image: DecodedImage, config: Mapping[str, Any]) -> list[Token]:
        result = analyze_layout(image.pixels, image.scale, config)
        return layout_tokens(result, image)


def layout_tokens(result: LayoutResult, image: DecodedImage) -> list[Token]:
    """Raw tokens of one image: `spacing.*`, `radius.*`, `border.width.*`, border `color.*`
    and `grid.columns` when the page shows a column grid.

    Each distinct value becomes one token with `count` (how often it was measured) and,
    for spacing, the count per kind (padding, gap, margin).
    """
    prov = (Provenance(image.id, image.source),)
    total = max(1, image.width * image.height)
    tokens: list[Token] = []
    spacing: dict[float, Counter[str]] = {}
    weak: Counter[float] = Counter()
    for m in result.spacing:
        value = result.value(m)
        if value > 0:
            spacing.setdefault(value, Counter())[m.kind] += 1
            weak[value] += m.weak
    for value in sorted(spacing):
        kinds = spacing[value]
        tokens.append(
            Token(
                f"spacing.{_name(value)}",
                "dimension",
                Dimension(value),
                provenance=prov,
                extensions={
                    "count": sum(kinds.values()),
                    "weak": weak[value],
                    "kinds": dict(sorted(kinds.items())),
                },
            )
        )
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
            colors[b.border.color] += 2 * (x1 - x0 + y1 - y0) * b.border.width
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
