"""Merge color tokens across images: one paint seen in many screenshots is one token."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from designlens.aggregate.naming import FAMILY_ORDER, name_colors
from designlens.colorspace import contrast_ratio, delta_e_2000, nearest_css_names, oklch_array, rgb_to_lab
from designlens.tokens import Color, Provenance, Token

DEFAULTS: dict[str, Any] = {"merge_delta_e": 2.0}


def _merge_provenance(entries: Sequence[Provenance]) -> tuple[Provenance, ...]:
    """One entry per image (pixels and share summed), sorted by image id for stable output."""
    by_image: dict[str, Provenance] = {}
    for p in entries:
        seen = by_image.get(p.image)
        if seen is None:
            by_image[p.image] = Provenance(p.image, p.source, p.pixels, p.share)
        else:
            by_image[p.image] = Provenance(p.image, seen.source, seen.pixels + p.pixels, seen.share + p.share)
    return tuple(
        Provenance(p.image, p.source, p.pixels, round(p.share, 6))
        for p in (by_image[k] for k in sorted(by_image))
    )


class ColorAggregator:
    """The built-in color aggregator (entry point `designlens.aggregators:color`)."""

    token_type = "color"
    defaults = DEFAULTS  # the config keys it reads (`--set TYPE.KEY=VALUE`)

    def aggregate(self, tokens: Sequence[Token], config: Mapping[str, Any]) -> list[Token]:
        cfg = {**DEFAULTS, **config}
        # 1. exact values across images
        exact: dict[str, list[Token]] = {}
        for t in tokens:
            if isinstance(t.value, Color):
                exact.setdefault(t.value.hex, []).append(t)
        if not exact:
            return []
        pixels = {h: sum(t.pixels for t in ts) for h, ts in exact.items()}
        regions = {h: any(t.extensions.get("region", False) for t in ts) for h, ts in exact.items()}
        order = sorted(exact, key=lambda h: (-pixels[h], h))
        rgb = np.array([Color(h).rgb for h in order])
        # 2. near-identical values merge into the most frequent one; two flat regions never do
        groups: dict[str, list[str]] = {}
        owner: dict[str, str] = {}
        close = _close_pairs(rgb_to_lab(rgb), float(cfg["merge_delta_e"]))
        for i, h in enumerate(order):
            if h in owner:
                continue
            owner[h] = h
            groups[h] = [h]
            for j in (i + 1 + np.flatnonzero(close[i, i + 1 :])).tolist():  # only the near ones
                other = order[j]
                if other in owner or (regions[h] and regions[other]):
                    continue
                owner[other] = h
                groups[h].append(other)
        # 3. images seen: for shares relative to all pixels looked at
        image_pixels: dict[str, float] = {}
        for t in tokens:
            for p in t.provenance:
                if p.share > 0:
                    image_pixels[p.image] = round(p.pixels / p.share)
        total_pixels = sum(image_pixels.values()) or 1.0
        heads = list(groups)
        head_rgb = [Color(h).rgb for h in heads]
        lch_rows = oklch_array(head_rgb).tolist()  # all heads at once: per color it was most of the merge
        lchs = {h: (row[0], row[1], row[2]) for h, row in zip(heads, lch_rows, strict=True)}
        css_names = dict(zip(heads, nearest_css_names(head_rgb), strict=True))
        names = name_colors(list(lchs.items()))
        out: list[Token] = []
        for head, members, rgb_head in zip(heads, groups.values(), head_rgb, strict=True):
            member_tokens = [t for m in members for t in exact[m]]
            provenance = _merge_provenance([p for t in member_tokens for p in t.provenance])
            n = sum(p.pixels for p in provenance)
            lch = lchs[head]
            kinds = sorted({str(t.extensions["kind"]) for t in member_tokens if "kind" in t.extensions})
            conf = max(t.confidence for t in member_tokens)
            extensions: dict[str, Any] = {
                "pixels": n,
                "share": round(n / total_pixels, 6),
                "oklch": [round(lch[0], 4), round(lch[1], 4), round(lch[2], 2)],
                "cssName": css_names[head],
                "contrast": {
                    "white": round(contrast_ratio(rgb_head, (255, 255, 255)), 2),
                    "black": round(contrast_ratio(rgb_head, (0, 0, 0)), 2),
                },
                "images": len(provenance),
                "merged": sorted(m for m in members if m != head),
            }
            if kinds:
                extensions["kinds"] = kinds
            on = _merge_on(member_tokens, owner)
            if on:
                extensions["on"] = on
            out.append(
                Token(
                    name=f"color.{names[head]}",
                    type="color",
                    value=Color(head),
                    confidence=round(conf, 4),
                    provenance=provenance,
                    extensions=extensions,
                )
            )
        out.sort(key=_color_sort_key)
        return out


# CIEDE2000 >= |dL| / S_L (its chroma and hue terms, with the rotation term, are never
# negative: |R_T| <= sqrt(3) < 2), and S_L <= 1.747 for L* in [0, 100], which holds for every
# 8-bit sRGB color: pairs further apart in L* than that cannot be close.
_MAX_SL = 1.75


def _close_pairs(lab: np.ndarray, limit: float) -> np.ndarray:
    """Boolean matrix, upper triangle: pairs within `limit` CIEDE2000.

    Only pairs near in lightness get the full formula: the whole matrix was most of the
    time of a job served from the cache (hundreds of colors, squared).
    """
    n = len(lab)
    near_l = np.abs(lab[:, None, 0] - lab[None, :, 0]) <= limit * _MAX_SL
    i, j = np.nonzero(np.triu(near_l, k=1))
    close = np.zeros((n, n), dtype=bool)
    ok = delta_e_2000(lab[i], lab[j]) <= limit
    close[i[ok], j[ok]] = True
    return close


def _merge_on(tokens: Sequence[Token], owner: Mapping[str, str]) -> list[dict[str, Any]]:
    """Surfaces this color sits on, summed over images and merged values, most first.

    Backgrounds are mapped to the token they were merged into, so the contrast analyzer
    pairs text with colors that exist in the token set.
    """
    pixels: dict[str, int] = {}
    for t in tokens:
        for entry in t.extensions.get("on", ()):
            bg = owner.get(str(entry["color"]), str(entry["color"]))
            pixels[bg] = pixels.get(bg, 0) + int(entry["pixels"])
    ranked = sorted(pixels.items(), key=lambda kv: (-kv[1], kv[0]))
    return [{"color": c, "pixels": n} for c, n in ranked[:4]]


def _color_sort_key(token: Token) -> tuple[int, int, float, str]:
    """white, black, then grey and the hue families in hue order, each lightest first."""
    parts = token.name.split(".")
    if parts[1] in ("white", "black"):
        return (0 if parts[1] == "white" else 1, 0, 0.0, "")
    step = parts[2].split("-")[0] if len(parts) > 2 else "0"
    return (2, FAMILY_ORDER.index(parts[1]), float(step), token.name)
