"""What extraction predicted, as the plain lists the scores compare with the truth.

The adapter from a TokenSet reads, per family (everything else is ignored):

- colors: `color` tokens whose value is a Color -> its hex.
- font sizes: `typography` tokens' font_size; `dimension` tokens whose name or
  `$extensions` kind/role/category says font size (`font-size.*`, `fontSize.*`, `font.size.*`).
- line heights: `typography` tokens' line_height times their font size (DTCG's unitless
  number; a value >= 4 is taken to be px already), or an extension `lineHeightPx` /
  `line_height_px`; `dimension` tokens named for line height (`line-height.*`, `lineHeight.*`).
- spacing: `dimension` tokens named `spacing.*` / `space.*` / `gap.*` / `padding.*` / `margin.*`.
- radii: `dimension` tokens named `radius.*` / `radii.*` / `border-radius.*` / `rounded.*`.
- border widths: `dimension` tokens named for border width (`border.width.*`, `borderWidth.*`).
- border colors: `color` tokens (or aliases to one) named for borders (`color.border.*`,
  `border.*`) or whose `kinds` extension lists "border" (designlens marks a palette colour
  seen as a border so).
- column grid: `number` tokens named `grid.columns`, or `*.columns` under a group named for
  grids (`layout.grid.columns`, `grid.desktop.columns`): the column count; the column width
  and gutter from its extensions `columnWidth` / `gutter` (CSS px), else from dimension
  tokens beside it (`grid.gutter`, `grid.columnWidth`).

Dimensions in rem count 16 px; aliases are followed inside the set. A family is
predicted (not None) only when an extractor that produces it ran (`--types`, see
FAMILY_EXTRACTORS), or when tokens of that family came out anyway; colors only when
`color` ran, since other extractors emit a few colors (borders) but not a palette.
A family nobody extracted is None, so its scores are null, never 0.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from designlens.tokens import Alias, Color, Dimension, Token, Typography

REM_PX = 16.0
_LINE_HEIGHT_IS_PX = 4.0  # no UI sets line-height to 4x its font size; a value this big is px
# Extractor token types (what `--types` selects) that produce each family.
FAMILY_EXTRACTORS: dict[str, frozenset[str]] = {
    "colors": frozenset({"color"}),
    "typography": frozenset({"typography", "text", "font"}),
    "spacing": frozenset({"layout", "spacing", "dimension"}),
    "radii": frozenset({"layout", "radius", "dimension"}),
    "borders": frozenset({"layout", "border"}),
    "grid": frozenset({"layout", "grid"}),
}
_SPACING_WORDS = {"spacing", "space", "spaces", "gap", "gaps", "padding", "margin", "gutter", "inset"}
_RADIUS_WORDS = {"radius", "radii", "borderradius", "rounded", "corner", "corners"}
_COLUMNS_WORDS = {"columns", "columncount", "cols"}
_GRID_WORDS = {"grid", "grids", "layoutgrid", "columngrid"}  # a group named for it: not "datagrid"
_COLUMN_WIDTH_WORDS = {"columnwidth", "colwidth"}
_GUTTER_WORDS = {"gutter", "gutterwidth", "columngap"}
_CSS_LENGTH = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(px|rem)?\s*$")


@dataclass(frozen=True, slots=True)
class PredictedGrid:
    """A predicted column grid: its column count, and width and gutter when given (CSS px)."""

    columns: int
    column_width: float | None = None
    gutter: float | None = None


@dataclass(frozen=True, slots=True)
class Prediction:
    """Predicted values per family; None when that family was not extracted at all."""

    colors: tuple[str, ...] | None = None  # #rrggbb
    font_sizes: tuple[float, ...] | None = None  # CSS px
    line_heights: tuple[float, ...] | None = None  # CSS px
    spacing: tuple[float, ...] | None = None  # CSS px
    radii: tuple[float, ...] | None = None  # CSS px
    border_widths: tuple[float, ...] | None = None  # CSS px
    border_colors: tuple[str, ...] | None = None  # #rrggbb
    grids: tuple[PredictedGrid, ...] | None = None  # () when a grid extractor ran and found none


def _resolve(value: Any, tokens: Mapping[str, Token]) -> Any:
    """`value`, or what an alias leads to (up to 8 hops; None when it leads nowhere)."""
    for _ in range(8):
        if not isinstance(value, Alias):
            return value
        target = tokens.get(value.path)
        if target is None:
            return None
        value = target.value
    return None


def _px(value: Any, tokens: Mapping[str, Token]) -> float | None:
    """A length in px from a Dimension, a bare number, or an alias to one."""
    value = _resolve(value, tokens)
    if isinstance(value, Dimension):
        return value.value * REM_PX if value.unit == "rem" else float(value.value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _words(token: Token) -> list[str]:
    """The name's segments and any kind/role/category extension, lowercased, separators dropped."""
    parts = token.name.split(".")
    for key in ("kind", "role", "category", "group"):
        extra = token.extensions.get(key)
        if isinstance(extra, str):
            parts.append(extra)
    return [_norm(p) for p in parts]


def _dimension_family(token: Token) -> str | None:
    words = _words(token)
    joined = "".join(words)
    if "fontsize" in joined:
        return "font_size"
    if "lineheight" in joined:
        return "line_height"
    if "borderwidth" in joined:
        return "border_width"
    if any(w in _RADIUS_WORDS for w in words):
        return "radius"
    if any(w in _SPACING_WORDS for w in words):
        return "spacing"
    return None


