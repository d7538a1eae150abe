"""The color extractor's per-pixel passes, compiled (numba) so each is one walk over the image.

In numpy every mask (equal neighbours, edges, isolated pixels, blends, contacts) is a
whole-image array of its own, and the extractor spent most of its time allocating and
combining them. Here each pass visits every pixel once and keeps only what the
extractor reads: per-pixel flags, per-color counts, and the candidates' contact matrix.
Compiled on first use and cached beside this file (`cache=True`), so worker processes
load machine code instead of compiling again.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

_F0 = np.float32(0.0)
_F1 = np.float32(1.0)
_F3 = np.float32(3.0)
_F008 = np.float32(0.08)
_F144 = np.float32(144.0)


@njit(cache=True, nogil=True)
def _step(px: npt.NDArray[np.uint8], y0: int, x0: int, y1: int, x1: int) -> int:
    best = 0
    for ch in range(3):
        d = int(abs(np.int32(px[y0, x0, ch]) - np.int32(px[y1, x1, ch])))  # int(uint8) stays unsigned
        if d > best:
            best = d
    return best


@njit(cache=True, nogil=True)
def soft_steps(
    code: npt.NDArray[np.uint32], px: npt.NDArray[np.uint8], soft_step: int
) -> npt.NDArray[np.uint8]:
    """100 where a pixel differs from a neighbour by a small step (<= soft_step), else 0.

    Scaled to 100 so that a box blur of it keeps its resolution in uint8.
    """
    h, w = code.shape
    soft = np.zeros((h, w), dtype=np.uint8)
    for y in range(h):
        for x in range(w):
            c = code[y, x]
            if x + 1 < w and code[y, x + 1] != c and _step(px, y, x, y, x + 1) <= soft_step:
                soft[y, x] = 100
                soft[y, x + 1] = 100
            if y + 1 < h and code[y + 1, x] != c and _step(px, y, x, y + 1, x) <= soft_step:
                soft[y, x] = 100
                soft[y + 1, x] = 100
    return soft


@njit(cache=True, nogil=True)
def _between(px: npt.NDArray[np.uint8], y: int, x: int, ya: int, xa: int, yb: int, xb: int) -> bool:
    """Whether the pixel lies strictly inside the RGB segment between two others (a blend).

    The same float32 arithmetic, in the same order, as `color._between`.
    """
    dd = _F0
    vd = _F0
    for ch in range(3):
        a = np.float32(px[ya, xa, ch])
        d = np.float32(px[yb, xb, ch]) - a
        v = np.float32(px[y, x, ch]) - a
        dd = dd + d * d
        vd = vd + v * d
    if dd < _F144:
        return False
    t = vd / max(dd, _F1)
    if t <= _F0 or t >= _F1:
        return False
    dist2 = _F0
    for ch in range(3):
        a = np.float32(px[ya, xa, ch])
        d = np.float32(px[yb, xb, ch]) - a
        r = (np.float32(px[y, x, ch]) - a) - t * d
        dist2 = dist2 + r * r
    tol = _F3 + _F008 * np.sqrt(dd)
    return bool(dist2 <= tol * tol)


@njit(cache=True, nogil=True)
def evidence(
    code: npt.NDArray[np.uint32],
    px: npt.NDArray[np.uint8],
    texture: npt.NDArray[np.bool_],
    index: npt.NDArray[np.int32],
    n: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Per color: core pixels (paint evidence) and solid pixels (inside a flat region).

    A pixel is core when it touches an identical neighbour, lies outside texture, and is
    no blend of the two neighbours it sits between; solid when every neighbour is identical.
    Counts build up in locals along a run of one color and are written when it ends.
    """
    h, w = code.shape
    core = np.zeros(n, dtype=np.int64)
    solid = np.zeros(n, dtype=np.int64)
    for y in range(h):
        run = index[y, 0]
        run_core = 0
        run_solid = 0
        left = False  # the pixel equals its left neighbour: the previous pixel's `right`
        for x in range(w):
            c = code[y, x]
            i = index[y, x]
            if i != run:
                core[run] += run_core
                solid[run] += run_solid
                run = i
                run_core = 0
                run_solid = 0
            right = x + 1 < w and code[y, x + 1] == c
            up = y > 0 and code[y - 1, x] == c
            down = y + 1 < h and code[y + 1, x] == c
            if left and right and up and down:  # the common case: deep inside a flat area
                run_solid += 1
                if not texture[y, x]:
                    run_core += 1
                left = right
                continue
            if (left or x == 0) and (right or x + 1 == w) and (up or y == 0) and (down or y + 1 == h):
                run_solid += 1
            core_pixel = not texture[y, x] and (left or right or up or down)
            if core_pixel and 0 < x < w - 1 and not left and not right:
                core_pixel = not _between(px, y, x, y, x - 1, y, x + 1)
            if core_pixel and 0 < y < h - 1 and not up and not down:
                core_pixel = not _between(px, y, x, y - 1, x, y + 1, x)
            if core_pixel:
                run_core += 1
            left = right
        core[run] += run_core
        solid[run] += run_solid
    return core, solid


