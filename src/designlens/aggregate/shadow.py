"""Merge shadow tokens across images into an elevation scale: `shadow.1` (weakest) upwards.

Shadows are one when every layer's offsets, blur and spread agree within a px or a quarter
and their colours (with alpha) are close; the member seen on most boxes stands for the
group. No raw shadows, no tokens: the scale is never padded with defaults.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from designlens.tokens import Color, Provenance, Shadow, ShadowLayer, Token

DEFAULTS: dict[str, Any] = {
    "px_tolerance": 1.5,  # px: offsets, blur and spread this close are the same
    "relative_tolerance": 0.25,  # or this share of the larger value
    "alpha_tolerance": 0.35,  # relative difference of alpha
    "channel_tolerance": 24,  # max channel difference of the shadow colours
}


def _close(a: float, b: float, cfg: Mapping[str, Any]) -> bool:
    return abs(a - b) <= max(
        float(cfg["px_tolerance"]), float(cfg["relative_tolerance"]) * max(abs(a), abs(b))
    )


def _layer_close(a: ShadowLayer, b: ShadowLayer, cfg: Mapping[str, Any]) -> bool:
    if a.inset != b.inset or not isinstance(a.color, Color) or not isinstance(b.color, Color):
        return False
    dims = (
        (a.offset_x, b.offset_x),
        (a.offset_y, b.offset_y),
        (a.blur, b.blur),
        (a.spread, b.spread),
    )
    if not all(_close(x.value, y.value, cfg) for x, y in dims):
        return False
    ca, cb = a.color, b.color
    if max(abs(x - y) for x, y in zip(ca.rgb, cb.rgb, strict=True)) > int(cfg["channel_tolerance"]):
        return False
    return abs(ca.alpha - cb.alpha) <= float(cfg["alpha_tolerance"]) * max(ca.alpha, cb.alpha)


def similar(a: Shadow, b: Shadow, config: Mapping[str, Any] | None = None) -> bool:
    """Same number of layers, each close to its counterpart."""
    cfg = {**DEFAULTS, **(config or {})}
    return len(a.layers) == len(b.layers) and all(
        _layer_close(x, y, cfg) for x, y in zip(a.layers, b.layers, strict=True)
    )


def strength(shadow: Shadow) -> float:
    """How raised a shadow makes a box look: alpha times its reach (offset plus blur)."""
    total = 0.0
    for layer in shadow.layers:
        alpha = layer.color.alpha if isinstance(layer.color, Color) else 1.0
        reach = (
            abs(layer.offset_y.value) + abs(layer.offset_x.value) + layer.blur.value / 2 + layer.spread.value
        )
        total += alpha * max(reach, 0.5) * (0.5 if layer.inset else 1.0)
    return total


def _merge_provenance(entries: Sequence[Provenance]) -> tuple[Provenance, ...]:
    by_image: dict[str, Provenance] = {}
    for p in entries:
        seen = by_image.get(p.image)
        by_image[p.image] = (
            p
            if seen is None
            else Provenance(
                p.image, seen.source, seen.pixels + p.pixels, round(seen.share + p.share, 6), seen.region
            )
        )
    return tuple(by_image[k] for k in sorted(by_image))


class ShadowAggregator:
    """The built-in shadow aggregator (entry point `designlens.aggregators:shadow`)."""

    token_type = "shadow"
    defaults = DEFAULTS  # the config keys it reads (`--set TYPE.KEY=VALUE`)

    def aggregate(self, tokens: Sequence[Token], config: Mapping[str, Any]) -> list[Token]:
        cfg = {**DEFAULTS, **config}
        raw = [t for t in tokens if isinstance(t.value, Shadow) and t.value.layers]
        raw.sort(key=lambda t: (-int(t.extensions.get("boxes", 1)), -t.confidence, t.name))
        groups: list[list[Token]] = []
        for t in raw:
            assert isinstance(t.value, Shadow)
            home = next((g for g in groups if similar(g[0].value, t.value, cfg)), None)  # type: ignore[arg-type]
            if home is None:
                groups.append([t])
            else:
                home.append(t)
        ranked = sorted(groups, key=lambda g: (strength(g[0].value), g[0].name))  # type: ignore[arg-type]
        out: list[Token] = []
        for level, members in enumerate(ranked, start=1):
            head = members[0]
            assert isinstance(head.value, Shadow)
            boxes = sum(int(t.extensions.get("boxes", 1)) for t in members)
            out.append(
                Token(
                    name=f"shadow.{level}",
                    type="shadow",
                    value=head.value,
                    confidence=round(max(t.confidence for t in members), 4),
                    provenance=_merge_provenance([p for t in members for p in t.provenance]),
                    extensions={
                        "boxes": boxes,
                        "images": len({p.image for t in members for p in t.provenance}),
                        "strength": round(strength(head.value), 4),
                        "elevation": level,
                    },
                )
            )
        return out
