"""Token, its provenance, and TokenSet: the domain every stage hands to the next."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from designlens.tokens.values import TokenType, TokenValue


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a token was seen: one image, how many of its pixels, and optionally where."""

    image: str  # SHA-256 of the image bytes: the image's identity
    source: str  # a display name (file name), not used for identity
    pixels: int = 0
    share: float = 0.0  # pixels / image pixels
    region: tuple[int, int, int, int] | None = None  # x, y, width, height in image px


@dataclass(frozen=True, slots=True)
class Token:
    """One design token. `extensions` holds JSON-ready metadata kept under $extensions.designlens."""

    name: str
    type: TokenType
    value: TokenValue
    description: str = ""
    confidence: float = 1.0
    provenance: tuple[Provenance, ...] = ()
    extensions: Mapping[str, Any] = field(default_factory=dict)

    def renamed(self, name: str) -> Token:
        return replace(self, name=name)

    @property
    def pixels(self) -> int:
        return sum(p.pixels for p in self.provenance)

    @property
    def images(self) -> tuple[str, ...]:
        """Distinct image identities, in first-seen order."""
        return tuple(dict.fromkeys(p.image for p in self.provenance))


class TokenSet:
    """Tokens keyed by dotted name, in a stable order (the order they were added)."""

    def __init__(self, tokens: Iterable[Token] = ()) -> None:
        self._tokens: dict[str, Token] = {}
        for token in tokens:
            self.add(token)

    def add(self, token: Token) -> None:
        """Add a token; a duplicate name is a bug in the caller, so it raises ValueError."""
        if token.name in self._tokens:
            raise ValueError(f"duplicate token name {token.name!r}")
        self._tokens[token.name] = token

    def extend(self, tokens: Iterable[Token]) -> None:
        for token in tokens:
            self.add(token)

    def get(self, name: str) -> Token | None:
        return self._tokens.get(name)

    def __getitem__(self, name: str) -> Token:
        return self._tokens[name]

    def __contains__(self, name: object) -> bool:
        return name in self._tokens

    def __iter__(self) -> Iterator[Token]:
        return iter(self._tokens.values())

    def __len__(self) -> int:
        return len(self._tokens)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TokenSet):
            return NotImplemented
        return list(self._tokens.items()) == list(other._tokens.items())

    def __hash__(self) -> int:  # mutable container
        raise TypeError("TokenSet is unhashable")

    def __repr__(self) -> str:
        return f"TokenSet({len(self)} tokens)"

    def of_type(self, token_type: str) -> list[Token]:
        return [t for t in self._tokens.values() if t.type == token_type]
