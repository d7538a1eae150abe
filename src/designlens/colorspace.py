"""Color maths used across stages: Lab/OKLab conversion, CIEDE2000, WCAG contrast, CSS names.

Array functions (thousands of colors at once) are numpy; OKLCH and CSS names follow
coloraide's conversion bit for bit, on arrays. All take 8-bit sRGB.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from coloraide import Color as _CColor
from coloraide.css import color_names
from coloraide.spaces import oklab as _oklab
from coloraide.spaces import srgb_linear as _srgb_linear

FloatArray = npt.NDArray[np.float64]


_XYZ_FROM_SRGB = np.array(
    [
        [0.4123907992659595, 0.357584339383878, 0.1804807884018343],
        [0.21263900587151036, 0.715168678767756, 0.07219231536073371],
        [0.01933081871559185, 0.11919477979462598, 0.9505321522496606],
    ]
)
_D65 = np.array([0.95047, 1.0, 1.08883])


def _linear(c: FloatArray) -> FloatArray:
    """sRGB transfer function undone (coloraide's form: sign-mirrored below zero)."""
    mag = np.abs(c)
    return np.asarray(np.where(mag > 0.04045, np.copysign(((mag + 0.055) / 1.055) ** 2.4, c), c / 12.92))


def rgb_to_lab(rgb: npt.ArrayLike) -> FloatArray:
    """CIE Lab (D65, 2 degree observer) of 8-bit sRGB colors, shape (..., 3)."""
    linear = _linear(np.asarray(rgb, dtype=np.float64) / 255.0)
    xyz = (linear @ _XYZ_FROM_SRGB.T) / _D65
    eps, kappa = 216 / 24389, 24389 / 27
    f = np.where(xyz > eps, np.cbrt(xyz), (kappa * xyz + 16) / 116)
    lab = np.empty_like(f)
    lab[..., 0] = 116 * f[..., 1] - 16
    lab[..., 1] = 500 * (f[..., 0] - f[..., 1])
    lab[..., 2] = 200 * (f[..., 1] - f[..., 2])
    return np.asarray(lab, dtype=np.float64)


def delta_e_2000(lab1: npt.ArrayLike, lab2: npt.ArrayLike) -> FloatArray:
    """CIEDE2000 (Sharma, Wu and Dalal 2005) between Lab colors, broadcasting over (..., 3).

    Meaningful for small differences only; order far-apart colors in OKLab instead.
    """
    a = np.asarray(lab1, dtype=np.float64)
    b = np.asarray(lab2, dtype=np.float64)
    l1, a1, b1 = a[..., 0], a[..., 1], a[..., 2]
    l2, a2, b2 = b[..., 0], b[..., 1], b[..., 2]
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar**7 / (c_bar**7 + 25.0**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    dlp = l2 - l1
    dcp = c2p - c1p
    zero = (c1p * c2p) == 0
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(zero, 0.0, dh)
    dhp = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh) / 2)
    lbp = (l1 + l2) / 2
    cbp = (c1p + c2p) / 2
    hsum = h1p + h2p
    hbp = np.where(
        zero,
        hsum,
        np.where(
            np.abs(h1p - h2p) <= 180, hsum / 2, np.where(hsum < 360, (hsum + 360) / 2, (hsum - 360) / 2)
        ),
    )
    t = (
        1
        - 0.17 * np.cos(np.radians(hbp - 30))
        + 0.24 * np.cos(np.radians(2 * hbp))
        + 0.32 * np.cos(np.radians(3 * hbp + 6))
        - 0.20 * np.cos(np.radians(4 * hbp - 63))
    )
    d_theta = 30 * np.exp(-(((hbp - 275) / 25) ** 2))
    rc = 2 * np.sqrt(cbp**7 / (cbp**7 + 25.0**7))
    sl = 1 + 0.015 * (lbp - 50) ** 2 / np.sqrt(20 + (lbp - 50) ** 2)
    sc = 1 + 0.045 * cbp
    sh = 1 + 0.015 * cbp * t
    rt = -np.sin(np.radians(2 * d_theta)) * rc
    return np.asarray(
        np.sqrt((dlp / sl) ** 2 + (dcp / sc) ** 2 + (dhp / sh) ** 2 + rt * (dcp / sc) * (dhp / sh)),
        dtype=np.float64,
    )


def relative_luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG 2.x relative luminance of an 8-bit sRGB color."""
    channels = []
    for c in rgb:
        s = c / 255.0
        channels.append(s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG 2.x contrast ratio, 1..21."""
    la, lb = relative_luminance(a), relative_luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def _rows(m: Sequence[Sequence[float]], x: FloatArray, y: FloatArray, z: FloatArray) -> list[FloatArray]:
    """A 3x3 matrix times column vectors, summed left to right as coloraide does (same bits)."""
    return [r[0] * x + r[1] * y + r[2] * z for r in m]


def _oklab_rows(rgb: npt.ArrayLike) -> list[FloatArray]:
    """OKLab L, a, b of 8-bit sRGB colors: coloraide's conversion (its matrices and order of
    operations), on arrays. One color at a time through coloraide took most of the merge."""
    linear = _linear(np.asarray(rgb, dtype=np.float64).reshape(-1, 3) / 255.0)
    xyz = _rows(_srgb_linear.RGB_TO_XYZ, linear[:, 0], linear[:, 1], linear[:, 2])
    lms = _rows(_oklab.XYZD65_TO_LMS, *xyz)
    lms3 = [np.copysign(np.abs(v) ** (3**-1), v) for v in lms]
    return _rows(_oklab.LMS3_TO_OKLAB, *lms3)


def oklch_array(rgb: npt.ArrayLike) -> FloatArray:
    """OKLCH of 8-bit sRGB colors, shape (N, 3); hue 0 for achromatic colors (chroma < 1e-4)."""
    lightness, a, b = _oklab_rows(rgb)
    chroma = np.sqrt(a**2 + b**2)
    hue = np.where(chroma < 1e-4, 0.0, np.degrees(np.arctan2(b, a)) % 360)
    return np.stack([lightness, chroma, hue], axis=1)


def oklch(rgb: tuple[int, int, int]) -> tuple[float, float, float]:
    """OKLCH (L 0..1, chroma, hue degrees; hue 0 for achromatic colors)."""
    lightness, chroma, hue = oklch_array([rgb])[0]
    return float(lightness), float(chroma), float(hue)


def max_chroma(lightness: float, hue: float) -> float:
    """The largest OKLCH chroma sRGB can show at this lightness and hue (bisection)."""
    lo, hi = 0.0, 0.4
    for _ in range(18):
        mid = (lo + hi) / 2
        if _CColor("oklch", [lightness, mid, hue]).convert("srgb").in_gamut(tolerance=0):
            lo = mid
        else:
            hi = mid
    return lo


@lru_cache(maxsize=1)
def _named_oklab() -> tuple[list[str], FloatArray]:
    names = sorted(n for n in color_names.name2val_map if n != "transparent")
    labs = []
    for name in names:
        labs.append(_CColor(name).convert("oklab").coords())
    return names, np.asarray(labs, dtype=np.float64)


def nearest_css_names(rgb: npt.ArrayLike) -> list[str]:
    """For each 8-bit sRGB color, the CSS named color nearest in OKLab (names sorted, so
    ties resolve the same way)."""
    names, labs = _named_oklab()
    lab = np.stack(_oklab_rows(rgb), axis=1)
    dist = ((labs[None, :, :] - lab[:, None, :]) ** 2).sum(axis=2)
    return [names[int(i)] for i in np.argmin(dist, axis=1)]
