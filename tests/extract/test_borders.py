"""Border rings, one-sided borders (dividers) and what is not a border (a shadow's fade)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from designlens.extract.layout import LayoutExtractor, analyze_layout
from designlens.extract.radius import detect_border, detect_borders
from designlens.images import DecodedImage, decode
from designlens.overlay import draw_overlay
from designlens.tokens import Color, Dimension

PAGE = (248, 249, 250)
RULE = (222, 226, 230)  # #dee2e6


def dialog(scale: int = 1, rules: tuple[int, ...] = (120,)) -> np.ndarray:
    """A white dialog with no outline of its own on a light page, split into parts by 1 px
    rules at `rules` (CSS border-bottom / border-top), each part holding a dark bar."""
    k = scale
    px = np.zeros((400 * k, 700 * k, 3), np.uint8)
    px[:] = PAGE
    px[60 * k : 340 * k, 100 * k : 600 * k] = (255, 255, 255)
    for y in rules:
        px[y * k : (y + 1) * k, 100 * k : 600 * k] = RULE
    for y0 in (80, 180, 300):  # content: a bar in each part
        px[y0 * k : (y0 + 16) * k, 124 * k : 300 * k] = (33, 37, 41)
    return px


def _tokens(px: np.ndarray, scale: float = 1.0) -> list:
    image = DecodedImage(id="0" * 64, source="dialog.png", pixels=px, scale=scale)
    return LayoutExtractor().extract(image, {})


def test_rules_between_parts_of_one_fill_are_dividers_with_their_width_and_colour() -> None:
    layout = analyze_layout(dialog())
    found = [(d.rect, d.border.width, d.border.color) for d in layout.dividers]
    assert found == [((100, 120, 600, 121), 1, RULE)]
    tokens = _tokens(dialog())
    widths = {t.value.value for t in tokens if t.name.startswith("border.width.")}
    colors = [t.value for t in tokens if t.type == "color"]
    assert widths == {1.0}
    assert colors == [Color("#dee2e6")]  # a border colour, though no box has a ring of it


def test_a_part_between_two_rules_takes_them_as_its_ring_not_as_dividers() -> None:
    # header, body and footer: the body has a 1 px ring of the rule's colour on two sides,
    # which explains both lines; stacked bordered cards are told apart the same way
    layout = analyze_layout(dialog(rules=(120, 280)))
    assert layout.dividers == []
    assert [b.border.width for b in layout.boxes if b.border is not None] == [1]
    tokens = _tokens(dialog(rules=(120, 280)))
    assert {t.value.value for t in tokens if t.name.startswith("border.width.")} == {1.0}


def test_stacked_bordered_cards_make_no_two_px_divider() -> None:
    px = np.zeros((300, 500, 3), np.uint8)
    px[:] = PAGE
    for y0, y1 in ((40, 121), (121, 202)):  # no gap: their borders make one 2 px line
        px[y0:y1, 50:450] = RULE
        px[y0 + 1 : y1 - 1, 51:449] = (255, 255, 255)
        px[y0 + 30 : y0 + 46, 80:200] = (33, 37, 41)
    assert analyze_layout(px).dividers == []


def test_a_2x_divider_is_one_css_px() -> None:
    widths = {
        t.value.value
        for t in _tokens(dialog(2), 2.0)
        if t.name.startswith("border.width.") and isinstance(t.value, Dimension)
    }
    assert widths == {1.0}


def test_a_line_that_is_not_one_colour_is_no_divider() -> None:
    px = dialog()
    px[120, 100:600] = np.linspace(140, 230, 500).astype(np.uint8)[:, None]  # a gradient rule
    assert analyze_layout(px).dividers == []
    assert len(analyze_layout(dialog()).dividers) == 1


def _ringed(outside: list[tuple[int, int, int]]) -> np.ndarray:
    """A white 200 x 120 box at (100, 80) on the page, with `outside` the pixels just outside
    each of its sides, nearest first."""
    px = np.zeros((300, 400, 3), np.uint8)
    px[:] = PAGE
    for d, c in reversed(list(enumerate(outside))):
        px[80 - 1 - d : 200 + 1 + d, 100 - 1 - d : 300 + 1 + d] = c
    px[80:200, 100:300] = (255, 255, 255)
    return px


def test_a_soft_shadow_fading_out_is_no_border() -> None:
    # a blurred shadow's first pixels stay within the edge step of each other, then fade on
    fade = [(241, 242, 243), (244, 245, 246), (246, 247, 248), (247, 248, 249)]
    assert detect_border(_ringed(fade), (100, 80, 300, 200), (255, 255, 255), 4, 5) is None


@pytest.mark.parametrize("width", [1, 2, 3])
def test_a_border_with_a_shadow_beyond_it_is_still_a_border(width: int) -> None:
    ring = [RULE] * width + [(241, 242, 243), (244, 245, 246), (246, 247, 248)]
    border = detect_border(_ringed(ring), (100, 80, 300, 200), (255, 255, 255), 4, 5)
    assert border is not None and border.width == width and border.color == RULE


def test_a_divider_in_a_later_band_of_a_tall_page_keeps_its_page_position() -> None:
    px = np.concatenate([dialog(), dialog(), dialog()])  # 1200 px tall, bands of 500 with 100 overlap
    with pytest.warns(UserWarning, match="bands"):
        layout = analyze_layout(px, config={"band_height": 500, "band_overlap": 100})
    assert sorted(d.rect[1] for d in layout.dividers) == [120, 520, 920]


def test_the_overlay_traces_dividers_with_their_width() -> None:
    px = dialog()
    layout = analyze_layout(px)
    drawn = draw_overlay(px, layout)
    cyan = np.all(drawn == (0, 170, 200), axis=2)
    assert cyan[120, 100:600].mean() > 0.9  # along the rule
    assert not cyan[:110].any()  # nothing traced where there is no divider


@pytest.mark.parametrize("gap", [1, 2, 3])
def test_a_narrow_gap_showing_what_two_cards_sit_on_is_no_divider(gap: int) -> None:
    # a 1 px grid gutter: the strip between the two cards is the panel they sit on
    px = np.zeros((300, 500, 3), np.uint8)
    px[:] = PAGE
    px[20:280, 20:480] = (230, 230, 230)  # the panel
    px[40:140, 50:450] = (255, 255, 255)
    px[140 + gap : 240 + gap, 50:450] = (255, 255, 255)
    for y0 in (70, 170 + gap):
        px[y0 : y0 + 16, 80:200] = (33, 37, 41)
    assert analyze_layout(px).dividers == []


BUTTON = (15, 98, 254)  # #0f62fe
SMEAR = (35, 96, 213)  # its outermost pixels on a JPEG: the fill's luma, chroma pulled to the page's


def _button_on_page(ring: tuple[int, int, int]) -> np.ndarray:
    px = np.zeros((200, 400, 3), np.uint8)
    px[:] = (244, 244, 244)
    px[79:121, 99:301] = ring
    px[80:120, 100:300] = BUTTON
    return px


def test_on_a_lossy_image_a_ring_of_the_fills_luma_is_the_fills_edge_not_a_painted_border() -> None:
    px = _button_on_page(SMEAR)
    box, fill = (100, 80, 300, 120), BUTTON
    [lossy] = detect_borders(px, [box], [fill], 4, 5, lossy=True)
    [exact] = detect_borders(px, [box], [fill], 4, 5)
    # the ring stays the box's outline (geometry and width unchanged), but is no paint
    assert lossy is not None and (lossy.width, lossy.color, lossy.painted) == (1, SMEAR, False)
    assert exact is not None and (exact.width, exact.color, exact.painted) == (1, SMEAR, True)


def test_on_a_lossy_image_a_border_that_differs_from_the_fill_in_luma_stays_painted() -> None:
    ring = (33, 37, 41)  # a dark outline: luma far from the button's
    [border] = detect_borders(_button_on_page(ring), [(100, 80, 300, 120)], [BUTTON], 4, 5, lossy=True)
    assert border is not None and border.painted and border.color == ring


def _jpeg(px: np.ndarray) -> DecodedImage:
    buf = io.BytesIO()
    Image.fromarray(px).save(buf, "JPEG", quality=85)  # Pillow's default: 4:2:0 chroma
    image = decode(buf.getvalue(), "page.jpg")
    assert image.lossy
    return image


def test_a_jpeg_buttons_chroma_smeared_edge_gives_no_border_colour_but_a_real_border_does() -> None:
    px = np.zeros((240, 400, 3), np.uint8)
    px[:] = (244, 244, 244)
    px[40:88, 40:216] = BUTTON  # a borderless blue button: JPEG leaves a 1 px ring of its luma
    px[119:201, 39:361] = (108, 117, 125)  # a white card with a 1 px #6c757d border
    px[120:200, 40:360] = (255, 255, 255)
    image = _jpeg(px)
    layout = analyze_layout(image.pixels, config={"lossy": True})
    rects = sorted((b.rect, b.border is not None and b.border.painted) for b in layout.boxes)
    assert rects == [((39, 119, 361, 201), True), ((40, 40, 216, 88), False)]  # outlines kept
    colors = [t.value.rgb for t in LayoutExtractor().extract(image, {}) if t.type == "color"]
    assert len(colors) == 1 and max(abs(a - b) for a, b in zip(colors[0], (108, 117, 125), strict=True)) <= 10
