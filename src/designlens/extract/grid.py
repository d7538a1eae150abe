"""The page's column grid, read from rows of equal boxes at equal gaps.

A column grid shows as a row of boxes with the same top (or the same bottom), the same
width and the same gap between neighbours (cards, tiles, stat panels). The row with the most
such boxes gives the column count, the gutter (the common gap) and the outer margins (page
edge to the row).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from designlens.extract.boxes import Rect


@dataclass(frozen=True, slots=True)
class Grid:
    """A column grid in image px."""

    columns: int
    column_width: int
    gutter: int
    margin_left: int
    margin_right: int


def detect_grid(
    boxes: Sequence[Rect], width: int, tolerance: int = 2, min_share: float = 0.1, min_columns: int = 3
) -> Grid | None:
    """The widest-reaching row of `min_columns` or more equal boxes at equal gaps, or None.

    Boxes narrower than `min_share` of the page width (buttons, badges) do not make columns,
    and two equal boxes side by side are a pair of buttons as often as a grid.
    """
    wide = sorted({b for b in boxes if b[2] - b[0] >= min_share * width}, key=lambda b: (b[1], b[0]))
    if len(wide) < min_columns:
        return None
    arr = np.asarray(wide, dtype=np.int64)
    widths = arr[:, 2] - arr[:, 0]
    same_width = np.abs(widths[:, None] - widths[None, :]) <= tolerance
    best: list[Rect] = []
    seen: set[tuple[int, ...]] = set()
    # each box's alike boxes (same width, and same top or same bottom: a card whose photo
    # was read as a picture of its own shows as its lower part), all pairs at once
    rows = [(np.abs(arr[:, j, None] - arr[None, :, j]) <= tolerance) & same_width for j in (1, 3)]
    for alike in rows:
        for k in np.flatnonzero(alike.sum(axis=1) >= min_columns).tolist():
            key = tuple(np.flatnonzero(alike[k]).tolist())
            if key in seen:
                continue  # the same row from another seed
            seen.add(key)
            row = sorted((wide[i] for i in key), key=lambda b: b[0])
            gaps = [b[0] - a[2] for a, b in itertools.pairwise(row)]
            if len(row) < min_columns or min(gaps) <= 0 or max(gaps) - min(gaps) > tolerance:
                continue
            if len(row) > len(best) or (
                len(row) == len(best) and row[-1][2] - row[0][0] > best[-1][2] - best[0][0]
            ):
                best = row
    if not best:
        return None
    gaps = sorted(b[0] - a[2] for a, b in itertools.pairwise(best))
    return Grid(len(best), best[0][2] - best[0][0], gaps[len(gaps) // 2], best[0][0], width - best[-1][2])
