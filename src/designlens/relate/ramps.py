"""Ramps: the colors of one hue family, ordered lightest (50) to darkest (900/950) in OKLCH."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from designlens.aggregate.naming import family
from designlens.colorspace import oklch
from designlens.relate.graph import Relationship
from designlens.tokens import Color, Token, TokenSet


def _lch(token: Token) -> tuple[float, float, float]:
    raw = token.extensions.get("oklch")
    if isinstance(raw, (list, tuple)) and len(raw) == 3:
        return float(raw[0]), float(raw[1]), float(raw[2])
    assert isinstance(token.value, Color)
    return oklch(token.value.rgb)


def ramp_family(token: Token) -> str:
    """`color.blue.500` -> `blue`; a token named otherwise falls back to its OKLCH hue family."""
    parts = token.name.split(".")
    if len(parts) == 3 and parts[0] == "color":
        return parts[1]
    if parts[-1] in ("white", "black"):
        return "gray"
    return family(_lch(token))


def ramps(colors: Sequence[Token]) -> dict[str, list[Token]]:
    """Family -> its plain colors, lightest first (ties by name), families in name order."""
    groups: dict[str, list[Token]] = {}
    for t in colors:
        if isinstance(t.value, Color):
            groups.setdefault(ramp_family(t), []).append(t)
    return {f: sorted(groups[f], key=lambda t: (-_lch(t)[0], t.name)) for f in sorted(groups)}


class RampAnalyzer:
    """Built-in analyzer `ramps`: `ramp-darker` edges between neighbours of one hue family."""

    name = "ramps"

    def analyze(self, tokens: TokenSet) -> list[Relationship]:
        out = []
        for fam, members in ramps(tokens.of_type("color")).items():
            for i, (lighter, darker) in enumerate(pairwise(members)):
                delta = round(_lch(lighter)[0] - _lch(darker)[0], 4)
                out.append(
                    Relationship(
                        lighter.name,
                        darker.name,
                        "ramp-darker",
                        1.0,
                        {"family": fam, "position": i, "deltaL": delta},
                    )
                )
        return out
