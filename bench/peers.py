"""The palette extractors a user would pick instead of designlens, behind one signature.

Each peer takes decoded sRGB pixels (H x W x 3 uint8) and returns its palette as hex,
PALETTE_SIZE colors at most, with the peer's defaults otherwise. Converting the pixels
to the input a peer wants (PIL image, RGBA array) is part of its time. The peers are
not package dependencies: `make bench` installs them (the `bench` extra + Pylette).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
from PIL import Image

PALETTE_SIZE = 16
Pixels = npt.NDArray[np.uint8]


def _hex(colors: Sequence[Sequence[int]]) -> list[str]:
    """Hex of each color; channels clamped, since colorthief's box averages can reach 256."""
    out = []
    for r, g, b, *_ in colors:
        r, g, b = (min(255, max(0, round(float(c)))) for c in (r, g, b))
        out.append(f"#{r:02x}{g:02x}{b:02x}")
    return list(dict.fromkeys(out))


def exact_histogram(px: Pixels) -> list[str]:
    """The PALETTE_SIZE most frequent exact colors (numpy: pack to uint32, unique, top-k)."""
    p = px.reshape(-1, 3).astype(np.uint32)
    codes = (p[:, 0] << 16) | (p[:, 1] << 8) | p[:, 2]
    uniq, counts = np.unique(codes, return_counts=True)
    top = uniq[np.argsort(-counts, kind="stable")[:PALETTE_SIZE]]
    return [f"#{int(c):06x}" for c in top]


def pylette_kmeans(px: Pixels) -> list[str]:
    from pylette import extract_colors

    palette = extract_colors(px, palette_size=PALETTE_SIZE, mode="KM")
    return _hex([c.rgb for c in palette.colors])


def pylette_median_cut(px: Pixels) -> list[str]:
    from pylette import extract_colors

    palette = extract_colors(px, palette_size=PALETTE_SIZE, mode="MC")
    return _hex([c.rgb for c in palette.colors])


def fast_colorthief(px: Pixels) -> list[str]:
    import cv2
    import fast_colorthief as fct

    rgba = cv2.cvtColor(np.ascontiguousarray(px), cv2.COLOR_RGB2RGBA)
    return _hex(fct.get_palette(rgba, color_count=PALETTE_SIZE))


def colorthief(px: Pixels) -> list[str]:
    from colorthief import ColorThief

    thief = ColorThief.__new__(ColorThief)  # its __init__ only opens a file; hand it the image
    thief.image = Image.fromarray(px)
    return _hex(thief.get_palette(color_count=PALETTE_SIZE))


def extcolors(px: Pixels) -> list[str]:
    import extcolors as ext

    colors, _total = ext.extract_from_image(Image.fromarray(px), limit=PALETTE_SIZE)
    return _hex([rgb for rgb, _count in colors])


# name -> (function, module it needs)
PEERS: dict[str, tuple[Callable[[Pixels], list[str]], str]] = {
    "histogram-16 (numpy)": (exact_histogram, "numpy"),
    "Pylette KMeans": (pylette_kmeans, "pylette"),
    "Pylette MedianCut": (pylette_median_cut, "pylette"),
    "fast-colorthief": (fast_colorthief, "fast_colorthief"),
    "colorthief": (colorthief, "colorthief"),
    "extcolors": (extcolors, "extcolors"),
}


def available() -> tuple[dict[str, Callable[[Pixels], list[str]]], list[str]]:
    """(peers whose package is installed, names of the missing ones)."""
    found: dict[str, Callable[[Pixels], list[str]]] = {}
    missing: list[str] = []
    for name, (fn, module) in PEERS.items():
        if importlib.util.find_spec(module) is None:
            missing.append(name)
        else:
            found[name] = fn
    return found, missing


def decode_rgb(data: bytes) -> Pixels:
    """What Pillow takes to decode a file into RGB pixels (the speed bench's yardstick)."""
    import io

    with Image.open(io.BytesIO(data)) as img:
        return np.asarray(img.convert("RGB"))
