"""The text-line finder's per-pixel and per-line loops, compiled (numba).

`find_text_lines` measured each line with a dozen small numpy calls (colours from the
crop's histogram, baseline and heights from the glyph edges, first word, stem width); on
a dense page (a data table has ~140 lines) their per-call overhead was most of the time.
Here every line is measured in one compiled loop (`line_metrics`), and the glyph pixels
are gathered (`glyph_pixels`) and given their coverage, edges, mass and outline
(`glyph_coverage`) in one raster pass each, with the same arithmetic in the same order
and precision as the numpy they replace (float32 where numpy computed in float32,
including numpy's pairwise float32 summation), so the lines are the same to the bit.
Compiled on first use and cached beside this file (`cache=True`); imported lazily by
extract/text.py so processes that never measure text never load numba.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numba import njit

_F32_098 = np.float32(0.98)
_F32_HALF = np.float32(0.5)
_F32_TWO = np.float32(2.0)


@njit(cache=True, nogil=True)
def _pairwise_sum(a: npt.NDArray[np.float32], lo: int, n: int) -> np.float32:
    """numpy's pairwise summation of float32 `a[lo:lo+n]` (what `ndarray.sum()` does)."""
    if n < 8:
        res: np.float32 = np.float32(-0.0)
        for i in range(lo, lo + n):
            res += a[i]
        return res
    if n <= 128:
        r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
        r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
        i = 8
        m = n - (n % 8)
        while i < m:
            r0 += a[lo + i]
            r1 += a[lo + i + 1]
            r2 += a[lo + i + 2]
            r3 += a[lo + i + 3]
            r4 += a[lo + i + 4]
            r5 += a[lo + i + 5]
            r6 += a[lo + i + 6]
            r7 += a[lo + i + 7]
            i += 8
        acc: np.float32 = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        while i < n:
            acc += a[lo + i]
            i += 1
        return acc
    n2 = n // 2
    n2 -= n2 % 8
    total: np.float32 = _pairwise_sum(a, lo, n2) + _pairwise_sum(a, lo + n2, n - n2)
    return total


