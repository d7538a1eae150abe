"""Decoding: every bad input is an InputError naming the file; odd but valid images decode right."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from designlens.errors import InputError
from designlens.images import decode
from tests.synthetic import bomb_png, png16_rgba


def png_bytes(img: Image.Image, fmt: str = "PNG", **kw: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (png_bytes(Image.new("RGB", (64, 64), "red"))[:80], "corrupt or truncated"),
        (b"hello, I am a text file\n", "not a supported image"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', "not a supported image"),
        (bomb_png(), "over the limit"),
    ],
    ids=["zero-byte", "truncated-png", "text-named-png", "svg", "decompression-bomb"],
)
def test_bad_image_bytes_raise_input_error_naming_the_file(data: bytes, reason: str) -> None:
    with pytest.raises(InputError) as info:
        decode(data, "shots/home.png")
    assert info.value.source == "shots/home.png"
    assert reason in str(info.value)
    assert "\n" not in str(info.value)


def test_pixel_limit_is_configurable() -> None:
    data = png_bytes(Image.new("RGB", (100, 100), "white"))
    assert decode(data, "a.png", max_pixels=10_000).width == 100
    with pytest.raises(InputError, match="over the limit"):
        decode(data, "a.png", max_pixels=9_999)


def test_cmyk_jpeg_decodes_to_srgb() -> None:
    data = png_bytes(Image.new("CMYK", (32, 32), (0, 255, 255, 0)), "JPEG", quality=95)
    img = decode(data, "print.jpg")
    r, g, b = (int(v) for v in img.pixels[16, 16])
    assert r > 220 and g < 40 and b < 40  # CMYK (0, 100%, 100%, 0) is red
    assert img.lossy


def test_16_bit_png_with_alpha_decodes_to_8_bit_composited_over_white() -> None:
    rgba = np.zeros((8, 8, 4), dtype=np.uint16)
    rgba[..., 0] = 0x2525  # 8-bit 0x25 in 16-bit form
    rgba[..., 1] = 0x6363
    rgba[..., 2] = 0xEBEB
    rgba[..., 3] = 0xFFFF
    rgba[0, 0, 3] = 0  # one fully transparent pixel shows the white matte
    img = decode(png16_rgba(rgba), "deep.png")
    assert tuple(int(v) for v in img.pixels[4, 4]) == (0x25, 0x63, 0xEB)
    assert tuple(int(v) for v in img.pixels[0, 0]) == (255, 255, 255)


def test_same_bytes_give_the_same_identity_whatever_the_name() -> None:
    data = png_bytes(Image.new("RGB", (8, 8), "blue"))
    assert decode(data, "a.png").id == decode(data, "b/c.png").id
    assert decode(data, "a.png").id != decode(png_bytes(Image.new("RGB", (8, 8), "red")), "a.png").id


def test_palette_and_grey_images_decode_to_rgb() -> None:
    assert decode(png_bytes(Image.new("P", (4, 4), 3)), "p.png").pixels.shape == (4, 4, 3)
    grey = decode(png_bytes(Image.new("L", (4, 4), 128)), "l.png")
    assert tuple(int(v) for v in grey.pixels[0, 0]) == (128, 128, 128)
