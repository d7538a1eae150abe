"""Ground-truth files (`designlens-groundtruth/1`, see eval/GROUND_TRUTH.md): finding and reading them.

Only the fields the scores need are read; unknown fields are ignored so page sets made
elsewhere (other design systems, other renderers) load the same way. A missing list
means "not measured" (its scores are null); an empty list means "measured, none".

Beyond the format, designlens' own page builder (eval/groundtruth.js) writes `borders`
(visible border widths, as `radii`) and `border_colors` (`{"hex", "count"}`: the painted
colour of each visible border side), and `grids` (the column rows its grid and flex
containers lay out: `{"columns", "column_width", "gutter", "margin_left", "margin_right",
"count"}`, CSS px); they are read when present.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from designlens.errors import InputError

SCHEMA = "designlens-groundtruth/1"
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True, slots=True)
class TruthColor:
    hex: str  # #rrggbb, lowercase
    share: float
    kind: str = ""


@dataclass(frozen=True, slots=True)
class TruthText:
    font_size: float
    line_height: float | None  # None when the page said `normal` or gave none
    area: float


@dataclass(frozen=True, slots=True)
class TruthLength:
    """A spacing or radius value in CSS px, with how often the page uses it."""

    px: float
    count: int


@dataclass(frozen=True, slots=True)
class TruthPaint:
    """A colour painted by one kind of paint, with how often (e.g. border sides)."""

    hex: str  # #rrggbb, lowercase
    count: int


@dataclass(frozen=True, slots=True)
class TruthGrid:
    """A column row the page lays out: `columns` equal boxes at equal gaps (CSS px)."""

    columns: int
    column_width: float
    gutter: float
    margin_left: float | None = None
    margin_right: float | None = None
    count: int = 1  # rows of the page with these columns, width and gutter


@dataclass(frozen=True, slots=True)
class GroundTruth:
    """One page: its truth file, the image beside it, and what the browser painted."""

    path: Path
    image: Path
    scale: float
    colors: tuple[TruthColor, ...] | None
    typography: tuple[TruthText, ...] | None
    spacing: tuple[TruthLength, ...] | None
    radii: tuple[TruthLength, ...] | None
    borders: tuple[TruthLength, ...] | None = None  # extra field: visible border widths
    border_colors: tuple[TruthPaint, ...] | None = None  # extra field: their painted colours
    grids: tuple[TruthGrid, ...] | None = None  # extra field: column rows

    @property
    def name(self) -> str:
        return self.path.stem


def _number(value: Any, what: str, *, allow_none: bool = False) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{what} must be a number, got {value!r}")
    return float(value)


def _list(doc: Mapping[str, Any], key: str) -> list[Mapping[str, Any]] | None:
    if key not in doc or doc[key] is None:
        return None
    items = doc[key]
    if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
        raise ValueError(f"{key!r} must be a list of objects")
    return items


def _hex(item: Mapping[str, Any], what: str) -> str:
    """`item`'s "hex", lowercase; ValueError naming `what` when it is not #rrggbb."""
    hex_ = item.get("hex")
    if not isinstance(hex_, str) or not _HEX.match(hex_):
        raise ValueError(f"{what}.hex must be #rrggbb, got {hex_!r}")
    return hex_.lower()


def _colors(doc: Mapping[str, Any]) -> tuple[TruthColor, ...] | None:
    items = _list(doc, "colors")
    if items is None:
        return None
    out = []
    for i, c in enumerate(items):
        share = _number(c.get("share", 0.0), f"colors[{i}].share")
        out.append(TruthColor(_hex(c, f"colors[{i}]"), share or 0.0, str(c.get("kind", ""))))
    return tuple(out)


def _typography(doc: Mapping[str, Any]) -> tuple[TruthText, ...] | None:
    items = _list(doc, "typography")
    if items is None:
        return None
    out = []
    for i, t in enumerate(items):
        size = _number(t.get("font_size"), f"typography[{i}].font_size")
        lh = t.get("line_height")
        line_height = _number(lh, f"typography[{i}].line_height") if isinstance(lh, int | float) else None
        area = _number(t.get("area", 1.0), f"typography[{i}].area")
        out.append(TruthText(size or 0.0, line_height, area or 0.0))
    return tuple(out)


