"""Detect the device scale of a screenshot (image px per CSS px): 1x, 2x or 3x.

A UI is full of hairlines (borders, dividers, table rules) one CSS px thick. At 1x they
are one image pixel thick, at 2x two, at 3x three. We count long straight lines by
thickness; text and photos make no long exact-color lines, so they do not vote.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

_MIN_RUN = 24  # px a line must run straight (longer than any glyph stroke of body text)
_STRIDE = 4  # lines are followed on every 4th pixel along their length: 4x less work

U32 = npt.NDArray[np.uint32]


def _runs_at_least(mask: npt.NDArray[np.bool_], n: int) -> int:
    """Number of runs of True along axis 1 of length >= n."""
    padded = np.pad(mask.astype(np.int8), ((0, 0), (1, 1)))
    d = np.diff(padded, axis=1)
    starts = np.argwhere(d == 1)
    ends = np.argwhere(d == -1)
    return int(np.count_nonzero(ends[:, 1] - starts[:, 1] >= n))


def _lines_by_thickness(code: U32) -> list[int]:
    """Counts of long horizontal lines 1, 2 and 3 px thick (rows of `code` run along x)."""
    code = code[:, ::_STRIDE]
    h = code.shape[0]
    channels = [((code >> s) & 255).astype(np.int16) for s in (0, 8, 16)]
    counts = []
    for t in (1, 2, 3):
        if h < t + 2:
            counts.append(0)
            continue
        band, top, below = code[1 : h - t], code[: h - t - 1], code[t + 1 :]
        line = (band != top) & (band != below)
        for k in range(1, t):  # the band is t identical rows
            line &= code[1 + k : h - t + k] == band
        # a row whose every channel lies between the rows around it is an edge blend, not a line
        inside = np.ones(band.shape, dtype=bool)
        for c in channels:
            x, y, z = c[1 : h - t], c[: h - t - 1], c[t + 1 :]
            inside &= (x >= np.minimum(y, z)) & (x <= np.maximum(y, z))
        line &= ~inside
        along = line[:, :-1] & line[:, 1:] & (band[:, :-1] == band[:, 1:])
        counts.append(_runs_at_least(along, _MIN_RUN // _STRIDE))
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
