"""Tokens as plain data (dicts, lists, numbers, strings): what crosses the wire, the cache and the store.

Values use the DTCG `$value` mapping, so a worker in another language emits the same shapes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from designlens.errors import TokenFormatError
from designlens.tokens import Provenance, Token, TokenType
from designlens.tokens.dtcg import value_from_json, value_to_json


def token_to_data(token: Token) -> dict[str, Any]:
    return {
        "name": token.name,
        "type": token.type,
        "value": value_to_json(token.value),
        "description": token.description,
        "confidence": token.confidence,
        "provenance": [
            {
                "image": p.image,
                "source": p.source,
                "pixels": p.pixels,
                "share": p.share,
                "region": list(p.region) if p.region is not None else None,
            }
            for p in token.provenance
        ],
        "extensions": dict(token.extensions),
    }


def token_from_data(data: Mapping[str, Any]) -> Token:
    """Rebuild a Token; a malformed entry raises TokenFormatError naming the token."""
    name = str(data.get("name", "?"))
    try:
        token_type = cast(TokenType, str(data["type"]))
        return Token(
            name=name,
            type=token_type,
            value=value_from_json(token_type, data["value"]),
            description=str(data.get("description", "")),
            confidence=float(data.get("confidence", 1.0)),
            provenance=tuple(_provenance(p) for p in data.get("provenance", ())),
            extensions=dict(data.get("extensions", {})),
        )
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise TokenFormatError(f"token {name!r}: malformed ({type(exc).__name__}: {exc})") from None


def _provenance(p: Mapping[str, Any]) -> Provenance:
    region = p.get("region")
    return Provenance(
        image=str(p["image"]),
        source=str(p.get("source", "")),
        pixels=int(p.get("pixels", 0)),
        share=float(p.get("share", 0.0)),
        region=(int(region[0]), int(region[1]), int(region[2]), int(region[3])) if region else None,
    )
