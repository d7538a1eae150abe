"""The token domain: values, Token, TokenSet and the DTCG mapping."""

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

__all__ = [
    "Alias",
    "Color",
    "Dimension",
    "Provenance",
    "Shadow",
    "ShadowLayer",
    "Token",
    "TokenSet",
    "TokenType",
    "TokenValue",
    "Typography",
]
