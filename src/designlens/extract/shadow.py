"""Box shadows from pixels: the intensity fall-off outside a box's straight edges.

A CSS box shadow is a blurred copy of the box: outside a straight edge, far from the
corners, it darkens the background by `A * Q((d - e) / sigma)`, where d is the distance
from the edge, Q the Gaussian tail, sigma half the CSS blur radius, A the shadow's alpha
times the contrast of its colour with the background, and e how far the shadow's own edge
sits outside the box's (`spread + offset` on the far side, `spread - offset` on the near
side). The bottom edge (light from above) is fitted; the top edge and the two sides are
read with its amplitude and sigma, and combining opposite edges gives the x and y
offsets, spread, blur and colour with alpha. One layer per box: a stack of layers is
fitted as the single fall-off closest to it, and inset shadows are not looked for.

Boxes are found just well enough for this: long straight edges (rows of equal steps)
whose box side is flat paint. No fall-off, no token: a page without shadows gives none.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from statistics import NormalDist
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from designlens.images import DecodedImage
from designlens.plugins import source_fingerprint
from designlens.tokens import Color, Dimension, Provenance, Shadow, ShadowLayer, Token

DEFAULTS: dict[str, Any] = {
    "min_edge": 40,  # image px (at scale 1): a box edge at least this long
    "min_step": 4,  # grey levels across the edge
    "reach": 40,  # px (at scale 1) of profile read outside an edge
    "min_amplitude": 2.5,  # grey levels of darkening at the edge before it counts
    "min_sigma": 1.0,  # px: a sharper fall-off is a border or anti-aliasing, not a shadow
    "max_alpha": 0.6,  # a black shadow darker than this is a dark element's edge, not a shadow
    "min_box": 16,  # px (at scale 1): boxes thinner than this are rules, inputs' lines, text
}

_NORMAL = NormalDist()
_SIGMAS = np.geomspace(0.5, 24.0, 28)


@dataclass(frozen=True, slots=True)
class EdgeFit:
    """One edge's fall-off: amplitude (grey levels), edge offset and sigma (image px)."""

    amplitude: float
    offset: float
    sigma: float
    residual: float  # RMS of the fit, grey levels


@dataclass(frozen=True, slots=True)
class BoxShadow:
    """One box's fitted shadow (image px) and where it was seen."""

    box: tuple[int, int, int, int]  # x, y, width, height
    offset_x: float
    offset_y: float
    blur: float
    spread: float
    rgb: tuple[int, int, int]
    alpha: float
    inset: bool
    quality: float  # 0..1: how well the fall-off fitted and how many edges agreed


