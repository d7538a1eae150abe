"""Merge border widths across images into `border.width.*` dimension tokens.

Border colours travel as `color.*` tokens (kind "border") and are merged by the colour
aggregator; this one sees only the widths.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from designlens.aggregate.spacing import collect, dedup, value_name
from designlens.tokens import Dimension, Token

DEFAULTS: dict[str, Any] = {"tolerance": 0.10, "rem_px": 16.0}


class BorderAggregator:
    """The built-in border-width aggregator (entry point `designlens.aggregators:border`)."""

    token_type = "border"
    defaults = DEFAULTS  # the config keys it reads (`--set TYPE.KEY=VALUE`)

    def aggregate(self, tokens: Sequence[Token], config: Mapping[str, Any]) -> list[Token]:
        cfg = {**DEFAULTS, **config}
        values = collect(tokens, float(cfg["rem_px"]))
        return [
            Token(
                f"border.width.{value_name(m.value)}",
                "dimension",
                Dimension(m.value),
                confidence=round(min(1.0, m.count / 3), 4),
                provenance=m.provenance,
                extensions={"count": m.count, "images": len(m.images), "merged": sorted(set(m.merged))},
            )
            for m in dedup(values, float(cfg["tolerance"]), lambda a, b: False)
        ]
