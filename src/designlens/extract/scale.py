"""Detect the device scale of a screenshot (image px per CSS px): 1x, 2x or 3x.

A UI is full of hairlines (borders, dividers, table rules) one CSS px thick. At 1x they
are one image pixel thick, at 2x two, at 3x three. We count long straight lines by
thickness; text and photos make no long exact-color lines, so they do not vote.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

_MIN_RUN = 24  # px a line must run straight (longer than any glyph stroke of body text)


def _runs_at_least(mask: npt.NDArray[np.bool_], n: int) -> int:
    """Number of horizontal runs of True of length >= n."""
    padded = np.pad(mask.astype(np.int8), ((0, 0), (1, 1)))
    d = np.diff(padded, axis=1)
    starts = np.argwhere(d == 1)
    ends = np.argwhere(d == -1)
    return int(np.count_nonzero(ends[:, 1] - starts[:, 1] >= n))


U32 = npt.NDArray[np.uint32]


def _inside(band: U32, a: U32, b: U32) -> npt.NDArray[np.bool_]:
    """Every channel of `band` within the range of `a` and `b`: an edge blend, not a line."""
    out = np.ones(band.shape, dtype=bool)
    for shift in (0, 8, 16):
        x, y, z = ((v >> shift) & 255 for v in (band, a, b))
        out &= (x >= np.minimum(y, z)) & (x <= np.maximum(y, z))
    return out


def _lines_by_thickness(code: npt.NDArray[np.uint32]) -> list[int]:
    """Counts of long horizontal lines 1, 2 and 3 px thick."""
    h = code.shape[0]
    counts = []
    for t in (1, 2, 3):
        if h < t + 2:
            counts.append(0)
            continue
        top, band, below = code[: h - t - 1], code[1 : h - t], code[t + 1 :]
        line = (band != top) & (band != below) & ~_inside(band, top, below)
        for k in range(1, t):  # the band is t identical rows
            line &= code[1 + k : h - t + k] == band
        same_right = np.zeros_like(line)
        same_right[:, :-1] = line[:, :-1] & line[:, 1:] & (band[:, :-1] == band[:, 1:])
        counts.append(_runs_at_least(same_right, _MIN_RUN))
    return counts


def detect_scale(px: npt.NDArray[np.uint8]) -> float:
    """Best guess of the device scale factor; 1.0 when the evidence is thin."""
    p = px.astype(np.uint32)
    code: U32 = np.asarray((p[..., 0] << 16) | (p[..., 1] << 8) | p[..., 2], dtype=np.uint32)
    rows = _lines_by_thickness(code)
    cols = _lines_by_thickness(np.ascontiguousarray(code.T))
    t1, t2, t3 = (a + b for a, b in zip(rows, cols, strict=True))
    if t1 + t2 + t3 < 4 or t1 >= 0.5 * (t1 + t2 + t3):
        return 1.0
    return 2.0 if t2 >= t3 else 3.0
