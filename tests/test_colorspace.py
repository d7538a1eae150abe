"""Color maths against published reference data."""

from __future__ import annotations

import numpy as np
import pytest
from coloraide import Color as CColor

from designlens.colorspace import (
    _named_oklab,
    contrast_ratio,
    delta_e_2000,
    nearest_css_names,
    oklch,
    oklch_array,
    rgb_to_lab,
)

# Sharma, Wu and Dalal (2005), "The CIEDE2000 color-difference formula: implementation
# notes, supplementary test data, and mathematical observations", Table 1: all 34 pairs.
SHARMA = [
    (50.0000, 2.6772, -79.7751, 50.0000, 0.0000, -82.7485, 2.0425),
    (50.0000, 3.1571, -77.2803, 50.0000, 0.0000, -82.7485, 2.8615),
    (50.0000, 2.8361, -74.0200, 50.0000, 0.0000, -82.7485, 3.4412),
    (50.0000, -1.3802, -84.2814, 50.0000, 0.0000, -82.7485, 1.0000),
    (50.0000, -1.1848, -84.8006, 50.0000, 0.0000, -82.7485, 1.0000),
    (50.0000, -0.9009, -85.5211, 50.0000, 0.0000, -82.7485, 1.0000),
    (50.0000, 0.0000, 0.0000, 50.0000, -1.0000, 2.0000, 2.3669),
    (50.0000, -1.0000, 2.0000, 50.0000, 0.0000, 0.0000, 2.3669),
    (50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0009, 7.1792),
    (50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0010, 7.1792),
    (50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0011, 7.2195),
    (50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0012, 7.2195),
    (50.0000, -0.0010, 2.4900, 50.0000, 0.0009, -2.4900, 4.8045),
    (50.0000, -0.0010, 2.4900, 50.0000, 0.0010, -2.4900, 4.8045),
    (50.0000, -0.0010, 2.4900, 50.0000, 0.0011, -2.4900, 4.7461),
    (50.0000, 2.5000, 0.0000, 50.0000, 0.0000, -2.5000, 4.3065),
    (50.0000, 2.5000, 0.0000, 73.0000, 25.0000, -18.0000, 27.1492),
    (50.0000, 2.5000, 0.0000, 61.0000, -5.0000, 29.0000, 22.8977),
    (50.0000, 2.5000, 0.0000, 56.0000, -27.0000, -3.0000, 31.9030),
    (50.0000, 2.5000, 0.0000, 58.0000, 24.0000, 15.0000, 19.4535),
    (50.0000, 2.5000, 0.0000, 50.0000, 3.1736, 0.5854, 1.0000),
    (50.0000, 2.5000, 0.0000, 50.0000, 3.2972, 0.0000, 1.0000),
    (50.0000, 2.5000, 0.0000, 50.0000, 1.8634, 0.5757, 1.0000),
    (50.0000, 2.5000, 0.0000, 50.0000, 3.2592, 0.3350, 1.0000),
    (60.2574, -34.0099, 36.2677, 60.4626, -34.1751, 39.4387, 1.2644),
    (63.0109, -31.0961, -5.8663, 62.8187, -29.7946, -4.0864, 1.2630),
    (61.2901, 3.7196, -5.3901, 61.4292, 2.2480, -4.9620, 1.8731),
    (35.0831, -44.1164, 3.7933, 35.0232, -40.0716, 1.5901, 1.8645),
    (22.7233, 20.0904, -46.6940, 23.0331, 14.9730, -42.5619, 2.0373),
    (36.4612, 47.8580, 18.3852, 36.2715, 50.5065, 21.2231, 1.4146),
    (90.8027, -2.0831, 1.4410, 91.1528, -1.6435, 0.0447, 1.4441),
    (90.9257, -0.5406, -0.9208, 88.6381, -0.8985, -0.7239, 1.5381),
    (6.7747, -0.2908, -2.4247, 5.8714, -0.0985, -2.2286, 0.6377),
    (2.0776, 0.0795, -1.1350, 0.9033, -0.0636, -0.5514, 0.9082),
]


def test_ciede2000_matches_all_34_sharma_pairs_to_four_decimals() -> None:
    data = np.array(SHARMA)
    got = delta_e_2000(data[:, 0:3], data[:, 3:6])
    np.testing.assert_allclose(np.round(got, 4), data[:, 6], atol=1e-4)


def test_ciede2000_is_symmetric_and_zero_on_identity() -> None:
    data = np.array(SHARMA)
    forward = delta_e_2000(data[:, 0:3], data[:, 3:6])
    np.testing.assert_allclose(delta_e_2000(data[:, 3:6], data[:, 0:3]), forward)
    assert np.all(delta_e_2000(data[:, 0:3], data[:, 0:3]) == 0)


@pytest.mark.parametrize("hex_", ["#ffffff", "#000000", "#2563eb", "#dc2626", "#6b7280", "#ffcc00"])
def test_lab_conversion_agrees_with_coloraide(hex_: str) -> None:
    ours = rgb_to_lab(np.array(CColor(hex_).convert("srgb").coords()) * 255)
    ref = CColor(hex_).convert("lab-d65").coords()
    np.testing.assert_allclose(ours, ref, atol=0.05)


def test_oklab_round_trip_through_oklch_recovers_every_8_bit_channel() -> None:
    rng = np.random.default_rng(7)
    for r, g, b in rng.integers(0, 256, size=(200, 3)):
        lightness, chroma, hue = oklch((int(r), int(g), int(b)))
        back = CColor("oklch", [lightness, chroma, hue]).convert("srgb").coords()
        assert [round(c * 255) for c in back] == [r, g, b]


def test_wcag_contrast_of_black_on_white_is_21_and_of_a_color_on_itself_is_1() -> None:
    assert contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast_ratio((37, 99, 235), (37, 99, 235)) == pytest.approx(1.0)
    # WCAG reference pair: #767676 on white is the lightest grey passing AA (4.54:1)
    assert contrast_ratio((0x76, 0x76, 0x76), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)


def test_nearest_css_name_finds_exact_named_colors() -> None:
    assert nearest_css_names([(255, 0, 0), (0x66, 0x33, 0x99)]) == ["red", "rebeccapurple"]


def test_array_oklch_and_css_names_match_coloraide_color_by_color() -> None:
    """The merge converts all colors at once; the values must be coloraide's."""
    rng = np.random.default_rng(11)
    colors = np.concatenate([rng.integers(0, 256, (1500, 3)), np.repeat(np.arange(0, 256, 5)[:, None], 3, 1)])
    ours, names = oklch_array(colors), nearest_css_names(colors)
    css, labs = _named_oklab()
    for rgb, (lightness, chroma, hue), name in zip(colors.tolist(), ours.tolist(), names, strict=True):
        ref = CColor("srgb", [v / 255.0 for v in rgb]).convert("oklch").coords()
        assert abs(lightness - ref[0]) < 1e-12 and abs(chroma - ref[1]) < 1e-12
        if chroma >= 1e-4:
            assert abs(hue - ref[2]) < 1e-9
        else:
            assert hue == 0.0
        lab = np.asarray(CColor("srgb", [v / 255.0 for v in rgb]).convert("oklab").coords())
        assert name == css[int(np.argmin(((labs - lab) ** 2).sum(axis=1)))]
