"""Merge corner radii across images into `radius.*` dimension tokens.

Radii are few and each one is a deliberate choice (4, 5 and 6 px can all be in one
system), so values merge only within the relative tolerance (10%: 10 and 11 px, not 4 and
5). Pills and circles, whose radius is half their short side, are `radius.full-<px>`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from designlens.aggregate.spacing import collect, dedup, value_name
from designlens.tokens import Dimension, Token

DEFAULTS: dict[str, Any] = {"tolerance": 0.10, "min_count": 1, "rem_px": 16.0}


class RadiusAggregator:
    """The built-in radius aggregator (entry point `designlens.aggregators:radius`)."""

    token_type = "radius"
    defaults = DEFAULTS  # the config keys it reads (`--set TYPE.KEY=VALUE`)

    def aggregate(self, tokens: Sequence[Token], config: Mapping[str, Any]) -> list[Token]:
        cfg = {**DEFAULTS, **config}
        values = collect(tokens, float(cfg["rem_px"]))
        out: list[Token] = []
        for full in (False, True):
            group = {v: m for v, m in values.items() if m.full == full}
            for m in dedup(group, float(cfg["tolerance"]), lambda a, b: False):
                if m.count < int(cfg["min_count"]):
                    continue
                name = f"radius.full-{value_name(m.value)}" if full else f"radius.{value_name(m.value)}"
                out.append(
                    Token(
                        name,
                        "dimension",
                        Dimension(m.value),
                        confidence=round(min(1.0, m.count / 3), 4),
                        provenance=m.provenance,
                        extensions={
                            "rem": round(m.value / float(cfg["rem_px"]), 4),
                            "full": full,
                            "count": m.count,
                            "images": len(m.images),
                            "merged": sorted(set(m.merged)),
                        },
                    )
                )
        return out
