"""The layout grid across images: the column count and gutter seen most often.

Raw `grid.columns` tokens carry the gutter, column width and outer margins (CSS px) of one
image. The result is `grid.columns` (a number) and `grid.gutter` (a dimension); outer
margins stay in extensions, since a centred grid's margins are slack of the window width.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from designlens.tokens import Dimension, Provenance, Token


class GridAggregator:
    """The built-in grid aggregator (entry point `designlens.aggregators:grid`)."""

    token_type = "grid"

    def aggregate(self, tokens: Sequence[Token], config: Mapping[str, Any]) -> list[Token]:
        seen = [
            (t.value, float(t.extensions["gutter"]), t)
            for t in tokens
            if t.name == "grid.columns" and isinstance(t.value, int)
        ]
        if not seen:
            return []
        votes = Counter((n, g) for n, g, _ in seen)
        (columns, gutter), count = max(votes.items(), key=lambda kv: (kv[1], kv[0]))
        chosen = [t for n, g, t in seen if (n, g) == (columns, gutter)]
        prov = tuple(
            Provenance(p.image, p.source) for p in sorted({p for t in chosen for p in t.provenance}, key=str)
        )
        first = chosen[0].extensions
        extensions = {
            "count": count,
            "images": len(prov),
            "columnWidth": first["columnWidth"],
            "marginLeft": first["marginLeft"],
            "marginRight": first["marginRight"],
        }
        confidence = round(count / len(seen), 4)
        return [
            Token(
                "grid.columns",
                "number",
                columns,
                confidence=confidence,
                provenance=prov,
                extensions=extensions,
            ),
            Token(
                "grid.gutter",
                "dimension",
                Dimension(gutter),
                confidence=confidence,
                provenance=prov,
                extensions={"count": count, "images": len(prov)},
            ),
        ]
