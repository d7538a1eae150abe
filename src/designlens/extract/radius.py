"""Corner radii and border rings of boxes, measured on the pixels around a region.

A rounded corner leaves the square corner of the box's bounding box uncovered; for a
circular arc of radius r that missing area is r^2 (1 - pi/4). Summing the *uncovered share*
of each pixel (anti-aliased pixels count in part) and inverting gives r to a fraction of a
pixel, far better than reading where the straight side starts. Pills and circles are
reported as their full radius, min(width, height) / 2, as browsers clip radii to that.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from designlens.extract.boxes import Rect
from designlens.extract.boxes import kernels as _kernels

_CORNER_SHARE = 1.0 - math.pi / 4.0  # uncovered share of an r x r corner square
_MIN_CONTRAST = 12.0  # RGB distance below which a box's edge is too faint to measure a corner


@dataclass(frozen=True, slots=True)
class Border:
    """A uniform ring around a box: width in image px and colour. `painted` is False for a
    ring that may be no paint at all: on a lossy image, the fill's own edge (see `_smeared`)."""

    width: int
    color: tuple[int, int, int]
    painted: bool = True


def close_rgb(a: Sequence[int], b: Sequence[int], step: int) -> bool:
    """Two RGB colours within `step` in every channel (plain Python: numpy costs more on 3 values)."""
    return abs(a[0] - b[0]) <= step and abs(a[1] - b[1]) <= step and abs(a[2] - b[2]) <= step


