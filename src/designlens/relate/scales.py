"""Scales: spacing as multiples of a base unit, font sizes as steps of a modular type scale."""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise

from designlens.relate.aliases import resolve
from designlens.relate.graph import Relationship
from designlens.tokens import Dimension, TokenSet

BASE_UNITS = (8.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0)  # px, tried largest first
MIN_FIT = 0.8  # share of spacing values that must be multiples for a base to hold
# Named modular scales (ratio, name), as type-scale tools list them.
TYPE_RATIOS = (
    (1.067, "minor second"),
    (1.125, "major second"),
    (1.2, "minor third"),
    (1.25, "major third"),
    (1.333, "perfect fourth"),
    (1.414, "augmented fourth"),
    (1.5, "perfect fifth"),
    (1.618, "golden ratio"),
)


def infer_base_unit(values: Sequence[float], min_fit: float = MIN_FIT) -> float | None:
    """The largest base (8, 6, 5, 4, 3, 2, 1 px) that at least `min_fit` of the values are multiples of."""
    positive = [v for v in values if v > 0]
    if not positive:
        return None
    for base in BASE_UNITS:
        fits = sum(1 for v in positive if abs(v / base - round(v / base)) < 1e-6)
        if fits / len(positive) >= min_fit:
            return base
    return None


def fit_type_ratio(sizes: Sequence[float]) -> tuple[float, str | None]:
    """(geometric-mean step ratio of the sorted distinct sizes, nearest named scale within 3%).

    The name is None when the steps are uneven (any step more than 15% off the mean).
    """
    distinct = sorted({s for s in sizes if s > 0})
    if len(distinct) < 2:
        return 1.0, None
    ratio = math.exp(math.log(distinct[-1] / distinct[0]) / (len(distinct) - 1))
    named, label = min(TYPE_RATIOS, key=lambda r: abs(r[0] - ratio))
    # a scale only when every step is near the mean step, not a few sizes that average out
    steady = all(abs(b / a - ratio) / ratio <= 0.15 for a, b in pairwise(distinct))
    return ratio, label if steady and abs(named - ratio) / named <= 0.03 else None


def _px(tokens: TokenSet, name: str) -> float | None:
    value = resolve(tokens, name)
    if isinstance(value, Dimension):
        return value.value * 16.0 if value.unit == "rem" else value.value
    return None


class ScaleAnalyzer:
    """Built-in analyzer `scales`: `multiple-of` (spacing -> base) and `scale-up` (type sizes)."""

    name = "scales"

    def analyze(self, tokens: TokenSet) -> list[Relationship]:
        return self._spacing(tokens) + self._type_scale(tokens)

    @staticmethod
    def _spacing(tokens: TokenSet) -> list[Relationship]:
        spacing = {
            t.name: _px(tokens, t.name) for t in tokens.of_type("dimension") if t.name.startswith("spacing.")
        }
        values = {n: v for n, v in spacing.items() if v is not None and v > 0}
        base = infer_base_unit(list(values.values()))
        if base is None:
            return []
        anchors = sorted((n for n, v in values.items() if v == base), key=str)
        anchor = anchors[0] if anchors else min(values, key=lambda n: (values[n], n))
        anchor_px = values[anchor]
        out = []
        for name, v in sorted(values.items(), key=lambda kv: (kv[1], kv[0])):
            if name == anchor:
                continue
            factor = v / base
            on_grid = abs(factor - round(factor)) < 1e-6
            out.append(
                Relationship(
                    name,
                    anchor,
                    "multiple-of",
                    1.0 if on_grid else 0.3,
                    {
                        "multipleOf": base,
                        "factor": round(factor, 4),
                        "onGrid": on_grid,
                        "anchorPx": anchor_px,
                    },
                )
            )
        return out

    @staticmethod
    def _type_scale(tokens: TokenSet) -> list[Relationship]:
        sizes = {
            t.name: _px(tokens, t.name)
            for t in tokens.of_type("dimension")
            if t.name.startswith("font.size.")
        }
        known = sorted(((v, n) for n, v in sizes.items() if v), key=lambda x: (x[0], x[1]))
        ratio, label = fit_type_ratio([v for v, _ in known])
        out = []
        for (small, a), (large, b) in pairwise(known):
            if large == small:
                continue
            out.append(
                Relationship(
                    a,
                    b,
                    "scale-up",
                    1.0,
                    {"step": round(large / small, 4), "ratio": round(ratio, 4), "scale": label},
                )
            )
        return out
