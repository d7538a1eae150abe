"""Text lines and their glyph metrics, found from pixels alone (no OCR).

1. *Candidates*: strokes thinner than a kernel, dark-on-light (black-hat) and
   light-on-dark (top-hat) apart, since the gaps between dark letters are themselves thin
   light features.
2. *Glyphs*: connected components of the candidate mask, minus rules and frames.
3. *Lines*: glyphs whose middle bands touch when widened by about half their height.
4. *Metrics*: per line, the background is the crop's most common grey and ink coverage is
   measured against the line's own ink contrast, so anti-aliased edges count by the share
   of the pixel they cover: each glyph's top and bottom row coverage places its edges to
   sub-pixel precision. The baseline is where most glyphs end; the heights of the glyphs
   standing on it give the x-height and the cap/ascender height. The per-pixel and
   per-line loops are compiled (text_kernels).

Coordinates are image px; callers divide by the device scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

U8 = npt.NDArray[np.uint8]
F32 = npt.NDArray[np.float32]

_CANDIDATE_CONTRAST = 36  # grey levels a stroke must stand out from its surround
_MIN_INK_CONTRAST = 28.0  # below this a line is too faint to measure
_MIN_GLYPHS = 2


@dataclass(frozen=True, slots=True)
class TextLine:
    """One measured line of text (image px).

    `cap_height` is the height of capitals/ascenders above the baseline, `x_height` that of
    lowercase bowls; either is None when the line does not show it (all caps, no
    ascenders). `stroke` is the mean vertical-stem width at half coverage.
    """

    x: int
    y: int
    width: int
    height: int
    baseline: float
    cap_height: float | None
    x_height: float | None
    stroke: float
    glyphs: int
    glyph_aspect: float  # median width / height of the glyphs as found
    ink: tuple[int, int, int]
    background: tuple[int, int, int]
    contrast: float  # grey levels between ink and background
    dark_on_light: bool
    background_share: float = 1.0  # share of the line's box in its background grey: low over photos
    first_word: int = 0  # width of the line's first word (image px): did it fit on the line above?
    standing: int = 0  # glyphs whose bottoms sit on the baseline (and rise above it by 1.5 px)

    @property
    def ink_area(self) -> int:
        return self.width * self.height


I32 = npt.NDArray[np.int32]


@dataclass(frozen=True, slots=True)
class _Glyphs:
    """Candidate glyphs of one polarity: boxes, sub-pixel top/bottom, ink mass and outline."""

    x: I32
    y: I32
    w: I32
    h: I32
    top: F32  # sub-pixel top edge (image px)
    bottom: F32  # sub-pixel bottom edge
    mass: F32  # summed coverage
    outline: F32  # boundary pixels of the half-coverage shape


def _kernels() -> ModuleType:
    """The compiled per-line measurements, imported on first use: numba costs a process
    ~80 MB and 0.3 s, which processes that never measure text (the CLI's parent, the API)
    never pay."""
    from designlens.extract import text_kernels

    return text_kernels


def _keep_components(stats: npt.NDArray[np.int32], scale: float, min_height: int) -> npt.NDArray[np.bool_]:
    """Which components look like glyphs: not rules, bars, frames or whole panels."""
    w, h, area = stats[:, 2], stats[:, 3], stats[:, 4]
    fill = area / np.maximum(w * h, 1)
    keep = (h >= min_height) & (h <= 200.0 * scale) & (area >= 3)
    keep &= ~((h <= 2 * scale) & (w > 6 * h))  # horizontal rules
    keep &= ~((w <= 3 * scale) & (h > 14 * w))  # vertical rules
    keep &= w <= 8 * h  # long bars, underlines, progress tracks
    keep &= ~((np.minimum(w, h) > 14 * scale) & (fill < 0.1))  # frames and outlines
    keep[0] = False  # the background label
    return np.asarray(keep)


def _group_lines(x: I32, y: I32, w: I32, h: I32, shape: tuple[int, int]) -> I32:
    """Line label per glyph: the middle bands of glyphs, widened sideways, that touch.

    The bands are drawn on a grid compressed to their own edges (one cell per stretch
    between consecutive band edges, on each axis): overlap and adjacency, hence the
    4-connected components, are those of the full-size drawing, on a fraction of the
    pixels.
    """
    ww = shape[1]
    pad = np.ceil(0.55 * h).astype(np.int32)
    x0 = np.maximum(x - pad, 0)
    x1 = np.minimum(x + w + pad, ww)  # exclusive
    y0 = y + np.floor(0.3 * h).astype(np.int32)
    y1 = np.maximum(y + h - 1 - np.floor(0.3 * h).astype(np.int32), y0) + 1  # exclusive
    xb = np.unique(np.concatenate((x0, x1)))
    yb = np.unique(np.concatenate((y0, y1)))
    cx0, cx1 = np.searchsorted(xb, x0), np.searchsorted(xb, x1)
    cy0, cy1 = np.searchsorted(yb, y0), np.searchsorted(yb, y1)
    band = np.zeros((yb.size, xb.size), dtype=np.uint8)
    for a, b, c, d in zip(cx0.tolist(), cy0.tolist(), cx1.tolist(), cy1.tolist(), strict=True):
        band[b:d, a:c] = 1
    _, labels = cv2.connectedComponentsWithAlgorithm(band, 4, cv2.CV_32S, cv2.CCL_BBDT)
    return np.asarray(labels[cy0, cx0], dtype=np.int32)


def _hist_quantile(hist: npt.NDArray[np.int64], q: float) -> F32:
    """The q-quantile of 8-bit values per group, from each group's histogram (a row of
    `hist`; 0 where a group is empty)."""
    cum = np.cumsum(hist, axis=1)
    total = cum[:, -1]
    target = np.ceil(total * q).astype(np.int64)
    out = (cum < np.maximum(target, 1)[:, None]).sum(axis=1).astype(np.float32)
    out[total == 0] = 0.0
    return np.asarray(out, dtype=np.float32)


def _line_boxes(line: I32, x: I32, y: I32, w: I32, h: I32, n: int) -> tuple[I32, I32, I32, I32, I32]:
    """Glyph count and bounding box (x0, y0, x1, y1) of each line 0..n-1."""
    count = np.bincount(line, minlength=n).astype(np.int32)
    big = np.iinfo(np.int32).max
    x0, y0 = np.full(n, big, np.int32), np.full(n, big, np.int32)
    x1, y1 = np.zeros(n, np.int32), np.zeros(n, np.int32)
    np.minimum.at(x0, line, x)
    np.minimum.at(y0, line, y)
    np.maximum.at(x1, line, x + w)
    np.maximum.at(y1, line, y + h)
    return count, x0, y0, x1, y1


def _glyphs(
    fg: U8, scale: float, min_height: int, gray: U8, integral: npt.NDArray[Any] | None
) -> tuple[_Glyphs, I32, I32, I32, F32, I32, F32, npt.NDArray[np.bool_]] | None:
    """Glyphs of one polarity, their line ids, their pixels (ys, xs, coverage, glyph), each
    line's stroke contrast and whether the line is worth measuring.

    A line is not when it has fewer than two glyphs or the screenshot's edge cuts it (its
    heights are not the glyphs'), nor, for light ink (`integral` of `gray` given), when its
    box is not much darker than its brightest stroke: light text sits on dark ground, and
    the gaps between dark letters on light ground do not. Only the pixels of lines worth
    measuring go through the per-pixel work.
    """
    mask = (fg >= _CANDIDATE_CONTRAST).astype(np.uint8)
    # BBDT: 3x faster than the default single-threaded on UI masks
    n, labels, stats, _ = cv2.connectedComponentsWithStatsWithAlgorithm(mask, 8, cv2.CV_32S, cv2.CCL_BBDT)
    keep = _keep_components(np.asarray(stats, dtype=np.int32), scale, min_height)
    if not keep.any():
        return None
    index = np.full(n, -1, dtype=np.int32)
    index[keep] = np.arange(int(keep.sum()), dtype=np.int32)
    s = stats[keep]
    gx, gy, gw, gh = (s[:, i].astype(np.int32) for i in range(4))
    line = _group_lines(gx, gy, gw, gh, fg.shape[:2])
    n_lines = int(line.max()) + 1
    k = _kernels()
    ys, xs, gi, v8, hist, gmax = k.glyph_pixels(
        labels, index, line, fg, gray, n_lines, int(stats[keep, 4].astype(np.int64).sum())
    )
    # coverage against the line's own ink contrast (a high quantile of its stroke values)
    contrast = _hist_quantile(hist, 0.95)
    hh, ww = fg.shape[:2]
    count, bx0, by0, bx1, by1 = _line_boxes(line, gx, gy, gw, gh, n_lines)
    usable = (count >= _MIN_GLYPHS) & (by0 > 0) & (by1 < hh) & (bx0 > 0) & (bx1 < ww)
    if integral is not None:
        area = np.maximum((bx1 - bx0) * (by1 - by0), 1).astype(np.float64)
        x0, y0, x1, y1 = (np.minimum(b, lim) for b, lim in ((bx0, ww), (by0, hh), (bx1, ww), (by1, hh)))
        box = integral[y1, x1] - integral[y0, x1] - integral[y1, x0] + integral[y0, x0]
        usable &= gmax - box / area >= 0.35 * contrast  # gmax: each line's brightest grey
    ys, xs, gi, cov, m_top, m_bot, mass, outline = k.glyph_coverage(
        ys, xs, gi, v8, line, usable, contrast, gy, gh, hh, ww
    )
    glyphs = _Glyphs(
        gx,
        gy,
        gw,
        gh,
        (gy + (1.0 - m_top)).astype(np.float32),
        (gy + gh - (1.0 - m_bot)).astype(np.float32),
        mass,
        outline,
    )
    return glyphs, line, ys, xs, cov, gi, contrast, usable


def stroke_maps(px: U8, scale: float = 1.0) -> tuple[U8, U8, U8]:
    """Grey image, dark-stroke map (black-hat) and light-stroke map (top-hat)."""
    gray = cv2.cvtColor(np.ascontiguousarray(px), cv2.COLOR_RGB2GRAY)
    k = int(2 * round(9 * scale) + 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    dark = cv2.morphologyEx(gray, cv2.MORPH_BLACKHAT, kernel)
    light = cv2.morphologyEx(gray, cv2.MORPH_TOPHAT, kernel)
    return np.asarray(gray, np.uint8), np.asarray(dark, np.uint8), np.asarray(light, np.uint8)


def find_text_lines(px: U8, scale: float = 1.0, min_height: int = 3) -> list[TextLine]:
    """Every measurable text line of an sRGB screenshot (H x W x 3 uint8), top to bottom.

    `min_height` (image px) skips smaller glyph candidates: a coarse pass for display type
    has no use for body text.
    """
    return text_lines(px, scale, min_height)[0]


def text_lines(px: U8, scale: float = 1.0, min_height: int = 3) -> tuple[list[TextLine], int]:
    """find_text_lines, and how many glyph candidates of dark ink it saw (in lines or not)."""
    h, w = px.shape[:2]
    candidates = 0
    if h < 4 or w < 4:
        return [], candidates
    gray, dark_map, light_map = stroke_maps(px, scale)
    integral = cv2.integral(gray)
    lines: list[TextLine] = []
    for dark, fg in ((True, dark_map), (False, light_map)):
        found = _glyphs(fg, scale, min_height, gray, None if dark else integral)
        if found is None:
            continue
        g, line, ys, xs, cov, gi, _, usable = found
        if dark:
            candidates = int(g.x.size)
        order = np.argsort(line, kind="stable")
        splits = np.flatnonzero(np.diff(line[order])) + 1
        # pixels grouped by line, for colours
        pl = line[gi]
        porder = np.argsort(pl, kind="stable")
        pstarts = np.searchsorted(pl[porder], np.arange(int(line.max()) + 2))
        first = np.concatenate(([0], splits)).astype(np.intp)
        count = np.diff(np.append(first, order.size))
        sx, sy = g.x[order], g.y[order]
        bx0, by0 = np.minimum.reduceat(sx, first), np.minimum.reduceat(sy, first)
        bx1 = np.maximum.reduceat(sx + g.w[order], first)
        by1 = np.maximum.reduceat(sy + g.h[order], first)
        lids = line[order[first]]
        ks = np.flatnonzero(usable[lids])
        if ks.size == 0:
            continue
        boxes = np.stack((bx0[ks], by0[ks], bx1[ks], by1[ks]), axis=1).astype(np.int64)
        plid = lids[ks].astype(np.int64)
        gstart = first[ks].astype(np.int64)
        ints, floats, f32 = _kernels().line_metrics(
            px,
            gray,
            boxes,
            pstarts[plid].astype(np.int64),
            pstarts[plid + 1].astype(np.int64),
            ys[porder],
            xs[porder],
            cov[porder],
            gstart,
            gstart + count[ks],
            g.x[order],
            g.w[order],
            g.h[order],
            g.top[order],
            g.bottom[order],
            g.mass[order],
            g.outline[order],
            _MIN_INK_CONTRAST,
            _MIN_GLYPHS,
        )
        ints_l, floats_l, f32_l = ints.tolist(), floats.tolist(), f32.tolist()
        for r, k in enumerate(ks.tolist()):
            ok, ir, ig, ib, br, bgg, bb, first_word, standing = ints_l[r]
            if not ok:
                continue  # faint (the gaps between letters of the other polarity, or noise), or no cap height
            contrast, share, baseline, cap, xh = floats_l[r]
            aspect, stroke = f32_l[r]
            x0, y0, x1, y1 = int(bx0[k]), int(by0[k]), int(bx1[k]), int(by1[k])
            lines.append(
                TextLine(
                    x=x0,
                    y=y0,
                    width=x1 - x0,
                    height=y1 - y0,
                    baseline=baseline,
                    cap_height=None if math.isnan(cap) else cap,
                    x_height=None if math.isnan(xh) else xh,
                    stroke=stroke,
                    glyphs=int(count[k]),
                    glyph_aspect=aspect,
                    ink=(ir, ig, ib),
                    background=(br, bgg, bb),
                    contrast=contrast,
                    dark_on_light=dark,
                    background_share=share,
                    first_word=first_word,
                    standing=standing,
                )
            )
    lines.sort(key=lambda t: (t.y, t.x))
    return lines, candidates
