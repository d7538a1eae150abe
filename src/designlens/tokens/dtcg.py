"""Lossless mapping between TokenSet and DTCG 2025.10 JSON documents.

Every token gets its own `$type` (the official schema only type-checks a token's own
`$type`), colors are `{colorSpace, components, alpha, hex}`, dimensions `{value, unit}`,
and designlens metadata lives under `$extensions["designlens"]`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, cast

from designlens.errors import TokenFormatError
from designlens.tokens.token import Provenance, Token, TokenSet
from designlens.tokens.values import (
    Alias,
    Color,
    Dimension,
    Shadow,
    ShadowLayer,
    TokenType,
    TokenValue,
    Typography,
)

EXTENSION = "designlens"
_RESERVED = ("confidence", "provenance")
_TYPES: tuple[str, ...] = (
    "color", "dimension", "fontFamily", "fontWeight", "number", "typography", "shadow"
)


# ---------------------------------------------------------------- TokenSet -> DTCG


def to_dtcg(tokens: TokenSet) -> dict[str, Any]:
    """Nest tokens into DTCG groups by their dotted names."""
    document: dict[str, Any] = {}
    for token in tokens:
        *groups, leaf = token.name.split(".")
        node = document
        for i, group in enumerate(groups):
            child = node.setdefault(group, {})
            if "$value" in child:
                raise TokenFormatError(
                    f"token {'.'.join(groups[: i + 1])!r} cannot also be a group of {token.name!r}"
                )
            node = child
        if leaf in node:
            raise TokenFormatError(f"token {token.name!r} collides with a group of that name")
        node[leaf] = _token_to_json(token)
    return document


def dumps(tokens: TokenSet) -> str:
    """Serialise deterministically: same TokenSet, same bytes."""
    return json.dumps(to_dtcg(tokens), indent=2, ensure_ascii=False) + "\n"


def _token_to_json(token: Token) -> dict[str, Any]:
    out: dict[str, Any] = {"$type": token.type, "$value": value_to_json(token.value)}
    if token.description:
        out["$description"] = token.description
    meta: dict[str, Any] = {"confidence": token.confidence}
    if token.provenance:
        meta["provenance"] = [_provenance_to_json(p) for p in token.provenance]
    for key, value in token.extensions.items():
        if key in _RESERVED:
            raise TokenFormatError(f"token {token.name!r}: extension key {key!r} is reserved")
        meta[key] = value
    out["$extensions"] = {EXTENSION: meta}
    return out


def _provenance_to_json(p: Provenance) -> dict[str, Any]:
    out: dict[str, Any] = {"image": p.image, "source": p.source, "pixels": p.pixels, "share": p.share}
    if p.region is not None:
        out["region"] = list(p.region)
    return out


def _dimension(d: Dimension) -> dict[str, Any]:
    value: float | int = int(d.value) if float(d.value).is_integer() else d.value
    return {"value": value, "unit": d.unit}


def value_to_json(value: TokenValue) -> Any:
    """The DTCG `$value` for one token value."""
    if isinstance(value, Alias):
        return str(value)
    if isinstance(value, Color):
        return {
            "colorSpace": "srgb",
            "components": list(value.components),
            "alpha": value.alpha,
            "hex": value.hex,
        }
    if isinstance(value, Dimension):
        return _dimension(value)
    if isinstance(value, Typography):
        return {
            "fontFamily": _member(value.font_family),
            "fontSize": _member(value.font_size),
            "fontWeight": _member(value.font_weight),
            "lineHeight": _member(value.line_height),
            "letterSpacing": _member(value.letter_spacing),
        }
    if isinstance(value, Shadow):
        return [_shadow_layer(layer) for layer in value.layers]
    if isinstance(value, tuple):
        return list(value)
    return value


def _member(value: Any) -> Any:
    if isinstance(value, (Alias, Color, Dimension)):
        return value_to_json(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def _shadow_layer(layer: ShadowLayer) -> dict[str, Any]:
    return {
        "color": value_to_json(layer.color),
        "offsetX": _dimension(layer.offset_x),
        "offsetY": _dimension(layer.offset_y),
        "blur": _dimension(layer.blur),
        "spread": _dimension(layer.spread),
        "inset": layer.inset,
    }


# ---------------------------------------------------------------- DTCG -> TokenSet


def from_dtcg(document: Mapping[str, Any]) -> TokenSet:
    """Read a DTCG document back; raises TokenFormatError naming the bad token."""
    tokens = TokenSet()
    _walk(document, [], None, tokens)
    return tokens


def loads(text: str) -> TokenSet:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TokenFormatError(f"not JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise TokenFormatError("a DTCG document must be a JSON object")
    return from_dtcg(document)


def _walk(node: Mapping[str, Any], path: list[str], inherited: str | None, out: TokenSet) -> None:
    group_type = node.get("$type", inherited)
    for key, child in node.items():
        if key.startswith("$"):
            continue
        if not isinstance(child, Mapping):
            raise TokenFormatError(f"{'.'.join([*path, key])}: expected a group or token object")
        if "$value" in child:
            out.add(_token_from_json(".".join([*path, key]), child, group_type))
        else:
            _walk(child, [*path, key], group_type, out)


def _token_from_json(name: str, data: Mapping[str, Any], inherited: str | None) -> Token:
    token_type = data.get("$type", inherited)
    if token_type not in _TYPES:
        raise TokenFormatError(f"{name}: unsupported or missing $type {token_type!r}")
    meta = dict(data.get("$extensions", {}).get(EXTENSION, {}))
    confidence = float(meta.pop("confidence", 1.0))
    provenance = tuple(_provenance_from_json(name, p) for p in meta.pop("provenance", []))
    try:
        value = value_from_json(cast(TokenType, token_type), data["$value"])
    except (KeyError, TypeError, ValueError) as exc:
        raise TokenFormatError(f"{name}: bad {token_type} value {data['$value']!r} ({exc})") from exc
    return Token(
        name=name,
        type=cast(TokenType, token_type),
        value=value,
        description=str(data.get("$description", "")),
        confidence=confidence,
        provenance=provenance,
        extensions=meta,
    )


def _provenance_from_json(name: str, data: Mapping[str, Any]) -> Provenance:
    try:
        region = data.get("region")
        return Provenance(
            image=str(data["image"]),
            source=str(data.get("source", "")),
            pixels=int(data.get("pixels", 0)),
            share=float(data.get("share", 0.0)),
            region=(int(region[0]), int(region[1]), int(region[2]), int(region[3])) if region else None,
        )
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise TokenFormatError(f"{name}: bad provenance entry {data!r}") from exc


def _alias_or(raw: Any) -> Alias | None:
    return Alias.parse(raw) if isinstance(raw, str) else None


def _color(raw: Any) -> Color:
    if raw.get("colorSpace", "srgb") != "srgb":
        raise ValueError(f"only the srgb color space is read, got {raw.get('colorSpace')!r}")
    alpha = float(raw.get("alpha", 1.0))
    if "hex" in raw:
        return Color(str(raw["hex"]).lower(), alpha)
    r, g, b = (round(float(c) * 255) for c in raw["components"])
    return Color.from_rgb(r, g, b, alpha)


def _dim(raw: Any) -> Dimension:
    unit = raw["unit"]
    if unit not in ("px", "rem"):
        raise ValueError(f"unit must be px or rem, got {unit!r}")
    return Dimension(float(raw["value"]), unit)


def value_from_json(token_type: TokenType, raw: Any) -> TokenValue:
    """Parse one `$value` of the given type (aliases allowed anywhere)."""
    alias = _alias_or(raw)
    if alias is not None:
        return alias
    if token_type == "color":
        return _color(raw)
    if token_type == "dimension":
        return _dim(raw)
    if token_type == "fontFamily":
        return tuple(str(f) for f in raw) if isinstance(raw, list) else str(raw)
    if token_type == "fontWeight":
        return int(raw) if isinstance(raw, (int, float)) else str(raw)
    if token_type == "number":
        return float(raw) if isinstance(raw, float) else int(raw)
    if token_type == "typography":
        family = raw["fontFamily"]
        return Typography(
            font_family=_alias_or(family)
            or (tuple(family) if isinstance(family, list) else str(family)),
            font_size=_alias_or(raw["fontSize"]) or _dim(raw["fontSize"]),
            font_weight=_alias_or(raw["fontWeight"]) or int(raw["fontWeight"]),
            line_height=_alias_or(raw["lineHeight"]) or float(raw["lineHeight"]),
            letter_spacing=_alias_or(raw.get("letterSpacing"))
            or _dim(raw.get("letterSpacing", {"value": 0, "unit": "px"})),
        )
    if token_type == "shadow":
        layers = raw if isinstance(raw, list) else [raw]
        return Shadow(
            tuple(
                ShadowLayer(
                    color=_alias_or(layer["color"]) or _color(layer["color"]),
                    offset_x=_dim(layer["offsetX"]),
                    offset_y=_dim(layer["offsetY"]),
                    blur=_dim(layer["blur"]),
                    spread=_dim(layer.get("spread", {"value": 0, "unit": "px"})),
                    inset=bool(layer.get("inset", False)),
                )
                for layer in layers
            )
        )
    raise ValueError(f"unknown token type {token_type!r}")
