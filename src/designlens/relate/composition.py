"""Composition: a typography composite `composes` the size, weight and family tokens it uses.

A member that is an alias composes its target; a literal member composes the primitive
token of the same value when exactly one exists (weaker evidence: weight 0.5).
"""

from __future__ import annotations

from designlens.relate.aliases import references
from designlens.relate.graph import Relationship
from designlens.tokens import Alias, TokenSet, Typography

_MEMBER_TYPES = {
    "fontFamily": "fontFamily",
    "fontSize": "dimension",
    "fontWeight": "fontWeight",
    "lineHeight": "number",
    "letterSpacing": "dimension",
}
_MEMBER_GROUP = {
    "fontFamily": "font.family.",
    "fontSize": "font.size.",
    "fontWeight": "font.weight.",
    "lineHeight": "font.line-height.",
    "letterSpacing": "font.letter-spacing.",
}


class CompositionAnalyzer:
    """Built-in analyzer `composition`: composite -> member token edges."""

    name = "composition"

    def analyze(self, tokens: TokenSet) -> list[Relationship]:
        out = []
        for token in tokens:
            for member, alias in references(token.value):
                if member:
                    out.append(
                        Relationship(
                            token.name, alias.path, "composes", 1.0, {"member": member, "by": "alias"}
                        )
                    )
            if isinstance(token.value, Typography):
                out.extend(self._by_value(tokens, token.name, token.value))
        return out

    @staticmethod
    def _by_value(tokens: TokenSet, name: str, value: Typography) -> list[Relationship]:
        literal = {
            "fontFamily": value.font_family,
            "fontSize": value.font_size,
            "fontWeight": value.font_weight,
            "lineHeight": value.line_height,
            "letterSpacing": value.letter_spacing,
        }
        out = []
        for member, v in literal.items():
            if isinstance(v, Alias):
                continue
            same = [
                t.name
                for t in tokens.of_type(_MEMBER_TYPES[member])
                if t.name.startswith(_MEMBER_GROUP[member]) and t.value == v
            ]
            if len(same) == 1:
                out.append(Relationship(name, same[0], "composes", 0.5, {"member": member, "by": "value"}))
        return out