def _lengths(doc: Mapping[str, Any], key: str) -> tuple[TruthLength, ...] | None:
    items = _list(doc, key)
    if items is None:
        return None
    out = []
    for i, s in enumerate(items):
        px = _number(s.get("px"), f"{key}[{i}].px")
        count = _number(s.get("count", 1), f"{key}[{i}].count")
        out.append(TruthLength(px or 0.0, int(count or 0)))
    return tuple(out)


def _paints(doc: Mapping[str, Any], key: str) -> tuple[TruthPaint, ...] | None:
    items = _list(doc, key)
    if items is None:
        return None
    out = []
    for i, c in enumerate(items):
        count = _number(c.get("count", 1), f"{key}[{i}].count")
        out.append(TruthPaint(_hex(c, f"{key}[{i}]"), int(count or 0)))
    return tuple(out)


def _grids(doc: Mapping[str, Any]) -> tuple[TruthGrid, ...] | None:
    items = _list(doc, "grids")
    if items is None:
        return None
    out = []
    for i, g in enumerate(items):
        columns = _number(g.get("columns"), f"grids[{i}].columns")
        if columns is None or columns != int(columns) or columns < 1:
            raise ValueError(f"grids[{i}].columns must be a positive whole number, got {columns!r}")
        out.append(
            TruthGrid(
                int(columns),
                _number(g.get("column_width"), f"grids[{i}].column_width") or 0.0,
                _number(g.get("gutter"), f"grids[{i}].gutter") or 0.0,
                _number(g.get("margin_left"), f"grids[{i}].margin_left", allow_none=True),
                _number(g.get("margin_right"), f"grids[{i}].margin_right", allow_none=True),
                int(_number(g.get("count", 1), f"grids[{i}].count") or 0),
            )
        )
    return tuple(out)


def parse_truth(doc: Mapping[str, Any], path: Path) -> GroundTruth:
    """A GroundTruth from one decoded file; InputError naming `path` when a field is malformed."""
    try:
        image = doc.get("image")
        if not isinstance(image, str) or not image:
            raise ValueError("'image' must name the image file beside it")
        viewport = doc.get("viewport") or {}
        if not isinstance(viewport, Mapping):
            raise ValueError("'viewport' must be an object")
        scale = _number(viewport.get("device_scale_factor", 1), "viewport.device_scale_factor")
        if scale is None or scale <= 0:
            raise ValueError(f"viewport.device_scale_factor must be positive, got {scale}")
        return GroundTruth(
            path=path,
            image=path.parent / image,
            scale=scale,
            colors=_colors(doc),
            typography=_typography(doc),
            spacing=_lengths(doc, "spacing"),
            radii=_lengths(doc, "radii"),
            borders=_lengths(doc, "borders"),
            border_colors=_paints(doc, "border_colors"),
            grids=_grids(doc),
        )
    except ValueError as exc:
        raise InputError(str(path), f"malformed ground truth: {exc}") from None


def load_truth(path: Path) -> GroundTruth | None:
    """The truth in `path`; None when it is JSON of another kind; InputError when it is broken."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot read ({exc})") from None
    except json.JSONDecodeError as exc:
        raise InputError(str(path), f"malformed JSON ({exc})") from None
    if not isinstance(doc, Mapping) or doc.get("schema") != SCHEMA:
        return None
    truth = parse_truth(doc, path)
    if not truth.image.is_file():
        raise InputError(str(path), f"image {truth.image.name!r} not found beside it")
    return truth


def find_truths(directory: Path) -> tuple[list[GroundTruth], list[InputError]]:
    """Every ground truth in `directory` (sorted by file name), and the files that are broken.

    Raises InputError when the directory is missing or holds no ground truth at all.
    """
    if not directory.is_dir():
        raise InputError(str(directory), "not a directory")
    truths: list[GroundTruth] = []
    errors: list[InputError] = []
    for path in sorted(directory.glob("*.json")):
        try:
            truth = load_truth(path)
        except InputError as exc:
            errors.append(exc)
            continue
        if truth is not None:
            truths.append(truth)
    if not truths and not errors:
        raise InputError(str(directory), f"no ground-truth files (*.json with \"schema\": \"{SCHEMA}\")")
    return truths, errors
