"""Each score of eval/GROUND_TRUTH.md on tiny hand-made truth/prediction pairs with known answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from designlens.errors import InputError
from designlens.evaluate import Prediction, color_scores, mean_scores, score_page
from designlens.evaluate.predict import PredictedGrid
from designlens.evaluate.scores import SCORES, f1
from designlens.evaluate.truth import (
    GroundTruth,
    TruthColor,
    TruthGrid,
    TruthLength,
    TruthPaint,
    TruthText,
    parse_truth,
)

TRUTH_COLORS = (
    TruthColor("#ffffff", 0.6, "background"),
    TruthColor("#ffffff", 0.1, "text"),  # same hex, other kind: shares add up to 0.7
    TruthColor("#000000", 0.2, "text"),
    TruthColor("#ff0000", 0.1, "border"),
    TruthColor("#00ff00", 0.0005, "border"),  # below 0.001: not asked for by the recalls
)


def _truth(**lists: object) -> GroundTruth:
    fields: dict[str, object] = {"colors": None, "typography": None, "spacing": None, "radii": None}
    fields.update(lists)
    return GroundTruth(Path("t.json"), Path("t.png"), 1.0, **fields)  # type: ignore[arg-type]


def test_color_scores_weight_by_summed_share_and_match_within_delta_e_2():
    s = color_scores(TRUTH_COLORS, ["#ffffff", "#010101", "#0000ff"])
    assert s["color_recall"] == pytest.approx(0.9)  # white 0.7 + black 0.2 of 1.0
    assert s["color_recall_distinct"] == pytest.approx(2 / 3)
    assert s["color_precision"] == pytest.approx(2 / 3)  # #0000ff is no paint of the page
    assert s["color_exact"] == pytest.approx(0.5)  # black was found as #010101


def test_color_far_beyond_delta_e_2_is_not_a_match():
    s = color_scores([TruthColor("#000000", 1.0)], ["#101010"])
    assert s["color_recall"] == 0.0
    assert s["color_precision"] == 0.0
    assert s["color_exact"] is None  # nothing matched: no data


def test_low_share_truth_color_counts_for_precision_but_not_recall():
    with_green = color_scores(TRUTH_COLORS, ["#ffffff", "#00ff00"])
    without = color_scores(TRUTH_COLORS, ["#ffffff"])
    assert with_green["color_recall"] == without["color_recall"] == pytest.approx(0.7)
    assert with_green["color_recall_distinct"] == without["color_recall_distinct"] == pytest.approx(1 / 3)
    assert with_green["color_precision"] == 1.0


def test_empty_palette_has_zero_recall_and_null_precision_and_zero_f1():
    page = score_page(_truth(colors=TRUTH_COLORS), Prediction(colors=()))
    assert page["color_recall"] == 0.0
    assert page["color_recall_distinct"] == 0.0
    assert page["color_precision"] is None
    assert page["color_f1"] == 0.0
    assert page["palette_size"] == 0.0


def test_color_f1_uses_distinct_recall():
    page = score_page(_truth(colors=TRUTH_COLORS), Prediction(colors=("#ffffff", "#010101", "#0000ff")))
    assert page["color_f1"] == pytest.approx(2 / 3)  # harmonic mean of 2/3 and 2/3, not of 0.9
    assert page["palette_size"] == 3.0


def test_font_size_and_line_height_scores_are_area_weighted_within_one_px():
    typo = (
        TruthText(16, 24, 300),
        TruthText(14, 21, 100),
        TruthText(32, None, 100),  # line-height: normal
    )
    page = score_page(_truth(typography=typo), Prediction(font_sizes=(15.2, 40), line_heights=(22,)))
    assert page["font_size_recall"] == pytest.approx(0.6)  # 16 matched by 15.2; 14 is 1.2 px off
    assert page["font_size_precision"] == pytest.approx(0.5)
    assert page["font_size_f1"] == pytest.approx(2 * 0.6 * 0.5 / 1.1)
    assert page["line_height_recall"] == pytest.approx(0.25)  # 21 of 24+21 by area


def test_spacing_recall_counts_values_used_twice_and_precision_counts_any():
    spacing = (TruthLength(16, 10), TruthLength(8, 5), TruthLength(4.2, 1))
    page = score_page(_truth(spacing=spacing), Prediction(spacing=(8.9, 4, 30)))
    assert page["spacing_recall"] == pytest.approx(5 / 15)  # 4.2 (count 1) is not asked for
    assert page["spacing_precision"] == pytest.approx(2 / 3)  # 4 matches 4.2 all the same
    assert page["spacing_f1"] == pytest.approx(2 * (1 / 3) * (2 / 3) / 1.0)


def test_radius_recall_is_count_weighted():
    radii = (TruthLength(6, 9), TruthLength(4, 1))
    assert score_page(_truth(radii=radii), Prediction(radii=(5,)))["radius_recall"] == 1.0
    assert score_page(_truth(radii=radii), Prediction(radii=(6.5,)))["radius_recall"] == pytest.approx(0.9)
    assert score_page(_truth(radii=radii), Prediction(radii=(8,)))["radius_recall"] == 0.0


def test_radius_precision_counts_predicted_radii_no_corner_has():
    radii = (TruthLength(6, 9), TruthLength(4, 1))
    page = score_page(_truth(radii=radii), Prediction(radii=(4, 6.5, 20, 40)))
    assert page["radius_precision"] == pytest.approx(2 / 4)
    assert page["radius_f1"] == pytest.approx(2 * 1.0 * 0.5 / 1.5)


def test_border_widths_match_within_half_a_px_weighted_by_count():
    widths = (TruthLength(1, 9), TruthLength(2, 1))
    page = score_page(_truth(borders=widths), Prediction(border_widths=(1.5, 3)))
    assert page["border_width_recall"] == pytest.approx(1.0)  # 1.5 is within 0.5 of both
    assert page["border_width_precision"] == pytest.approx(0.5)  # 3 px is no border of the page
    # within 1 px (spacing's tolerance) 2 would pass for 1: border widths are held to 0.5
    page = score_page(_truth(borders=widths), Prediction(border_widths=(2,)))
    assert page["border_width_recall"] == pytest.approx(0.1)


def test_border_colors_must_be_named_as_borders_and_match_within_delta_e_2():
    paints = (TruthPaint("#dee2e6", 6), TruthPaint("#0d6efd", 2))
    page = score_page(_truth(border_colors=paints), Prediction(border_colors=("#dfe3e7", "#ff0000")))
    assert page["border_color_recall"] == pytest.approx(6 / 8)
    assert page["border_color_precision"] == pytest.approx(1 / 2)
    # the palette holding the colour is not enough: only colours predicted as borders count
    palette_only = Prediction(colors=("#dee2e6", "#0d6efd"), border_colors=())
    page = score_page(_truth(border_colors=paints), palette_only)
    assert page["border_color_recall"] == 0.0
    assert page["border_color_precision"] is None
    # a page that shows no border: any border colour predicted is wrong
    none_shown = score_page(_truth(borders=(), border_colors=()), Prediction(border_colors=("#000000",)))
    assert none_shown["border_color_precision"] == 0.0
    # widths seen but no colour sampled (a truth that cannot say): no data, not 0
    unknown = score_page(
        _truth(borders=(TruthLength(1, 3),), border_colors=()), Prediction(border_colors=("#000000",))
    )
    assert unknown["border_color_precision"] is None


def test_border_truth_is_read_when_the_page_has_it_and_null_when_not():
    doc = {
        "image": "p.png",
        "borders": [{"px": 1, "count": 4}],
        "border_colors": [{"hex": "#DEE2E6", "count": 3}],
    }
    truth = parse_truth(doc, Path("p.json"))
    assert truth.borders == (TruthLength(1, 4),)
    assert truth.border_colors == (TruthPaint("#dee2e6", 3),)
    bare = parse_truth({"image": "p.png"}, Path("p.json"))
    assert bare.borders is None and bare.border_colors is None
    page = score_page(bare, Prediction(border_widths=(1,), border_colors=("#dee2e6",)))
    assert page["border_width_recall"] is None and page["border_color_recall"] is None


GRID_ROWS = (TruthGrid(4, 290, 24, 24, 24, 1), TruthGrid(3, 368, 16, 64, 64, 2))


def _grid_scores(truth: tuple[TruthGrid, ...] | None, *guesses: PredictedGrid) -> tuple[object, object]:
    page = score_page(_truth(grids=truth), Prediction(grids=guesses))
    return page["grid_columns_correct"], page["grid_correct"]


def test_grid_is_correct_when_it_is_a_row_the_page_lays_out():
    assert _grid_scores(GRID_ROWS, PredictedGrid(4, 290, 24)) == (1.0, 1.0)
    assert _grid_scores(GRID_ROWS, PredictedGrid(3, 368, 16)) == (1.0, 1.0)  # any truth row will do
    # the right count with another row's width and gutter: columns right, grid wrong
    assert _grid_scores(GRID_ROWS, PredictedGrid(3, 290, 24)) == (1.0, 0.0)
    # a count no row has
    assert _grid_scores(GRID_ROWS, PredictedGrid(5, 290, 24)) == (0.0, 0.0)


def test_grid_width_and_gutter_are_held_to_two_px():
    assert _grid_scores(GRID_ROWS, PredictedGrid(4, 292, 22)) == (1.0, 1.0)
    assert _grid_scores(GRID_ROWS, PredictedGrid(4, 287.9, 24)) == (1.0, 0.0)  # width 2.1 px off
    assert _grid_scores(GRID_ROWS, PredictedGrid(4, 290, 26.1)) == (1.0, 0.0)  # gutter 2.1 px off
    # a grid predicted without its width or gutter can have the right count, not the right grid
    assert _grid_scores(GRID_ROWS, PredictedGrid(4, None, 24)) == (1.0, 0.0)
    assert _grid_scores(GRID_ROWS, PredictedGrid(4, 290, None)) == (1.0, 0.0)


def test_grid_scores_when_the_page_or_the_prediction_has_no_grid():
    assert _grid_scores(GRID_ROWS) == (0.0, 0.0)  # the page lays out a grid and none was found
    assert _grid_scores(()) == (1.0, 1.0)  # no grid on the page, none predicted
    assert _grid_scores((), PredictedGrid(3, 200, 20)) == (0.0, 0.0)  # a grid the page does not have
    # several predicted grids: the share of them that are rows of the page
    assert _grid_scores(GRID_ROWS, PredictedGrid(4, 290, 24), PredictedGrid(3, 200, 20)) == (1.0, 0.5)


def test_grid_scores_are_null_without_grid_truth_or_a_grid_prediction():
    page = score_page(_truth(), Prediction(grids=(PredictedGrid(4, 290, 24),)))
    assert page["grid_columns_correct"] is None and page["grid_correct"] is None
    page = score_page(_truth(grids=GRID_ROWS), Prediction(colors=("#ffffff",)))
    assert page["grid_columns_correct"] is None and page["grid_correct"] is None
    assert SCORES.index("grid_columns_correct") > SCORES.index("border_color_precision")


def test_grid_truth_is_read_when_the_page_has_it_and_null_when_not():
    doc = {
        "image": "p.png",
        "grids": [
            {
                "columns": 4,
                "column_width": 290.5,
                "gutter": 24,
                "margin_left": 24,
                "margin_right": 23.5,
                "count": 2,
            },
            {"columns": 3, "column_width": 368, "gutter": 16},
        ],
    }
    truth = parse_truth(doc, Path("p.json"))
    assert truth.grids == (TruthGrid(4, 290.5, 24, 24, 23.5, 2), TruthGrid(3, 368, 16, None, None, 1))
    assert parse_truth({"image": "p.png", "grids": []}, Path("p.json")).grids == ()
    assert parse_truth({"image": "p.png"}, Path("p.json")).grids is None
    with pytest.raises(InputError, match="grids"):
        parse_truth(
            {"image": "p.png", "grids": [{"columns": 2.5, "column_width": 1, "gutter": 1}]}, Path("p.json")
        )


def test_families_not_extracted_are_null_never_zero():
    truth = _truth(
        colors=TRUTH_COLORS,
        typography=(TruthText(16, 24, 10),),
        spacing=(TruthLength(8, 3),),
        radii=(TruthLength(4, 3),),
    )
    page = score_page(truth, Prediction(colors=("#ffffff",)))
    assert page["color_recall"] == pytest.approx(0.7)
    for key in SCORES:
        if not key.startswith("color") and key != "palette_size":
            assert page[key] is None, key


def test_truth_without_a_list_gives_null_scores_for_that_family():
    page = score_page(_truth(), Prediction(colors=("#ffffff",), spacing=(8,), radii=(4,)))
    assert page["color_recall"] is None
    assert page["spacing_recall"] is None
    assert page["radius_recall"] is None
    assert page["radius_precision"] is None
    assert page["palette_size"] == 1.0


def test_f1_rules():
    assert f1(0.5, 1.0) == pytest.approx(2 / 3)
    assert f1(0.0, None) == 0.0
    assert f1(None, 0.5) is None
    assert f1(0.5, None) is None


def test_mean_over_pages_skips_null():
    overall = mean_scores([{"a": 1.0}, {"a": None}, {"a": 0.5}, {}], ["a", "b"])
    assert overall == {"a": 0.75, "b": None}