def _typography_values(token: Token, tokens: Mapping[str, Token]) -> tuple[float | None, float | None]:
    value = token.value
    if not isinstance(value, Typography):
        return None, None
    size = _px(value.font_size, tokens)
    line: float | None = None
    for key in ("lineHeightPx", "line_height_px"):
        explicit = token.extensions.get(key)
        if isinstance(explicit, int | float) and not isinstance(explicit, bool):
            line = float(explicit)
            break
    else:
        ratio = _px(value.line_height, tokens)
        if ratio is not None:
            if ratio >= _LINE_HEIGHT_IS_PX:
                line = ratio
            elif size is not None:
                line = ratio * size
    return size, line


def _is_border_color(token: Token) -> bool:
    """Named for borders (`color.border`, `border.subtle`, `colors.border-light`) or marked so."""
    kinds = token.extensions.get("kinds")
    marked = isinstance(kinds, list) and "border" in kinds
    return marked or any(w.startswith("border") for w in _words(token))


def _norm(word: str) -> str:
    return re.sub(r"[-_\s]", "", word.lower())


def _length(value: Any, tokens: Mapping[str, Token]) -> float | None:
    """A length in px from what `_px` reads, a `{"value", "unit"}` object or a "24px" string."""
    if isinstance(value, Mapping):
        number, unit = value.get("value"), value.get("unit", "px")
        if isinstance(number, bool) or not isinstance(number, int | float) or unit not in ("px", "rem"):
            return None
        value = Dimension(float(number), "rem" if unit == "rem" else "px")
    elif isinstance(value, str):
        m = _CSS_LENGTH.match(value)
        value = None if m is None else Dimension(float(m[1]), "rem" if m[2] == "rem" else "px")
    return _px(value, tokens)


def _grid(token: Token, tokens: Mapping[str, Token]) -> PredictedGrid | None:
    """The grid a `number` token named for grid columns gives (see module doc), or None."""
    parts = [_norm(p) for p in token.name.split(".")]
    named = parts[-1] in _COLUMNS_WORDS and any(p in _GRID_WORDS for p in parts[:-1])
    if token.type != "number" or not named:
        return None
    columns = _px(token.value, tokens)  # a bare number, or an alias to one
    if columns is None or columns < 1 or columns != int(columns):
        return None
    group = token.name.rsplit(".", 1)[0]
    siblings = {_norm(t.name[len(group) + 1 :]): t for t in tokens.values() if t.name.startswith(group + ".")}

    def read(words: set[str]) -> float | None:
        for key, value in token.extensions.items():
            if _norm(key) in words and (px := _length(value, tokens)) is not None:
                return px
        for word, sibling in siblings.items():
            px = _px(sibling.value, tokens) if word in words and sibling.type == "dimension" else None
            if px is not None:
                return px
        return None

    return PredictedGrid(int(columns), read(_COLUMN_WIDTH_WORDS), read(_GUTTER_WORDS))


def _unique(values: Iterable[float]) -> tuple[float, ...]:
    """Distinct values (to 0.01 px), in first-seen order: a size used twice is one prediction."""
    return tuple(dict.fromkeys(round(v, 2) for v in values if v > 0))


def prediction_from_tokens(tokens: Iterable[Token], extracted_types: Collection[str]) -> Prediction:
    """Read a token set (see module doc) into per-family predictions."""
    by_name = {t.name: t for t in tokens}
    colors: list[str] = []
    border_colors: list[str] = []
    families = ("font_size", "line_height", "spacing", "radius", "border_width")
    found: dict[str, list[float]] = {k: [] for k in families}
    grids: list[PredictedGrid] = []
    for token in by_name.values():
        if token.type == "number":
            grid = _grid(token, by_name)
            if grid is not None:
                grids.append(grid)
        elif token.type == "color":
            color = _resolve(token.value, by_name)
            if isinstance(token.value, Color):
                colors.append(token.value.hex)
            if isinstance(color, Color) and _is_border_color(token):
                border_colors.append(color.hex)
        elif token.type == "typography":
            size, line = _typography_values(token, by_name)
            if size is not None:
                found["font_size"].append(size)
            if line is not None:
                found["line_height"].append(line)
        elif token.type == "dimension":
            family = _dimension_family(token)
            px = _px(token.value, by_name)
            if family is not None and px is not None:
                found[family].append(px)
    ran = set(extracted_types)

    def covered(family: str, *values: Collection[Any]) -> bool:
        return bool(ran & FAMILY_EXTRACTORS[family]) or any(values)

    typography = covered("typography", found["font_size"], found["line_height"])
    return Prediction(
        colors=tuple(dict.fromkeys(colors)) if covered("colors") else None,
        font_sizes=_unique(found["font_size"]) if typography else None,
        line_heights=_unique(found["line_height"]) if typography else None,
        spacing=_unique(found["spacing"]) if covered("spacing", found["spacing"]) else None,
        radii=_unique(found["radius"]) if covered("radii", found["radius"]) else None,
        border_widths=_unique(found["border_width"]) if covered("borders", found["border_width"]) else None,
        border_colors=tuple(dict.fromkeys(border_colors)) if covered("borders", border_colors) else None,
        grids=tuple(dict.fromkeys(grids)) if covered("grid", grids) else None,
    )
