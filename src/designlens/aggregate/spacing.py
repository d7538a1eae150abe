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
from dataclasses import dataclass, field, replace
from typing import Any

from designlens.tokens import Dimension, Provenance, Token

DEFAULTS: dict[str, Any] = {
    "tolerance": 0.10,  # relative: values this close are one token
    "grid_tolerance": 0.25,  # px: how far from a multiple of the base a value may sit and be on grid
    "base_tolerance": 1.0,  # px: measured values this close are one design decision (noise)
    "base_noise": 0.6,  # px: spread of a measured value around its designed one
    "base_inferred_noise": 1.0,  # px: the same, measured to a line box of inferred line height
    "base_stray": 0.1,  # share of firm sightings that are no designed value at all
    "base_inferred_stray": 0.3,  # the same for inferred sightings
    "inferred_weight": 0.5,  # an inferred sighting counts half
    "base_prior": {4: 0.4, 8: 0.25},  # how common each base is; other candidates share the rest
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
    slack: float = 0.0  # summed over those: px each would grow by at CSS `normal` line height
    lossy: int = 0  # its other firm sightings on a lossy image (JPEG, WebP): edges a pixel or two off

    def absorb(self, other: Measured) -> None:
        self.count += other.count
        self.weak += other.weak
        self.inferred += other.inferred
        self.slack += other.slack
        self.lossy += other.lossy
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
        inferred = int(t.extensions.get("inferred", 0))
        m.inferred += inferred
        m.slack += float(t.extensions.get("slack", 0.0)) * inferred
        if t.extensions.get("lossy"):  # its firm sightings (weak ones are not modelled)
            count = int(t.extensions.get("count", 1))
            m.lossy += max(0, count - int(t.extensions.get("weak", 0)) - inferred)
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
            kept.append(replace(m, images=dict(m.images), kinds=Counter(m.kinds), merged=list(m.merged)))
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


def _clusters(weights: Mapping[float, float], tolerance: float) -> dict[float, float]:
    """Each value's cluster weight: values within `tolerance` px of a heavier one join it
    (a measurement a pixel off its neighbour is most likely that neighbour)."""
    heads: list[list[float]] = []
    member: dict[float, list[float]] = {}
    for v in sorted(weights, key=lambda v: (-weights[v], v)):
        near = [h for h in heads if abs(h[0] - v) <= tolerance + 1e-9]
        if near:
            head = min(near, key=lambda h: (abs(h[0] - v), -h[1]))
            head[1] += weights[v]
        else:
            head = [v, weights[v]]
            heads.append(head)
        member[v] = head
    return {v: h[1] for v, h in member.items()}


def _grid_density(value: float, base: float, noise: float) -> float:
    """Density of a measured value under a grid of `base` (designed values spread evenly
    over the multiples, measured with Gaussian noise of `noise` px), relative to a value
    spread evenly over the same range: b * sum_k N(value - k b)."""
    z = noise * math.sqrt(2 * math.pi)
    k0 = max(1, round(value / base) - 3)
    near = range(k0, k0 + 7)
    return base * sum(math.exp(-((value - k * base) ** 2) / (2 * noise * noise)) for k in near) / z


def _span_density(value: float, span: float, base: float, noise: float, steps: int = 8) -> float:
    """`_grid_density` averaged over the values from `value` to `value + span`."""
    if abs(span) < 0.1:
        return _grid_density(value, base, noise)
    points = [value + span * i / steps for i in range(steps + 1)]
    return sum(_grid_density(x, base, noise) for x in points) / len(points)


def infer_base_unit(
    counts: Mapping[float, float],
    config: Mapping[str, Any] | None = None,
    inferred: Mapping[float, float] | None = None,
    slack: Mapping[float, float] | None = None,
    lossy: Mapping[float, float] | None = None,
) -> BaseUnit | None:
    """The most probable spacing base unit given measured values, under a stated model.

    `counts` maps each measured value to its sightings. Model: a sighting is a designed
    value (a multiple of the base b, every multiple alike) measured with Gaussian noise
    (`base_noise` px), or with probability `base_stray` a stray spread evenly over the
    range; so a coarser grid that holds the values explains them better (the density on a
    grid point grows with b) while a firm value below or between its points costs it dearly.

    Loose sightings (noise `base_inferred_noise`, stray `base_inferred_stray`, weight
    `inferred_weight`) cost a grid little:
    - `inferred` maps a value to how many of its sightings were measured to a line box of
      inferred line height. That height is a convention where the CSS may say `normal`:
      `slack` maps the value to how many px those sightings would grow by then, and the
      designed value may lie anywhere between, every point alike (the density is averaged
      over that span).
    - `lossy` maps a value to how many of its other sightings were on an image of a lossy
      format (JPEG, WebP): ringing and block edges move a box edge by a pixel or two there.

    Repeats of one value are mostly one component repeated: values within `base_tolerance`
    px of a heavier one are clustered with it, and a cluster of weight W counts as 1 - 2^-W
    design decisions, shared among its values by weight. The prior `base_prior` says how
    common each base is in practice: published systems mostly step by 4 px (Tailwind's
    0.25rem scale, Bootstrap's spacer fractions, Primer, Polaris) or 8 px (Material,
    Carbon, Atlassian), the rest share what is left. The prior decides between 4 and 8
    when the pixels show only multiples of 8 (a flat prior would say 8 there). The
    confidence is the posterior probability of the chosen base, scaled down while fewer
    than three decisions are seen. None without values.
    """
    cfg = {**DEFAULTS, **(config or {})}
    seen = {float(v): float(c) for v, c in counts.items() if c > 0}
    if not seen:
        return None
    # each value's share of sightings measured loosely: to an inferred line box, on a lossy image
    spanned = {v: min(1.0, float((inferred or {}).get(v, 0.0)) / c) for v, c in seen.items()}
    blurred = {v: min(1.0 - spanned[v], float((lossy or {}).get(v, 0.0)) / c) for v, c in seen.items()}
    loose = {v: spanned[v] + blurred[v] for v in seen}
    alpha = float(cfg["inferred_weight"])
    weight = {v: c * (1.0 - loose[v] * (1.0 - alpha)) for v, c in seen.items()}
    cluster = _clusters(weight, float(cfg["base_tolerance"]))
    decisions = {v: weight[v] / cluster[v] * (1.0 - 0.5 ** cluster[v]) for v in seen}
    # keys as numbers whatever the source (JSON from `--set` gives strings)
    prior_of = {float(k): float(v) for k, v in dict(cfg["base_prior"]).items()}
    rest = [b for b in BASE_CANDIDATES if float(b) not in prior_of]
    left = max(0.0, 1.0 - sum(prior_of.values()))
    noise, noise_i = float(cfg["base_noise"]), float(cfg["base_inferred_noise"])
    stray, stray_i = float(cfg["base_stray"]), float(cfg["base_inferred_stray"])
    score: dict[int, float] = {}
    for b in BASE_CANDIDATES:
        p = prior_of.get(float(b), left / len(rest) if rest else 0.0)
        s = math.log(max(p, 1e-12))
        for v, d in decisions.items():
            firm = 1.0 - loose[v]
            if firm > 0:
                s += d * firm * math.log((1 - stray) * _grid_density(v, b, noise) + stray)
            if spanned[v] > 0:
                dens = _span_density(v, float((slack or {}).get(v, 0.0)), b, noise_i)
                s += d * spanned[v] * math.log((1 - stray_i) * dens + stray_i)
            if blurred[v] > 0:
                s += d * blurred[v] * math.log((1 - stray_i) * _grid_density(v, b, noise_i) + stray_i)
        score[b] = s
    top = max(score.values())
    odds = {b: math.exp(s - top) for b, s in score.items()}
    base = max(BASE_CANDIDATES, key=lambda b: (score[b], b))
    posterior = odds[base] / sum(odds.values())
    evidence = min(1.0, sum(decisions.values()) / 3.0)  # a value or two say little
    total = sum(seen.values())
    exact = sum(c for v, c in seen.items() if on_grid(v, base, float(cfg["grid_tolerance"]))) / total
    return BaseUnit(float(base), round(exact, 4), round(posterior * evidence, 4))


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
    defaults = DEFAULTS  # the config keys it reads (`--set TYPE.KEY=VALUE`)

    def aggregate(self, tokens: Sequence[Token], config: Mapping[str, Any]) -> list[Token]:
        cfg = {**DEFAULTS, **config}
        values = collect(tokens, float(cfg["rem_px"]))
        if not values:
            return []
        tol = float(cfg["grid_tolerance"])
        # Sightings that may be slack (a centred page's margins) say nothing about the grid;
        # the rest go to the base model with how many were measured loosely (to inferred
        # line boxes, with their slack; on lossy images).
        firm = {v: m for v, m in values.items() if m.count > m.weak} or values
        base = infer_base_unit(
            {v: max(1, m.count - m.weak) for v, m in firm.items()},
            cfg,
            {v: min(m.inferred, max(1, m.count - m.weak)) for v, m in firm.items()},
            {v: m.slack / m.inferred for v, m in firm.items() if m.inferred},
            {v: m.lossy for v, m in firm.items() if m.lossy},
        )
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
