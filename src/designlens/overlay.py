"""Debug overlay: the layout analysis drawn on the screenshot, for people to check at a glance.

Boxes are outlined in green, paddings drawn in blue, gaps between boxes in magenta, page
margins in orange, each with its value in CSS px (`~9`: measured to a line box whose line
height is inferred, so it may be a few px more); rounded boxes carry their radius in red;
dividers (one-sided borders between two areas) are traced in cyan with their width.
`draw_overlay` is a pure function of pixels; `render_overlays` is the file edge used by the
CLI (`designlens extract --overlay`), which re-runs the analysis on each decoded image.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from designlens.extract.layout import LayoutResult, analyze_layout
from designlens.extract.spacing import Measurement

_BOX = (40, 170, 60)
_KIND = {"padding": (30, 100, 240), "gap": (220, 30, 200), "margin": (245, 140, 20)}
_RADIUS = (225, 30, 30)
_DIVIDER = (0, 170, 200)
_FONT = cv2.FONT_HERSHEY_SIMPLEX


def _label(img: npt.NDArray[np.uint8], text: str, at: tuple[int, int], color: tuple[int, int, int]) -> None:
    scale = 0.35
    (tw, th), _ = cv2.getTextSize(text, _FONT, scale, 1)
    x = int(min(max(0, at[0]), img.shape[1] - tw - 2))
    y = int(min(max(th + 2, at[1]), img.shape[0] - 2))
    cv2.rectangle(img, (x - 1, y - th - 2), (x + tw + 1, y + 2), (255, 255, 255), -1)
    cv2.putText(img, text, (x, y), _FONT, scale, color, 1, cv2.LINE_AA)


def label(layout: LayoutResult, m: Measurement) -> str:
    """A measurement's value as drawn: CSS px, `~` first when it rests on an inferred line height."""
    return f"{'~' if m.inferred else ''}{layout.value(m):g}"


def draw_overlay(px: npt.NDArray[np.uint8], layout: LayoutResult) -> npt.NDArray[np.uint8]:
    """A copy of `px` (H x W x 3 sRGB) with boxes, measured spacing and radii drawn on it."""
    img = np.ascontiguousarray(px.copy())
    if img.ndim != 3 or img.shape[0] < 2 or img.shape[1] < 2:
        return img
    for box in layout.boxes:
        x0, y0, x1, y1 = box.rect
        cv2.rectangle(img, (x0, y0), (x1 - 1, y1 - 1), _BOX, 1)
    for d in layout.dividers:
        x0, y0, x1, y1 = d.rect
        cv2.rectangle(img, (x0, y0), (x1 - 1, y1 - 1), _DIVIDER, 1)
        _label(img, f"b{layout.css(d.border.width):g}", (x0 + 2, y1 + 10), _DIVIDER)
    for m in layout.spacing:
        color = _KIND[m.kind]
        cv2.line(img, m.start, m.end, color, 1)
        mid = ((m.start[0] + m.end[0]) // 2, (m.start[1] + m.end[1]) // 2)
        _label(img, label(layout, m), (mid[0] + 2, mid[1] - 2), color)
    for box in layout.boxes:
        if box.radius is not None and box.radius >= 0.75:
            text = f"r{'full ' if box.full_radius else ''}{box.radius:.0f}"
            _label(img, text, (box.rect[0], box.rect[1] - 2), _RADIUS)
    return img


def render_overlays(images: Iterable[Any], config: dict[str, Any] | None = None) -> dict[str, bytes]:
    """`overlays/<image name>.png` -> PNG bytes for each image result that did not fail.

    `images` are pipeline ImageResults (source path and detected scale); each source is
    decoded again, analysed and drawn. A source that no longer decodes is skipped.
    """
    from PIL import Image

    from designlens.errors import InputError
    from designlens.images import decode

    out: dict[str, bytes] = {}
    for result in images:
        if getattr(result, "error", None) is not None:
            continue
        path = Path(result.source)
        try:
            image = decode(path.read_bytes(), str(path))
        except (OSError, InputError):
            continue
        with warnings.catch_warnings():  # already reported when the image was extracted
            warnings.simplefilter("ignore")
            layout = analyze_layout(image.pixels, float(result.scale), config)
        name = f"overlays/{path.stem}.png"
        if name in out:
            name = f"overlays/{path.stem}-{image.id[:8]}.png"
        buf = io.BytesIO()
        Image.fromarray(draw_overlay(image.pixels, layout)).save(buf, format="PNG")
        out[name] = buf.getvalue()
    return out
