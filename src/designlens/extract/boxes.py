"""UI boxes from pixels: regions of uniform fill bounded by edges, and their containment tree.

One pass finds them all. A pixel is an *edge* when it differs from a 4-neighbour by more
than a small step; everything else is *flat*. Flat pixels form regions (a page, a card's
fill, a button's fill, a glyph's counter); `cv2.findContours(RETR_TREE)` on the flat mask
gives each region's outer contour, its holes (what sits inside: text, icons, child boxes)
and the regions inside those holes, i.e. the containment tree, in about 3 ms at 1280x800.

Geometry: the edge ring is one pixel on each side of a colour change, so a region's flat
pixels start one pixel inside its paint and a hole's contour runs two pixels outside the
ink it surrounds. `Region.box` and `Region.content` undo those offsets: they are in image
pixels, inclusive-exclusive (x0, y0, x1, y1), on the paint itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

Rect = tuple[int, int, int, int]  # x0, y0, x1, y1 (x1, y1 exclusive)

_SPECK = 4  # px: contours this narrow or less (either side) hold nothing measurable

DEFAULTS: dict[str, Any] = {
    "edge_step": 5,  # max channel difference still counted as the same fill (JPEG noise, dithering)
    "min_box_css": 8,  # px: shortest side of a box (a progress bar, a checkbox)
    "min_box_long_css": 8,  # px: its longer side
    "min_fill_ratio": 0.75,  # region area / bbox area: a circle is 0.785, a glyph counter rarely square
}


@dataclass
class Region:
    """One flat region: its paint box, fill colour, the content inside it and its place in the tree."""

    index: int
    box: Rect  # the fill's extent (padding box when the region has a border)
    fill: tuple[int, int, int]
    area: float  # area enclosed by the outer contour (holes included)
    parent: int  # index of the enclosing region, -1 for a root
    holes: list[Rect] = field(default_factory=list)  # content units inside (ink or child boxes)
    frame: Rect | None = None  # the hole of the parent this region sits in (its ring's outer extent)
    solid: list[Rect] = field(default_factory=list)  # holes that are filled rectangles of box size
    rounded: list[Rect] = field(default_factory=list)  # square holes with round corners (avatars)
    children: list[int] = field(default_factory=list)  # regions inside the holes
    is_box: bool = False  # rectangle-like and big enough to be a UI box

    @property
    def width(self) -> int:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]

    @property
    def content(self) -> Rect | None:
        """Union of everything inside the region, or None when it is empty."""
        if not self.holes:
            return None
        h = np.asarray(self.holes, dtype=np.int64)  # a photo's page has thousands of holes
        lo, hi = h[:, :2].min(axis=0).tolist(), h[:, 2:].max(axis=0).tolist()
        return lo[0], lo[1], hi[0], hi[1]


def _max_channel(d: npt.NDArray[Any]) -> npt.NDArray[np.uint8]:
    # ndarray.max(axis=2) is ~25x slower than three cv2 maxima on split planes
    r, g, b = cv2.split(d)
    return np.asarray(cv2.max(cv2.max(r, g), b))


def contrast_map(px: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """The largest channel difference of each pixel from its 4 neighbours (H x W uint8):
    `contrast_map(px) > step` is `edge_mask(px, step)`, for several steps at the cost of one.

    Computed in strips of rows: whole-image temporaries (12 MB each at 2560 x 1600) come
    from fresh pages on every call and cost more than the arithmetic."""
    h, w = px.shape[:2]
    out = np.zeros((h, w), dtype=np.uint8)
    rows = max(1, (1 << 18) // max(1, w))  # 256 K pixels a strip
    for y0 in range(0, h, rows):
        y1 = min(h, y0 + rows)
        if w >= 2:
            dh = _max_channel(cv2.absdiff(px[y0:y1, 1:], px[y0:y1, :-1]))
            np.maximum(out[y0:y1, 1:], dh, out=out[y0:y1, 1:])
            np.maximum(out[y0:y1, :-1], dh, out=out[y0:y1, :-1])
        ye = min(y1, h - 1)  # vertical pairs (y, y + 1) for y in [y0, ye)
        if ye > y0:
            dv = _max_channel(cv2.absdiff(px[y0 + 1 : ye + 1], px[y0:ye]))
            np.maximum(out[y0 + 1 : ye + 1], dv, out=out[y0 + 1 : ye + 1])
            np.maximum(out[y0:ye], dv, out=out[y0:ye])
    return out


def edge_mask(px: npt.NDArray[np.uint8], step: int) -> npt.NDArray[np.bool_]:
    """True where a pixel differs from one of its 4 neighbours by more than `step` in some channel."""
    return np.asarray(contrast_map(px) > step)


def kernels() -> ModuleType:
    """The layout's compiled loops (`layout_kernels`), imported on first use: numba costs a
    process ~80 MB and 0.3 s, which processes that never extract layout do not pay."""
    from designlens.extract import layout_kernels

    return layout_kernels


def _contour_stats(
    contours: Sequence[npt.NDArray[Any]],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Bounding rects (x, y, w, h), enclosed areas and first points of every contour at once:
    cv2.boundingRect and cv2.contourArea one by one cost more than the contours themselves
    on a photo's tens of thousands of specks. Areas are the shoelace formula, as contourArea
    (one compiled loop over all points)."""
    if not contours:
        return np.zeros((0, 4), dtype=np.int64), np.zeros(0), np.zeros((0, 2), dtype=np.int64)
    sizes = np.fromiter(map(len, contours), dtype=np.int64, count=len(contours))
    rects, areas, first = kernels().contour_stats(np.concatenate(contours).reshape(-1, 2), sizes)
    return rects, areas, first


