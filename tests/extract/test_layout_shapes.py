"""What is and is not a UI box: letters of big text, faint cards, pictures, edge panels, circles."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from designlens.extract.layout import analyze_layout
from tests.extract.test_layout import SS, _done, _rect, _screen
from tests.synthetic import BOLD, FONT


def _inside(rect: tuple[int, int, int, int], area: tuple[int, int, int, int]) -> bool:
    return rect[0] >= area[0] and rect[1] >= area[1] and rect[2] <= area[2] and rect[3] <= area[3]


def test_letters_of_a_big_bold_heading_are_not_boxes() -> None:
    img, d = _screen(900, 300)
    d.text((40 * SS, 40 * SS), "Good morning, Bob", fill="#1f2937", font=ImageFont.truetype(BOLD, 64 * SS))
    small = ImageFont.truetype(BOLD, 40 * SS)
    d.text((40 * SS, 140 * SS), "Simple, transparent pricing", fill="#1f2937", font=small)
    _rect(d, (40, 200, 200, 244), 1, radius=8, fill="#2563eb")
    layout = analyze_layout(_done(img))
    heading = (30, 30, 860, 195)  # nor are the stems of `i` and `l` pictures
    assert not [b for b in layout.boxes if _inside(b.rect, heading)]  # no `o`, `d` or `B` counters
    assert not [m for m in layout.spacing if _inside((*m.start, *m.end), heading)]
    assert [b for b in layout.boxes if b.rect == (40, 200, 200, 244)]


def test_a_toggle_switch_and_a_radio_ring_stay_boxes() -> None:
    img, d = _screen(400, 200)
    _rect(d, (40, 40, 88, 64), 1, radius=12, fill="#2563eb")  # track, knob on the right
    _rect(d, (68, 44, 84, 60), 1, radius=8, fill="#ffffff")
    d.text((104 * SS, 42 * SS), "Email me", fill="#111827", font=ImageFont.truetype(FONT, 15 * SS))
    layout = analyze_layout(_done(img))
    track = [b for b in layout.boxes if b.rect == (40, 40, 88, 64)]
    assert track and track[0].full_radius


def _faint_card(size: tuple[int, int], bottom: int) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    """A white card (100, 100)-(500, `bottom`) on a white page of `size`, set off only by a soft
    shadow and a 2% ring (a box-shadow spread outside it, as Bulma draws cards)."""
    page = Image.new("RGB", (size[0] * SS, size[1] * SS), "#ffffff")
    shadow = Image.new("L", page.size, 0)
    ImageDraw.Draw(shadow).rectangle([100 * SS, 104 * SS, 500 * SS, (bottom + 4) * SS], fill=24)
    shadow = shadow.filter(ImageFilter.GaussianBlur(8 * SS))
    page = Image.composite(Image.new("RGB", page.size, "#000000"), page, shadow)
    d = ImageDraw.Draw(page)
    _rect(d, (99, 99, 501, bottom + 1), 1, radius=13, fill="#fafafa")
    _rect(d, (100, 100, 500, bottom), 1, radius=12, fill="#ffffff")
    return page, d


def _soft_card_page() -> np.ndarray:
    """A faint card with 24 px padding."""
    page, d = _faint_card((900, 400), 300)
    font = ImageFont.truetype(FONT, 15 * SS)
    for i, line in enumerate(["Starter plan", "For individuals getting started.", "Unlimited notebooks"]):
        d.text((124 * SS, (126 + 28 * i) * SS), line, fill="#374151", font=font)
    return _done(page)


def test_a_card_set_off_only_by_a_soft_shadow_is_a_box_with_its_padding() -> None:
    layout = analyze_layout(_soft_card_page())
    cards = [b for b in layout.boxes if abs(b.rect[0] - 100) <= 1 and abs(b.rect[2] - 500) <= 1]
    assert cards
    assert cards[0].radius is not None and abs(cards[0].radius - 12) <= 1  # read from its flat fill
    paddings = [layout.value(m) for m in layout.spacing if m.kind == "padding" and m.start[0] <= 101]
    assert paddings and all(abs(p - 24) <= 1 for p in paddings)


def test_a_faint_card_whose_content_is_text_has_its_padding_to_the_line_boxes() -> None:
    """A soft-shadow card (as above) holding a wrapped paragraph, 16 px text on a 26 px line
    height, 20 px padding above and below: its vertical paddings end at the line boxes, as a
    box of the first pass's does (first baseline 20 + 13 + 0.69 * 16 / 2 px below its top)."""
    page, d = _faint_card((700, 300), 218)
    font = ImageFont.truetype(FONT, 16 * SS)
    lines = ["Every product team says performance", "matters, but few teams own it", "from end to end."]
    for k, line in enumerate(lines):
        d.text((124 * SS, (138.5 + 26 * k) * SS), line, fill="#374151", font=font, anchor="ls")
    layout = analyze_layout(_done(page))
    assert [b for b in layout.boxes if abs(b.rect[1] - 100) <= 1 and abs(b.rect[3] - 218) <= 1]
    ys = [(layout.value(m), m.inferred) for m in layout.spacing if m.kind == "padding" and m.axis == "y"]
    assert len(ys) == 2 and all(abs(v - 20) <= 1 and not inferred for v, inferred in ys)


