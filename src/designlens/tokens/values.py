"""Token values: small immutable types that map one-to-one onto DTCG 2025.10 values."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, TypeAlias

_HEX = re.compile(r"^#[0-9a-f]{6}$")
_ALIAS = re.compile(r"^\{([^{}]+)\}$")


@dataclass(frozen=True, slots=True)
class Alias:
    """A reference to another token by its dotted path (`{color.blue.500}` in DTCG)."""

    path: str

    def __str__(self) -> str:
        return "{" + self.path + "}"

    @staticmethod
    def parse(text: str) -> Alias | None:
        """Return the alias that `text` spells, or None when it is not an alias."""
        match = _ALIAS.match(text)
        return Alias(match.group(1)) if match else None


@dataclass(frozen=True, slots=True, order=True)
class Color:
    """An sRGB color as 8-bit hex (what a screenshot pixel holds) plus alpha."""

    hex: str
    alpha: float = 1.0

    def __post_init__(self) -> None:
        if not _HEX.match(self.hex):
            raise ValueError(f"color hex must be #rrggbb in lowercase, got {self.hex!r}")
        if not 0.0 <= self.alpha <= 1.0:
            raise ValueError(f"color alpha must be within 0..1, got {self.alpha}")

    @classmethod
    def from_rgb(cls, r: int, g: int, b: int, alpha: float = 1.0) -> Color:
        return cls(f"#{r:02x}{g:02x}{b:02x}", alpha)

    @property
    def rgb(self) -> tuple[int, int, int]:
        value = int(self.hex[1:], 16)
        return (value >> 16) & 255, (value >> 8) & 255, value & 255

    @property
    def components(self) -> tuple[float, float, float]:
        """sRGB components in 0..1, as DTCG's `components` field."""
        r, g, b = self.rgb
        return round(r / 255, 6), round(g / 255, 6), round(b / 255, 6)


@dataclass(frozen=True, slots=True, order=True)
class Dimension:
    """A length; screenshots measure px, exports may derive rem."""

    value: float
    unit: Literal["px", "rem"] = "px"


@dataclass(frozen=True, slots=True)
class Typography:
    """A DTCG typography composite; members may be aliases to primitive tokens."""

    font_family: str | tuple[str, ...] | Alias
    font_size: Dimension | Alias
    font_weight: int | Alias
    line_height: float | Alias
    letter_spacing: Dimension | Alias = Dimension(0.0)


@dataclass(frozen=True, slots=True)
class ShadowLayer:
    """One layer of a (possibly multi-layer) box shadow."""

    color: Color | Alias
    offset_x: Dimension
    offset_y: Dimension
    blur: Dimension
    spread: Dimension
    inset: bool = False


@dataclass(frozen=True, slots=True)
class Shadow:
    """A box shadow of one or more layers, painted in order."""

    layers: tuple[ShadowLayer, ...]


TokenType: TypeAlias = Literal[
    "color", "dimension", "fontFamily", "fontWeight", "number", "typography", "shadow"
]
TokenValue: TypeAlias = (
    Color | Dimension | Typography | Shadow | Alias | str | tuple[str, ...] | int | float
)