def find_regions(
    px: npt.NDArray[np.uint8],
    scale: float = 1.0,
    config: Mapping[str, Any] | None = None,
    edges: npt.NDArray[np.bool_] | None = None,
    flat: npt.NDArray[np.uint8] | None = None,
) -> list[Region]:
    """Every flat region of an sRGB image (H x W x 3 uint8), parents before children.

    `scale` is image px per CSS px; it sets the smallest box. Regions too small to be
    boxes are kept (their holes still count as content of nothing) but flagged `is_box=False`.
    `edges` is `edge_mask(px, edge_step)` when the caller has it already, or `flat` its
    inverse as 0/255 uint8 (what the contours are traced on).
    """
    cfg = {**DEFAULTS, **(config or {})}
    h, w = px.shape[:2]
    if h < 3 or w < 3:
        return []
    if flat is None:
        if edges is None:
            edges = edge_mask(px, int(cfg["edge_step"]))
        flat = np.where(edges, 0, 255).astype(np.uint8)
    # Contours 4 px or less across are dropped below: on a textured image (a run of equal
    # pixels per 20 or more) their specks go before tracing, which gives the same regions
    traced = kernels().despeckle(np.ascontiguousarray(flat), _SPECK, _SPECK - 2, h * w // 20)
    contours, hierarchy = cv2.findContours(traced, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return []
    hier = hierarchy[0]
    min_side = max(3, round(float(cfg["min_box_css"]) * scale))
    min_long = max(min_side, round(float(cfg["min_box_long_css"]) * scale))
    min_fill = float(cfg["min_fill_ratio"])
    regions: list[Region] = []
    # Contours come parents first; even depth = a region's outer contour, odd = one of its holes.
    parent_of = hier[:, 3]
    depth = np.zeros(len(contours), dtype=np.int32)
    up = parent_of.copy()
    while (up >= 0).any():  # one step up the tree for every contour at once
        depth += up >= 0
        up = np.where(up >= 0, parent_of[np.maximum(up, 0)], -1)
    rects, areas, first = _contour_stats(contours)
    # Contours 4 px or less across hold nothing measurable (and what they contain is smaller
    # still): skipping them keeps photos, with tens of thousands of specks, fast. Everything
    # per contour is computed at once here; the loop below only links the tree.
    keep = np.flatnonzero((rects[:, 2] > _SPECK) & (rects[:, 3] > _SPECK))
    odd = depth[keep] % 2 == 1
    # a hole of a region (odd depth): ink or a child, 2 px outside it
    ho = keep[odd]
    hx, hy, hw, hh = (rects[ho, j] for j in range(4))
    big = (np.minimum(hw, hh) >= min_side) & (np.maximum(hw, hh) >= min_long)
    # a hole the size of a box that fills its bounding rectangle: a picture, a textured
    # panel, or a box whose own fill was found as a region inside it
    fill = (areas[ho] + hw + hh) / np.maximum(1.0, (hw * hh).astype(np.float64))
    solid = (big & (fill >= 0.97)).tolist()
    # a square hole a circle or a rounded square fills (down to pi/4 of it, as a circular
    # box does): a round picture
    square = np.abs(hw - hh) <= np.maximum(1.0, 0.05 * hw)  # as layout's circle test
    rounded = (big & (fill >= min_fill) & (fill < 0.97) & square).tolist()
    ink = [
        (a, b, c, d) for a, b, c, d in np.stack([hx + 2, hy + 2, hx + hw - 2, hy + hh - 2], axis=1).tolist()
    ]
    # a region (even depth): its paint box, fill, area, and the hole of its parent it sits in
    ro = keep[~odd]
    rank = np.full(len(contours), -1, dtype=np.int64)
    rank[ro] = np.arange(len(ro))  # contour -> region index (contours come parents first)
    kx, ky, kw, kh = (rects[ro, j] for j in range(4))
    left, top = np.maximum(0, kx - 1), np.maximum(0, ky - 1)
    boxes = np.stack([left, top, np.minimum(w, kx + kw + 1), np.minimum(h, ky + kh + 1)], axis=1)
    bw, bh = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    # the area runs through pixel centres: half a pixel short on every side
    ratio = (areas[ro] + kw + kh) / np.maximum(1.0, (kw * kh).astype(np.float64))
    sized = (np.minimum(bw, bh) >= min_side) & (np.maximum(bw, bh) >= min_long)
    is_box = (sized & (ratio >= min_fill)).tolist()
    fills = px[first[ro, 1], first[ro, 0]].tolist()  # contour points are pixels of the region
    hole_of = hier[ro, 3]
    up = np.maximum(hole_of, 0)
    parents = np.where(hole_of >= 0, rank[hier[up, 3]], -1).tolist()
    ux, uy, uw, uh = (rects[up, j] for j in range(4))
    frames = np.stack([ux + 2, uy + 2, ux + uw - 2, uy + uh - 2], axis=1).tolist()  # its ink, 2 px in
    outside = (hole_of < 0).tolist()
    for n, (b, fill, area, parent, frame, root, box_like) in enumerate(
        zip(boxes.tolist(), fills, areas[ro].tolist(), parents, frames, outside, is_box, strict=True)
    ):
        regions.append(
            Region(
                index=n,
                box=(b[0], b[1], b[2], b[3]),
                fill=(fill[0], fill[1], fill[2]),
                area=area,
                parent=parent,
                frame=None if root else (frame[0], frame[1], frame[2], frame[3]),
                is_box=box_like,
            )
        )
        if parent >= 0:
            regions[parent].children.append(n)
    for owner, rect, filled, round_ in zip(rank[hier[ho, 3]].tolist(), ink, solid, rounded, strict=True):
        if owner >= 0:
            regions[owner].holes.append(rect)
            if filled:
                regions[owner].solid.append(rect)
            elif round_:
                regions[owner].rounded.append(rect)
    return regions


def child_boxes(regions: list[Region], region: Region) -> list[Region]:
    """The boxes directly inside `region` (through its holes)."""
    return [regions[c] for c in region.children if regions[c].is_box]
