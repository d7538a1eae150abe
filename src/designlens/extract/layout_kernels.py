"""The layout extractor's per-box and per-contour loops, compiled (numba).

Each is the plain loop of a numpy/Python step of `boxes`, `radius` or `spacing`, doing the
same integer (or float64) arithmetic in the same order, so results are identical (the
corner scan sums float32 covers one after another where numpy summed pairwise: equal to
float32 rounding, well under 1e-5 px of radius): in
Python they cost microseconds per box or per contour, which adds up to tens of
milliseconds on a page of 150 boxes or a photo's thousands of specks. Compiled on first
use and cached beside this file (`cache=True`); imported lazily, so a process that never
extracts layout (the API) never loads numba.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit


@njit(cache=True, nogil=True)
def contour_stats(
    pts: npt.NDArray[np.int32], sizes: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Bounding rects (x, y, w, h), shoelace areas and first points of the contours whose
    points lie one after another in `pts` (P x 2), `sizes[i]` points each."""
    n = sizes.shape[0]
    rects = np.empty((n, 4), dtype=np.int64)
    areas = np.empty(n, dtype=np.float64)
    first = np.empty((n, 2), dtype=np.int64)
    s = 0
    for i in range(n):
        m = sizes[i]
        fx = np.int64(pts[s, 0])
        fy = np.int64(pts[s, 1])
        x0 = fx
        x1 = fx
        y0 = fy
        y1 = fy
        cross = np.int64(0)
        for j in range(m):
            x = np.int64(pts[s + j, 0])
            y = np.int64(pts[s + j, 1])
            x0 = min(x0, x)
            x1 = max(x1, x)
            y0 = min(y0, y)
            y1 = max(y1, y)
            k = s + j + 1 if j + 1 < m else s  # each contour closes on its first point
            cross += x * np.int64(pts[k, 1]) - np.int64(pts[k, 0]) * y
        rects[i, 0] = x0
        rects[i, 1] = y0
        rects[i, 2] = x1 - x0 + 1
        rects[i, 3] = y1 - y0 + 1
        areas[i] = abs(cross) / 2.0
        first[i, 0] = fx
        first[i, 1] = fy
        s += m
    return rects, areas, first


@njit(cache=True, nogil=True)
def _near3(px: npt.NDArray[np.uint8], y: int, x: int, c: npt.NDArray[np.int64], step: int) -> bool:
    return bool(
        abs(np.int64(px[y, x, 0]) - c[0]) <= step
        and abs(np.int64(px[y, x, 1]) - c[1]) <= step
        and abs(np.int64(px[y, x, 2]) - c[2]) <= step
    )


@njit(cache=True, nogil=True)
def _side_pixel(
    side: int, d: int, i: int, x0: int, y0: int, x1: int, y1: int, qx0: int, qy0: int
) -> tuple[int, int]:
    """(y, x) of strip pixel (d, i) of a side: depth d outward from it, position i along its
    middle third (top, bottom, left, right)."""
    if side == 0:
        return y0 - 1 - d, qx0 + i
    if side == 1:
        return y1 + d, qx0 + i
    if side == 2:
        return qy0 + i, x0 - 1 - d
    return qy0 + i, x1 + d