def test_pictures_are_boxes_for_gaps_and_grain_is_not_content() -> None:
    rng = np.random.default_rng(3)
    px = np.full((400, 900, 3), 255, np.uint8)
    for x0 in (40, 256):  # two photos 200 px wide, 16 px apart
        px[60:260, x0 : x0 + 200] = rng.integers(40, 200, (200, 200, 3), dtype=np.uint8)
    # a smooth gradient with sparse grain: flat enough to be one region, full of specks
    ramp = np.linspace(90, 150, 300, dtype=np.float32)[None, :, None]
    grain = np.where(rng.random((160, 300, 1)) < 0.08, rng.normal(0, 12, (160, 300, 1)), 0)
    px[60:220, 540:840] = np.clip(ramp + grain, 0, 255).astype(np.uint8)
    layout = analyze_layout(px)
    gaps = [layout.value(m) for m in layout.spacing if m.kind == "gap" and m.axis == "x"]
    assert 16.0 in gaps
    assert not [m for m in layout.spacing if m.kind == "padding" and m.start[0] >= 540]


def test_a_round_photo_is_a_picture_with_a_full_radius() -> None:
    """Avatars: photos cropped to a circle (`border-radius: 50%` on an img), 24 and 40 px,
    beside a name. Their radius is half their size; the name's letters are no pictures."""
    rng = np.random.default_rng(7)
    page = Image.new("RGB", (600 * SS, 200 * SS), "#ffffff")
    d = ImageDraw.Draw(page)
    name = ImageFont.truetype(BOLD, 14 * SS)
    for x0, size in ((40, 24), (200, 40)):
        grain = rng.integers(60, 200, (size * SS, size * SS, 3), dtype=np.uint8)
        photo = Image.fromarray(grain)  # grain: about 10 levels after the 4x box filter
        mask = Image.new("L", photo.size, 0)
        ImageDraw.Draw(mask).ellipse([0, 0, size * SS - 1, size * SS - 1], fill=255)
        page.paste(photo, (x0 * SS, 80 * SS), mask)
        d.text(((x0 + size + 8) * SS, 84 * SS), "Dana Ortiz", fill="#111827", font=name)
    layout = analyze_layout(_done(page))
    round_ = sorted((b.rect[2] - b.rect[0], b.radius) for b in layout.boxes if b.full_radius)
    assert [w for w, _ in round_] == [24, 40]
    assert all(r is not None and abs(r - w / 2) <= 1 for w, r in round_)
    assert len(layout.boxes) == 2  # the names' letters are neither boxes nor pictures


