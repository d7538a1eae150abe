"""Spacing measured between boxes and their content: paddings, gaps and page margins.

What a screenshot can and cannot show decides what is measured:
- a horizontal padding is box edge to content (text starts at its padding, give or take a
  glyph's side bearing); when both sides differ, the smaller is the padding and the larger
  is slack of left- or right-aligned content;
- a vertical padding ends at a child box or at a text line's *line box*: CSS padding is
  measured to the line box, which is `line-height` tall with the font's content area
  centred in it (half the leading above and below), not to the ink; edge-to-ink would
  overstate every vertical padding (see LineBox);
- a gap is the space between two neighbouring boxes of one parent with nothing between them
  across either box's extent (a label beside the overlap makes the space a label's, not a gap);
- a page margin is the page's edge to its content, left and right.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import numpy.typing as npt

from designlens.extract.boxes import Rect, Region, kernels
from designlens.fonts import ASCENT_MINUS_DESCENT, NORMAL_LEADING

Kind = Literal["padding", "gap", "margin"]


@dataclass(frozen=True, slots=True)
class Measurement:
    """One spacing seen in an image: the value in image px and the segment it spans."""

    kind: Kind
    axis: Literal["x", "y"]
    px: int  # image px
    start: tuple[int, int]  # x, y in image px
    end: tuple[int, int]
    to_ink: bool = False  # measured to text/icon ink, not to a box edge
    weak: bool = False  # may be slack (a page margin is often centring): needs a second sighting
    inferred: bool = False  # measured to a line box whose line height is inferred, not measured
    # image px the padding would grow by were that line height CSS `normal` (LineBox.slack)
    slack: float = 0.0


def matches(hole: Rect, boxes: Sequence[Rect]) -> bool:
    """Is `hole` one of `boxes` (every side within a pixel)? Plain comparisons: this runs
    for every hole of every box."""
    x0, y0, x1, y1 = hole
    for b in boxes:
        if abs(x0 - b[0]) <= 1 and abs(y0 - b[1]) <= 1 and abs(x1 - b[2]) <= 1 and abs(y1 - b[3]) <= 1:
            return True
    return False


def matching(holes: npt.NDArray[np.int64], boxes: Sequence[Rect]) -> npt.NDArray[np.bool_]:
    """`matches` for every hole of an N x 4 array at once (a photo's region has thousands)."""
    if not boxes:
        return np.zeros(holes.shape[0], dtype=np.bool_)
    kids = np.asarray(boxes, dtype=np.int64)
    return np.asarray((np.abs(holes[:, None, :] - kids[None, :, :]) <= 1).all(axis=2).any(axis=1))


def measure_padding(
    region: Region, outer: Sequence[Rect], max_px: int, bearing: float = 0.0
) -> list[Measurement]:
    """Paddings of one box: its fill edge to its content (`outer`: its child boxes' outer rects).

    `bearing` (image px) is blank the content's glyphs carry on each side, where it is
    known (a password field's bullets, `dot_bearing`): the horizontal padding ends there."""
    if not region.holes:
        return []
    x0, y0, x1, y1 = region.box
    out: list[Measurement] = []
    left_hole = min(region.holes, key=lambda r: r[0])
    right_hole = max(region.holes, key=lambda r: r[2])
    top_hole = min(region.holes, key=lambda r: r[1])
    bottom_hole = max(region.holes, key=lambda r: r[3])
    cy = (top_hole[1] + bottom_hole[3]) // 2
    cx = (left_hole[0] + right_hole[2]) // 2
    start, end = round(left_hole[0] - bearing), round(right_hole[2] + bearing)
    ink = not (matches(left_hole, outer) and matches(right_hole, outer))
    out += _pair("x", start - x0, x1 - end, ((x0, cy), (start, cy)), ((end, cy), (x1, cy)), max_px, ink)
    if matches(top_hole, outer) and matches(bottom_hole, outer):
        top, bottom = top_hole[1] - y0, y1 - bottom_hole[3]
        out += _pair(
            "y", top, bottom, ((cx, y0), (cx, top_hole[1])), ((cx, bottom_hole[3]), (cx, y1)), max_px
        )
    return out


def dot_bearing(holes: Sequence[Rect]) -> float:
    """The side bearing (image px) of the dots of a password field, when `holes` are nothing
    but such a row: four or more square-bounded blobs of one size, tops aligned, at one
    pitch (the caller checks that they are discs: a row of square icons passes here).

    A bullet glyph is centred in its advance, so each side of it is (pitch - diameter) / 2
    of blank: the padding to the first dot's ink is that much more than the CSS padding
    (0.2 em or more, where a letter's side bearing is a pixel or so). 0 for anything else.
    """
    if len(holes) < 4:
        return 0.0
    dots = sorted(holes)
    sizes = [(h[2] - h[0], h[3] - h[1]) for h in dots]
    widths = [w for w, _ in sizes]
    if max(widths) - min(widths) > 1 or any(abs(w - h) > 1 for w, h in sizes):
        return 0.0  # not one size, or not round
    if max(h[1] for h in dots) - min(h[1] for h in dots) > 1:
        return 0.0  # not one row
    steps = [b[0] - a[0] for a, b in itertools.pairwise(dots)]
    pitch = (dots[-1][0] - dots[0][0]) / (len(dots) - 1)
    diameter = sum(widths) / len(widths)
    if any(abs(s - pitch) > 1 for s in steps) or pitch <= diameter + 1:
        return 0.0  # not at one pitch, or touching (a bar, not dots)
    return (pitch - diameter) / 2


def _pair(
    axis: Literal["x", "y"],
    a: int,
    b: int,
    seg_a: tuple[tuple[int, int], tuple[int, int]],
    seg_b: tuple[tuple[int, int], tuple[int, int]],
    max_px: int,
    ink: bool = False,
    inferred: tuple[bool, bool] = (False, False),
    slack: tuple[float, float] = (0.0, 0.0),
) -> list[Measurement]:
    """Both sides when they agree (within 1 px), else only the smaller: the other is slack.
    `inferred` and `slack` are each side's (see Measurement)."""
    sides = [(a, seg_a, inferred[0], slack[0]), (b, seg_b, inferred[1], slack[1])]
    if abs(a - b) > 1:
        sides = [min(sides, key=lambda s: s[0])]
    return [
        Measurement("padding", axis, v, s[0], s[1], ink, inferred=guess, slack=ls)
        for v, s, guess, ls in sides
        if 0 < v <= max_px
    ]


def measure_gaps(parent: Region, boxes: Sequence[Rect], max_px: int) -> list[Measurement]:
    """Gaps between neighbouring boxes of one parent with no other content between them.

    Each box's nearest neighbour to the right (overlapping it by half the smaller height)
    and below (by half the smaller width) gives one gap. The space between them must be
    empty across both boxes' extent and, when each box is one of a row of boxes sharing its
    facing edge (a column for a gap to the right), across the span both rows share: a row of
    content between two such rows (a toolbar between a form and the cards below it) makes
    them non-adjacent, however far sideways it sits from the two boxes.
    """
    if len(boxes) < 2:
        return []
    near = kernels().nearest_neighbours(np.asarray(boxes, dtype=np.int64)).tolist()
    content = np.asarray(parent.holes, dtype=np.int64).reshape(-1, 4)
    out: list[Measurement] = []
    for i, a in enumerate(boxes):
        for k, axis in enumerate(("x", "y")):
            j = near[i][k]
            if j < 0:
                continue
            g = boxes[j][0] - a[2] if axis == "x" else boxes[j][1] - a[3]
            if not 0 < g <= max_px:
                continue
            c = boxes[j]
            if axis == "x":
                lo, hi = max(a[1], c[1]), min(a[3], c[3])
                y0, y1 = _shared_span(content, 1, a[2], c[0])
                space = (a[2], min(a[1], c[1], y0), c[0], max(a[3], c[3], y1))
                if not _occupied(parent, space):
                    out.append(Measurement("gap", "x", g, (a[2], (lo + hi) // 2), (c[0], (lo + hi) // 2)))
            else:
                lo, hi = max(a[0], c[0]), min(a[2], c[2])
                x0, x1 = _shared_span(content, 0, a[3], c[1])
                space = (min(a[0], c[0], x0), a[3], max(a[2], c[2], x1), c[1])
                if not _occupied(parent, space):
                    out.append(Measurement("gap", "y", g, ((lo + hi) // 2, a[3]), ((lo + hi) // 2, c[1])))
    return out


_NO_SPAN = (1 << 30, -(1 << 30))  # an empty span: widens nothing it is merged into


def _shared_span(content: npt.NDArray[np.int64], across: int, end: int, start: int) -> tuple[int, int]:
    """The span (on axis `across`: 0 for x, 1 for y) shared by the content (N x 4) that ends
    at `end` and the content that starts at `start` on the other axis (each within a pixel):
    the hull of each, intersected. Empty (lo >= hi) when the two do not overlap."""
    along = 1 - across
    ending = content[np.abs(content[:, along + 2] - end) <= 1]
    starting = content[np.abs(content[:, along] - start) <= 1]
    if not ending.shape[0] or not starting.shape[0]:
        return _NO_SPAN
    lo = max(int(ending[:, across].min()), int(starting[:, across].min()))
    hi = min(int(ending[:, across + 2].max()), int(starting[:, across + 2].max()))
    return (lo, hi) if lo < hi else _NO_SPAN


def _occupied(parent: Region, rect: Rect) -> bool:
    """Does any content of `parent` reach into `rect` (the space between two boxes)?"""
    x0, y0, x1, y1 = rect
    return any(h[0] < x1 and h[2] > x0 and h[1] < y1 and h[3] > y0 for h in parent.holes)


def measure_margins(page: Region, width: int, max_px: int) -> list[Measurement]:
    """The page's left and right edges to its content, when the page region spans the image."""
    content = page.content
    if content is None or page.box[0] != 0 or page.box[2] != width:
        return []
    y = (content[1] + content[3]) // 2
    out = []
    if 0 < content[0] <= max_px:
        out.append(Measurement("margin", "x", content[0], (0, y), (content[0], y), True, True))
    if 0 < width - content[2] <= max_px:
        out.append(Measurement("margin", "x", width - content[2], (content[2], y), (width, y), True, True))
    return out


def _text_lines(holes: Sequence[Rect] | npt.NDArray[np.int64]) -> list[Rect]:
    """Ink holes grouped into lines: pieces that overlap vertically by half the smaller height."""
    rows = np.asarray(holes, dtype=np.int64).reshape(-1, 4)
    if not rows.shape[0]:
        return []
    rows = rows[np.lexsort((rows[:, 0], rows[:, 1]))]  # by (top, left), stable as sorted()
    return [(a, b, c, d) for a, b, c, d in kernels().text_lines(rows).tolist()]


def measure_paragraph_gaps(region: Region, boxes: Sequence[Rect], max_px: int) -> list[Measurement]:
    """Margins between paragraphs of one text style, from the rhythm of their lines.

    Inside a paragraph, lines of one style follow at the line height L; across a paragraph
    break the same two lines are L + margin apart. Ink top to ink top cancels the invisible
    half-leading, so margin = pitch - L is exact where edge-to-ink is not. L is the most
    common (on a tie, the smallest) pitch of that style's lines in the region.
    """
    if len(region.holes) < 3:
        return []  # a margin needs two pitches of one style: three lines at least
    # rules and bars (a quote's left border) would glue every line beside them into one
    holes = np.asarray(region.holes, dtype=np.int64)
    bar = (holes[:, 3] - holes[:, 1]) > 4 * np.maximum(1, holes[:, 2] - holes[:, 0])
    ink = ~bar & ~matching(holes, boxes)
    lines = sorted(_text_lines(holes[ink]), key=lambda r: r[1])
    pairs: list[tuple[int, int, Rect, Rect]] = []  # (ink height, pitch, upper, lower)
    for a, b in itertools.pairwise(lines):
        same_style = abs((a[3] - a[1]) - (b[3] - b[1])) <= 1 and abs(a[0] - b[0]) <= 2
        if same_style and b[1] > a[3]:
            pairs.append((a[3] - a[1], b[1] - a[1], a, b))
    out: list[Measurement] = []
    for height in {p[0] for p in pairs}:
        pitches = [p[1] for p in pairs if abs(p[0] - height) <= 1]
        common = max(set(pitches), key=lambda v: (pitches.count(v), -v))
        if len(pitches) < 2:
            continue
        for h, pitch, a, b in pairs:
            margin = pitch - common
            if h == height and 2 < margin <= max_px:
                x = a[0] + 4
                out.append(Measurement("gap", "y", margin, (x, b[1] - margin), (x, b[1]), to_ink=True))
    return out


@dataclass(frozen=True, slots=True)
class LineBox:
    """A text line's ink and its CSS line box (image px).

    A browser sets a line box `line-height` tall with the font's content area (ascent +
    descent) centred in it, half the leading above and below; the baseline sits `ascent`
    below the content top, so the line box top is baseline - (ascent - descent) / 2 -
    line-height / 2 whatever the font's leading. Padding and margins end at the line box.
    """

    ink: Rect
    top: float
    bottom: float
    measured: bool  # the line height is a wrapped paragraph's pitch, not inferred
    # An inferred line height is a convention; a single line (a button, a badge) often has
    # CSS `normal` instead, which puts each edge this many px nearer the ink (0 if measured).
    slack: float = 0.0

    @classmethod
    def of(
        cls,
        ink: Rect,
        baseline: float,
        size: float,
        line_height: float,
        measured: bool,
        most: float = math.inf,
    ) -> LineBox:
        """The line box of a line whose line height is `line_height`, measured or inferred
        (then at most `most`: the pitch to a stacked neighbour bounds it)."""
        top = baseline - ASCENT_MINUS_DESCENT * size / 2 - line_height / 2
        slack = 0.0 if measured else (line_height - min(NORMAL_LEADING * size, most)) / 2
        return cls(ink, top, top + line_height, measured, slack)

    def moved(self, dx: int, dy: int) -> LineBox:
        """The same line box `dx`, `dy` image px away."""
        x0, y0, x1, y1 = self.ink
        ink = (x0 + dx, y0 + dy, x1 + dx, y1 + dy)
        return replace(self, ink=ink, top=self.top + dy, bottom=self.bottom + dy)


class LineIndex:
    """Line boxes by the top and by the bottom of their ink (image px rows)."""

    def __init__(self, lines: Sequence[LineBox]) -> None:
        self.tops: dict[int, list[LineBox]] = {}
        self.bottoms: dict[int, list[LineBox]] = {}
        for lb in lines:
            self.tops.setdefault(lb.ink[1], []).append(lb)
            self.bottoms.setdefault(lb.ink[3], []).append(lb)

    def at(self, rows: dict[int, list[LineBox]], y: int, within: Rect) -> LineBox | None:
        """A line whose ink edge is on row `y` (within a pixel), inside `within`."""
        for yy in (y, y - 1, y + 1):
            for lb in rows.get(yy, ()):
                if inside(lb.ink, within):
                    return lb
        return None


def inside(inner: Rect, outer: Rect) -> bool:
    return inner[0] >= outer[0] and inner[1] >= outer[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


@dataclass(frozen=True, slots=True)
class TextEdges:
    """A box's first and last content (top to bottom) and, where that is text rather than a
    child box, the ink rows of its first or last text line (image px; None on a box side)."""

    box: Rect
    ink: list[Rect]  # its content other than child boxes
    top_hole: Rect
    bottom_hole: Rect
    top: tuple[int, int] | None  # the first line's ink rows
    bottom: tuple[int, int] | None  # the last line's ink rows

    @classmethod
    def of(cls, region: Region, kids: Sequence[Rect]) -> TextEdges | None:
        """The edges of a box with child boxes `kids`; None when neither its first nor its
        last content is text (measure_padding has those)."""
        if not region.holes:
            return None
        top_hole = min(region.holes, key=lambda r: r[1])
        bottom_hole = max(region.holes, key=lambda r: r[3])
        top_text, bottom_text = not matches(top_hole, kids), not matches(bottom_hole, kids)
        if not (top_text or bottom_text):
            return None
        ink = [h for h in region.holes if not matches(h, kids)]  # mostly a few: plain Python
        top = (top_hole[1], max(h[3] for h in ink if h[1] < top_hole[3])) if top_text else None
        bottom = (min(h[1] for h in ink if h[3] > bottom_hole[1]), bottom_hole[3]) if bottom_text else None
        return cls(region.box, ink, top_hole, bottom_hole, top, bottom)


def measure_text_padding(edges: TextEdges, lines: LineIndex, max_px: int) -> list[Measurement]:
    """Vertical paddings of a box whose first or last content is text: the box edge to the
    line box (ink moved out by the font's ascender gap and half the leading), the other
    side to a line box or a child box. A side measured to a line box of inferred line
    height is flagged `inferred`, with its `slack`."""
    x0, y0, x1, y1 = edges.box
    top: float = edges.top_hole[1]
    bottom: float = edges.bottom_hole[3]
    first = last = None
    if edges.top is not None:
        first = lines.at(lines.tops, edges.top_hole[1], edges.box)
        if first is None:
            return []
        top = first.top
    if edges.bottom is not None:
        last = lines.at(lines.bottoms, edges.bottom_hole[3], edges.box)
        if last is None:
            return []
        bottom = last.bottom
    # A box is at least as tall as its line boxes and padding, so an inferred line box that
    # reaches past the box's edge is not the line's: the box is inline, and an inline box
    # paints its font's content area (about `line-height: normal`) and its padding. That line
    # is measured to its `normal` line box (its edges moved in by their slack).
    slack = [first.slack if first else 0.0, last.slack if last else 0.0]
    one = first is not None and first is last
    over_top = first is not None and not first.measured and round(top - y0) < 0
    over_bottom = last is not None and not last.measured and round(y1 - bottom) < 0
    if first is not None and (over_top or (one and over_bottom)):
        top, slack[0] = top + first.slack, 0.0
    if last is not None and (over_bottom or (one and over_top)):
        bottom, slack[1] = bottom - last.slack, 0.0
    cx = (x0 + x1) // 2
    a, b = round(top - y0), round(y1 - bottom)
    seg_a = ((cx, y0), (cx, round(top)))
    seg_b = ((cx, round(bottom)), (cx, y1))
    inferred = (first is not None and not first.measured, last is not None and not last.measured)
    return _pair("y", a, b, seg_a, seg_b, max_px, inferred=inferred, slack=(slack[0], slack[1]))
