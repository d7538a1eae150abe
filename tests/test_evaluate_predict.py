"""The adapter from a TokenSet to the predicted lists the scores compare."""

from __future__ import annotations

import pytest

from designlens.evaluate import prediction_from_tokens
from designlens.evaluate.predict import PredictedGrid
from designlens.tokens import Alias, Color, Dimension, Token, TokenSet, Typography


def _typo(name: str, size: Dimension | Alias, line: float | Alias, **ext: object) -> Token:
    return Token(name, "typography", Typography("system-ui", size, 400, line), extensions=ext)


TOKENS = TokenSet(
    [
        Token("color.white", "color", Color("#ffffff")),
        Token("color.blue-500", "color", Color("#0d6efd")),
        Token("font-size.body", "dimension", Dimension(14)),
        Token("fontSize.lead", "dimension", Dimension(1.25, "rem")),
        Token("line-height.tight", "dimension", Dimension(18)),
        _typo("typography.body", Dimension(16), 1.5),
        _typo("typography.small", Dimension(0.75, "rem"), 1.0),
        _typo("typography.h1", Alias("font-size.body"), 20, lineHeightPx=20),  # line height given in px
        _typo("typography.h2", Dimension(30), 36.0),  # >= 4: already px
        Token("spacing.md", "dimension", Dimension(16)),
        Token("spacing.sm", "dimension", Dimension(0.5, "rem")),
        Token("space.xs", "dimension", Dimension(4)),
        Token("radius.sm", "dimension", Dimension(4)),
        Token("border-radius.lg", "dimension", Dimension(12)),
        Token("corners.card", "dimension", Dimension(6), extensions={"kind": "radius"}),
        Token("size.icon", "dimension", Dimension(24)),  # no family of ours: ignored
    ]
)


def test_every_family_is_read_when_its_extractor_ran():
    p = prediction_from_tokens(TOKENS, {"color", "typography", "layout"})
    assert p.colors == ("#ffffff", "#0d6efd")
    assert p.font_sizes == (14.0, 20.0, 16.0, 12.0, 30.0)
    assert p.line_heights == (18.0, 24.0, 12.0, 20.0, 36.0)
    assert p.spacing == (16.0, 8.0, 4.0)
    assert p.radii == (4.0, 12.0, 6.0)


def test_families_whose_extractor_did_not_run_are_none():
    p = prediction_from_tokens([Token("color.white", "color", Color("#ffffff"))], {"color"})
    assert p.colors == ("#ffffff",)
    assert p.font_sizes is None
    assert p.line_heights is None
    assert p.spacing is None
    assert p.radii is None


def test_ran_but_found_nothing_is_an_empty_prediction_not_none():
    p = prediction_from_tokens([], {"color", "layout", "typography"})
    assert p.colors == ()
    assert p.spacing == ()
    assert p.radii == ()
    assert p.font_sizes == ()


def test_font_size_dimensions_count_as_typography_even_from_another_extractor():
    p = prediction_from_tokens([Token("font-size.body", "dimension", Dimension(14))], {"dimension"})
    assert p.font_sizes == (14.0,)
    assert p.spacing == ()


@pytest.mark.parametrize("name", ["gap.row", "padding.card", "margin.section", "spacing.2"])
def test_spacing_names(name: str):
    p = prediction_from_tokens([Token(name, "dimension", Dimension(8))], {"dimension"})
    assert p.spacing == (8.0,)
    assert p.radii == ()


def test_border_colors_from_another_extractor_do_not_make_a_color_prediction():
    p = prediction_from_tokens([Token("color.border", "color", Color("#dee2e6"))], {"layout"})
    assert p.colors is None
    assert p.spacing == ()