@njit(cache=True, nogil=True)
def _median_sorted(b: npt.NDArray[np.float64], n: int) -> float:
    mid: float = b[n // 2] if n % 2 else 0.5 * (b[n // 2 - 1] + b[n // 2])
    return mid


@njit(cache=True, nogil=True)
def _heights(
    top: npt.NDArray[np.float32], bottom: npt.NDArray[np.float32]
) -> tuple[float, float, float, int]:
    """Baseline, cap height and x-height of one line's glyphs (NaN where not shown), and
    how many glyphs stand on the baseline.

    The baseline is where most glyphs end; among glyphs standing on it, heights fall in
    two groups when the line mixes cases: x-height (bowls) and cap/ascender height.
    Chromium snaps the baseline to a pixel edge: flat-bottomed glyphs end exactly on it,
    round ones overshoot below by a fraction of a pixel at UI sizes (more with larger
    type), pointed ones stop a little short. Vote for the pixel edge, then read the
    baseline from the glyphs that sit on it, so a line rich in round letters is not
    measured from their overshoot. Capitals and ascenders are few in a lowercase line,
    so the tall group is read against the tallest glyph, not a quantile.
    """
    n = top.size
    bots = bottom.astype(np.float64)
    tops = top.astype(np.float64)
    # the most common pixel edge (floor(v + 0.25)), the highest of equally common ones
    r = np.sort(np.floor(bots + 0.25))
    base_i = r[0]
    most = 0
    i = 0
    while i < n:
        j = i
        while j < n and r[j] == r[i]:
            j += 1
        if j - i > most:
            most = j - i
            base_i = r[i]
        i = j
    on = np.empty(n, np.int64)
    n_on = 0
    for k in range(n):
        if abs(bots[k] - base_i) <= 1.0:
            on[n_on] = k
            n_on += 1
    flat = np.empty(n_on, np.float64)
    n_flat = 0
    for q in range(n_on):
        v = bots[on[q]]
        if abs(v - base_i) < 0.25:
            flat[n_flat] = v
            n_flat += 1
    if n_flat:
        baseline = _median_sorted(np.sort(flat[:n_flat]), n_flat)
    else:
        onb = np.empty(n_on, np.float64)
        for q in range(n_on):
            onb[q] = bots[on[q]]
        baseline = _median_sorted(np.sort(onb), n_on)
    hts = np.empty(n_on, np.float64)
    m = 0
    for q in range(n_on):
        h = baseline - tops[on[q]]
        if h > 1.5:
            hts[m] = h
            m += 1
    if m == 0:
        return baseline, np.nan, np.nan, 0
    hs = np.sort(hts[:m])
    tall = hs[m - 1]
    high = np.empty(m, np.float64)
    low = np.empty(m, np.float64)
    n_high = 0
    n_low = 0
    for q in range(m):
        h = hs[q]
        if h >= 0.88 * tall:
            high[n_high] = h
            n_high += 1
        if 0.55 * tall <= h <= 0.84 * tall:
            low[n_low] = h
            n_low += 1
    cap = _median_sorted(high, n_high)  # hs is sorted, so are high and low
    if n_low >= max(1.0, 0.15 * m) and n_high:
        xh = _median_sorted(low, n_low)
        if 1.15 <= cap / xh <= 1.75:
            return baseline, cap, xh, m
    return baseline, cap, np.nan, m


@njit(cache=True, nogil=True)
def line_metrics(
    px: npt.NDArray[np.uint8],
    gray: npt.NDArray[np.uint8],
    boxes: npt.NDArray[np.int64],
    pstart: npt.NDArray[np.int64],
    pend: npt.NDArray[np.int64],
    pys: npt.NDArray[np.int32],
    pxs: npt.NDArray[np.int32],
    pcov: npt.NDArray[np.float32],
    gstart: npt.NDArray[np.int64],
    gend: npt.NDArray[np.int64],
    gx: npt.NDArray[np.int32],
    gw: npt.NDArray[np.int32],
    gh: npt.NDArray[np.int32],
    gtop: npt.NDArray[np.float32],
    gbottom: npt.NDArray[np.float32],
    gmass: npt.NDArray[np.float32],
    goutline: npt.NDArray[np.float32],
    min_contrast: float,
    min_glyphs: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float32]]:
    """Per line i (its box `boxes[i]` = x0, y0, x1, y1; its pixels `pstart[i]:pend[i]`, its
    glyphs `gstart[i]:gend[i]`, each in the order text.py gathered them):

    ints: ok (measured: contrast and standing glyphs enough, cap height shown), ink rgb,
    background rgb, first-word width, glyphs standing on the baseline; floats: contrast,
    background share, baseline, cap height, x-height (NaN for None, after the
    single-height swap); float32: glyph aspect, stem width.
    """
    n = boxes.shape[0]
    ints = np.zeros((n, 9), np.int64)
    floats = np.full((n, 5), np.nan, np.float64)
    f32 = np.zeros((n, 2), np.float32)
    hist = np.zeros(256, np.int64)
    for i in range(n):
        x0, y0, x1, y1 = boxes[i, 0], boxes[i, 1], boxes[i, 2], boxes[i, 3]
        # background: the crop's most common grey, and one pixel of it (its exact colour)
        hist[:] = 0
        for y in range(y0, y1):
            for x in range(x0, x1):
                hist[gray[y, x]] += 1
        bg = 0
        for v in range(256):
            if hist[v] > hist[bg]:
                bg = v
        near = 0
        for v in range(max(bg - 3, 0), min(bg + 4, 256)):
            near += hist[v]
        size = (y1 - y0) * (x1 - x0)
        share = near / max(size, 1)
        fy, fx = y0, x0
        found = False
        for y in range(y0, y1):
            for x in range(x0, x1):
                if gray[y, x] == bg:
                    fy, fx = y, x
                    found = True
                    break
            if found:
                break
        # ink: the most common grey among full-coverage stroke cores (comparisons in float32)
        a, b = pstart[i], pend[i]
        cores = 0
        pmax = np.float32(-np.inf)
        for p in range(a, b):
            if pcov[p] >= _F32_098:
                cores += 1
            if pcov[p] > pmax:
                pmax = pcov[p]
        thr = _F32_098 if cores >= 2 else np.float32(0.9 * np.float64(pmax))
        hist[:] = 0
        for p in range(a, b):
            if pcov[p] >= thr:
                hist[gray[pys[p], pxs[p]]] += 1
        ink = 0
        for v in range(256):
            if hist[v] > hist[ink]:
                ink = v
        ky, kx = 0, 0
        for p in range(a, b):
            if pcov[p] >= thr and gray[pys[p], pxs[p]] == ink:
                ky, kx = pys[p], pxs[p]
                break
        for c in range(3):
            ints[i, 1 + c] = px[ky, kx, c]
            ints[i, 4 + c] = px[fy, fx, c]
        contrast = float(abs(ink - bg))
        floats[i, 0] = contrast
        floats[i, 1] = share
        if contrast < min_contrast:
            continue
        ga, gb = gstart[i], gend[i]
        baseline, cap, xh, standing = _heights(gtop[ga:gb], gbottom[ga:gb])
        floats[i, 2] = baseline
        if standing < min_glyphs or math.isnan(cap):
            continue
        # glyph aspect: median of float32(w / h), the middle pair averaged in float32
        ng = gb - ga
        asp = np.empty(ng, np.float32)
        for q in range(ng):
            asp[q] = np.float32(gw[ga + q] / gh[ga + q])
        asp = np.sort(asp)
        aspect = asp[ng // 2] if ng % 2 else _F32_HALF * (asp[ng // 2 - 1] + asp[ng // 2])
        if math.isnan(xh) and aspect >= 0.95:
            cap, xh = np.nan, cap  # one height, lowercase-wide glyphs: it is the x-height
        word_gap = 0.3 * (cap if not math.isnan(cap) else 1.35 * (0.0 if math.isnan(xh) else xh))
        # first word: glyph boxes left to right until an ink gap wider than word_gap
        order = np.argsort(gx[ga:gb], kind="mergesort")
        left0 = gx[ga + order[0]]
        right = gx[ga + order[0]] + gw[ga + order[0]]
        end = -1
        for q in range(1, ng):
            j = ga + order[q]
            if gx[j] - right > word_gap:
                end = right
                break
            right = max(right, gx[j] + gw[j])
        if end < 0:
            end = right
        # stem width: 2 x ink mass / outline length, summed (float32) as ndarray.sum() does
        outline = np.float32(0.0) + _pairwise_sum(goutline, ga, ng)
        mass = np.float32(0.0) + _pairwise_sum(gmass, ga, ng)
        stroke = _F32_TWO * mass / outline if outline else np.float32(0.0)
        ints[i, 0] = 1
        ints[i, 7] = end - left0
        ints[i, 8] = standing
        floats[i, 3] = cap
        floats[i, 4] = xh
        f32[i, 0] = aspect
        f32[i, 1] = stroke
    return ints, floats, f32


@njit(cache=True, nogil=True)
def glyph_pixels(
    labels: npt.NDArray[np.int32],
    index: npt.NDArray[np.int32],
    line: npt.NDArray[np.int32],
    fg: npt.NDArray[np.uint8],
    gray: npt.NDArray[np.uint8],
    n_lines: int,
    total: int,
) -> tuple[
    npt.NDArray[np.int32],
    npt.NDArray[np.int32],
    npt.NDArray[np.int32],
    npt.NDArray[np.uint8],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
]:
    """The pixels of kept glyphs in raster order (ys, xs, glyph, stroke value), each line's
    histogram of stroke values and its brightest grey; `total` is their number (the kept
    components' areas)."""
    h, w = labels.shape
    ys = np.empty(total, np.int32)
    xs = np.empty(total, np.int32)
    gi = np.empty(total, np.int32)
    v8 = np.empty(total, np.uint8)
    hist = np.zeros((n_lines, 256), np.int64)
    gmax = np.zeros(n_lines, np.int64)
    p = 0
    for y in range(h):
        for x in range(w):
            lab = labels[y, x]
            if lab == 0:
                continue
            g = index[lab]
            if g < 0:
                continue
            v = fg[y, x]
            ys[p] = y
            xs[p] = x
            gi[p] = g
            v8[p] = v
            ln = line[g]
            hist[ln, v] += 1
            gv = gray[y, x]
            if gv > gmax[ln]:
                gmax[ln] = gv
            p += 1
    return ys[:p], xs[:p], gi[:p], v8[:p], hist, gmax


@njit(cache=True, nogil=True)
def glyph_coverage(
    ys: npt.NDArray[np.int32],
    xs: npt.NDArray[np.int32],
    gi: npt.NDArray[np.int32],
    v8: npt.NDArray[np.uint8],
    line: npt.NDArray[np.int32],
    usable: npt.NDArray[np.bool_],
    contrast: npt.NDArray[np.float32],
    gy: npt.NDArray[np.int32],
    gh: npt.NDArray[np.int32],
    h: int,
    w: int,
) -> tuple[
    npt.NDArray[np.int32],
    npt.NDArray[np.int32],
    npt.NDArray[np.int32],
    npt.NDArray[np.float32],
    npt.NDArray[np.float32],
    npt.NDArray[np.float32],
    npt.NDArray[np.float32],
    npt.NDArray[np.float32],
]:
    """For the pixels of usable lines (in the order given): coverage against the line's
    contrast (float32, as numpy computed it), and per glyph the coverage of its top and
    bottom rows, its ink mass (summed in float64 in pixel order, as `np.bincount` does) and
    its outline (half-coverage pixels with a 4-neighbour below half; the image border
    counts as inside, as `cv2.erode` pads)."""
    n = ys.size
    ng = gy.size
    oys = np.empty(n, np.int32)
    oxs = np.empty(n, np.int32)
    ogi = np.empty(n, np.int32)
    cov = np.empty(n, np.float32)
    m_top = np.zeros(ng, np.float32)
    m_bot = np.zeros(ng, np.float32)
    mass = np.zeros(ng, np.float64)
    half = np.zeros((h, w), np.uint8)
    one = np.float32(1.0)
    m = 0
    for i in range(n):
        g = gi[i]
        ln = line[g]
        if not usable[ln]:
            continue
        c = contrast[ln]
        if c < one:
            c = one
        cv = np.float32(v8[i]) / c
        if cv > one:
            cv = one
        y, x = ys[i], xs[i]
        if y == gy[g] and cv > m_top[g]:
            m_top[g] = cv
        if y == gy[g] + gh[g] - 1 and cv > m_bot[g]:
            m_bot[g] = cv
        mass[g] += np.float64(cv)
        if cv >= _F32_HALF:
            half[y, x] = 1
        oys[m] = y
        oxs[m] = x
        ogi[m] = g
        cov[m] = cv
        m += 1
    outline = np.zeros(ng, np.float32)
    for i in range(m):
        y, x = oys[i], oxs[i]
        if half[y, x] and (
            (y > 0 and not half[y - 1, x])
            or (y + 1 < h and not half[y + 1, x])
            or (x > 0 and not half[y, x - 1])
            or (x + 1 < w and not half[y, x + 1])
        ):
            outline[ogi[i]] += 1
    return oys[:m], oxs[:m], ogi[:m], cov[:m], m_top, m_bot, mass.astype(np.float32), outline


def precompile() -> None:
    """Compile every kernel into the cache now (an install step can run this), so the first
    typography extraction on a fresh machine does not pay for it (~10 s)."""
    import cv2

    from designlens.extract.text import find_text_lines

    px = np.full((60, 320, 3), 255, dtype=np.uint8)
    cv2.putText(px, "Hamburg fonts", (10, 40), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (20, 20, 20), 2, cv2.LINE_AA)
    find_text_lines(px)  # writable pixels (the coarse pass's downscaled copy)
    px.flags.writeable = False
    find_text_lines(px)  # read-only pixels (decoded images): numba compiles them apart


if __name__ == "__main__":
    precompile()