def _median(values: list[int]) -> int:
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else int((v[n // 2 - 1] + v[n // 2]) / 2)


def detect_border(
    px: npt.NDArray[Any], box: Rect, fill: tuple[int, int, int], max_width: int, step: int = 4
) -> Border | None:
    """The ring of one colour, 1..max_width px wide, around `box` on at least two sides.

    `px` is the image (H x W x 3, any integer type); `box` the region's fill box. A line that runs
    straight along the middle third of a side, differs from the fill and ends in another
    colour is a border side; two sides agreeing on width and colour make a border (a
    pill's round ends have no straight side).
    """
    return detect_borders(px, [box], [fill], max_width, step)[0]


def detect_borders(
    px: npt.NDArray[Any],
    boxes: Sequence[Rect],
    fills: Sequence[tuple[int, int, int]],
    max_width: int,
    step: int = 4,
    lossy: bool = False,
) -> list[Border | None]:
    """`detect_border` of many boxes, in one compiled call; on a `lossy` image a ring that
    differs from the fill in chroma alone is kept (it is the box's outline) but not `painted`."""
    if not boxes:
        return []
    found, colors = _kernels().borders(
        px,
        np.asarray(boxes, dtype=np.int64).reshape(-1, 4),
        np.asarray(fills, dtype=np.int64).reshape(-1, 3),
        max_width,
        step,
    )
    out = [_border(f, c, step) for f, c in zip(found.tolist(), colors.tolist(), strict=True)]
    if lossy:
        out = [
            replace(b, painted=False) if b is not None and _smeared(b.color, f, step) else b
            for b, f in zip(out, fills, strict=True)
        ]
    return out


def _luma(c: Sequence[int]) -> float:
    """BT.601 luma: the Y that JPEG keeps at full resolution."""
    return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]


def _smeared(ring: Sequence[int], fill: Sequence[int], step: int) -> bool:
    """On a lossy image, a ring of the fill's luma (within `step`) is the fill's own edge.

    JPEG keeps luma at full resolution but averages chroma over 2 x 2 pixels (4:2:0), so
    the outermost pixels of a coloured fill take part of the colour beyond them: they keep
    the fill's luma and differ from it in chroma alone, and read as a 1 px ring. A border
    that differs from the fill shows in luma; one that differs in chroma alone is not told
    apart from that smear, and its colour is not kept at line width anyway. (A ring within
    `step` of the fill in every channel is no ring at all, so one that passes here differs
    from the fill by more than `step` in some channel: in chroma.)
    """
    return abs(_luma(ring) - _luma(fill)) <= step


def _border(found: list[int], colors: list[list[int]], step: int) -> Border | None:
    """Two or more sides agreeing on width and colour make a border."""
    sides = [(wd, c) for wd, c in zip(found, colors, strict=True) if wd]
    if len(sides) < 2:
        return None
    widths = [s[0] for s in sides]
    best = max(set(widths), key=widths.count)
    agree = [c for wd, c in sides if wd == best]
    if len(agree) < 2 or not all(close_rgb(c, agree[0], 2 * step) for c in agree):
        return None
    r, g, b = (_median([c[i] for c in agree]) for i in range(3))
    return Border(best, (r, g, b))


def corner_radius(px: npt.NDArray[Any], box: Rect, max_radius: int) -> float | None:
    """Corner radius in image px of the shape whose outer edge is `box`; None when not measurable.

    Each corner with a visible outside pixel is measured on its own; the result is the
    median of the rounded corners (a card header rounds only its top corners). A radius
    that reaches half the short side is a pill or circle and comes back as exactly that.
    """
    return corner_radii(px, [box], max_radius)[0]


def corner_radii(px: npt.NDArray[Any], boxes: Sequence[Rect], max_radius: int) -> list[float | None]:
    """`corner_radius` of many boxes, their corners scanned in one compiled call."""
    if not boxes:
        return []
    rects = _round_ends(px, np.asarray(boxes, dtype=np.int64).reshape(-1, 4))
    bw, bh = rects[:, 2] - rects[:, 0], rects[:, 3] - rects[:, 1]
    ks = np.minimum(np.minimum(bw // 2, bh // 2), max_radius + 2)
    # each measurable corner, and for the rounded ones the area the arc leaves uncovered
    measured, missing, count = _kernels().corners_of(px, rects, ks, _MIN_CONTRAST)
    out: list[float | None] = []
    sizes = zip(bw.tolist(), bh.tolist(), ks.tolist(), strict=True)
    seen = zip(measured.tolist(), missing.tolist(), count.tolist(), strict=True)
    for (w, h, k), (m, areas, n) in zip(sizes, seen, strict=True):
        out.append(None if k < 2 or m == 0 else _radius(areas[:n], w, h, k, max_radius))
    return out


def _round_ends(px: npt.NDArray[Any], rects: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """`rects` (N x 4) each grown by the anti-aliased column (row) a round end leaves outside it.

    A region's box is where its flat pixels end, and an edge pixel is never flat: a straight
    side, on the pixel grid as browsers snap boxes, ends in a full pixel that is the box's,
    but the end of a pill or circle ends in a pixel the arc covers only in part (0.9 of it
    for a 4 px radius), left out of the box. Corners measured in that box are a pixel short
    (a 4 px pill's ends read as 2 px corners). So a side grows by one pixel where the pixel
    past its middle is mostly paint (at least half-way from the colour further out to the
    box's, as a blend of the two) and the pixel past the side a quarter along is not the
    same: the cover falls along the arc (a straight side has none to fall). Compiled
    (`layout_kernels.round_ends`): in Python it cost 4 ms on a page of 150 boxes.
    """
    return np.asarray(_kernels().round_ends(px, rects, _MIN_CONTRAST), dtype=np.int64)


def _radius(missing: list[float], bw: int, bh: int, k: int, max_radius: int) -> float | None:
    """The median corner's radius from the uncovered areas; full for a pill or circle."""
    found = [r for r in (math.sqrt(m / _CORNER_SHARE) for m in missing) if r >= 1.0]
    if not found:
        return 0.0
    r = float(np.median(found))
    full = min(bw, bh) / 2.0
    if r >= full - 1.5 or (k == min(bw // 2, bh // 2) and r >= 0.85 * k):
        return full
    if r > max_radius:
        return None
    return r


@dataclass(frozen=True, slots=True)
class Divider:
    """A straight line between two flat areas of one fill: a list's, a table's or a dialog's
    divider (a CSS border on one side of an element). `rect` in image px."""

    rect: Rect
    border: Border


_DIVIDER_SAMPLES = 16  # points along a divider that must all be its colour


def find_dividers(
    px: npt.NDArray[Any],
    boxes: Sequence[Rect],
    fills: Sequence[tuple[int, int, int]],
    grounds: Sequence[tuple[int, int, int]],
    rings: Sequence[int],
    max_width: int,
    min_length: int,
    step: int,
) -> list[Divider]:
    """Lines of one colour, 1..max_width px thick, that part two areas of one fill.

    A one-sided border (a header's bottom border, a row's top border) reaches the box
    outline on both ends, so no region has it inside as a hole: it is the strip between
    two regions of one fill, one above the other (or side by side). Each pair of `boxes`
    (fill boxes) of close `fills` that face each other along at least `min_length` px,
    `max_width` px apart or less, is checked: every row (column) of the strip must be one
    colour along its length, unlike the fill. The ends (a corner, a border meeting it)
    are left out of the check. `grounds` is the colour each box sits on: a strip of it is
    the gap between two boxes (a 1 px grid gutter), not a line. `rings` is each box's own
    border width (0: none): a line that the two boxes' rings make up (stacked bordered
    cards) is those rings, no divider.
    """
    if not boxes:
        return []
    rects, colors = _kernels().dividers(
        px,
        np.asarray(boxes, dtype=np.int64).reshape(-1, 4),
        np.asarray(fills, dtype=np.int64).reshape(-1, 3),
        np.asarray(grounds, dtype=np.int64).reshape(-1, 3),
        np.asarray(rings, dtype=np.int64),
        max_width,
        max(min_length, _DIVIDER_SAMPLES),
        _DIVIDER_SAMPLES,
        step,
    )
    out = []
    for (x0, y0, x1, y1), (r, g, b) in zip(rects.tolist(), colors.tolist(), strict=True):
        width = min(x1 - x0, y1 - y0)  # its thickness: the length is at least min_length
        out.append(Divider((x0, y0, x1, y1), Border(width, (r, g, b))))
    return out