@njit(cache=True, nogil=True)
def border_sides(
    px: npt.NDArray[np.uint8],
    x0: int,
    y0: int,
    x1: int,
    y1: int,
    fill: npt.NDArray[np.int64],
    max_width: int,
    step: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """`radius.detect_border`'s per-side step: for top, bottom, left and right, the width
    of a straight line of one colour outside the middle third of that side (0: none) and
    its colour (the pixel next to the side's middle)."""
    h, w = px.shape[0], px.shape[1]
    depth = max_width + 1
    qx0, qx1 = x0 + (x1 - x0) // 3, x1 - (x1 - x0) // 3
    qy0, qy1 = y0 + (y1 - y0) // 3, y1 - (y1 - y0) // 3
    widths = np.zeros(4, dtype=np.int64)
    colors = np.zeros((4, 3), dtype=np.int64)
    first = np.zeros(3, dtype=np.int64)
    for side in range(4):
        # strip pixel (d, i): depth d outward from the side, position i along it
        if side == 0:
            ok, n = y0 - depth >= 0, qx1 - qx0
        elif side == 1:
            ok, n = y1 + depth <= h, qx1 - qx0
        elif side == 2:
            ok, n = x0 - depth >= 0, qy1 - qy0
        else:
            ok, n = x1 + depth <= w, qy1 - qy0
        if not ok or n <= 0:
            continue
        mid = n // 2
        y, x = _side_pixel(side, 0, mid, x0, y0, x1, y1, qx0, qy0)
        for ch in range(3):
            first[ch] = np.int64(px[y, x, ch])
        if _near3(px, y, x, fill, step):
            continue
        run = depth
        for d in range(depth):
            y, x = _side_pixel(side, d, mid, x0, y0, x1, y1, qx0, qy0)
            if not _near3(px, y, x, first, step):
                run = d
                break
        if not (1 <= run <= max_width):
            continue
        # a border ends at an edge; a shadow fades: the step out of the band must be
        # larger than the drift across it (a soft shadow's first pixels stay within
        # `step` of each other for two or three px, then fade on)
        yl, xl = _side_pixel(side, run - 1, mid, x0, y0, x1, y1, qx0, qy0)
        yo, xo = _side_pixel(side, run, mid, x0, y0, x1, y1, qx0, qy0)
        drift = np.int64(0)
        edge = np.int64(0)
        for ch in range(3):
            drift = max(drift, abs(np.int64(px[yl, xl, ch]) - first[ch]))
            edge = max(edge, abs(np.int64(px[yo, xo, ch]) - np.int64(px[yl, xl, ch])))
        if edge <= drift:
            continue
        stride = max(1, n // 48)
        count = (n + stride - 1) // stride
        width = depth
        for d in range(depth):
            close = 0
            for i in range(0, n, stride):
                y, x = _side_pixel(side, d, i, x0, y0, x1, y1, qx0, qy0)
                if _near3(px, y, x, first, step):
                    close += 1
            if not close >= 0.9 * count:
                width = d
                break
        if 1 <= width <= max_width:
            widths[side] = width
            for ch in range(3):
                colors[side, ch] = first[ch]
    return widths, colors


@njit(cache=True, nogil=True)
def text_lines(holes: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """`spacing._text_lines` on holes already sorted by (top, left): each joins the first
    line it overlaps vertically by half the smaller height, which grows to hold it."""
    n = holes.shape[0]
    lines = np.empty((n, 4), dtype=np.int64)
    k = 0
    for i in range(n):
        x0, y0, x1, y1 = holes[i, 0], holes[i, 1], holes[i, 2], holes[i, 3]
        joined = False
        for j in range(k):
            if min(y1, lines[j, 3]) - max(y0, lines[j, 1]) >= 0.5 * min(y1 - y0, lines[j, 3] - lines[j, 1]):
                lines[j, 0] = min(x0, lines[j, 0])
                lines[j, 1] = min(y0, lines[j, 1])
                lines[j, 2] = max(x1, lines[j, 2])
                lines[j, 3] = max(y1, lines[j, 3])
                joined = True
                break
        if not joined:
            lines[k, 0], lines[k, 1], lines[k, 2], lines[k, 3] = x0, y0, x1, y1
            k += 1
    return lines[:k]


@njit(cache=True, nogil=True)
def nearest_neighbours(b: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """`spacing.measure_gaps`'s neighbour search: for each box (row of N x 4) the nearest
    box to its right overlapping it by half the smaller height (column 0) and below it by
    half the smaller width (column 1), the first of equals; -1 where there is none."""
    n = b.shape[0]
    out = np.full((n, 2), -1, dtype=np.int64)
    for i in range(n):
        for axis in range(2):
            best = -1
            best_gap = np.int64(0)
            for j in range(n):
                if j == i:
                    continue
                if axis == 0:
                    gap = b[j, 0] - b[i, 2]
                    overlap = min(b[j, 3], b[i, 3]) - max(b[j, 1], b[i, 1])
                    need = 0.5 * min(b[j, 3] - b[j, 1], b[i, 3] - b[i, 1])
                else:
                    gap = b[j, 1] - b[i, 3]
                    overlap = min(b[j, 2], b[i, 2]) - max(b[j, 0], b[i, 0])
                    need = 0.5 * min(b[j, 2] - b[j, 0], b[i, 2] - b[i, 0])
                if gap >= 0 and overlap >= need and (best < 0 or gap < best_gap):
                    best = j
                    best_gap = gap
            out[i, axis] = best
    return out


@njit(cache=True, nogil=True)
def _dist(px: npt.NDArray[np.uint8], y: int, x: int, oy: int, ox: int) -> float:
    s = 0.0
    for ch in range(3):
        d = float(np.int64(px[y, x, ch]) - np.int64(px[oy, ox, ch]))
        s += d * d
    return float(np.sqrt(s))


@njit(cache=True, nogil=True)
def _cover(
    px: npt.NDArray[np.uint8], y: int, x: int, out: npt.NDArray[np.float32], span: np.float32
) -> np.float32:
    """How far pixel (x, y) is from the outside colour `out`, as a share of `span` (0..1)."""
    s = np.float32(0.0)
    for ch in range(3):
        d = np.float32(px[y, x, ch]) - out[ch]
        s = np.float32(s + np.float32(d * d))
    c = np.float32(np.sqrt(s)) / span
    return np.float32(min(np.float32(1.0), max(np.float32(0.0), c)))


@njit(cache=True, nogil=True)
def _missing(
    px: npt.NDArray[np.uint8],
    cx: int,
    cy: int,
    fx: int,
    fy: int,
    kc: int,
    out: npt.NDArray[np.float32],
    span: np.float32,
    across: bool,
) -> float:
    """Uncovered area (px^2) of one corner's kc x kc window, scanned row by row from the
    corner (column by column when `across`): rows count down to the first one whose corner
    pixel is solid (below it the straight side runs); in each row, inside starts at the
    first solid pixel or where a thin (border) line's cover peaks and falls again (past the
    line lies the box's own fill, which may match the outside), and the peak pixel of a
    line counts what it misses."""
    solid = np.float32(0.85)
    total = np.float32(0.0)
    row = np.empty(kc, dtype=np.float32)
    for i in range(kc):
        for j in range(kc):
            if across:
                row[j] = _cover(px, cy + fy * j, cx + fx * i, out, span)
            else:
                row[j] = _cover(px, cy + fy * i, cx + fx * j, out, span)
        if row[0] >= solid:
            break  # the straight side
        end = kc - 1
        for j in range(kc - 1):
            if row[j] >= solid or (row[j] >= np.float32(0.2) and row[j + 1] < row[j] - np.float32(0.1)):
                end = j
                break
        miss = np.float32(0.0)
        for j in range(end):
            miss = np.float32(miss + (np.float32(1.0) - row[j]))
        if row[end] < solid and end < kc - 1:
            miss = np.float32(miss + (np.float32(1.0) - row[end]))
        total = np.float32(total + miss)
    return float(total)


@njit(cache=True, nogil=True)
def corners(
    px: npt.NDArray[np.uint8], x0: int, y0: int, x1: int, y1: int, k: int, min_contrast: float
) -> tuple[int, npt.NDArray[np.float64]]:
    """`radius.corner_radius`'s look at each corner: how many corners are measurable, and the
    uncovered area (px^2) of each rounded one, the smaller of its two scans (`_missing`, in
    a window as far as the arc reaches), the outside colour being the pixel diagonally off
    the corner and full cover its distance to the middle of the side."""
    h, w = px.shape[0], px.shape[1]
    bw, bh = x1 - x0, y1 - y0
    found = np.zeros(4, dtype=np.float64)
    out = np.empty(3, dtype=np.float32)
    measured = 0
    n = 0
    for c in range(4):
        if c == 0:
            cx, cy, fx, fy = x0, y0, 1, 1
        elif c == 1:
            cx, cy, fx, fy = x1 - 1, y0, -1, 1
        elif c == 2:
            cx, cy, fx, fy = x0, y1 - 1, 1, -1
        else:
            cx, cy, fx, fy = x1 - 1, y1 - 1, -1, -1
        ox, oy = cx - fx, cy - fy
        if not (0 <= ox < w and 0 <= oy < h):
            continue
        span_h = _dist(px, cy, cx + fx * (bw // 2), oy, ox)
        span_v = _dist(px, cy + fy * (bh // 2), cx, oy, ox)
        if min(span_h, span_v) < min_contrast:
            continue
        measured += 1
        if _dist(px, cy, cx, oy, ox) >= 0.85 * span_h:
            continue  # a square corner
        # the first row is uncovered for about r - sqrt(r): windows only as far as the arc reaches
        limit = np.float32(0.85 * span_h)
        j = k
        for i in range(k):
            s = np.float32(0.0)
            for ch in range(3):
                d = np.float32(px[cy, cx + fx * i, ch]) - np.float32(px[oy, ox, ch])
                s = np.float32(s + np.float32(d * d))
            if np.float32(np.sqrt(s)) >= limit:
                j = i
                break
        kc = min(k, j + int(np.sqrt(j)) + 4)
        for ch in range(3):
            out[ch] = np.float32(px[oy, ox, ch])
        along = _missing(px, cx, cy, fx, fy, kc, out, np.float32(span_h), False)
        across = _missing(px, cx, cy, fx, fy, kc, out, np.float32(span_v), True)
        found[n] = min(along, across)
        n += 1
    return measured, found[:n]


@njit(cache=True, nogil=True)
def borders(
    px: npt.NDArray[np.uint8],
    boxes: npt.NDArray[np.int64],
    fills: npt.NDArray[np.int64],
    max_width: int,
    step: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """`border_sides` of every box (N x 4 x0, y0, x1, y1; fills N x 3) in one call: a page's
    hundreds of boxes cost one dispatch. Boxes under 4 px on a side have none."""
    n = boxes.shape[0]
    widths = np.zeros((n, 4), dtype=np.int64)
    colors = np.zeros((n, 4, 3), dtype=np.int64)
    for b in range(n):
        x0, y0, x1, y1 = boxes[b, 0], boxes[b, 1], boxes[b, 2], boxes[b, 3]
        if x1 - x0 < 4 or y1 - y0 < 4:
            continue
        found, color = border_sides(px, x0, y0, x1, y1, fills[b], max_width, step)
        widths[b] = found
        colors[b] = color
    return widths, colors


@njit(cache=True, nogil=True)
def _end_grows(
    px: npt.NDArray[np.uint8],
    y: int,
    x: int,
    oy: int,
    ox: int,
    iy: int,
    ix: int,
    ay: int,
    ax: int,
    min_contrast: float,
) -> bool:
    """`radius._round_ends`' test of one side: pixel (x, y) past its middle is at least half
    of the way from the colour further out (ox, oy) to the box's (ix, iy), as a blend of the
    two is (each channel between them, within 1), and the pixel past the side a quarter
    along (ax, ay) is not within 2 of it."""
    h, w = px.shape[0], px.shape[1]
    if not (0 <= oy < h and 0 <= ox < w and 0 <= ay < h and 0 <= ax < w):
        return False
    span = np.int64(0)
    along = np.int64(0)
    for ch in range(3):
        p, o, i = np.int64(px[y, x, ch]), np.int64(px[oy, ox, ch]), np.int64(px[iy, ix, ch])
        if p < min(o, i) - 1 or p > max(o, i) + 1:
            return False
        span += (i - o) * (i - o)
        along += (p - o) * (i - o)
    if span < min_contrast * min_contrast or along < 0.5 * span:
        return False
    return not _near3(px, ay, ax, px[y, x].astype(np.int64), 2)


@njit(cache=True, nogil=True)
def round_ends(
    px: npt.NDArray[np.uint8], rects: npt.NDArray[np.int64], min_contrast: float
) -> npt.NDArray[np.int64]:
    """`radius._round_ends` of every rect (N x 4) in one call: each side grown by one pixel
    where `_end_grows` holds (rects under 4 px on a side stay as they are)."""
    out = rects.copy()
    for b in range(rects.shape[0]):
        x0, y0, x1, y1 = rects[b, 0], rects[b, 1], rects[b, 2], rects[b, 3]
        if x1 - x0 < 4 or y1 - y0 < 4:
            continue
        cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
        qx, qy = (3 * x0 + x1) // 4, (3 * y0 + y1) // 4
        if _end_grows(px, cy, x0 - 1, cy, x0 - 2, cy, x0, qy, x0 - 1, min_contrast):
            out[b, 0] -= 1
        if _end_grows(px, cy, x1, cy, x1 + 1, cy, x1 - 1, qy, x1, min_contrast):
            out[b, 2] += 1
        if _end_grows(px, y0 - 1, cx, y0 - 2, cx, y0, cx, y0 - 1, qx, min_contrast):
            out[b, 1] -= 1
        if _end_grows(px, y1, cx, y1 + 1, cx, y1 - 1, cx, y1, qx, min_contrast):
            out[b, 3] += 1
    return out


@njit(cache=True, nogil=True)
def corners_of(
    px: npt.NDArray[np.uint8], rects: npt.NDArray[np.int64], ks: npt.NDArray[np.int64], min_contrast: float
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """`corners` of every rect (N x 4, window sizes ks) in one call: per rect the measurable
    corners, the uncovered areas of the rounded ones (first `count` of its row) and `count`."""
    n = rects.shape[0]
    measured = np.zeros(n, dtype=np.int64)
    missing = np.zeros((n, 4), dtype=np.float64)
    count = np.zeros(n, dtype=np.int64)
    for b in range(n):
        if ks[b] < 2:
            continue
        m, found = corners(px, rects[b, 0], rects[b, 1], rects[b, 2], rects[b, 3], ks[b], min_contrast)
        measured[b] = m
        count[b] = found.size
        missing[b, : found.size] = found
    return measured, missing, count


@njit(cache=True, nogil=True)
def _root(parent: npt.NDArray[np.int32], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


@njit(cache=True, nogil=True)
def despeckle(
    flat: npt.NDArray[np.uint8], flat_max: int, hole_max: int, min_runs: int
) -> npt.NDArray[np.uint8]:
    """`flat` (0/255) without the specks whose contours `boxes.find_regions` drops anyway.

    Flat (255) pixels connect 8-ways and the rest 4-ways, as `cv2.findContours` sees them.
    A flat component whose bounding box is at most `flat_max` px on one side becomes 0: it
    and all it contains are too small to keep, and the 0 pixels around it are one component,
    whose outline it does not touch. A 0 component at most `hole_max` px on one side (its
    hole contour is 2 px larger) becomes flat when it lies wholly inside one flat component:
    not at the image edge and touching no other 0 component, even at a corner (a cautious
    test: then it is surely a hole of that one component). Contours, areas and the tree of what is
    kept stay the same; a photo's tens of thousands of specks are no longer traced.

    Runs of equal pixels along rows are the union-find elements. With fewer than
    `min_runs` of them `flat` comes back as it is (the contours are the same either way).
    """
    h, w = flat.shape
    n = 0
    for y in range(h):
        n += 1
        for x in range(1, w):
            if flat[y, x] != flat[y, x - 1]:
                n += 1
    if n < min_runs:
        return flat  # little texture: tracing the few specks costs less than finding them
    # int32 and few arrays: a photo has ~10^5 runs, and fresh pages cost more than the work.
    # Run r spans [pos[r], pos[r + 1]); each row's runs end with a sentinel entry at w.
    m = n + h
    pos = np.empty(m + 1, dtype=np.int32)
    row_start = np.empty(h + 1, dtype=np.int64)
    k = 0
    for y in range(h):
        row_start[y] = k
        pos[k] = 0
        k += 1
        for x in range(1, w):
            if flat[y, x] != flat[y, x - 1]:
                pos[k] = x
                k += 1
        pos[k] = w  # sentinel
        k += 1
    row_start[h] = k
    pos[m] = w
    parent = np.arange(m).astype(np.int32)
    bad = np.zeros(m, dtype=np.bool_)  # 0 runs at the image edge or touching another 0 component
    for y in range(h):
        end = row_start[y + 1] - 1  # the sentinel
        for r in range(row_start[y], end):
            if flat[y, pos[r]] == 0 and (y == 0 or y == h - 1 or pos[r] == 0 or pos[r + 1] == w):
                bad[r] = True
        if y == 0:
            continue
        j = row_start[y - 1]
        prev_end = row_start[y] - 1
        for b in range(row_start[y], end):
            b0, b1 = pos[b], pos[b + 1]
            while j < prev_end and pos[j + 1] < b0:
                j += 1
            v = flat[y, b0]
            rb = b  # b's root: b itself until it joins a run above
            a = j
            if a < prev_end and flat[y - 1, pos[a]] != v:
                a += 1  # runs alternate in value: the same value is every other one
            while a < prev_end and pos[a] <= b1:
                if v != 0 or (pos[a] < b1 and b0 < pos[a + 1]):
                    ra = _root(parent, a)
                    if ra != rb:
                        lo_root, hi_root = min(ra, rb), max(ra, rb)
                        parent[hi_root] = lo_root
                        rb = lo_root
                else:  # two 0 components meeting at a corner
                    bad[a] = True
                    bad[b] = True
                a += 2
    # a run's parent has a smaller index (unions link to the smaller root): in index order
    # every parent is final before its children, one pass resolves every root
    for r in range(m):
        parent[r] = parent[parent[r]]
    box = np.empty((m, 4), dtype=np.int32)  # x0, x1, y0, y1 of each root's component
    for y in range(h):
        for r in range(row_start[y], row_start[y + 1] - 1):
            t = parent[r]
            if t == r:
                box[t, 0], box[t, 1], box[t, 2], box[t, 3] = pos[r], pos[r + 1], y, y + 1
            else:
                box[t, 0] = min(box[t, 0], pos[r])
                box[t, 1] = max(box[t, 1], pos[r + 1])
                box[t, 3] = y + 1  # rows come in order
            if bad[r]:
                bad[t] = True
    out = flat.copy()
    for y in range(h):
        for r in range(row_start[y], row_start[y + 1] - 1):
            t = parent[r]
            bw, bh = box[t, 1] - box[t, 0], box[t, 3] - box[t, 2]
            x0, x1 = pos[r], pos[r + 1]
            if flat[y, x0] != 0:
                if bw <= flat_max or bh <= flat_max:
                    for x in range(x0, x1):
                        out[y, x] = 0
            elif not bad[t] and (bw <= hole_max or bh <= hole_max):
                for x in range(x0, x1):
                    out[y, x] = 255
    return out


@njit(cache=True, nogil=True)
def _close3(a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], step: int) -> bool:
    """Two colours within `step` in every channel."""
    return bool(abs(a[0] - b[0]) <= step and abs(a[1] - b[1]) <= step and abs(a[2] - b[2]) <= step)


@njit(cache=True, nogil=True)
def _strip_color(
    px: npt.NDArray[np.uint8], axis: int, start: int, gap: int, lo: int, hi: int, samples: int, step: int
) -> tuple[bool, npt.NDArray[np.int64]]:
    """Is the strip [start, start + gap) x [lo, hi) (rows when axis is 1, columns when 0)
    one colour: `samples` points along it (an eighth in from each end) on each of its rows
    (columns) all within `step` of the first? And their per-channel median."""
    inset = (hi - lo) // 8
    a, b = lo + inset, hi - 1 - inset
    n = samples * gap
    values = np.empty((n, 3), dtype=np.int64)
    k = 0
    for d in range(gap):
        for s in range(samples):
            t = np.int64(round(a + (b - a) * s / (samples - 1))) if samples > 1 else np.int64(a)
            y, x = (start + d, t) if axis == 1 else (t, start + d)
            for ch in range(3):
                values[k, ch] = np.int64(px[y, x, ch])
            k += 1
    color = np.empty(3, dtype=np.int64)
    for i in range(n):
        if not _close3(values[i], values[0], step):
            return False, color
    for ch in range(3):
        color[ch] = np.int64(round(np.median(values[:, ch].astype(np.float64))))
    return True, color


@njit(cache=True, nogil=True)
def dividers(
    px: npt.NDArray[np.uint8],
    boxes: npt.NDArray[np.int64],
    fills: npt.NDArray[np.int64],
    grounds: npt.NDArray[np.int64],
    rings: npt.NDArray[np.int64],
    max_width: int,
    min_length: int,
    samples: int,
    step: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """`radius.find_dividers`' pair loop: rects (x0, y0, x1, y1) and colours of the dividers
    between `boxes` (N x 4 fill boxes) of close `fills`, horizontal lines first. A strip of
    a box's `grounds` colour (what it sits on) is a gap between two boxes, not a line."""
    n = boxes.shape[0]
    rects = np.zeros((0, 4), dtype=np.int64)
    colors = np.zeros((0, 3), dtype=np.int64)
    out_r = []
    out_c = []
    for axis in (1, 0):
        across = 1 - axis
        order = np.argsort(boxes[:, axis], kind="mergesort")
        starts = boxes[order, axis]
        for i in range(n):
            end = boxes[i, axis + 2]
            for gap in range(1, max_width + 1):
                first = np.searchsorted(starts, end + gap, side="left")
                last = np.searchsorted(starts, end + gap, side="right")
                for k in range(first, last):
                    j = order[k]
                    lo = max(boxes[i, across], boxes[j, across])
                    hi = min(boxes[i, across + 2], boxes[j, across + 2])
                    if hi - lo < min_length or not _close3(fills[i], fills[j], step):
                        continue
                    if rings[i] + rings[j] == gap:
                        continue  # the boxes' own borders
                    ok, color = _strip_color(px, axis, end, gap, lo, hi, samples, step)
                    if not ok or _close3(color, fills[i], step) or _close3(color, grounds[i], step):
                        continue
                    if axis == 1:
                        out_r.append((lo, end, hi, end + gap))
                    else:
                        out_r.append((end, lo, end + gap, hi))
                    out_c.append((color[0], color[1], color[2]))
    if out_r:
        rects = np.array(out_r, dtype=np.int64)
        colors = np.array(out_c, dtype=np.int64)
    return rects, colors


def precompile() -> None:
    """Compile every kernel into the cache now (as `color_kernels.precompile`), so the first
    layout extraction on a fresh machine does not pay for it."""
    import warnings

    from designlens.extract.layout import LayoutWarning, analyze_layout

    px = np.full((96, 128, 3), 250, dtype=np.uint8)
    px[8:88, 8:120] = (241, 243, 245)  # a card
    px[16:40, 16:64] = (37, 99, 235)  # a button in it
    px[50:53, 16:100] = (17, 24, 39)  # lines of "text"
    px[60:63, 16:90] = (17, 24, 39)
    px[70:73, 16:95] = (17, 24, 39)
    rng = np.random.default_rng(0)
    px[44:84, 104:118] = rng.integers(0, 255, (40, 14, 3), dtype=np.uint8)  # a photo: despeckled
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LayoutWarning)
        frozen = px.copy()
        frozen.flags.writeable = False  # decoded images are read-only: another signature
        for image in (px, frozen):
            analyze_layout(image)


if __name__ == "__main__":
    precompile()
