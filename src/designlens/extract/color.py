"""Color extraction built for UI screenshots: recover the exact paint, not an average.

The pipeline, all on the full-resolution image (resizing would blend colors):
1. count every exact color;
2. per pixel, find *blends*: a pixel strictly between its two opposite neighbours
   (anti-aliasing, JPEG edges, gradient steps) is evidence of blending, not of paint;
3. find *texture*: areas dense in small colour steps (photos, dithered gradients), whose
   colors must not flood the palette;
4. keep colors with enough *core* support: pixels that are neither blends nor texture and
   that touch an identical neighbour (paint comes in runs; text ink in glyph stems);
5. merge near-identical colors (CIEDE2000 <= 2.0 by default), the most frequent exact
   value standing for the group.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from designlens.colorspace import delta_e_2000, rgb_to_lab
from designlens.images import DecodedImage
from designlens.plugins import source_fingerprint
from designlens.tokens import Color, Provenance, Token

DEFAULTS: dict[str, Any] = {
    "merge_delta_e": 2.0,  # CIEDE2000 radius inside which colors are one paint
    "min_core_share": 1.2e-5,  # least core pixels, as a share of the image (~12 px at 1280x800)
    "min_core_pixels": 6,
    "blend_min_contact": 0.05,  # share of a color's edges that makes a neighbour count
    "min_region_pixels": 400,  # a flat region this large is paint of its own
    "gradient_step": 6,  # RGB units between neighbouring bands of a banded gradient
    "gradient_chain": 5,  # this many such bands in a row make a gradient
    "lossy": False,  # denoise first (set for JPEG/WebP sources)
    "lossy_radius": 4,  # RGB units: JPEG noise on flat paint stays within a few units
    "lossy_gradient_chain": 3,  # denoised gradients keep fewer, wider bands
    "ink_spike": 8.0,  # an ink holds this many times the pixels of the values around it on its ramp
    "texture_window": 9,  # px: neighbourhood for texture density
    "texture_density": 0.45,  # share of the window in small steps that makes it texture
    "max_colors": 64,
}

_SOFT_STEP = 14  # max channel step counted as a "small" step (gradients, noise, JPEG)
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


@dataclass(frozen=True, slots=True)
class PaintColor:
    """One recovered paint: its exact value and how much of the image it covers."""

    rgb: tuple[int, int, int]
    pixels: int  # all pixels of the merged group
    core: int  # core pixels (solid paint evidence)
    members: int  # exact colors merged into it
    region: bool  # fills flat regions of its own (a surface, not a stroke)
    on: tuple[tuple[tuple[int, int, int], int], ...] = ()  # surfaces it sits on, with shared pixel edges


def _kernels() -> ModuleType:
    """The compiled passes, imported on first use: numba costs a process ~80 MB and 0.3 s,
    which processes that only list plugins or aggregate (the CLI's parent, the API) never pay."""
    from designlens.extract import color_kernels

    return color_kernels


def _pack(px: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint32]:
    """One uint32 per pixel (r | g << 8 | b << 16 | 0xff << 24): cheap equality tests."""
    rgba = cv2.cvtColor(np.ascontiguousarray(px), cv2.COLOR_RGB2RGBA)
    return rgba.view(np.uint32)[..., 0]


def _unpack(codes: npt.NDArray[np.uint32]) -> npt.NDArray[np.int64]:
    c = codes.astype(np.int64)
    return np.stack([c & 255, (c >> 8) & 255, (c >> 16) & 255], axis=-1)


def _between(
    p: npt.NDArray[np.int16], a: npt.NDArray[np.int16], b: npt.NDArray[np.int16], slack: float = 0.0
) -> npt.NDArray[np.bool_]:
    """True where p lies strictly inside segment a-b in RGB (a blend of a and b), give or
    take `slack` RGB units of noise."""
    d = (b - a).astype(np.float32)
    v = (p - a).astype(np.float32)
    dd = (d * d).sum(axis=-1)
    t = (v * d).sum(axis=-1) / np.maximum(dd, 1.0)
    resid = v - t[..., None] * d
    dist2 = (resid * resid).sum(axis=-1)
    tol = 3.0 + slack + 0.08 * np.sqrt(dd)
    return np.asarray((dd >= 144.0) & (t > 0.0) & (t < 1.0) & (dist2 <= tol * tol))


def _texture(
    code: npt.NDArray[np.uint32], px: npt.NDArray[np.uint8], config: Mapping[str, Any]
) -> npt.NDArray[np.bool_]:
    """Windows where most pixels sit in small non-zero steps (photos, dithered gradients)."""
    soft = _kernels().soft_steps(code, px, _SOFT_STEP)  # 100 on small steps, so the blur keeps resolution
    k = int(config["texture_window"])
    density = cv2.blur(soft, (k, k), borderType=cv2.BORDER_REFLECT)
    return np.asarray(density >= np.uint8(round(100 * float(config["texture_density"]))))


def _strong(
    contact: npt.NDArray[np.int64], total: npt.NDArray[np.int64], min_contact: float
) -> npt.NDArray[np.bool_]:
    """Whether candidate i touches j along a fair share of ALL of i's edges (candidates or
    not), so a few stray touches never count."""
    return np.asarray((contact >= 2) & (contact >= min_contact * np.maximum(total, 1)[:, None]))


def _touching_blends(
    strong: npt.NDArray[np.bool_], crgb: npt.NDArray[np.int16], slack: float = 0.0
) -> npt.NDArray[np.bool_]:
    """Per candidate: a blend of two candidates it touches (the soft edge of a button on a page)."""
    k = crgb.shape[0]
    result = np.zeros(k, dtype=bool)
    for i in range(k):
        near = np.flatnonzero(strong[i])
        if near.size < 2:
            continue
        ia, ib = np.triu_indices(near.size, k=1)
        me = np.broadcast_to(crgb[i], (ia.size, 3))
        result[i] = bool(_between(me, crgb[near[ia]], crgb[near[ib]], slack).any())
    return result


def _band_links(
    strong: npt.NDArray[np.bool_], crgb: npt.NDArray[np.int16], region: npt.NDArray[np.bool_], max_step: int
) -> npt.NDArray[np.bool_]:
    """Candidates that could be neighbouring bands of one gradient: touching, a few units apart.

    Thin colors (glyph edges) never link, or text would chain a page's background away.
    """
    k = crgb.shape[0]
    step = np.abs(crgb[:, None, :] - crgb[None, :, :]).max(axis=-1)
    linked = (strong | strong.T) & (step <= max_step) & ~np.eye(k, dtype=bool)
    return np.asarray(linked & (region[:, None] | region[None, :]))


def _soft_links(
    contact: npt.NDArray[np.int64], soft: npt.NDArray[np.int64], region: npt.NDArray[np.bool_]
) -> npt.NDArray[np.bool_]:
    """Lossy images: candidates whose shared boundary is no edge in the decoded pixels.

    Denoising a lossy image turns a smooth gradient into a few plateaus with seams where
    the denoiser switched mode, so their values may lie far apart; but across such a seam
    the decoded pixels barely change (`soft`: shared edges with a small step in the decoded
    image), while between two real paints they step by the whole difference. Two region
    candidates whose shared pixel edges are mostly soft are pieces of one continuous field.
    """
    k = region.size
    linked = (contact >= 8) & (soft >= 0.5 * contact) & ~np.eye(k, dtype=bool)
    return np.asarray(linked & region[:, None] & region[None, :])


def _gradient_steps(
    linked: npt.NDArray[np.bool_], counts: npt.NDArray[np.int64], min_chain: int, dominant: float
) -> npt.NDArray[np.bool_]:
    """Per candidate: part of a gradient, i.e. a chain of >= `min_chain` flat bands, each
    linked to the next (see `_band_links`, `_soft_links`). Banded (undithered) gradients are
    exactly that; UI paint never is: neighbouring surfaces differ by more, and never many in
    a row.
    """
    k = linked.shape[0]
    result = np.zeros(k, dtype=bool)
    seen = np.zeros(k, dtype=bool)
    for start in range(k):
        if seen[start] or not linked[start].any():
            continue
        component, frontier = [start], [start]
        seen[start] = True
        while frontier:
            nxt = [int(j) for i in frontier for j in np.flatnonzero(linked[i] & ~seen[: k])]
            nxt = list(dict.fromkeys(nxt))
            seen[nxt] = True
            component.extend(nxt)
            frontier = nxt
        if len(component) < min_chain:
            continue
        sizes = counts[component]
        # Flat paint next to a gradient or soft shadow (a page under card shadows) dominates
        # its chain; the bands of a gradient are all alike. Keep the dominant paints only.
        if sizes.max() >= dominant * sizes.sum():
            result[[c for c, n in zip(component, sizes, strict=True) if n < 0.25 * sizes.max()]] = True
        else:
            result[component] = True
    return result


def _partial_inks(
    rgb: npt.NDArray[np.int16],
    counts: npt.NDArray[np.int64],
    cand: npt.NDArray[np.intp],
    thin: npt.NDArray[np.bool_],
    strong: npt.NDArray[np.bool_],
    spike: float,
) -> npt.NDArray[np.bool_]:
    """Per candidate: a partial-coverage glyph color rather than an ink of its own.

    Glyph edges spread one ink over a ramp of values from the background towards it; thin
    stems that never reach full coverage repeat some of those values often enough to look
    like paint. But a real ink (body text, muted text) is a *spike* on its ramp: it holds
    many more pixels than the values just before and after it on the same line, while a
    partial value is about as frequent as its neighbours.
    """
    if thin.all():  # no background to read a ramp against
        return np.zeros(cand.size, dtype=bool)
    family = np.flatnonzero(counts >= 3)  # photo noise never forms a ramp worth reading
    # sorted by luma, so each ramp's neighbourhood is a slice, not a scan of every color
    luma_all = rgb[family].astype(np.float32) @ _LUMA
    order = np.argsort(luma_all, kind="stable")
    family, luma = family[order], luma_all[order]
    fcount = counts[family]
    return np.asarray(_kernels().partial_inks(
        rgb[cand].astype(np.float64), counts[cand], cand.astype(np.int64), thin, strong,
        rgb[family].astype(np.float64), luma.astype(np.float64), fcount, family.astype(np.int64),
        _LUMA.astype(np.float64), float(spike),
    ))


def snap_lossy_noise(px: npt.NDArray[np.uint8], radius: int = 4) -> npt.NDArray[np.uint8]:
    """Move every pixel to the most frequent exact color of its color neighbourhood.

    JPEG turns one flat paint into a cloud of values a few units apart. Mode seeking
    in RGB (bins of `radius` units, one bin of neighbourhood each way) sends each value
    to the densest nearby value, which for a flat paint is the paint itself.
    """
    code = _pack(px)
    uniq, counts, index = _kernels().count_colors(code)
    rgb = _unpack(uniq)
    q = 255 // radius + 1
    bins = (rgb[:, 0] // radius) * q * q + (rgb[:, 1] // radius) * q + rgb[:, 2] // radius
    total = np.bincount(bins, weights=counts, minlength=q**3)
    order = np.lexsort((uniq, -counts, bins))  # per bin, the most frequent value first (ties: lowest code)
    first = np.ones(order.size, dtype=bool)
    first[1:] = bins[order][1:] != bins[order][:-1]
    best = np.full(q**3, -1, dtype=np.intp)
    best[bins[order][first]] = order[first]
    # each bin points at the fullest bin of its 3x3x3 neighbourhood; follow to the top
    cube = total.reshape(q, q, q)
    padded = np.pad(cube, 1, constant_values=-1.0)
    ids = np.pad(np.arange(q**3).reshape(q, q, q), 1, constant_values=-1)
    top_val = np.full((q, q, q), -1.0)
    top_id = np.arange(q**3).reshape(q, q, q).copy()
    for dr in range(3):
        for dg in range(3):
            for db in range(3):
                v = padded[dr : dr + q, dg : dg + q, db : db + q]
                better = v > top_val
                top_val = np.where(better, v, top_val)
                top_id = np.where(better, ids[dr : dr + q, dg : dg + q, db : db + q], top_id)
    pointer = top_id.ravel()
    for _ in range(16):
        nxt = pointer[pointer]
        if np.array_equal(nxt, pointer):
            break
        pointer = nxt
    representative = best[pointer[bins]]
    return np.asarray(rgb[representative][index], dtype=np.uint8)


def ramp_pixels(px: npt.NDArray[np.uint8], margin: float = 4.0) -> npt.NDArray[np.bool_]:
    """Pixels on the slope of an edge: their luma lies well inside the step between the two
    neighbours they sit between (left-right or up-down), neither at its ends.

    These are partial-coverage pixels (anti-aliasing), whose values run from one paint to
    the other. On a lossy image they must keep their decoded value: snapping them to the
    nearest dense color hands a dark text's anti-aliased edge (#161616 text's 70-90 greys)
    to a muted grey ink that happens to sit there (#525252), which then touches the dark
    ink all round and reads as a blend of it and the page.
    """
    lum: npt.NDArray[np.uint8] = np.asarray(cv2.cvtColor(np.ascontiguousarray(px), cv2.COLOR_RGB2GRAY))
    out = np.zeros(lum.shape, dtype=bool)

    def inside(
        mid: npt.NDArray[np.uint8], a: npt.NDArray[np.uint8], b: npt.NDArray[np.uint8]
    ) -> npt.NDArray[np.bool_]:
        # saturating uint8 arithmetic (cv2): a third of the cost of float temporaries
        lo, hi = cv2.min(a, b), cv2.max(a, b)
        step = cv2.subtract(hi, lo)
        near = cv2.min(cv2.subtract(mid, lo), cv2.subtract(hi, mid))  # 0 outside the step
        # the ends of a step are paint, give or take noise: within max(margin, 15% of it)
        wide = near.astype(np.uint16) * 20 > step.astype(np.uint16) * 3
        return np.asarray((step >= 8 * margin) & (near > margin) & wide)

    out[:, 1:-1] |= inside(lum[:, 1:-1], lum[:, :-2], lum[:, 2:])
    out[1:-1, :] |= inside(lum[1:-1, :], lum[:-2, :], lum[2:, :])
    return out


def find_paint_colors(px: npt.NDArray[np.uint8], config: Mapping[str, Any] | None = None) -> list[PaintColor]:
    """The paint colors of an sRGB screenshot (H x W x 3 uint8), most pixels first."""
    cfg = {**DEFAULTS, **(config or {})}
    h, w = px.shape[:2]
    if h < 2 or w < 2:
        return []
    # One array type for the compiled kernels (decoded pixels are often read-only views; a
    # read-only or strided array would be a new signature to compile).
    raw = px = np.require(px, np.uint8, ["C_CONTIGUOUS", "WRITEABLE"])
    if cfg.get("lossy"):
        snapped = snap_lossy_noise(px, int(cfg["lossy_radius"]))
        px = np.where(ramp_pixels(px, float(cfg["lossy_radius"]))[..., None], px, snapped)
    code = _pack(px)
    texture = _texture(code, px, cfg)
    uniq, counts, index = _kernels().count_colors(code)
    core, solid = _kernels().evidence(code, px, texture, index, uniq.size)

    min_core = max(int(cfg["min_core_pixels"]), round(float(cfg["min_core_share"]) * h * w))
    cand = np.flatnonzero(core >= min_core)
    if cand.size == 0:
        return []
    rgb = _unpack(uniq).astype(np.int16)
    # Flat regions are paint whatever lies around them; only thin things can be blends.
    thin = solid[cand] < 0.5 * counts[cand]
    pos = np.full(uniq.size, -1, dtype=np.int32)
    pos[cand] = np.arange(cand.size, dtype=np.int32)
    seam_step = 2 * int(cfg["lossy_radius"]) if cfg.get("lossy") else -1
    one_way, total, soft_one_way = _kernels().contacts(index, pos, cand.size, raw, seam_step)
    contact = one_way + one_way.T
    strong = _strong(contact, total, float(cfg["blend_min_contact"]))
    crgb = rgb[cand]
    # Lossy edges ring and bleed chroma off the blend line by about a denoising bin each side.
    slack = 2.0 * float(cfg["lossy_radius"]) if cfg.get("lossy") else 0.0
    blend = _touching_blends(strong, crgb, slack)
    blend |= _partial_inks(rgb, counts, cand, thin, strong, float(cfg["ink_spike"]))
    linked = _band_links(strong, crgb, ~thin, int(cfg["gradient_step"]))
    chain, dominant = int(cfg["gradient_chain"]), 0.3
    if cfg.get("lossy"):
        linked |= _soft_links(contact, soft_one_way + soft_one_way.T, ~thin)
        # Fewer, wider bands; and a flat paint that denoising split into modes still holds
        # most of its pixels in one of them, where a gradient's plateaus are more alike.
        chain, dominant = int(cfg["lossy_gradient_chain"]), 0.5
    gradient = _gradient_steps(linked, counts[cand], chain, dominant)
    if cfg.get("lossy"):
        # Denoising replaced the gradient's local value by its plateau's, so an edge against
        # a gradient is no longer a blend of the two candidates it touches: drop thin colors
        # along a gradient. (Exact pixels keep the local value; there the blend test holds.)
        blend |= thin & (strong & gradient[None, :]).any(axis=1)
    kept = np.flatnonzero(~(blend & thin) & ~gradient)
    if kept.size == 0:
        return []
    idx = cand[kept]
    return _merge(uniq[idx], counts[idx], core[idx], solid[idx], contact[np.ix_(kept, kept)], cfg)


def _merge(
    codes: npt.NDArray[np.uint32],
    counts: npt.NDArray[np.int64],
    core: npt.NDArray[np.int64],
    solid: npt.NDArray[np.int64],
    contact: npt.NDArray[np.int64],
    cfg: Mapping[str, Any],
) -> list[PaintColor]:
    """Merge by CIEDE2000, most pixels first: the most frequent exact value stands for a group.

    Two colors that each fill flat regions of their own stay apart even when close
    (a #f8f9fa card on a #ffffff page is two paints, not noise).
    """
    order = np.lexsort((codes, -counts))
    codes, counts, core, solid = codes[order], counts[order], core[order], solid[order]
    contact = contact[np.ix_(order, order)]
    rgb = _unpack(codes)
    lab = rgb_to_lab(rgb)
    de = delta_e_2000(lab[:, None, :], lab[None, :, :])
    regions = (solid >= int(cfg["min_region_pixels"])) & (solid >= 0.5 * counts)
    owner = np.full(len(codes), -1, dtype=np.int64)
    for i in range(len(codes)):
        if owner[i] >= 0:
            continue
        owner[i] = i
        near = (owner < 0) & (de[i] <= float(cfg["merge_delta_e"])) & ~(regions & regions[i])
        owner[near] = i
    heads = np.flatnonzero(owner == np.arange(len(owner)))
    # pixel edges each group shares with each group: what a stroke or text sits on
    onehot = (owner[:, None] == heads[None, :]).astype(np.int64)
    group_contact = onehot.T @ contact @ onehot
    colors: list[PaintColor] = []
    for gi, head in enumerate(heads):
        members = owner == head
        on: tuple[tuple[tuple[int, int, int], int], ...] = ()
        if not regions[head]:
            under = [(int(group_contact[gi, gj]), int(hj)) for gj, hj in enumerate(heads)
                     if regions[hj] and group_contact[gi, gj] > 0]
            under.sort(key=lambda e: (-e[0], e[1]))
            on = tuple(((int(rgb[hj, 0]), int(rgb[hj, 1]), int(rgb[hj, 2])), n) for n, hj in under[:4])
        colors.append(
            PaintColor(
                rgb=(int(rgb[head, 0]), int(rgb[head, 1]), int(rgb[head, 2])),
                pixels=int(counts[members].sum()),
                core=int(core[members].sum()),
                members=int(members.sum()),
                region=bool(regions[head]),
                on=on,
            )
        )
    colors.sort(key=lambda c: (-c.pixels, c.rgb))
    return colors[: int(cfg["max_colors"])]


def _paint_extensions(paint: PaintColor) -> dict[str, Any]:
    """What the aggregator and the contrast analyzer read beyond the value."""
    ext: dict[str, Any] = {"region": paint.region}
    if paint.on:
        ext["on"] = [{"color": "#{:02x}{:02x}{:02x}".format(*rgb), "pixels": n} for rgb, n in paint.on]
    return ext


class ColorExtractor:
    """The built-in color extractor (entry point `designlens.extractors:color`)."""

    name = "color"
    defaults = DEFAULTS  # the config keys it reads (`designlens extract --set TYPE.KEY=VALUE`)
    # The source fingerprint keys the result cache: any change to this algorithm invalidates it.
    version = f"0.2.0+{source_fingerprint(__file__, str(Path(__file__).with_name('color_kernels.py')))}"
    token_type = "color"

    def extract(self, image: DecodedImage, config: Mapping[str, Any]) -> list[Token]:
        total = image.width * image.height
        tokens: list[Token] = []
        settings = {"lossy": image.lossy, **config}
        for paint in find_paint_colors(image.pixels, settings):
            share = paint.pixels / total
            confidence = min(1.0, paint.core / max(paint.pixels, 1) + 0.25)
            tokens.append(
                Token(
                    name=f"color.{Color.from_rgb(*paint.rgb).hex[1:]}",
                    type="color",
                    value=Color.from_rgb(*paint.rgb),
                    confidence=round(confidence, 4),
                    provenance=(Provenance(image.id, image.source, paint.pixels, share),),
                    extensions=_paint_extensions(paint),
                )
            )
        return tokens
