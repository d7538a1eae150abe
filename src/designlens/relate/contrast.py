"""Text/background contrast pairs: WCAG 2.2 ratio and APCA Lc for each pair, and the matrix.

Which background a text color sits on is read from the color token's optional
`on` extension, written by an extractor that saw it:

    "on": [{"color": "#ffffff", "pixels": 5120}, ...]   (hex of the background, text pixels on it)

When no token carries `on`, pairs are inferred: every color that is not a large-area
background is paired with each background (share >= `background_share`), and the
relationship says `"evidence": "inferred"`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from designlens.colorspace import contrast_ratio
from designlens.relate.graph import Relationship
from designlens.tokens import Color, Token, TokenSet

# APCA-W3 0.1.9 (G-4g constants), the same arithmetic as the npm `apca-w3` package.
_TRC = 2.4
_R, _G, _B = 0.2126729, 0.7151522, 0.0721750
_NORM_BG, _NORM_TXT, _REV_TXT, _REV_BG = 0.56, 0.57, 0.62, 0.65
_BLK_THRS, _BLK_CLMP = 0.022, 1.414
_SCALE, _LO_OFFSET, _DELTA_Y_MIN, _LO_CLIP = 1.14, 0.027, 0.0005, 0.1

BACKGROUND_SHARE = 0.08  # a color covering this share of all pixels can be a background
MAX_TEXT_CANDIDATES = 16  # inferred pairs: the most-used other colors only


def apca_y(rgb: tuple[int, int, int]) -> float:
    """APCA's screen luminance Y of an 8-bit sRGB color (simple 2.4 power, no sRGB toe)."""
    r, g, b = (float(c / 255.0) ** _TRC for c in rgb)
    return float(_R * r + _G * g + _B * b)


def apca_lc(text: tuple[int, int, int], background: tuple[int, int, int]) -> float:
    """APCA lightness contrast Lc of text on background: positive dark-on-light, negative light-on-dark."""
    txt, bg = apca_y(text), apca_y(background)
    txt = txt if txt > _BLK_THRS else txt + (_BLK_THRS - txt) ** _BLK_CLMP
    bg = bg if bg > _BLK_THRS else bg + (_BLK_THRS - bg) ** _BLK_CLMP
    if abs(bg - txt) < _DELTA_Y_MIN:
        return 0.0
    if bg > txt:
        sapc = (bg**_NORM_BG - txt**_NORM_TXT) * _SCALE
        out = 0.0 if sapc < _LO_CLIP else sapc - _LO_OFFSET
    else:
        sapc = (bg**_REV_BG - txt**_REV_TXT) * _SCALE
        out = 0.0 if sapc > -_LO_CLIP else sapc + _LO_OFFSET
    return out * 100.0


@dataclass(frozen=True, slots=True)
class ContrastPair:
    """One text color on one background, with every verdict a designer asks for."""

    text: str
    background: str
    wcag: float
    apca: float

    @property
    def verdicts(self) -> dict[str, bool]:
        """WCAG 2.2 SC 1.4.3 / 1.4.6: AA 4.5 (large 3), AAA 7 (large 4.5)."""
        return {
            "aa": self.wcag >= 4.5,
            "aaLarge": self.wcag >= 3.0,
            "aaa": self.wcag >= 7.0,
            "aaaLarge": self.wcag >= 4.5,
        }

    def attributes(self, evidence: str, pixels: int) -> dict[str, Any]:
        return {
            "wcag": round(self.wcag, 2),
            "apca": round(self.apca, 1),
            **self.verdicts,
            "evidence": evidence,
            "pixels": pixels,
        }


def pair(text: Token, background: Token) -> ContrastPair:
    """Measure one text token on one background token (both plain colors)."""
    assert isinstance(text.value, Color) and isinstance(background.value, Color)
    t, b = text.value.rgb, background.value.rgb
    return ContrastPair(text.name, background.name, contrast_ratio(t, b), apca_lc(t, b))


def _hex(token: Token) -> str:
    assert isinstance(token.value, Color)
    return token.value.hex


def _alpha(token: Token) -> float:
    assert isinstance(token.value, Color)
    return token.value.alpha


def _share(token: Token) -> float:
    return float(token.extensions.get("share", 0.0))


def backgrounds(colors: Sequence[Token], min_share: float = BACKGROUND_SHARE) -> list[Token]:
    """Large-area colors, largest first; at least the largest one when any color exists."""
    ranked = sorted(colors, key=lambda t: (-_share(t), t.name))
    found = [t for t in ranked if _share(t) >= min_share]
    return found or ranked[:1]


def contrast_matrix(tokens: TokenSet, graph_pairs: Sequence[Relationship]) -> dict[str, Any]:
    """{texts, backgrounds, cells[text][background] = attributes} from `contrast` relationships."""
    texts = sorted({r.source for r in graph_pairs})
    bgs = sorted({r.target for r in graph_pairs})
    cells: dict[str, dict[str, Mapping[str, Any]]] = {t: {} for t in texts}
    for r in graph_pairs:
        cells[r.source][r.target] = r.attributes
    return {"texts": texts, "backgrounds": bgs, "cells": cells}


class ContrastAnalyzer:
    """Built-in analyzer `contrast`: text -> background edges weighted by how much text sits there."""

    name = "contrast"

    def analyze(self, tokens: TokenSet) -> list[Relationship]:
        colors = [t for t in tokens.of_type("color") if isinstance(t.value, Color)]
        by_hex: dict[str, Token] = {}
        for t in colors:
            by_hex.setdefault(_hex(t), t)
            for merged in t.extensions.get("merged", []):
                by_hex.setdefault(str(merged), t)
        observed = [t for t in colors if t.extensions.get("on")]
        if observed:
            return self._observed(observed, by_hex)
        return self._inferred(colors)

    @staticmethod
    def _observed(texts: Sequence[Token], by_hex: Mapping[str, Token]) -> list[Relationship]:
        out = []
        for text in texts:
            entries = [(str(e["color"]).lower(), int(e.get("pixels", 0))) for e in text.extensions["on"]]
            total = sum(p for _, p in entries) or 1
            for hex_, pixels in entries:
                background = by_hex.get(hex_)
                if background is None or background.name == text.name:
                    continue
                measured = pair(text, background)
                out.append(
                    Relationship(
                        text.name,
                        background.name,
                        "contrast",
                        round(pixels / total, 4),
                        measured.attributes("observed", pixels),
                    )
                )
        return out

    @staticmethod
    def _inferred(colors: Sequence[Token]) -> list[Relationship]:
        bgs = backgrounds(colors)
        bg_names = {t.name for t in bgs}
        # a translucent color's contrast depends on what is under it: not a text candidate
        opaque = [t for t in colors if t.name not in bg_names and _alpha(t) >= 1.0]
        others = sorted(opaque, key=lambda t: (-_share(t), t.name))
        out = []
        for text in others[:MAX_TEXT_CANDIDATES]:
            for background in bgs:
                measured = pair(text, background)
                weight = min(1.0, _share(background)) if _share(background) else 0.5
                out.append(
                    Relationship(
                        text.name,
                        background.name,
                        "contrast",
                        round(weight, 4),
                        measured.attributes("inferred", 0),
                    )
                )
        return out
