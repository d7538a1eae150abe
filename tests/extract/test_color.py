"""The color extractor on generated screenshots whose paint is known."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageCms, ImageDraw, ImageFont
from tests.synthetic import FONT, UI_PAINT, draw_ui, pixels

from designlens.extract.color import find_paint_colors
from designlens.images import decode


def hexes(px: np.ndarray, **config: object) -> list[str]:
    return ["#%02x%02x%02x" % c.rgb for c in find_paint_colors(px, config)]


def test_every_paint_of_a_ui_screen_is_recovered_with_its_exact_hex() -> None:
    found = hexes(pixels(draw_ui()))
    assert set(UI_PAINT) <= set(found)


def test_anti_aliasing_blends_are_not_reported_as_colors() -> None:
    found = hexes(pixels(draw_ui()))
    extra = set(found) - set(UI_PAINT)
    assert extra == set(), f"blend colors reported: {sorted(extra)}"


def test_text_color_is_found_even_when_text_covers_few_pixels() -> None:
    img = Image.new("RGB", (1280, 800), "#ffffff")
    ImageDraw.Draw(img).text((40, 40), "Forgot password?", fill="#7c3aed",
                             font=ImageFont.truetype(FONT, 14))
    assert "#7c3aed" in hexes(pixels(img))


def test_near_identical_colors_merge_into_the_most_frequent_exact_value() -> None:
    px = np.full((200, 400, 3), 255, np.uint8)
    px[:, 200:] = (0x25, 0x63, 0xEB)
    rng = np.random.default_rng(1)
    noise = rng.random((200, 200)) < 0.2  # JPEG-like speckle of a 1-unit different blue
    px[:, 200:][noise] = (0x25, 0x64, 0xEB)
    assert hexes(px) == ["#ffffff", "#2563eb"]


def test_merge_radius_is_configurable() -> None:
    px = np.full((100, 300, 3), 255, np.uint8)
    px[:, 100:200] = (200, 30, 30)
    px[:, 200:] = (203, 30, 30)  # dE2000 ~ 0.9 from the red
    # thin stripes so neither red counts as a flat region of its own
    px[::2, 100:] = 255
    assert len(hexes(px, merge_delta_e=2.0)) == 2
    assert len(hexes(px, merge_delta_e=0.5)) == 3


def test_two_large_flat_regions_stay_apart_even_when_within_merge_radius() -> None:
    px = np.full((300, 300, 3), 255, np.uint8)
    px[50:250, 50:250] = (0xF8, 0xF9, 0xFA)  # Bootstrap's light surface on white: dE ~1.4
    assert hexes(px) == ["#ffffff", "#f8f9fa"]


def test_a_photo_inside_a_screenshot_does_not_flood_the_palette() -> None:
    img = draw_ui()
    rng = np.random.default_rng(3)
    yy, xx = np.mgrid[0:300, 0:400]
    photo = np.stack([120 + 80 * np.sin(xx / 37.0), 100 + 60 * np.cos(yy / 23.0), 90 + 0 * xx], -1)
    photo = np.clip(photo + rng.normal(0, 12, photo.shape), 0, 255).astype(np.uint8)
    img.paste(Image.fromarray(photo), (820, 400))
    found = hexes(pixels(img))
    assert set(UI_PAINT) <= set(found)
    assert len(set(found) - set(UI_PAINT)) <= 1


def test_a_gradient_hero_does_not_flood_the_palette() -> None:
    img = draw_ui()
    t = np.linspace(0, 1, 600)[None, :, None]
    start, end = np.array([102, 126, 234]), np.array([118, 75, 162])
    band = np.repeat((start + (end - start) * t).astype(np.uint8), 200, axis=0)
    img.paste(Image.fromarray(band), (640, 580))
    found = hexes(pixels(img))
    assert set(UI_PAINT) <= set(found)
    assert len(set(found) - set(UI_PAINT)) <= 1


def test_display_p3_tagged_screenshot_is_converted_to_srgb_before_reading_values() -> None:
    # A P3 image whose pixels are P3 (1, 0, 0): pure P3 red is outside sRGB, so use a
    # mid color that maps to a known sRGB value through littleCMS.
    p3 = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    img = Image.new("RGB", (64, 64), (200, 50, 50))
    buf = io.BytesIO()
    # Tag with a real P3 profile when Pillow can build one; the Display P3 primaries via
    # a profile from coloraide-independent data are not in Pillow, so use LAB->RGB: a
    # profile that differs from sRGB must change the read values.
    lab_profile = ImageCms.createProfile("LAB")
    del lab_profile
    img.save(buf, "PNG", icc_profile=p3.tobytes())
    same = decode(buf.getvalue(), "srgb-tagged.png")
    assert tuple(same.pixels[0, 0]) == (200, 50, 50)