def test_a_flat_pie_or_donut_chart_is_no_round_picture() -> None:
    """Flat segments meet along edges, but most of the disc is flat paint: no photo."""
    page = Image.new("RGB", (500 * SS, 200 * SS), "#ffffff")
    d = ImageDraw.Draw(page)
    colors = ["#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2"]
    for x0, hole in ((40, 0), (240, 24)):
        box = [x0 * SS, 40 * SS, (x0 + 80) * SS - 1, 120 * SS - 1]
        for k, color in enumerate(colors):
            d.pieslice(box, 60 * k, 60 * (k + 1), fill=color)
        if hole:
            c = (x0 + 40) * SS
            r = hole * SS
            d.ellipse([c - r, 80 * SS - r, c + r - 1, 80 * SS + r - 1], fill="#ffffff")
    layout = analyze_layout(_done(page))
    assert not [b for b in layout.boxes if b.full_radius and b.rect[2] - b.rect[0] >= 70]


def test_a_panel_at_the_image_edge_has_its_padding_measured() -> None:
    img, d = _screen(900, 400)
    _rect(d, (0, 0, 240, 400), 1, fill="#f6f8fa")
    _rect(d, (240, 0, 241, 400), 1, fill="#d0d7de")
    font = ImageFont.truetype(FONT, 15 * SS)
    for i, item in enumerate(["Introduction", "Quickstart", "Authentication"]):
        d.text((16 * SS, (24 + 30 * i) * SS), item, fill="#1f2328", font=font)
    layout = analyze_layout(_done(img))
    left = [layout.value(m) for m in layout.spacing if m.kind == "padding" and m.start[0] == 0]
    assert left and all(abs(v - 16) <= 1 for v in left)


def test_a_circle_centres_its_content_so_gives_no_padding() -> None:
    img, d = _screen(300, 200)
    _rect(d, (40, 40, 80, 80), 1, radius=20, fill="#ede9fe")
    d.text((55 * SS, 50 * SS), "1", fill="#6d28d9", font=ImageFont.truetype(BOLD, 16 * SS))
    layout = analyze_layout(_done(img))
    assert [b for b in layout.boxes if b.full_radius]
    assert not [m for m in layout.spacing if m.kind == "padding"]


def test_no_gap_is_measured_across_a_label_beside_the_overlap() -> None:
    img, d = _screen(800, 300)
    _rect(d, (406, 40, 712, 78), 1, radius=6, fill="#ffffff", outline="#dee2e6", width=1)
    d.text((82 * SS, 96 * SS), "Email address", fill="#212529", font=ImageFont.truetype(FONT, 15 * SS))
    _rect(d, (82, 126, 712, 164), 1, radius=6, fill="#ffffff", outline="#dee2e6", width=1)
    layout = analyze_layout(_done(img))
    assert not [m for m in layout.spacing if m.kind == "gap" and m.axis == "y"]  # 48 px = a label, not a gap


def test_no_gap_is_measured_across_a_row_of_content_sitting_sideways_between_two_rows() -> None:
    def gaps(chips: bool) -> set[int]:
        img, d = _screen(800, 300)
        _rect(d, (40, 40, 380, 80), 1, radius=6, fill="#ffffff", outline="#dee2e6", width=1)
        _rect(d, (420, 40, 560, 80), 1, radius=6, fill="#2563eb")
        if chips:  # a row of chips under the field, nowhere near the button's column
            _rect(d, (40, 96, 100, 120), 1, radius=6, fill="#e5e7eb")
            _rect(d, (112, 96, 172, 120), 1, radius=6, fill="#e5e7eb")
        _rect(d, (40, 136, 380, 260), 1, radius=8, fill="#f3f4f6")
        _rect(d, (420, 136, 560, 260), 1, radius=8, fill="#f3f4f6")
        layout = analyze_layout(_done(img))
        return {m.px for m in layout.spacing if m.kind == "gap" and m.axis == "y"}

    assert 56 in gaps(chips=False)  # the button's row to the cards' row: a gap
    assert 56 not in gaps(chips=True)  # the chips' row is between them: two gaps of 16, not one of 56