@njit(cache=True, nogil=True)
def _touch(
    a: int, b: int, contact: npt.NDArray[np.int64], total: npt.NDArray[np.int64],
    soft: npt.NDArray[np.int64], is_soft: bool,
) -> None:
    if a >= 0:
        total[a] += 1
    if b >= 0:
        total[b] += 1
        if a >= 0:
            contact[a, b] += 1
            if is_soft:
                soft[a, b] += 1


@njit(cache=True, nogil=True)
def contacts(
    index: npt.NDArray[np.int32],
    pos: npt.NDArray[np.int32],
    k: int,
    raw: npt.NDArray[np.uint8],
    soft_step: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Over every pair of differing neighbours: pixel edges shared by candidates (k x k,
    one way), every edge of each candidate (k), and shared edges across which `raw` steps by
    at most `soft_step` (k x k; all zero when soft_step < 0)."""
    h, w = index.shape
    contact = np.zeros((k, k), dtype=np.int64)
    total = np.zeros(k, dtype=np.int64)
    soft = np.zeros((k, k), dtype=np.int64)
    for y in range(h):
        for x in range(w):
            i = index[y, x]
            if x + 1 < w and index[y, x + 1] != i:
                is_soft = soft_step >= 0 and _step(raw, y, x, y, x + 1) <= soft_step
                _touch(pos[i], pos[index[y, x + 1]], contact, total, soft, is_soft)
            if y + 1 < h and index[y + 1, x] != i:
                is_soft = soft_step >= 0 and _step(raw, y, x, y + 1, x) <= soft_step
                _touch(pos[i], pos[index[y + 1, x]], contact, total, soft, is_soft)
    return contact, total, soft


@njit(cache=True, nogil=True)
def count_colors(
    code: npt.NDArray[np.uint32],
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64], npt.NDArray[np.int32]]:
    """Every distinct code (in order of first sight), its pixel count, and each pixel's index.

    A pixel equal to the one before it (most of a UI) takes its index without a lookup; the
    first pixel of each run goes through an open-addressing hash table, sized from the
    number of runs (an upper bound on the number of colors) so it never has to grow.
    """
    h, w = code.shape
    flat = code.ravel()
    runs = 1
    for p in range(1, flat.size):
        if flat[p] != flat[p - 1]:
            runs += 1
    size = 1024
    while size < 2 * runs:
        size <<= 1
    mask = np.uint64(size - 1)
    keys = np.zeros(size, dtype=np.uint32)  # 0 never occurs: packed pixels have alpha 0xff
    slots = np.empty(size, dtype=np.int32)
    uniq = np.empty(runs, dtype=np.uint32)
    counts = np.zeros(runs, dtype=np.int64)
    index = np.empty(flat.size, dtype=np.int32)
    n = 0
    last = 0
    for p in range(flat.size):
        c = flat[p]
        if p == 0 or c != flat[p - 1]:
            slot = ((np.uint64(c) * np.uint64(0x9E3779B1)) >> np.uint64(16)) & mask
            while keys[slot] != 0 and keys[slot] != c:
                slot = (slot + np.uint64(1)) & mask
            if keys[slot] == 0:
                keys[slot] = c
                slots[slot] = n
                uniq[n] = c
                n += 1
            last = slots[slot]
        counts[last] += 1
        index[p] = last
    return uniq[:n].copy(), counts[:n].copy(), index.reshape(h, w)


@njit(cache=True, nogil=True)
def _on_ramp(p: npt.NDArray[np.float64], base: npt.NDArray[np.float64], d: npt.NDArray[np.float64],
             dd: float, tol: float) -> tuple[float, bool]:
    """Where p projects on the line base + t*d, and whether it lies within tol of it."""
    t = 0.0
    for ch in range(3):
        t += (p[ch] - base[ch]) * d[ch]
    t /= dd
    r2 = 0.0
    for ch in range(3):
        r = (p[ch] - base[ch]) - t * d[ch]
        r2 += r * r
    return t, r2 <= tol * tol


@njit(cache=True, nogil=True)
def partial_inks(
    crgb: npt.NDArray[np.float64],
    cand_counts: npt.NDArray[np.int64],
    cand_ids: npt.NDArray[np.int64],
    thin: npt.NDArray[np.bool_],
    strong: npt.NDArray[np.bool_],
    frgb: npt.NDArray[np.float64],
    luma: npt.NDArray[np.float64],
    fcount: npt.NDArray[np.int64],
    family: npt.NDArray[np.int64],
    weights: npt.NDArray[np.float64],
    spike: float,
) -> npt.NDArray[np.bool_]:
    """The loop of `color._partial_inks` (see there for why): per thin candidate and each
    background it touches, is it a spike on its ramp, or a partial value short of an ink?"""
    k = crgb.shape[0]
    result = np.zeros(k, dtype=np.bool_)
    backgrounds = np.flatnonzero(~thin)
    near = np.empty(luma.size, dtype=np.int64)
    d = np.empty(3, dtype=np.float64)
    for i in range(k):
        if not thin[i] or backgrounds.size == 0:
            continue
        touching = 0
        for b in backgrounds:
            if strong[i, b]:
                touching += 1
        for b in backgrounds:
            if touching and not strong[i, b]:
                continue
            for ch in range(3):
                d[ch] = crgb[i, ch] - crgb[b, ch]
            dd = d[0] * d[0] + d[1] * d[1] + d[2] * d[2]
            if dd < 144.0:
                continue
            tol = 3.0 + 0.08 * np.sqrt(dd)
            centre = crgb[i, 0] * weights[0] + crgb[i, 1] * weights[1] + crgb[i, 2] * weights[2]
            reach = 0.12 * abs(d[0] * weights[0] + d[1] * weights[1] + d[2] * weights[2]) + tol
            lo = np.searchsorted(luma, centre - reach)
            hi = np.searchsorted(luma, centre + reach)
            m = 0
            for f in range(lo, hi):
                if family[f] == cand_ids[i]:
                    continue
                t, close = _on_ramp(frgb[f], crgb[b], d, dd, tol)
                if close and abs(t - 1.0) <= 0.12:
                    near[m] = fcount[f]
                    m += 1
            if m >= 3 and cand_counts[i] >= spike * np.median(near[:m].astype(np.float64)):
                continue
            # Not a spike; a partial only if a stronger ink lies further along the same line.
            for j in range(k):
                if j == i or cand_counts[j] < cand_counts[i]:
                    continue
                t, close = _on_ramp(crgb[j], crgb[b], d, dd, tol)
                if close and t > 1.0:
                    result[i] = True
                    break
            if result[i]:
                break
    return result


def precompile() -> None:
    """Compile every kernel into the cache now (the install step runs this), so the first
    extraction on a fresh machine does not pay for it."""
    from designlens.extract.color import find_paint_colors

    px = np.full((48, 64, 3), 250, dtype=np.uint8)
    px[8:40, 8:56] = (37, 99, 235)  # a button
    px[20:24, 12:40] = (17, 24, 39)  # a stroke of text
    px[30, 8:56] = (209, 213, 219)  # a hairline
    for lossy in (False, True):
        find_paint_colors(px, {"lossy": lossy, "min_core_pixels": 1, "min_core_share": 0.0})


if __name__ == "__main__":
    precompile()