def _tail(z: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Upper Gaussian tail 1 - Phi(z), via the complementary error function."""
    return np.asarray(0.5 * _erfc(z / math.sqrt(2.0)))


def _erfc(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    # Abramowitz-Stegun 7.1.26 (|error| < 1.5e-7): numpy has no erf, and this is all we need
    t = 1.0 / (1.0 + 0.3275911 * np.abs(x))
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    y = poly * np.exp(-x * x)
    return np.asarray(np.where(x >= 0, y, 2.0 - y))


@lru_cache(maxsize=64)
def _basis(n: int) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Fall-off curves for every (sigma, offset) on a profile of n px, and their offsets."""
    d = np.arange(n, dtype=np.float64) + 0.5
    offsets = np.arange(-2.0, n / 2, 0.5)
    basis = _tail(
        (d[None, None, :] - offsets[None, :, None]) / _SIGMAS[:, None, None]
    )  # sigmas x offsets x n
    norm = (basis * basis).sum(axis=2)
    return basis, np.maximum(norm, 1e-9), offsets


def fit_falloff(profile: npt.NDArray[np.float64]) -> EdgeFit | None:
    """Fit darkening `profile` (grey levels at d = 0, 1, ... px outside an edge).

    Grid over sigma and edge offset (curves cached per profile length) with the amplitude
    solved in closed form; None when nothing darkens the edge.
    """
    n = profile.size
    if n < 6 or float(profile[:3].max()) <= 0:
        return None
    basis, norm, offsets = _basis(n)
    amp = np.maximum((basis @ profile) / norm, 0.0)  # sigmas x offsets
    res = np.sqrt(np.mean((amp[:, :, None] * basis - profile[None, None, :]) ** 2, axis=2))
    si, oi = np.unravel_index(int(np.argmin(res)), res.shape)
    return EdgeFit(float(amp[si, oi]), float(offsets[oi]), float(_SIGMAS[si]), float(res[si, oi]))


@dataclass(frozen=True, slots=True)
class _Edge:
    """A straight horizontal edge in (possibly transposed) grey image coordinates."""

    y: int  # the last row of the box side
    x0: int
    x1: int
    box_above: bool  # the box lies above the edge (rows <= y), the outside below


def _runs(mask: npt.NDArray[np.uint8], min_len: int) -> tuple[npt.NDArray[np.intp], ...]:
    """(row, start, end) of horizontal runs of ones at least `min_len` long.

    An erosion by a 1 x min_len line keeps only the insides of long runs, so the run
    bookkeeping touches a few rows instead of the whole image.
    """
    kernel = np.ones((1, min_len), dtype=np.uint8)
    core = cv2.erode(mask, kernel, anchor=(0, 0), borderType=cv2.BORDER_CONSTANT, borderValue=0)
    rows = np.flatnonzero(core.any(axis=1))
    if rows.size == 0:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty, empty
    padded = np.pad(core[rows].astype(np.int8), ((0, 0), (1, 1)))
    diff = np.diff(padded, axis=1)
    r, starts = np.nonzero(diff == 1)
    _, ends = np.nonzero(diff == -1)
    # a core pixel at x means mask[x : x + min_len] is all ones
    return rows[r], starts, ends + min_len - 1


def _edges(g: npt.NDArray[np.uint8], min_len: int, min_step: int, min_fade: float) -> list[_Edge]:
    """Long runs of equal-signed vertical steps below which the grey still brightens.

    A box bottom with a shadow under it is darker just outside than a few rows further
    out; borders, table rules and text baselines are not, and are dropped here in bulk
    before any profile is read.
    """
    h = g.shape[0]
    out: list[_Edge] = []
    up = cv2.subtract(g[:-1], g[1:])  # saturating: darker below
    down = cv2.subtract(g[1:], g[:-1])  # brighter below
    for step in (up, down):
        ys, starts, ends = _runs((step >= min_step).astype(np.uint8), min_len)
        keep = ys + 5 < h
        ys, starts, ends = ys[keep], starts[keep], ends[keep]
        trim = np.maximum(4, (ends - starts) // 6)
        a, b = starts + trim, ends - trim
        wide = b - a >= 4
        ys, starts, ends, a, b = ys[wide], starts[wide], ends[wide], a[wide], b[wide]
        if ys.size == 0:
            continue
        # mean grey of rows y + 1 and y + 4 over a:b, from prefix sums of just those rows,
        # once per row however many runs it holds (a table's rule row holds one per cell;
        # integer sums, so the same float64 means as ndarray.mean)
        uy, k = np.unique(ys, return_inverse=True)
        means = []
        for dy in (1, 4):
            rows = np.zeros((uy.size, g.shape[1] + 1), dtype=np.int64)
            np.cumsum(g[uy + dy], axis=1, out=rows[:, 1:])
            means.append((rows[k, b] - rows[k, a]) / (b - a))
        fades = np.flatnonzero(means[1] - means[0] >= min_fade)
        for y, x0, x1 in zip(ys[fades].tolist(), starts[fades].tolist(), ends[fades].tolist(), strict=True):
            out.append(_Edge(int(y), int(x0), int(x1), True))
    out.sort(key=lambda e: (e.y, e.x0))
    return out


def _profile(
    g: npt.NDArray[np.float32] | npt.NDArray[np.uint8], y: int, x0: int, x1: int, step: int, reach: int
) -> npt.NDArray[np.float64] | None:
    """Mean grey of rows y, y+step, ... (reach rows) over columns x0:x1; None at the border.

    Summed and divided in float32 whether `g` is 8-bit or float32 grey: sums of grey
    levels are whole numbers well within float32's exact range, so both give the same."""
    last = y + step * (reach - 1)
    if min(y, last) < 0 or max(y, last) >= g.shape[0]:
        return None
    band = g[y : last + 1, x0:x1] if step > 0 else g[last : y + 1, x0:x1][::-1]
    return np.asarray(band.mean(axis=1, dtype=np.float32), dtype=np.float64)


def _until_next_surface(prof: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The profile up to the next element: a shadow fades smoothly, a neighbour's edge jumps."""
    values = prof.tolist()  # a short loop: Python floats beat numpy scalars here
    for i in range(2, len(values) - 1):
        step, before = values[i + 1] - values[i], values[i] - values[i - 1]
        if abs(step) > max(2.0, 1.5 * abs(before) + 1.0):
            return prof[: i + 1]
        if step < -0.5:  # darkening again: the next element's own shadow begins
            return prof[: i + 1]
    return prof


def _side_fit(
    g: npt.NDArray[np.uint8],
    edge_row: int,
    x0: int,
    x1: int,
    outward: int,
    cfg: Mapping[str, Any],
    scale: float,
) -> tuple[EdgeFit | None, float, float]:
    """Fit the fall-off beyond one edge: (fit, background grey, box grey).

    `edge_row` is the first row outside the box, `outward` +1 (down) or -1 (up).
    """
    reach = round(float(cfg["reach"]) * scale)
    prof = _profile(g, edge_row, x0, x1, outward, reach)
    inside = _profile(g, edge_row - outward, x0, x1, -outward, 3)
    if prof is None or inside is None:
        return None, 0.0, 0.0
    prof = _until_next_surface(prof)
    box_grey = float(inside.mean())
    if prof.size < 6:
        return None, 0.0, box_grey
    # the early tests on Python floats: most edges (table rules, stripes) stop here
    values = prof.tolist()
    tail = sorted(values[-max(3, len(values) // 5) :])
    k = len(tail)
    far = tail[k // 2] if k % 2 else 0.5 * (tail[k // 2 - 1] + tail[k // 2])
    ins = inside.tolist()
    if tail[-1] - tail[0] > 1.5 or max(ins) - min(ins) > 1.5:
        return None, far, box_grey  # not flat paint on both sides: no clean fall-off
    d0, d1 = far - values[0], far - values[1]
    if d0 < float(cfg["min_amplitude"]):
        return None, far, box_grey
    if d1 < 0.25 * d0:
        return None, far, box_grey  # a one-pixel step: a border or anti-aliasing
    # monotone fall-off (1 level of slack): gradients and neighbours are not shadows
    if any(b - a < -1.0 for a, b in pairwise(values)):
        return None, far, box_grey
    # every column darkens alike along a shadowed edge; photos and text do not
    first = g[edge_row, x0:x1].astype(np.float32)
    if np.mean(far - first >= 0.5 * d0) < 0.8:
        return None, far, box_grey
    dark = far - prof
    fit = fit_falloff(np.clip(dark, 0.0, None))
    return fit, far, box_grey


def find_shadows(
    px: npt.NDArray[np.uint8], scale: float = 1.0, config: Mapping[str, Any] | None = None
) -> list[BoxShadow]:
    """Outer shadows under boxes of an sRGB screenshot, one per box that shows one."""
    cfg = {**DEFAULTS, **(config or {})}
    if px.shape[0] < 8 or px.shape[1] < 8:
        return []  # no box with an edge and room for a fall-off fits
    grey = np.asarray(cv2.cvtColor(np.ascontiguousarray(px), cv2.COLOR_RGB2GRAY), dtype=np.uint8)
    g: npt.NDArray[np.float32] | None = None  # float grey, made when a box is measured
    rgb = px  # read only where a shadow was found
    min_len = round(float(cfg["min_edge"]) * scale)
    found: list[BoxShadow] = []
    seen: list[tuple[int, int, int, int]] = []
    done: list[_Edge] = []
    for e in _edges(grey, min_len, int(cfg["min_step"]), 0.5 * float(cfg["min_amplitude"])):
        # the rows of one soft edge all step: read each edge once
        if any(abs(e.y - o.y) <= 2 and abs(e.x0 - o.x0) <= 4 and abs(e.x1 - o.x1) <= 4 for o in done[-8:]):
            continue
        done.append(e)
        # trim the ends: corners and radii bend the profile
        trim = max(4, (e.x1 - e.x0) // 6)
        x0, x1 = e.x0 + trim, e.x1 - trim
        if x1 - x0 < 8:
            continue
        # the bottom edge carries the shadow of any downward offset (the usual light from
        # above): it is the main witness; the top edge is read against it
        for box_above in (True,):
            outward = 1 if box_above else -1
            first_out = e.y + 1 if box_above else e.y
            fit, far, _ = _side_fit(grey, first_out, x0, x1, outward, cfg, scale)
            min_sigma = float(cfg["min_sigma"]) * scale
            if fit is None or fit.sigma < min_sigma or fit.amplitude < float(cfg["min_amplitude"]):
                continue
            if fit.residual > 0.2 * fit.amplitude + 0.5:
                continue
            if g is None:
                g = grey.astype(np.float32)
            shadow = _box_shadow(g, rgb, e, box_above, fit, far, cfg, scale)
            if shadow is None:
                continue
            if any(_same_box(shadow.box, s) for s in seen):
                continue
            seen.append(shadow.box)
            found.append(shadow)
    return found


def _same_box(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return (
        abs(a[0] - b[0]) <= 6 and abs(a[1] - b[1]) <= 6 and abs(a[2] - b[2]) <= 12 and abs(a[3] - b[3]) <= 12
    )


def _box_shadow(
    g: npt.NDArray[np.float32],
    rgb: npt.NDArray[np.uint8],
    e: _Edge,
    box_above: bool,
    main: EdgeFit,
    far: float,
    cfg: Mapping[str, Any],
    scale: float,
) -> BoxShadow | None:
    """Find the opposite edge of the box, fit it with the main edge's amplitude and sigma."""
    h = g.shape[0]
    trim = max(4, (e.x1 - e.x0) // 6)
    x0, x1 = e.x0 + trim, e.x1 - trim
    surface_row = e.y if box_above else e.y + 1
    surface = g[surface_row, x0:x1].mean()
    # walk into the box along the edge until the paint changes on most columns: the far side
    step = -1 if box_above else 1
    far_side = _walk(g, surface_row, step, x0, x1, float(surface))  # last box row on the far side
    size = abs(far_side - surface_row) + 1
    if size < float(cfg["min_box"]) * scale:
        return None
    # the opposite edge's fall-off, read with the main fit's amplitude and sigma
    reach = round(float(cfg["reach"]) * scale)
    opposite = _edge_extent(g, far_side + step, x0, x1, step, reach, main)
    if opposite is None:
        # the far side cannot be read (no clean fall-off there): all of the offset, no spread
        offset_y, spread = main.offset, 0.0
    else:
        offset_y, spread = (main.offset - opposite) / 2.0, (main.offset + opposite) / 2.0
    # the sides, read the same way across the box's middle rows (the image transposed):
    # how far the shadow reaches beyond each gives the horizontal offset
    top = min(surface_row, far_side)
    r0, r1 = top + size // 4, top + (3 * size) // 4
    offset_x = 0.0
    if r1 - r0 >= 4:
        gt = g.T
        left = _walk(gt, x0, -1, r0, r1, float(surface))
        right = _walk(gt, x1 - 1, 1, r0, r1, float(surface))
        e_left = _edge_extent(gt, left - 1, r0, r1, -1, reach, main)
        e_right = _edge_extent(gt, right + 1, r0, r1, 1, reach, main)
        if e_left is not None and e_right is not None:
            offset_x = (e_right - e_left) / 2.0
    top = min(surface_row, far_side)
    box = (e.x0, top, e.x1 - e.x0, size)
    # colour: black unless the darkening is tinted; alpha from the amplitude at full cover
    outside_row = e.y + 1 if box_above else e.y
    far_row = int(np.clip(outside_row + (1 if box_above else -1) * (reach - 1), 0, h - 1))
    bg = rgb[far_row, x0:x1].astype(np.float64).mean(axis=0)
    alpha = main.amplitude / max(far, 1.0)
    if alpha > float(cfg["max_alpha"]):
        return None  # darker than any UI shadow over this background: an edge of something dark

    shade = bg * (1.0 - alpha)
    observed_peak = rgb[outside_row, x0:x1].astype(np.float64).mean(axis=0)
    peak_share = float(_tail(np.array([(0.5 - main.offset) / main.sigma]))[0])
    expected = bg - (bg - shade) * peak_share
    tinted = float(np.abs(observed_peak - expected).max()) > 6.0  # JPEG and rounding stay black
    color = (0, 0, 0)
    if tinted and peak_share > 0.2:
        a_eff = alpha * peak_share
        c = (observed_peak - bg * (1.0 - a_eff)) / max(a_eff, 1e-6)
        color = tuple(int(v) for v in np.clip(np.round(c), 0, 255))  # type: ignore[assignment]
    quality = float(np.clip(1.0 - main.residual / max(main.amplitude, 1e-6), 0.0, 1.0))
    return BoxShadow(
        box=box,
        offset_x=offset_x,
        offset_y=offset_y,
        blur=2.0 * main.sigma,
        spread=spread,
        rgb=(int(color[0]), int(color[1]), int(color[2])),
        alpha=alpha,
        inset=False,
        quality=quality,
    )


def _edge_extent(
    g: npt.NDArray[np.float32], out: int, x0: int, x1: int, step: int, reach: int, main: EdgeFit
) -> float | None:
    """How far (px) the shadow's edge lies beyond a box edge whose first outside row is
    `out`, from the darkening there under the main edge's amplitude and sigma (negative:
    inside); None without a clean fall-off to read."""
    prof = _profile(g, out, x0, x1, step, reach)
    if prof is None:
        return None
    prof = _until_next_surface(prof)
    if prof.size < 6:
        return None
    dark = float(np.median(prof[-max(3, prof.size // 5) :])) - prof
    if np.any(np.diff(dark) > 1.0) or float(dark[0]) <= 0.5:
        return None
    share = min(max(float(dark[0]) / main.amplitude, 1e-3), 0.999)
    return 0.5 - main.sigma * _NORMAL.inv_cdf(1.0 - share)


def _walk(g: npt.NDArray[np.float32], row: int, step: int, x0: int, x1: int, surface: float) -> int:
    """The last row from `row` on (going `step`) before nearly every column of x0:x1 leaves
    the `surface` grey: the box's far side (text rows leave gaps, so 90% must change).
    Rows are read in blocks, not one by one."""
    h = g.shape[0]
    y, block = row, 32
    while 0 <= y + step < h:
        end = min(max(y + step * block, -1), h)
        rows = (
            g[y + step : end : step, x0:x1]
            if step > 0
            else g[y - 1 : (end if end >= 0 else None) : -1, x0:x1]
        )
        ends = np.flatnonzero(np.mean(np.abs(rows - surface) > 2.0, axis=1) >= 0.9)
        if ends.size:
            return y + step * int(ends[0])
        y += step * rows.shape[0]
        block *= 2
    return y


def _round_px(v: float) -> float:
    return round(v * 2) / 2


class ShadowExtractor:
    """The built-in shadow extractor (entry point `designlens.extractors:shadow`)."""

    name = "shadow"
    defaults = DEFAULTS  # the config keys it reads (`designlens extract --set TYPE.KEY=VALUE`)
    # The source fingerprint keys the result cache: any change to the fit invalidates it.
    version = f"0.2.0+{source_fingerprint(__file__)}"
    token_type = "shadow"

    def extract(self, image: DecodedImage, config: Mapping[str, Any]) -> list[Token]:
        shadows = find_shadows(image.pixels, image.scale, config)
        groups: dict[tuple[Any, ...], list[BoxShadow]] = {}
        s = image.scale
        for sh in shadows:
            key = (
                _round_px(sh.offset_x / s),
                _round_px(sh.offset_y / s),
                _round_px(sh.blur / s),
                _round_px(sh.spread / s),
                sh.rgb,
                round(sh.alpha, 2),
                sh.inset,
            )
            groups.setdefault(key, []).append(sh)
        total = image.width * image.height
        tokens = []
        for i, (key, members) in enumerate(sorted(groups.items(), key=lambda kv: -len(kv[1])), start=1):
            ox, oy, blur, spread, color, alpha, inset = key
            layer = ShadowLayer(
                color=Color.from_rgb(*color, alpha=alpha),
                offset_x=Dimension(ox),
                offset_y=Dimension(oy),
                blur=Dimension(blur),
                spread=Dimension(spread),
                inset=inset,
            )
            lead = max(members, key=lambda m: m.box[2] * m.box[3])
            pixels = sum(m.box[2] * m.box[3] for m in members)
            tokens.append(
                Token(
                    name=f"shadow.raw{i}",
                    type="shadow",
                    value=Shadow((layer,)),
                    confidence=round(float(np.mean([m.quality for m in members])), 4),
                    provenance=(
                        Provenance(image.id, image.source, pixels, round(pixels / total, 6), lead.box),
                    ),
                    extensions={"boxes": len(members)},
                )
            )
        return tokens
