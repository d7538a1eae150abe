"""Alias resolution, with cycles and dangling references reported by their full chain.

An alias (`{color.gray.900}`) may stand for a whole token value or for one member of a
composite (a typography's `fontSize`, a shadow layer's `color`). Exporters that cannot
express references (theme.ts, tailwind.config.js) ask for resolved values here.
"""

from __future__ import annotations

from dataclasses import replace

from designlens.errors import AliasError
from designlens.relate.graph import Relationship
from designlens.tokens import Alias, Shadow, TokenSet, TokenValue, Typography


def references(value: TokenValue) -> list[tuple[str, Alias]]:
    """(member, alias) for every alias a value holds; member is "" for the whole value."""
    if isinstance(value, Alias):
        return [("", value)]
    if isinstance(value, Typography):
        members = {
            "fontFamily": value.font_family,
            "fontSize": value.font_size,
            "fontWeight": value.font_weight,
            "lineHeight": value.line_height,
            "letterSpacing": value.letter_spacing,
        }
        return [(k, v) for k, v in members.items() if isinstance(v, Alias)]
    if isinstance(value, Shadow):
        return [
            (f"{i}.color", layer.color)
            for i, layer in enumerate(value.layers)
            if isinstance(layer.color, Alias)
        ]
    return []


def _follow(tokens: TokenSet, start: str, alias: Alias) -> TokenValue:
    """Follow an alias chain from token `start` to a value that is not an alias."""
    chain = [start]
    current = alias
    while True:
        target = tokens.get(current.path)
        if target is None:
            spelled = " -> ".join(chain)
            raise AliasError(
                f"dangling alias: {spelled} -> {{{current.path}}}, and no token {current.path!r} exists",
                (*chain, current.path),
            )
        if current.path in chain:
            loop = [*chain[chain.index(current.path) :], current.path]
            raise AliasError(f"alias cycle: {' -> '.join(loop)}", tuple(loop))
        chain.append(current.path)
        if not isinstance(target.value, Alias):
            return target.value
        current = target.value


def resolve(tokens: TokenSet, name: str) -> TokenValue:
    """The value of token `name` with every alias (whole value and members) replaced.

    Raises AliasError naming the chain for a dangling reference or a cycle, and
    KeyError when `name` itself is not a token.
    """
    value = tokens[name].value
    if isinstance(value, Alias):
        value = _follow(tokens, name, value)
    if isinstance(value, Typography):
        return _resolve_typography(tokens, name, value)
    if isinstance(value, Shadow):
        layers = tuple(
            replace(layer, color=_follow(tokens, name, layer.color))  # type: ignore[arg-type]
            if isinstance(layer.color, Alias)
            else layer
            for layer in value.layers
        )
        return Shadow(layers)
    return value


def _resolve_typography(tokens: TokenSet, name: str, value: Typography) -> Typography:
    def member(v: object) -> object:
        return _follow(tokens, name, v) if isinstance(v, Alias) else v

    return Typography(
        font_family=member(value.font_family),  # type: ignore[arg-type]
        font_size=member(value.font_size),  # type: ignore[arg-type]
        font_weight=member(value.font_weight),  # type: ignore[arg-type]
        line_height=member(value.line_height),  # type: ignore[arg-type]
        letter_spacing=member(value.letter_spacing),  # type: ignore[arg-type]
    )


def check_aliases(tokens: TokenSet) -> None:
    """Raise AliasError for the first (in token order) dangling or cyclic alias."""
    for token in tokens:
        for _member, alias in references(token.value):
            _follow(tokens, token.name, alias)


def resolved(tokens: TokenSet) -> dict[str, TokenValue]:
    """Every token's fully resolved value, by name (checks every alias first)."""
    check_aliases(tokens)
    return {token.name: resolve(tokens, token.name) for token in tokens}


class AliasAnalyzer:
    """`aliases` edges from each token whose whole value is a reference to its target.

    Member references inside composites are the composition analyzer's `composes` edges.
    """

    name = "aliases"

    def analyze(self, tokens: TokenSet) -> list[Relationship]:
        check_aliases(tokens)
        out = []
        for token in tokens:
            if isinstance(token.value, Alias):
                attributes = {k: token.extensions[k] for k in ("role", "evidence") if k in token.extensions}
                out.append(Relationship(token.name, token.value.path, "aliases", 1.0, attributes))
        return out
