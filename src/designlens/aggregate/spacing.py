"""Merge spacing across images and read the system behind it: base unit, scale kind, steps.

Dedup is by relative tolerance (10% by default) into the more frequent value, except that
two values both on the detected grid never merge (on a 2 px grid 20 and 22 stay apart; on a
4 px grid 22 joins 20 or 24). Values off the grid are kept and flagged (`onGrid: false`),
never dropped. Token names are multiples of the base (`spacing.1`, `spacing.2`, half
steps `spacing.0_5`); other values are `spacing.px-<value>`.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from designlens.tokens import Dimension, Provenance, Token

DEFAULTS: dict[str, Any] = {
    "tolerance": 0.10,  # relative: values this close are one token
    "grid_tolerance": 0.25,  # px: how far from a multiple of the base a value may sit and be on grid
    "base_tolerance": 1.0,  # px: the same when inferring the base from measured (noisy) values
    "min_step_share": 0.05,  # a value this frequent bounds the base from above
    "min_count": 1,  # sightings a value needs to become a token
    "min_weak_count": 2,  # images a value seen only as possible slack must be seen in
    "rem_px": 16.0,
}

BASE_CANDIDATES = (16, 12, 10, 8, 6, 5, 4, 3, 2)


@dataclass
class Measured:
    """One distinct value over all images: how often, where, and which values merged into it."""

    value: float
    count: int = 0
    images: dict[str, Provenance] = field(default_factory=dict)
    kinds: Counter[str] = field(default_factory=Counter)
    merged: list[float] = field(default_factory=list)
    full: bool = True  # radii: every sighting was a pill or circle
    weak: int = 0  # sightings that may be slack rather than spacing (see extract/spacing.py)
    inferred: int = 0  # sightings measured to a line box whose line height was inferred

    def absorb(self, other: Measured) -> None:
        self.count += other.count
        self.weak += other.weak
        self.inferred += other.inferred
        self.images.update(other.images)
        self.kinds.update(other.kinds)
        self.merged += [other.value, *other.merged]
        self.full = self.full and other.full

    @property
    def provenance(self) -> tuple[Provenance, ...]:
        return tuple(self.images[k] for k in sorted(self.images))


def collect(tokens: Sequence[Token], rem_px: float = 16.0) -> dict[float, Measured]:
    """Exact values across images, counts summed (a token's `count` extension, default 1)."""
    out: dict[float, Measured] = {}
    for t in tokens:
        if not isinstance(t.value, Dimension):
            continue
        value = t.value.value * (rem_px if t.value.unit == "rem" else 1.0)
        m = out.setdefault(value, Measured(value))
        m.count += int(t.extensions.get("count", 1))
        m.weak += int(t.extensions.get("weak", 0))
        m.inferred += int(t.extensions.get("inferred", 0))
        for p in t.provenance:
            m.images.setdefault(p.image, Provenance(p.image, p.source))
        kinds = t.extensions.get("kinds", {})
        if isinstance(kinds, dict):
            m.kinds.update({str(k): int(v) for k, v in kinds.items()})
        m.full = m.full and bool(t.extensions.get("full", False))
    return out


def dedup(
    values: Mapping[float, Measured], tolerance: float, keep_apart: Callable[[float, float], bool]
) -> list[Measured]:
    """Merge each value into the nearest more frequent one within `tolerance` (relative),
    unless `keep_apart(a, b)`; sorted by value."""
    kept: list[Measured] = []
    for m in sorted(values.values(), key=lambda m: (-m.count, m.value)):
        near = [
            k
            for k in kept
            if abs(k.value - m.value) <= tolerance * max(k.value, m.value)
            and not keep_apart(k.value, m.value)
        ]
        if near:
            min(near, key=lambda k: (abs(k.value - m.value), -k.count)).absorb(m)
        else:
            kept.append(
                Measured(m.value, m.count, dict(m.images), Counter(m.kinds), list(m.merged), m.full, m.weak)
            )
            kept[-1].inferred = m.inferred
    return sorted(kept, key=lambda m: m.value)


def value_name(value: float) -> str:
    """A token-name-safe spelling of a number: 7.5 -> `7_5`."""
    return f"{value:g}".replace(".", "_")


def on_grid(value: float, base: float, tolerance: float = 0.5) -> bool:
    """Is `value` a whole multiple (>= 1) of `base`, within `tolerance` px?"""
    if base <= 0 or value < base - tolerance:
        return False
    return abs(value - round(value / base) * base) <= tolerance


@dataclass(frozen=True, slots=True)
class BaseUnit:
    """The spacing base unit, the count share of values on its grid, and a confidence in 0..1."""

    base: float
    share: float
    confidence: float


def infer_base_unit(counts: Mapping[float, int], config: Mapping[str, Any] | None = None) -> BaseUnit | None:
    """The unit whose grid holds the spacing (by count) best beyond what chance would put on it.

    Measured values scatter by about a pixel (glyph side bearings, anti-aliasing), so a
    value counts as on a candidate's grid within `base_tolerance` px; by chance alone that
    happens (2 t + 1) / b of the time, so each candidate b is scored by kappa = (share -
    chance) / (1 - chance). A unit larger than a frequent value cannot be the base (4 px
    paddings beside 8 px gaps make a 4 px system), so frequent small values bound it from
    above. None without values.
    """
    cfg = {**DEFAULTS, **(config or {})}
    total = sum(counts.values())
    if total == 0:
        return None
    tol = float(cfg["base_tolerance"])
    frequent = [v for v, c in counts.items() if c >= float(cfg["min_step_share"]) * total]
    smallest = min(frequent) if frequent else min(counts)

    def share(base: float, t: float) -> float:
        return sum(c for v, c in counts.items() if on_grid(v, base, t)) / total

    def kappa(base: float) -> float:
        chance = (2 * tol + 1) / base
        return (share(base, tol) - chance) / (1 - chance) if chance < 1 else -1.0

    allowed = [b for b in BASE_CANDIDATES if b <= smallest + tol and kappa(b) > -1.0]
    if not allowed:
        return BaseUnit(float(min(BASE_CANDIDATES)), round(share(min(BASE_CANDIDATES), tol), 4), 0.0)
    base = max(allowed, key=lambda b: (round(kappa(b), 2), b))
    evidence = min(1.0, total / 8.0)  # a handful of measurements says little
    exact = share(base, float(cfg["grid_tolerance"]))
    return BaseUnit(float(base), round(exact, 4), round(max(0.0, kappa(base)) * evidence, 4))


def classify_scale(
    values: Sequence[float] | Mapping[float, int],
    base: BaseUnit | None,
    tolerance: float = 0.5,
    noise: float = 0.0,
) -> str:
    """`4pt`, `8pt`, `fibonacci`, `modular` (geometric), `linear` (multiples of another base) or `custom`.

    `values` are distinct values, or values with their counts: a system is on its grid when
    80% of what was measured (by count) is, so a few stray measurements do not hide it.
    Measured values scatter by `noise` px (glyph side bearings); with noise > 0, a value
    counts as on the grid within it, and the share beyond what chance would put there
    (as for the base unit) must reach 80%. A geometric or Fibonacci claim needs 4 values.
    """
    counts = dict(values) if isinstance(values, Mapping) else dict.fromkeys(values, 1)
    vals = sorted(v for v in counts if v > 0)
    if base is None or len(vals) < 2:
        return "custom"
    total = sum(counts[v] for v in vals)
    chance = (2 * noise + 1) / base.base if noise > 0 else 0.0
    if chance < 1.0 and noise > 0:
        share = sum(counts[v] for v in vals if on_grid(v, base.base, noise)) / total
        gridded = (share - chance) / (1 - chance) >= 0.8
    else:
        gridded = sum(counts[v] for v in vals if on_grid(v, base.base, tolerance)) >= 0.8 * total
    if gridded and base.base in (4.0, 8.0):
        return f"{base.base:g}pt"
    if len(vals) >= 4:
        ratios = [b / a for a, b in itertools.pairwise(vals)]
        sums = all(
            abs(c - (a + b)) <= max(1.0, 0.08 * c) for a, b, c in zip(vals, vals[1:], vals[2:], strict=False)
        )
        if sums and all(abs(r - 1.618) <= 0.25 for r in ratios[1:]):
            return "fibonacci"
        mean = math.fsum(ratios) / len(ratios)
        if mean >= 1.15 and all(abs(r - mean) <= 0.12 * mean for r in ratios):
            return "modular"
    if gridded:
        return "linear"
    return "custom"


def step_name(value: float, base: float | None, tolerance: float = 0.5) -> tuple[str, float | None, bool]:
    """(token name, multiple of the base or None, on grid) for one spacing value."""
    if base:
        if on_grid(value, base, tolerance):
            m = float(round(value / base))
            return f"spacing.{value_name(m)}", m, True
        half = round(value / base * 2) / 2
        if half > 0 and abs(value - half * base) <= tolerance:
            return f"spacing.{value_name(half)}", half, False
    return f"spacing.px-{value_name(value)}", None, False


class SpacingAggregator:
    """The built-in spacing aggregator (entry point `designlens.aggregators:spacing`)."""

    token_type = "spacing"

    def aggregate(self, tokens: Sequence[Token], config: Mapping[str, Any]) -> list[Token]:
        cfg = {**DEFAULTS, **config}
        values = collect(tokens, float(cfg["rem_px"]))
        if not values:
            return []
        tol = float(cfg["grid_tolerance"])
        # Measured values scatter by a pixel around the designed ones (glyph side bearings,
        # anti-aliasing): the base is read from cluster heads, each the most frequent value
        # of its cluster, not from every stray value; sightings that may be slack (a centred
        # page's margins) say nothing about the grid.
        firm = {v: m for v, m in values.items() if m.count > m.weak}
        heads = dedup(firm or values, min(0.10, float(cfg["tolerance"])), lambda a, b: False)
        base = infer_base_unit({m.value: m.count for m in heads}, cfg)
        unit = base.base if base else 0.0

        def keep_apart(a: float, b: float) -> bool:
            return bool(unit) and on_grid(a, unit, tol) and on_grid(b, unit, tol)

        kept = [
            m
            for m in dedup(values, float(cfg["tolerance"]), keep_apart)
            if m.count >= int(cfg["min_count"])
            and (m.count > m.weak or len(m.images) >= int(cfg["min_weak_count"]))
        ]
        kind = classify_scale({m.value: m.count for m in kept}, base, tol, float(cfg["base_tolerance"]))
        scale = {
            "base": unit,
            "kind": kind,
            "confidence": base.confidence if base else 0.0,
            "gridShare": base.share if base else 0.0,
        }
        out: list[Token] = []
        names: set[str] = set()
        for m in sorted(kept, key=lambda m: (-m.count, m.value)):  # the frequent value gets the step name
            name, multiple, grid = step_name(m.value, unit, tol)
            if name in names:
                name, multiple, grid = f"spacing.px-{value_name(m.value)}", None, False
            names.add(name)
            extensions: dict[str, Any] = {
                "rem": round(m.value / float(cfg["rem_px"]), 4),
                "multiple": multiple,
                "onGrid": grid,
                "count": m.count,
                "images": len(m.images),
                "kinds": dict(sorted(m.kinds.items())),
                "merged": sorted(set(m.merged)),
                "scale": scale,
            }
            out.append(
                Token(
                    name,
                    "dimension",
                    Dimension(m.value),
                    # a sighting to a line box of inferred line height counts half
                    confidence=round(min(1.0, (m.count - m.inferred / 2) / 4), 4),
                    provenance=m.provenance,
                    extensions=extensions,
                )
            )
        out.sort(key=lambda t: (t.value.value if isinstance(t.value, Dimension) else 0.0, t.name))
        return out
