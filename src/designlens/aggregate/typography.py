"""Merge raw typography tokens across images into a type scale and its DTCG tokens.

Raw tokens (one per size, weight and family class per image, from extract/typography.py)
become:

- `font.size.<n>`: dimension tokens, smallest first, with area, provenance and the
  modular scale they sit on (ratio 1.125-1.618, with a confidence that discounts the
  chance of fitting any ratio);
- `font.lineHeight.<n>`: dimension tokens in px (the unitless ratio in extensions);
- `font.weight.<w>` (fontWeight) and `font.family.<class>` (fontFamily);
- `typography.<role>` composites (body, heading-N, caption-N, with weight and leading
  variants) whose members are aliases to those primitives.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from designlens.fonts import BODY_LEADING, NORMAL_LEADING
from designlens.tokens import Alias, Dimension, Provenance, Token, Typography

DEFAULTS: dict[str, Any] = {
    "size_tolerance": 0.04,  # relative: sizes this close are one size (min 0.75 px)
    "line_height_tolerance": 0.75,  # px: line heights this close are one value
    "body_range": (12.0, 20.0),  # CSS px where body text lives, when any text does
}

# Named modular scales (the usual type-scale vocabulary), smallest first.
RATIOS: tuple[tuple[float, str], ...] = (
    (1.125, "major second"),
    (1.2, "minor third"),
    (1.25, "major third"),
    (1.333, "perfect fourth"),
    (1.414, "augmented fourth"),
    (1.5, "perfect fifth"),
    (1.618, "golden ratio"),
)
GENERIC = {"sans": "sans-serif", "serif": "serif", "mono": "monospace"}
_HEADING_LEADING = 1.2  # the usual heading leading of CSS frameworks


@dataclass
class _Size:
    value: float
    area: float = 0.0
    confidence: float = 0.0
    provenance: list[Provenance] = field(default_factory=list)
    members: list[Token] = field(default_factory=list)


_StyleKey = tuple[int, int, str, float | None]  # (size cluster id, weight, family, measured px)


@dataclass(frozen=True)
class _Leading:
    """A line height in px for text of `size`; how it was found, and on how many blocks."""

    px: float
    size: float
    count: float = 0.0
    source: str = "measured"  # or inherited, heading-convention, body-convention, css-normal, stacked
    ratio: float = 0.0


def _merge_provenance(entries: Sequence[Provenance]) -> tuple[Provenance, ...]:
    """One entry per image (pixels and share summed; the first region kept), sorted by image."""
    by_image: dict[str, Provenance] = {}
    for p in entries:
        seen = by_image.get(p.image)
        if seen is None:
            by_image[p.image] = p
        else:
            by_image[p.image] = Provenance(
                p.image, seen.source, seen.pixels + p.pixels, round(seen.share + p.share, 6), seen.region
            )
    return tuple(by_image[k] for k in sorted(by_image))


def _px(value: Any) -> float:
    return float(value.value) if isinstance(value, Dimension) else float(value)


def _cluster_sizes(tokens: Sequence[Token], rel: float) -> list[_Size]:
    """Greedy by area: a size joins the largest-area cluster within tolerance of its value."""
    raw = sorted(tokens, key=lambda t: (-float(t.extensions.get("area", 0)), _px(t.value.font_size)))  # type: ignore[union-attr]
    clusters: list[_Size] = []
    for t in raw:
        assert isinstance(t.value, Typography)
        v = _px(t.value.font_size)
        home = next((c for c in clusters if abs(c.value - v) <= max(0.75, rel * c.value)), None)
        if home is None:
            home = _Size(v)
            clusters.append(home)
        home.area += float(t.extensions.get("area", 0))
        home.confidence = max(home.confidence, t.confidence)
        home.provenance.extend(t.provenance)
        home.members.append(t)
    clusters.sort(key=lambda c: c.value)
    return clusters


def fit_modular_scale(sizes: Sequence[float], base: float) -> dict[str, Any] | None:
    """The named ratio whose powers of `base` explain the sizes best, and how surely.

    Confidence is one minus the chance that as many sizes would land within 3% of a step
    if sizes were random (binomial tail): small ratios fit almost anything by chance.
    """
    distinct = sorted({round(s, 2) for s in sizes if s > 0})
    if len(distinct) < 3 or base <= 0:
        return None
    tol = 0.03
    best: dict[str, Any] | None = None
    for ratio, label in RATIOS:
        steps = [round(math.log(s / base) / math.log(ratio)) for s in distinct]
        fits = [abs(s / (base * ratio**k) - 1) <= tol for s, k in zip(distinct, steps, strict=True)]
        chance = min(1.0, 2 * math.log(1 + tol) / math.log(ratio))
        n = len(fits) - 1  # the base fits by construction
        k = sum(fits) - 1
        tail = sum(math.comb(n, i) * chance**i * (1 - chance) ** (n - i) for i in range(k, n + 1))
        confidence = 1.0 - tail
        if best is None or confidence > best["confidence"]:
            best = {
                "ratio": ratio,
                "name": label,
                "base": base,
                "confidence": round(confidence, 3),
                "steps": dict(zip((f"{s:g}" for s in distinct), steps, strict=True)),
            }
    return best


def _role_names(
    styles: list[tuple[float, int, float | None, float]], body_range: tuple[float, float]
) -> list[str]:
    """Role per style (size, weight, line height, area): body, heading-N, caption-N, + variants."""
    sizes = sorted({s for s, _, _, _ in styles})
    area_by_size = {s: sum(a for z, _, _, a in styles if z == s) for s in sizes}
    in_range = [s for s in sizes if body_range[0] <= s <= body_range[1]]
    body = max(in_range or sizes, key=lambda s: (area_by_size[s], -s))
    above = sorted((s for s in sizes if s > body), reverse=True)
    below = sorted((s for s in sizes if s < body), reverse=True)
    base: dict[float, str] = {body: "body"}
    base.update({s: f"heading-{i + 1}" for i, s in enumerate(above)})
    base.update({s: f"caption-{i + 1}" for i, s in enumerate(below)})
    # within a size, the style with most area takes the plain name; others say how they differ
    names: list[str] = []
    main: dict[float, tuple[int, float | None]] = {}
    for s in sizes:
        mine = [(w, lh, a) for z, w, lh, a in styles if z == s]
        w, lh, _ = max(mine, key=lambda m: (m[2], -m[0]))
        main[s] = (w, lh)
    used: set[str] = set()
    for s, w, lh, _ in styles:
        name = base[s]
        mw, mlh = main[s]
        if w != mw:
            name += "-bold" if w >= 600 else "-light" if w <= 300 else f"-w{w}"
        if lh != mlh and lh is not None:
            name += f"-leading-{lh:g}".replace(".", "_")
        unique, i = name, 2
        while unique in used:
            unique, i = f"{name}-{i}", i + 1
        used.add(unique)
        names.append(unique)
    return names


class TypographyAggregator:
    """The built-in typography aggregator (entry point `designlens.aggregators:typography`)."""

    token_type = "typography"
    defaults = DEFAULTS  # the config keys it reads (`--set TYPE.KEY=VALUE`)

    def aggregate(self, tokens: Sequence[Token], config: Mapping[str, Any]) -> list[Token]:
        cfg = {**DEFAULTS, **config}
        raw = [
            t for t in tokens if isinstance(t.value, Typography) and isinstance(t.value.font_size, Dimension)
        ]
        if not raw:
            return []
        clusters = _cluster_sizes(raw, float(cfg["size_tolerance"]))
        size_of = {id(m): c for c in clusters for m in c.members}
        out: list[Token] = []
        # ---- font sizes, with the modular scale they sit on
        body_range = tuple(cfg["body_range"])
        sizes = [c.value for c in clusters]
        by_area = max(
            [c for c in clusters if body_range[0] <= c.value <= body_range[1]] or clusters,
            key=lambda c: (c.area, -c.value),
        )
        scale = fit_modular_scale(sizes, by_area.value)
        size_name: dict[int, str] = {}
        for i, c in enumerate(clusters, start=1):
            name = f"font.size.{i}"
            size_name[id(c)] = name
            ext: dict[str, Any] = {
                "kind": "fontSize",
                "area": round(c.area),
                "images": len({p.image for p in c.provenance}),
                "merged": sorted(
                    {_px(m.value.font_size) for m in c.members if isinstance(m.value, Typography)}
                ),
            }
            if scale is not None:
                ext["scale"] = {k: v for k, v in scale.items() if k != "steps"} | {
                    "step": scale["steps"].get(f"{round(c.value, 2):g}")
                }
            out.append(
                Token(
                    name,
                    "dimension",
                    Dimension(round(c.value, 2)),
                    confidence=round(c.confidence, 4),
                    provenance=_merge_provenance(c.provenance),
                    extensions=ext,
                )
            )
        # ---- styles (one composite each): size, weight, family, measured line height
        styles: dict[_StyleKey, list[Token]] = {}
        for t in raw:
            lh = t.extensions.get("lineHeightPx")
            key = (
                id(size_of[id(t)]),
                _weight(t),
                str(t.extensions.get("familyClass", "sans")),
                None if lh is None else float(lh),
            )
            styles.setdefault(key, []).append(t)
        by_id = {id(c): c for c in clusters}
        style_lh, inferred = _resolve_leading(styles, by_id, float(body_range[1]))
        # ---- line heights: measured per style, else inferred (and said so)
        lh_entries: list[_Leading] = []
        for c in clusters:
            for m in c.members:
                for px, n in m.extensions.get("lineHeightsPx", []):
                    lh_entries.append(_Leading(float(px), c.value, float(n)))
        lh_entries.extend(inferred.values())
        lh_clusters: list[list[_Leading]] = []
        for v in sorted(lh_entries, key=lambda e: (e.source != "measured", -e.count, e.px)):
            home = next(
                (g for g in lh_clusters if abs(g[0].px - v.px) <= float(cfg["line_height_tolerance"])), None
            )
            if home is None:
                lh_clusters.append([v])
            else:
                home.append(v)
        lh_clusters.sort(key=lambda g: g[0].px)
        lh_name: dict[float, str] = {}
        for i, g in enumerate(lh_clusters, start=1):
            first = g[0]
            seen = first.source == "measured"
            name = f"font.lineHeight.{i}"
            for member in g:
                lh_name[member.px] = name
            lh_ext: dict[str, Any] = {
                "kind": "lineHeight",
                "ratio": round(first.px / first.size, 4),
                "ratios": sorted({round(e.px / e.size, 4) for e in g}),
                "measured": seen,
                "blocks": int(sum(e.count for e in g)),
            }
            if not seen:
                # no wrapped paragraph of these sizes: see _resolve_leading
                lh_ext["inferredRatio"] = round(first.ratio, 4)
                lh_ext["inferredFrom"] = first.source
            out.append(
                Token(
                    name, "dimension", Dimension(first.px), confidence=0.8 if seen else 0.3, extensions=lh_ext
                )
            )
        # ---- weights and families
        weights = sorted({_weight(t) for t in raw})
        for w in weights:
            out.append(
                Token(f"font.weight.{w}", "fontWeight", w, confidence=0.6, extensions={"kind": "fontWeight"})
            )
        families: dict[str, list[Token]] = {}
        for t in raw:
            families.setdefault(str(t.extensions.get("familyClass", "sans")), []).append(t)
        for klass, members in sorted(families.items()):
            nearest = sorted({f for m in members for f in m.extensions.get("nearestFonts", [])})
            conf = max(float(m.extensions.get("familyConfidence", 0.3)) for m in members)
            out.append(
                Token(
                    f"font.family.{klass}",
                    "fontFamily",
                    GENERIC.get(klass, "sans-serif"),
                    confidence=round(conf, 3),
                    extensions={"kind": "fontFamily", "class": klass, "nearestCalibratedFonts": nearest},
                )
            )
        keys = sorted(styles, key=lambda k: (by_id[k[0]].value, k[1], k[2], k[3] or 0.0))
        facts = [
            (by_id[k[0]].value, k[1], k[3], sum(float(t.extensions.get("area", 0)) for t in styles[k]))
            for k in keys
        ]
        roles = _role_names(facts, (float(body_range[0]), float(body_range[1])))
        for k, role in zip(keys, roles, strict=True):
            members = styles[k]
            cluster = by_id[k[0]]
            meta: dict[str, Any] = {
                "role": role,
                "area": round(sum(float(t.extensions.get("area", 0)) for t in members)),
                "colors": _top_colors(members),
            }
            line_height = Alias(lh_name[style_lh[k]])
            meta["lineHeightPx"] = style_lh[k]
            meta["lineHeightMeasured"] = k[3] is not None
            if k in inferred:
                meta["lineHeightInferredFrom"] = inferred[k].source
            out.append(
                Token(
                    f"typography.{role}",
                    "typography",
                    Typography(
                        font_family=Alias(f"font.family.{k[2]}"),
                        font_size=Alias(size_name[id(cluster)]),
                        font_weight=Alias(f"font.weight.{k[1]}"),
                        line_height=line_height,
                    ),
                    confidence=round(max(t.confidence for t in members), 4),
                    provenance=_merge_provenance([p for t in members for p in t.provenance]),
                    extensions=meta,
                )
            )
        return out


def _area(tokens: Sequence[Token]) -> float:
    return sum(float(t.extensions.get("area", 0)) for t in tokens)


def _resolve_leading(
    styles: Mapping[_StyleKey, list[Token]], by_id: Mapping[int, _Size], heading_above: float
) -> tuple[dict[_StyleKey, float], dict[_StyleKey, _Leading]]:
    """Line height (px) per style, and how the unmeasured ones were inferred.

    Measured: the baseline pitch of a wrapped paragraph of that style. Otherwise the line
    height is not visible (single lines: a box's height also holds its padding, and text
    sits centred whatever the leading), so it is inferred, in order:

    - leading is set once as a ratio and inherited: body-size text takes the ratio of the
      measured body-size style with most area, headings that of the measured heading;
    - headings (sizes above the body range) with nothing measured take 1.2 (or the body's
      ratio when tighter): the heading leading of Bootstrap, Tailwind's larger steps,
      Material's headlines; text this size is rarely set as loose as running text;
    - body-size text with nothing measured takes 1.5, the body leading of Bootstrap,
      Tailwind's preflight, Primer, Bulma, Material's body styles and WCAG 1.4.12's
      minimum, unless the page's tightest stacked lines rule it out (`leadingBound`),
      which leaves CSS `normal` (~1.15, or the bound when tighter);
    - lines merely stacked (list items, label over value) are at least a line height
      apart: their smallest pitch caps whatever was inferred.
    """

    def ratio_of(keys: list[_StyleKey]) -> float | None:
        lead = max(keys, key=lambda k: (_area(styles[k]), k[1]), default=None)
        return None if lead is None or lead[3] is None else lead[3] / by_id[lead[0]].value

    measured = [k for k in styles if k[3] is not None]
    body_ratio = ratio_of([k for k in measured if by_id[k[0]].value <= heading_above])
    heading_ratio = ratio_of([k for k in measured if by_id[k[0]].value > heading_above])
    bounds = [
        float(t.extensions["leadingBound"])
        for ts in styles.values()
        for t in ts
        if "leadingBound" in t.extensions
    ]
    bound = min(bounds) if bounds else None
    style_lh: dict[_StyleKey, float] = {}
    inferred: dict[_StyleKey, _Leading] = {}
    for k, members in styles.items():
        size = by_id[k[0]].value
        if k[3] is not None:
            style_lh[k] = k[3]
            continue
        if size > heading_above:
            if heading_ratio is not None:
                ratio, source = heading_ratio, "inherited"
            else:
                ratio, source = min(_HEADING_LEADING, body_ratio or _HEADING_LEADING), "heading-convention"
        elif body_ratio is not None:
            ratio, source = body_ratio, "inherited"
        elif bound is None or bound >= BODY_LEADING:
            ratio, source = BODY_LEADING, "body-convention"
        else:
            ratio, source = min(NORMAL_LEADING, bound), "css-normal"
        px = round(ratio * size * 2) / 2
        pitches = [float(h) for t in members for h, _ in t.extensions.get("stackedPitchesPx", [])]
        if pitches and min(pitches) < px:
            px, source = min(pitches), "stacked"
        style_lh[k] = px
        inferred[k] = _Leading(px, size, 0.0, source, ratio)
    return style_lh, inferred


def _weight(token: Token) -> int:
    value = token.value
    return value.font_weight if isinstance(value, Typography) and isinstance(value.font_weight, int) else 400


def _top_colors(members: Sequence[Token], n: int = 3) -> list[str]:
    counts: dict[str, int] = {}
    for t in members:
        for hexa, c in dict(t.extensions.get("colors", {})).items():
            counts[hexa] = counts.get(hexa, 0) + int(c)
    return [h for h, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]
