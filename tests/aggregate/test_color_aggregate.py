"""Color aggregation across images and the names it gives."""

from __future__ import annotations

from designlens.aggregate.color import ColorAggregator
from designlens.aggregate.naming import family, name_colors
from designlens.colorspace import oklch
from designlens.tokens import Color, Provenance, Token


def raw(hex_: str, image: str, pixels: int, total: int = 10_000, region: bool = False) -> Token:
    return Token(f"color.{hex_[1:]}", "color", Color(hex_),
                 provenance=(Provenance(image, f"{image}.png", pixels, pixels / total),),
                 extensions={"region": region})


def test_the_same_color_in_many_images_is_one_token_with_summed_provenance() -> None:
    tokens = ColorAggregator().aggregate(
        [raw("#2563eb", "b" * 64, 300), raw("#2563eb", "a" * 64, 100), raw("#ffffff", "a" * 64, 9000)], {}
    )
    blue = next(t for t in tokens if t.value == Color("#2563eb"))
    assert [p.image for p in blue.provenance] == ["a" * 64, "b" * 64]  # sorted by image id
    assert blue.pixels == 400
    assert blue.extensions["images"] == 2
    assert blue.extensions["share"] == 0.02  # 400 of the 20,000 pixels looked at


def test_near_identical_colors_across_images_merge_into_the_most_frequent_value() -> None:
    tokens = ColorAggregator().aggregate([raw("#2563eb", "a" * 64, 500), raw("#2563ea", "b" * 64, 50)], {})
    assert len(tokens) == 1
    assert tokens[0].value == Color("#2563eb")
    assert tokens[0].extensions["merged"] == ["#2563ea"]


def test_two_flat_surfaces_stay_apart_across_images() -> None:
    tokens = ColorAggregator().aggregate(
        [raw("#ffffff", "a" * 64, 5000, region=True), raw("#f8f9fa", "b" * 64, 5000, region=True)], {}
    )
    assert {t.value.hex for t in tokens if isinstance(t.value, Color)} == {"#ffffff", "#f8f9fa"}


def test_every_color_token_carries_what_a_designer_reads() -> None:
    (token,) = ColorAggregator().aggregate([raw("#ff0000", "a" * 64, 10)], {})
    ext = token.extensions
    assert ext["cssName"] == "red"
    assert ext["contrast"] == {"white": 4.0, "black": 5.25}
    assert ext["oklch"][0] == 0.628 and ext["pixels"] == 10 and ext["images"] == 1
    assert 0 < token.confidence <= 1


def test_names_are_hue_family_and_lightness_step_with_50_lightest() -> None:
    colors = ["#eff6ff", "#3b82f6", "#1e3a8a", "#f9fafb", "#111827", "#ffffff", "#000000", "#dc2626"]
    names = name_colors([(h, oklch(Color(h).rgb)) for h in colors])
    assert names["#ffffff"] == "white" and names["#000000"] == "black"
    assert names["#eff6ff"] == "blue.50"
    assert names["#3b82f6"].startswith("blue.") and names["#1e3a8a"].startswith("blue.")
    assert int(names["#3b82f6"].split(".")[1]) < int(names["#1e3a8a"].split(".")[1])
    assert names["#f9fafb"] == "gray.50" and names["#111827"] == "gray.950"
    assert names["#dc2626"].startswith("red.")


def test_close_colors_of_one_family_never_share_a_name() -> None:
    colors = ["#3b82f6", "#3a81f5", "#3c83f7", "#2563eb"]
    names = name_colors([(h, oklch(Color(h).rgb)) for h in colors])
    assert len(set(names.values())) == len(colors)


def test_names_do_not_depend_on_input_order() -> None:
    colors = ["#3b82f6", "#1e3a8a", "#60a5fa", "#f9fafb", "#111827"]
    a = name_colors([(h, oklch(Color(h).rgb)) for h in colors])
    b = name_colors([(h, oklch(Color(h).rgb)) for h in reversed(colors)])
    assert a == b


def test_tinted_greys_are_grey_and_saturated_hues_are_not() -> None:
    assert family(oklch(Color("#64748b").rgb)) == "gray"  # Tailwind slate-500
    assert family(oklch(Color("#2563eb").rgb)) == "blue"
    assert family(oklch(Color("#16a34a").rgb)) == "green"


def test_what_text_sits_on_is_summed_across_images_and_follows_merged_backgrounds() -> None:
    text_a = Token("color.111827", "color", Color("#111827"),
                   provenance=(Provenance("a" * 64, "a.png", 50, 0.005),),
                   extensions={"on": [{"color": "#ffffff", "pixels": 40}, {"color": "#f3f4f6", "pixels": 5}]})
    text_b = Token("color.111827", "color", Color("#111827"),
                   provenance=(Provenance("b" * 64, "b.png", 50, 0.005),),
                   extensions={"on": [{"color": "#fefefe", "pixels": 30}]})
    tokens = ColorAggregator().aggregate(
        [text_a, text_b, raw("#ffffff", "a" * 64, 9000), raw("#fefefe", "b" * 64, 20),
         raw("#f3f4f6", "a" * 64, 900, region=True)], {}
    )
    ink = next(t for t in tokens if t.value == Color("#111827"))
    # #fefefe was merged into #ffffff, so its 30 edges count for white
    assert ink.extensions["on"] == [{"color": "#ffffff", "pixels": 70}, {"color": "#f3f4f6", "pixels": 5}]


def test_the_extractor_records_the_surfaces_text_sits_on() -> None:
    from pathlib import Path

    import numpy as np
    from PIL import Image

    from designlens.extract.color import find_paint_colors

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "known_paint.png"
    paints = {c.rgb: c for c in find_paint_colors(np.asarray(Image.open(fixture).convert("RGB")))}
    assert paints[(0xE0, 0xE7, 0xFF)].on[0][0] == (0x31, 0x2E, 0x81)  # nav text on the indigo bar
    assert paints[(0x1E, 0x29, 0x3B)].on[0][0] == (0xF1, 0xF5, 0xF9)  # body text on the card
    assert paints[(0xFF, 0xFF, 0xFF)].on == ()  # surfaces sit on nothing


def test_close_pairs_equal_the_full_ciede2000_matrix_at_every_lightness() -> None:
    """The lightness prefilter may skip only pairs the full formula would not merge."""
    import numpy as np

    from designlens.aggregate.color import _close_pairs
    from designlens.colorspace import delta_e_2000, rgb_to_lab

    rng = np.random.default_rng(7)
    base = rng.integers(0, 256, (300, 3))
    greys = np.repeat(np.arange(0, 256, 3)[:, None], 3, axis=1)  # darkest and lightest: S_L largest
    near = np.clip(np.concatenate([base, greys]) + rng.integers(-4, 5, (386, 3)), 0, 255)
    lab = rgb_to_lab(np.concatenate([base, greys, near]))
    for limit in (0.5, 2.0, 6.0):
        full = np.triu(delta_e_2000(lab[:, None, :], lab[None, :, :]) <= limit, k=1)
        assert full.sum() > 0
        assert (_close_pairs(lab, limit) == full).all()
