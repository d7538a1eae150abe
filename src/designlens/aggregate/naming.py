"""Deterministic, human-meaningful color names: hue family + lightness step (50 lightest)."""

from __future__ import annotations

from collections.abc import Sequence

from designlens.colorspace import max_chroma

STEPS = (50, 100, 200, 300, 400, 500, 600, 700, 800, 900, 950)
# OKLCH lightness each step aims at (roughly Tailwind's ramps).
_STEP_L = (0.97, 0.93, 0.87, 0.80, 0.71, 0.62, 0.53, 0.45, 0.37, 0.29, 0.21)
# Hue families by OKLCH hue (degrees, upper bound exclusive), checked in order.
_FAMILIES = (
    (15.0, "pink"),
    (45.0, "red"),
    (70.0, "orange"),
    (110.0, "yellow"),
    (135.0, "lime"),
    (165.0, "green"),
    (200.0, "teal"),
    (230.0, "cyan"),
    (270.0, "blue"),
    (295.0, "indigo"),
    (320.0, "violet"),
    (345.0, "purple"),
    (360.1, "pink"),
)
GREY_CHROMA = 0.045  # tinted greys (slate, zinc) read as greys, not as pale blues...
GREY_SHARE = 0.6  # ...unless they hold a good share of the chroma possible at their lightness
FAMILY_ORDER = ("gray", "red", "orange", "yellow", "lime", "green", "teal", "cyan", "blue", "indigo",
                "violet", "purple", "pink")


def family(oklch: tuple[float, float, float]) -> str:
    """Hue family of an OKLCH color; low chroma is `gray` (tinted greys stay grey).

    Chroma is judged against what sRGB can show at that lightness, so a pale tint such as
    #eff6ff (little chroma, but most of what is possible that light) stays blue.
    """
    lightness, chroma, hue = oklch
    if chroma < GREY_CHROMA and chroma < GREY_SHARE * max_chroma(lightness, hue):
        return "gray"
    for bound, name in _FAMILIES:
        if hue < bound:
            return name
    return "pink"


def nearest_step(lightness: float) -> int:
    return min(range(len(STEPS)), key=lambda i: (abs(_STEP_L[i] - lightness), i))


def name_colors(colors: Sequence[tuple[str, tuple[float, float, float]]]) -> dict[str, str]:
    """Map each hex to a name like `gray.900`, `blue.500`, `white`, `black`.

    Within a family, colors are placed lightest first on the nearest free step, so two
    close colors never collide; a family with more colors than steps gets suffixed steps.
    """
    names: dict[str, str] = {}
    by_family: dict[str, list[tuple[str, tuple[float, float, float]]]] = {}
    for hex_, lch in colors:
        if hex_ == "#ffffff":
            names[hex_] = "white"
        elif hex_ == "#000000":
            names[hex_] = "black"
        else:
            by_family.setdefault(family(lch), []).append((hex_, lch))
    for fam, members in by_family.items():
        members.sort(key=lambda m: (-m[1][0], m[0]))  # lightest first
        used: set[int] = set()
        for hex_, lch in members:
            want = nearest_step(lch[0])
            free = [i for i in range(len(STEPS)) if i not in used]
            if free:
                # nearest free step that keeps lightness order (never lighter than one used)
                later = [i for i in free if i >= max(used, default=-1)] or free
                pick = min(later, key=lambda i: (abs(i - want), i))
                used.add(pick)
                names[hex_] = f"{fam}.{STEPS[pick]}"
            else:
                names[hex_] = f"{fam}.{STEPS[want]}-{hex_[1:]}"
    return names
