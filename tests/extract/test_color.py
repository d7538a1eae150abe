"""The color extractor on generated screenshots whose paint is known."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms, ImageDraw, ImageFont

from designlens.extract.color import find_paint_colors, ramp_pixels
from designlens.images import decode
from tests.synthetic import FONT, UI_PAINT, draw_ui, pixels

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def hexes(px: np.ndarray, **config: object) -> list[str]:
    return ["#{:02x}{:02x}{:02x}".format(*c.rgb) for c in find_paint_colors(px, config)]


def test_every_paint_of_a_ui_screen_is_recovered_with_its_exact_hex() -> None:
    found = hexes(pixels(draw_ui()))
    assert set(UI_PAINT) <= set(found)
    # Pillow draws each glyph at whole pixels, so one partial-coverage value can repeat as
    # often as an ink; allow one such value here (browser text is tested strictly below).
    assert len(set(found) - set(UI_PAINT)) <= 1


# Every paint of tests/fixtures/known_paint.html, rendered by Chromium (make_fixtures.sh).
KNOWN_PAINT = {
    "#ffffff", "#1e293b", "#312e81", "#e0e7ff", "#f1f5f9", "#cbd5e1", "#64748b", "#2563eb", "#059669",
}


def test_browser_rendered_text_gives_its_exact_inks_and_no_anti_aliasing_blends() -> None:
    px = pixels(Image.open(FIXTURES / "known_paint.png"))
    found = hexes(px)
    assert set(found) == KNOWN_PAINT, f"missing {KNOWN_PAINT - set(found)}, extra {set(found) - KNOWN_PAINT}"


def test_blends_at_the_rounded_edges_of_shapes_are_rejected() -> None:
    big = Image.new("RGB", (1280 * 4, 400 * 4), "#ffffff")
    d = ImageDraw.Draw(big)
    for i in range(8):  # supersampled circles and pills: real anti-aliased edges
        d.ellipse([i * 600 + 40, 40, i * 600 + 440, 440], fill="#e11d48")
        d.rounded_rectangle([i * 600 + 40, 800, i * 600 + 560, 1200], radius=200, fill="#0ea5e9")
    small = big.resize((1280, 400), Image.Resampling.BOX)
    assert set(hexes(pixels(small))) == {"#ffffff", "#e11d48", "#0ea5e9"}


def test_text_color_is_found_even_when_text_covers_few_pixels() -> None:
    img = Image.new("RGB", (1280, 800), "#ffffff")
    ImageDraw.Draw(img).text((40, 40), "Forgot password?", fill="#7c3aed",
                             font=ImageFont.truetype(FONT, 14))
    assert "#7c3aed" in hexes(pixels(img))


def test_near_identical_colors_merge_into_the_most_frequent_exact_value() -> None:
    px = np.full((200, 400, 3), 255, np.uint8)
    px[:, 150:] = (0x25, 0x63, 0xEB)
    rng = np.random.default_rng(1)
    noise = rng.random((200, 250)) < 0.2  # JPEG-like speckle of a 1-unit different blue
    px[:, 150:][noise] = (0x25, 0x64, 0xEB)
    assert hexes(px) == ["#2563eb", "#ffffff"]


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


def _jpeg_with_gradient_hero(**config: object) -> list[str]:
    img = draw_ui()
    t = np.linspace(0, 1, 900)[None, :, None]
    start, end = np.array([109, 63, 234]), np.array([211, 41, 130])  # violet to pink, 900 px wide
    hero = np.repeat((start + (end - start) * t).astype(np.uint8), 160, axis=0)
    img.paste(Image.fromarray(hero), (40, 600))
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=85)
    decoded = decode(buf.getvalue(), "hero.jpg")
    assert decoded.lossy
    return hexes(decoded.pixels, lossy=True, **config)


def test_a_gradient_hero_in_a_jpeg_does_not_become_plateau_colors() -> None:
    # Denoising turns the JPEG's gradient into a few wide plateaus whose values lie far apart;
    # the seams between them are no edges in the decoded pixels, so they are one gradient.
    found = _jpeg_with_gradient_hero()
    regions = _within(found, ["#ffffff", "#f1f3f5", "#1f2937", "#2563eb"])
    assert all(regions.values()), regions
    violet_to_pink = [h for h in found if int(h[1:3], 16) > 100 and int(h[5:7], 16) > 120
                      and int(h[3:5], 16) < 70]
    assert violet_to_pink == [], violet_to_pink


def test_without_the_seam_test_the_jpeg_gradient_would_flood_the_palette() -> None:
    """Guards the test above: it fails when lossy gradients are not recognised."""
    found = _jpeg_with_gradient_hero(lossy_gradient_chain=10_000)
    assert sum(int(h[1:3], 16) > 100 and int(h[5:7], 16) > 120 and int(h[3:5], 16) < 70 for h in found) >= 2


def test_ramp_pixels_are_the_inside_of_a_step_not_its_ends_nor_small_steps() -> None:
    row = np.array([255, 255, 200, 120, 30, 30, 30, 252, 250, 236, 226, 226], np.uint8)
    px = np.repeat(np.repeat(row[None, :, None], 3, axis=2), 5, axis=0)
    ramp = ramp_pixels(px, 4.0)
    # 200 and 120 sit inside the 255 -> 30 step; 252 is noise at the top of the 30 -> 250 step;
    # 236 sits inside a step of 250 -> 226, too small to be an ink's anti-aliased edge
    assert ramp[2].tolist() == [False, False, True, True, False, False, False, False, False, False,
                                False, False]
    assert not ramp_pixels(np.full((6, 6, 3), 128, np.uint8)).any()
    # within the last 15% of a big step is the paint at its end (ringing), not a blend
    end = np.repeat(np.array([255, 240, 30, 60, 255], np.uint8)[None, :, None], 3, axis=2)
    end = np.repeat(end, 3, axis=0)
    assert ramp_pixels(end, 4.0)[1].tolist() == [False, False, False, False, False]


def _jpeg_two_grey_inks(dark: str, muted: str) -> np.ndarray:
    img = Image.new("RGB", (1280, 800), "#ffffff")
    d = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 15)
    for i in range(14):
        d.text((40, 40 + 48 * i), "Invite colleagues by email; they join with the role you pick.", fill=dark,
               font=font)
        d.text((40, 64 + 48 * i), "Audit logs keep 400 days of changes to projects and keys.", fill=muted,
               font=font)
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=85)
    return np.asarray(decode(buf.getvalue(), "inks.jpg").pixels)


def test_a_muted_grey_ink_beside_dark_text_survives_jpeg() -> None:
    # Denoising used to snap the dark text's anti-aliased greys onto the muted ink's value, so
    # the muted ink touched the dark ink everywhere and was dropped as a blend of it and white.
    for dark, muted in (("#161616", "#525252"), ("#212121", "#5a5a5a")):
        found = hexes(_jpeg_two_grey_inks(dark, muted), lossy=True)
        assert all(_within(found, ["#ffffff", dark, muted]).values()), (dark, muted, found)
        # Pillow draws each glyph at whole pixels: allow one repeated partial value, as above
        assert len(found) <= 4, found


def test_without_ramp_pixels_the_muted_jpeg_ink_is_lost() -> None:
    """Guards the test above: snapping every pixel loses the muted ink."""
    from unittest import mock

    from designlens.extract import color

    px = _jpeg_two_grey_inks("#161616", "#525252")
    with mock.patch.object(color, "ramp_pixels", lambda p, m=4.0: np.zeros(p.shape[:2], bool)):
        found = hexes(px, lossy=True)
    assert not _within(found, ["#525252"])["#525252"], found


def _within(found: list[str], wanted: list[str]) -> dict[str, bool]:
    """Whether each wanted paint has a found color within CIEDE2000 2.0."""
    from designlens.colorspace import delta_e_2000, rgb_to_lab

    def lab(hs: list[str]) -> np.ndarray:
        return rgb_to_lab(np.array([[int(h[i:i + 2], 16) for i in (1, 3, 5)] for h in hs], dtype=float))

    de = delta_e_2000(lab(wanted)[:, None, :], lab(found)[None, :, :])
    return {h: bool(de[i].min() <= 2.0) for i, h in enumerate(wanted)}


def _display_p3_profile() -> bytes:
    """sRGB's ICC profile with its colorants swapped for Display P3's (D50-adapted, as Apple ships).

    Both spaces share the sRGB transfer curve, so this is a faithful Display P3 profile.
    """
    import struct

    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    colorants = {b"rXYZ": (0.5151, 0.2412, -0.0011), b"gXYZ": (0.2920, 0.6922, 0.0419),
                 b"bXYZ": (0.1571, 0.0666, 0.7841)}
    (count,) = struct.unpack(">I", data[128:132])
    for n in range(count):
        sig, offset, _ = struct.unpack(">4sII", data[132 + 12 * n : 144 + 12 * n])
        if sig in colorants:
            for k, v in enumerate(colorants[sig]):
                data[offset + 8 + 4 * k : offset + 12 + 4 * k] = struct.pack(">i", round(v * 65536))
    return bytes(data)


def test_display_p3_tagged_screenshot_is_converted_to_srgb_before_reading_values() -> None:
    from coloraide import Color as CColor

    p3 = (200, 120, 80)  # a P3 orange inside the sRGB gamut (sRGB ~ 213, 115, 70)
    img = Image.new("RGB", (64, 64), p3)
    buf = io.BytesIO()
    img.save(buf, "PNG", icc_profile=_display_p3_profile())
    got = tuple(int(v) for v in decode(buf.getvalue(), "macos.png").pixels[8, 8])
    want = [round(c * 255) for c in CColor("display-p3", [v / 255 for v in p3]).convert("srgb").coords()]
    assert got != p3  # the profile was applied...
    assert all(abs(a - b) <= 2 for a, b in zip(got, want, strict=True))  # ...and applied right
    # and the extractor reports the sRGB value, not the P3 numbers
    assert hexes(decode(buf.getvalue(), "macos.png").pixels) == ["#{:02x}{:02x}{:02x}".format(*got)]


def test_color_counting_kernel_agrees_with_numpy_on_flat_runs_and_on_noise() -> None:
    from designlens.extract import color_kernels
    from designlens.extract.color import _pack

    rng = np.random.default_rng(7)
    noise = rng.integers(0, 256, (300, 400, 3), dtype=np.uint8)  # ~120k distinct colors
    ui = pixels(draw_ui(400, 300))
    for px in (noise, ui, np.full((50, 60, 3), 9, dtype=np.uint8)):
        code = _pack(px)
        uniq, counts, index = color_kernels.count_colors(code)
        expected, expected_counts = np.unique(code, return_counts=True)
        order = np.argsort(uniq)
        assert np.array_equal(uniq[order], expected) and np.array_equal(counts[order], expected_counts)
        assert np.array_equal(uniq[index], code)  # every pixel points at its own color


def test_loading_the_color_extractor_does_not_import_numba() -> None:
    """The CLI's parent and the API load every plugin but never extract: they must not pay
    for numba (~80 MB per process); the compiled passes load on the first extraction."""
    import subprocess
    import sys

    code = ("import sys; from designlens import plugins; plugins.extractors(); "
            "from designlens.extract.color import ColorExtractor; print('numba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
