"""tokens-studio.json: the Tokens Studio for Figma format, one token set, aliases kept.

Tokens Studio names types by use (`spacing`, `borderRadius`, `fontSizes`, `boxShadow`)
and writes values as strings; `@tokens-studio/sd-transforms` reads it into Style Dictionary.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from designlens.export._common import prepare
from designlens.export.css import css_value
from designlens.relate.graph import TokenGraph
from designlens.tokens import Alias, Color, Shadow, Token, TokenSet, TokenValue, Typography

SET_NAME = "designlens"
_DIMENSION_TYPES = (
    ("spacing.", "spacing"),
    ("radius.", "borderRadius"),
    ("font.size.", "fontSizes"),
    ("font.letter-spacing.", "letterSpacing"),
)


def studio_type(token: Token) -> str:
    if token.type == "dimension":
        return next((t for prefix, t in _DIMENSION_TYPES if token.name.startswith(prefix)), "dimension")
    if token.type == "number":
        return "lineHeights" if token.name.startswith("font.line-height.") else "number"
    return {
        "color": "color",
        "fontFamily": "fontFamilies",
        "fontWeight": "fontWeights",
        "typography": "typography",
        "shadow": "boxShadow",
    }[token.type]


def _color(color: Color) -> str:
    """Hex, or legacy `rgba(r, g, b, a)`: what Tokens Studio writes and sd-transforms parses."""
    if color.alpha >= 1.0:
        return color.hex
    r, g, b = color.rgb
    return f"rgba({r}, {g}, {b}, {color.alpha:g})"


def _plain(value: Any) -> Any:
    if isinstance(value, Color):
        return _color(value)
    if isinstance(value, Alias):
        return str(value)
    if isinstance(value, tuple):
        return ", ".join(css_value(f) for f in value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return css_value(value)


def studio_value(value: TokenValue) -> Any:
    if isinstance(value, Typography):
        return {
            "fontFamily": _plain(value.font_family),
            "fontWeight": _plain(value.font_weight),
            "fontSize": _plain(value.font_size),
            "lineHeight": _plain(value.line_height),
            "letterSpacing": _plain(value.letter_spacing),
        }
    if isinstance(value, Shadow):
        return [
            {
                "x": css_value(layer.offset_x),
                "y": css_value(layer.offset_y),
                "blur": css_value(layer.blur),
                "spread": css_value(layer.spread),
                "color": _plain(layer.color),
                "type": "innerShadow" if layer.inset else "dropShadow",
            }
            for layer in value.layers
        ]
    return _plain(value)


class TokensStudioExporter:
    name = "tokens-studio"
    file_name = "tokens-studio.json"

    def export(self, tokens: TokenSet, graph: TokenGraph, options: Mapping[str, Any]) -> bytes:
        full = prepare(tokens, graph)
        tree: dict[str, Any] = {}
        for token in full:
            *groups, leaf = token.name.split(".")
            node = tree
            for group in groups:
                node = node.setdefault(group, {})
            entry: dict[str, Any] = {"value": studio_value(token.value), "type": studio_type(token)}
            if token.description:
                entry["description"] = token.description
            node[leaf] = entry
        document = {SET_NAME: tree, "$themes": [], "$metadata": {"tokenSetOrder": [SET_NAME]}}
        return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
