"""`--scale auto`: the device scale read from hairline thickness."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from designlens.extract.scale import detect_scale

PAGES = Path(__file__).resolve().parents[2] / "eval" / "pages"


def pixels(name: str) -> np.ndarray:
    return np.asarray(Image.open(PAGES / name).convert("RGB"))


def test_browser_renders_at_1x_and_2x_are_told_apart() -> None:
    assert detect_scale(pixels("login.png")) == 1.0
    assert detect_scale(pixels("docs.png")) == 1.0
    assert detect_scale(pixels("docs@2x.png")) == 2.0
    assert detect_scale(pixels("pricing@2x.png")) == 2.0


def test_a_3x_screen_has_three_pixel_hairlines() -> None:
    px = pixels("login.png")
    assert detect_scale(np.repeat(np.repeat(px, 3, axis=0), 3, axis=1)) == 3.0


def test_an_image_without_hairlines_is_taken_as_1x() -> None:
    assert detect_scale(np.full((200, 300, 3), 255, np.uint8)) == 1.0
    assert detect_scale(np.zeros((2, 2, 3), np.uint8)) == 1.0