def test_border_widths_and_colours_named_or_marked_as_borders():
    tokens = [
        Token("border.width.1", "dimension", Dimension(1)),
        Token("borderWidth.thick", "dimension", Dimension(0.125, "rem")),
        Token("border-radius.sm", "dimension", Dimension(4)),  # a radius, not a width
        Token("color.gray.300", "color", Color("#dee2e6"), extensions={"kinds": ["border"]}),
        Token("color.gray.900", "color", Color("#212529"), extensions={"kinds": ["text"]}),
        Token("color.border.strong", "color", Color("#adb5bd")),
        Token("border", "color", Alias("color.gray.900")),  # a semantic alias named for borders
    ]
    p = prediction_from_tokens(tokens, {"layout", "color"})
    assert p.border_widths == (1.0, 2.0)
    assert p.radii == (4.0,)
    assert p.border_colors == ("#dee2e6", "#adb5bd", "#212529")
    assert p.colors == ("#dee2e6", "#212529", "#adb5bd")  # aliases add no palette colour


def test_border_colours_named_with_a_suffix_and_data_grids_are_read_rightly():
    tokens = [
        Token("colors.border-light", "color", Color("#eeeeee")),
        Token("datagrid.columns", "number", 5),  # a table component's setting, not a layout grid
    ]
    p = prediction_from_tokens(tokens, {"layout"})
    assert p.border_colors == ("#eeeeee",)
    assert p.grids == ()


def test_border_families_are_none_unless_an_extractor_of_them_ran():
    p = prediction_from_tokens([Token("color.white", "color", Color("#ffffff"))], {"color"})
    assert p.border_widths is None and p.border_colors is None
    p = prediction_from_tokens([], {"layout"})
    assert p.border_widths == () and p.border_colors == ()


def test_grid_from_designlens_columns_token_and_its_extensions():
    grid = Token(
        "grid.columns",
        "number",
        4,
        extensions={
            "count": 1,
            "columnWidth": 294.0,
            "gutter": 24.0,
            "marginLeft": 16.0,
            "marginRight": 16.0,
        },
    )
    p = prediction_from_tokens([grid, Token("grid.gutter", "dimension", Dimension(20))], {"layout"})
    assert p.grids == (PredictedGrid(4, 294.0, 24.0),)  # the extension wins over the sibling token


def test_grid_gutter_and_width_from_tokens_beside_the_column_count():
    tokens = [
        Token("layout.grid.columns", "number", 12),
        Token("layout.grid.gutter", "dimension", Dimension(1.5, "rem")),
        Token("layout.grid.column-width", "dimension", Dimension(72)),
        Token(
            "grid.desktop.columns", "number", 3, extensions={"gutter": "32px", "column_width": {"value": 400}}
        ),
        Token("table.columns", "number", 5),  # not under a grid group: no grid
        Token("grid.columns-max", "number", 6),  # not a column count
        Token("grid.rows", "number", 2),
        Token("grid.fraction.columns", "number", 2.5),  # no whole count of columns
    ]
    p = prediction_from_tokens(tokens, {"layout"})
    assert p.grids == (PredictedGrid(12, 72.0, 24.0), PredictedGrid(3, 400.0, 32.0))


def test_grid_count_without_geometry_and_grid_none_unless_its_extractor_ran():
    p = prediction_from_tokens([Token("grid.columns", "number", 3)], {"color"})
    assert p.grids == (PredictedGrid(3, None, None),)  # a grid token came out anyway
    assert prediction_from_tokens([Token("color.white", "color", Color("#ffffff"))], {"color"}).grids is None
    assert prediction_from_tokens([], {"layout"}).grids == ()
    assert prediction_from_tokens([], {"grid"}).grids == ()
    # a column count given by alias is followed
    aliased = [Token("base.three", "number", 3), Token("grid.columns", "number", Alias("base.three"))]
    assert prediction_from_tokens(aliased, {"layout"}).grids == (PredictedGrid(3, None, None),)


def test_typography_members_aliased_to_font_primitives_are_followed():
    tokens = [
        Token("font.size.2", "dimension", Dimension(14.5)),
        Token("font.lineHeight.1", "dimension", Dimension(21)),
        _typo("typography.caption", Alias("font.size.2"), Alias("font.lineHeight.1")),
        _typo("typography.body", Alias("font.size.2"), 1.5),
    ]
    p = prediction_from_tokens(tokens, {"typography"})
    assert p.font_sizes == (14.5,)
    assert p.line_heights == (21.0, 21.75)
