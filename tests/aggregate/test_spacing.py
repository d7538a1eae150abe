"""Spacing, radius and border aggregation: dedup, base unit, scale kind, names, exports."""

from __future__ import annotations

from dataclasses import replace

import pytest

from designlens.aggregate.border import BorderAggregator
from designlens.aggregate.grid import GridAggregator
from designlens.aggregate.radius import RadiusAggregator
from designlens.aggregate.spacing import SpacingAggregator, classify_scale, collect, dedup, infer_base_unit
from designlens.export.css import CssExporter
from designlens.relate.graph import TokenGraph
from designlens.tokens import Dimension, Provenance, Token, TokenSet
from designlens.tokens.dtcg import dumps, loads


def raw(group: str, counts: dict[float, int], image: str = "a", **ext: object) -> list[Token]:
    return [
        Token(
            f"{group}.{str(v).replace('.', '_')}",
            "dimension",
            Dimension(v),
            provenance=(Provenance(image * 64, f"{image}.png"),),
            extensions={"count": n, **ext},
        )
        for v, n in counts.items()
    ]


def by_value(tokens: list[Token]) -> dict[float, Token]:
    return {t.value.value: t for t in tokens if isinstance(t.value, Dimension)}


def test_near_values_merge_into_the_most_frequent_one() -> None:
    out = by_value(SpacingAggregator().aggregate(raw("spacing", {4: 6, 8: 10, 16: 12, 17: 2, 24: 5}), {}))
    assert set(out) == {4, 8, 16, 24}
    assert out[16].extensions["count"] == 14
    assert out[16].extensions["merged"] == [17]


def test_two_values_on_the_grid_never_merge_whatever_the_tolerance() -> None:
    tokens = raw("spacing", {4: 6, 8: 10, 12: 8, 13: 1, 16: 12})
    out = by_value(SpacingAggregator().aggregate(tokens, {"tolerance": 0.5}))
    assert {8, 12, 16} <= set(out)  # on the 4 px grid: kept apart
    assert 13 not in out and 13 in out[12].extensions["merged"]  # off grid: merged


def test_values_are_counted_across_images_with_provenance_per_image() -> None:
    tokens = raw("spacing", {8: 3, 16: 2}, "a") + raw("spacing", {8: 4}, "b")
    out = by_value(SpacingAggregator().aggregate(tokens, {}))
    assert out[8].extensions["count"] == 7
    assert out[8].extensions["images"] == 2
    assert [p.source for p in out[8].provenance] == ["a.png", "b.png"]


@pytest.mark.parametrize(
    ("counts", "base", "kind"),
    [
        ({4: 6, 8: 12, 12: 5, 16: 9, 24: 4}, 4.0, "4pt"),
        ({8: 14, 16: 10, 24: 6, 32: 3, 48: 2}, 8.0, "8pt"),
        ({5: 4, 10: 9, 15: 3, 20: 8}, 5.0, "linear"),
    ],
)
def test_base_unit_and_scale_kind_are_inferred(counts: dict[float, int], base: float, kind: str) -> None:
    unit = infer_base_unit(counts)
    assert unit is not None and unit.base == base and unit.confidence > 0.5
    assert classify_scale(list(counts), unit) == kind


def test_measured_values_a_pixel_off_still_reveal_the_base() -> None:
    unit = infer_base_unit({4: 3, 5: 2, 8: 10, 9: 6, 16: 8, 17: 3, 24: 4})
    assert unit is not None and unit.base == 4.0


def test_fibonacci_and_modular_scales_are_recognised() -> None:
    fib = [8.0, 13.0, 21.0, 34.0, 55.0]
    assert classify_scale(fib, infer_base_unit({v: 2 for v in fib})) == "fibonacci"
    modular = [4.0, 6.0, 9.0, 13.5, 20.25]
    assert classify_scale(modular, infer_base_unit({v: 2 for v in modular})) == "modular"


def test_steps_are_named_as_multiples_and_off_grid_values_are_flagged_not_dropped() -> None:
    out = SpacingAggregator().aggregate(raw("spacing", {4: 8, 8: 12, 16: 10, 6: 3, 25: 2}), {})
    names = {t.name: t for t in out}
    assert names["spacing.1"].value == Dimension(4)
    assert names["spacing.2"].value == Dimension(8)
    assert names["spacing.4"].value == Dimension(16)
    assert names["spacing.1_5"].extensions["onGrid"] is False  # a half step
    assert names["spacing.px-25"].extensions["onGrid"] is False
    assert names["spacing.1"].extensions["rem"] == 0.25
    assert names["spacing.4"].extensions["scale"]["base"] == 4.0


def test_radii_keep_distinct_small_values_and_name_pills_full() -> None:
    tokens = raw("radius", {4: 3, 5: 2, 6: 9}) + raw("radius", {12.5: 2}, full=True)
    out = {t.name: t for t in RadiusAggregator().aggregate(tokens, {})}
    assert set(out) == {"radius.4", "radius.5", "radius.6", "radius.full-12_5"}
    assert out["radius.full-12_5"].extensions["full"] is True


def test_border_widths_merge_across_images() -> None:
    tokens = raw("border", {1: 5, 2: 1}, "a") + raw("border", {1: 2}, "b")
    out = {t.name: t for t in BorderAggregator().aggregate(tokens, {})}
    assert set(out) == {"border.width.1", "border.width.2"}
    assert out["border.width.1"].extensions["count"] == 7


def test_layout_tokens_round_trip_through_dtcg_and_render_as_css_lengths() -> None:
    tokens = TokenSet(
        SpacingAggregator().aggregate(raw("spacing", {4: 8, 8: 12, 7.5: 2}), {})
        + RadiusAggregator().aggregate(raw("radius", {6: 3}), {})
        + BorderAggregator().aggregate(raw("border", {1: 3}), {})
    )
    assert loads(dumps(tokens)) == tokens
    css = CssExporter().export(tokens, TokenGraph(), {}).decode()
    assert "--spacing-1: 4px;" in css
    assert "--spacing-2: 8px;" in css
    assert "--radius-6: 6px;" in css
    assert "--border-width-1: 1px;" in css


def test_a_value_seen_only_as_possible_slack_needs_a_second_image_or_another_kind() -> None:
    # a centred page shows the same slack left and right: two sightings, one piece of evidence
    tokens = raw("spacing", {8: 6, 16: 4}) + raw("spacing", {63: 2}, weak=2)
    tokens += raw("spacing", {40: 1}, weak=1) + raw("spacing", {40: 1}, image="b", weak=1)
    tokens += raw("spacing", {24: 2}, weak=1)  # once a margin, once a padding
    out = by_value(SpacingAggregator().aggregate(tokens, {}))
    assert 63 not in out
    assert 40 in out  # seen in two images
    assert 24 in out


def test_the_grid_seen_most_often_wins_and_gives_columns_and_gutter() -> None:
    def grid(columns: int, gutter: float, image: str) -> Token:
        ext = {"count": 1, "gutter": gutter, "columnWidth": 290.0, "marginLeft": 24.0, "marginRight": 24.0}
        return Token(
            "grid.columns", "number", columns, provenance=(Provenance(image * 64, image),), extensions=ext
        )

    out = {
        t.name: t
        for t in GridAggregator().aggregate([grid(4, 24, "a"), grid(4, 24, "b"), grid(3, 16, "c")], {})
    }
    assert out["grid.columns"].value == 4
    assert out["grid.gutter"].value == Dimension(24)
    assert out["grid.columns"].extensions["images"] == 2
    assert loads(dumps(TokenSet(out.values()))) == TokenSet(out.values())


def test_a_few_stray_values_do_not_hide_a_4pt_system() -> None:
    counts = {4.0: 10, 8.0: 20, 12.0: 8, 16.0: 14, 13.0: 1, 7.0: 1, 21.0: 1}
    assert classify_scale(counts, infer_base_unit(counts)) == "4pt"


def test_possible_slack_does_not_decide_the_base_unit() -> None:
    tokens = raw("spacing", {8: 3, 16: 4, 24: 2}) + raw("spacing", {2: 1, 3: 1}, weak=1)
    tokens += raw("spacing", {2: 1, 3: 1}, image="b", weak=1)  # kept (two images), but slack
    out = SpacingAggregator().aggregate(tokens, {})
    assert out[0].extensions["scale"]["base"] == 8.0


def test_measured_values_a_pixel_off_classify_as_their_grid_and_three_values_make_no_series() -> None:
    measured = {7.0: 3, 8.0: 10, 9.0: 6, 13.0: 4, 16.0: 12, 17.0: 5, 24.0: 4}
    unit = infer_base_unit(measured)
    assert classify_scale(measured, unit, 0.25) == "custom"  # exact grid only: 9, 13, 17 are off
    assert classify_scale(measured, unit, 0.25, noise=1.0) == "4pt"
    assert classify_scale({8.0: 1, 9.0: 1, 16.0: 2}, unit, 0.25) != "fibonacci"  # 8 + 9 ~ 16 is no series


# A 4 px system as the line-box model measures it: designed values seen a pixel off, and
# spurious values (2, 3, 6, 10, 14 px) measured to line boxes of inferred line height.
NOISY_4PX = {4: 2, 8: 4, 9: 2, 12: 3, 16: 6, 17: 3, 24: 3, 2: 5, 3: 3, 6: 4, 10: 3, 14: 3}
NOISY_4PX_INFERRED = {2: 5, 3: 3, 6: 4, 10: 3, 14: 3}


def test_spurious_small_values_to_inferred_line_boxes_do_not_shrink_the_base() -> None:
    unit = infer_base_unit(NOISY_4PX, inferred=NOISY_4PX_INFERRED)
    assert unit is not None and unit.base == 4.0 and unit.confidence > 0.5
    # the same values measured firmly are a 2 px grid: firm small values bound the base
    firm = infer_base_unit(NOISY_4PX)
    assert firm is not None and firm.base == 2.0


def test_the_aggregator_reads_inferred_sightings_from_the_tokens() -> None:
    tokens = [
        Token(
            f"spacing.{v}",
            "dimension",
            Dimension(v),
            provenance=(Provenance("a" * 64, "a.png"),),
            extensions={"count": n, "inferred": NOISY_4PX_INFERRED.get(v, 0)},
        )
        for v, n in NOISY_4PX.items()
    ]
    out = SpacingAggregator().aggregate(tokens, {})
    assert out[0].extensions["scale"]["base"] == 4.0


# An 8 px system's buttons (padding 16 and 24, CSS `line-height: normal`) read through the
# 1.5 convention: each padding comes out 3 px short, at 13 and 21, with 3 px of slack.
BUTTONS_8PX = {8: 2, 16: 3, 24: 2, 32: 2, 13: 5, 21: 5}
BUTTONS_INFERRED = {13: 5, 21: 5}


def test_an_inferred_padding_counts_anywhere_up_to_its_slack() -> None:
    short = infer_base_unit(BUTTONS_8PX, inferred=BUTTONS_INFERRED)
    assert short is not None and short.base == 4.0  # 13 and 21 read as 12 and 20
    spanned = infer_base_unit(BUTTONS_8PX, inferred=BUTTONS_INFERRED, slack={13: 3.0, 21: 3.0})
    assert spanned is not None and spanned.base == 8.0 and spanned.confidence > 0.8
    # slack the other way (13 could be 10, 21 could be 18) says nothing for 8
    away = infer_base_unit(BUTTONS_8PX, inferred=BUTTONS_INFERRED, slack={13: -3.0, 21: -3.0})
    assert away is not None and away.base != 8.0


def test_the_aggregator_averages_slack_over_the_inferred_sightings_of_every_image() -> None:
    def tokens(image: str, slack: float, inferred: int) -> list[Token]:
        out = []
        for v, n in BUTTONS_8PX.items():
            ext: dict[str, object] = {"count": n, "inferred": inferred if v in BUTTONS_INFERRED else 0}
            if v in BUTTONS_INFERRED:
                ext["slack"] = slack
            prov = (Provenance(image, "x.png"),)
            out.append(Token(f"spacing.{v}", "dimension", Dimension(v), provenance=prov, extensions=ext))
        return out

    # one sighting at 5.0 px and four at 3.125: 3.5 px on average, not 4.06 (the mean of the two)
    both = tokens("a" * 64, 5.0, 1) + tokens("b" * 64, 3.125, 4)
    thirteen = collect(both)[13.0]
    assert thirteen.inferred == 5 and thirteen.slack / thirteen.inferred == pytest.approx(3.5)
    scale = SpacingAggregator().aggregate(both, {})[0].extensions["scale"]
    twice = {v: 2 * n for v, n in BUTTONS_8PX.items()}
    model = infer_base_unit(twice, inferred={13: 5, 21: 5}, slack={13: 3.5, 21: 3.5})  # the mean
    assert model is not None and (scale["base"], scale["confidence"]) == (8.0, model.confidence)
    without = [replace(t, extensions={**t.extensions, "slack": 0.0}) for t in both]
    assert SpacingAggregator().aggregate(without, {})[0].extensions["scale"]["base"] == 4.0


# A 4 px system on a JPEG: ringing spreads 4 px over 3 to 6 and moves 16 and 24 a pixel or two.
JPEG_4PX = {3: 6, 4: 8, 5: 6, 6: 4, 15: 1, 16: 3, 26: 2}


def test_sightings_on_a_lossy_image_count_loosely() -> None:
    firm = infer_base_unit(JPEG_4PX)
    assert firm is not None and firm.base == 2.0  # read as exact, 3, 5 and 26 need a 2 px grid
    lossy = infer_base_unit(JPEG_4PX, lossy=JPEG_4PX)
    assert lossy is not None and lossy.base == 4.0
    tokens = raw("spacing", dict(JPEG_4PX), lossy=True)
    assert SpacingAggregator().aggregate(tokens, {})[0].extensions["scale"]["base"] == 4.0
    tokens = raw("spacing", dict(JPEG_4PX))
    assert SpacingAggregator().aggregate(tokens, {})[0].extensions["scale"]["base"] == 2.0


def test_only_a_lossy_image_s_firm_sightings_count_as_lossy() -> None:
    # 24 px: on a JPEG 3 times (2 of them weak margins), on a PNG 3 times; 13 px on the JPEG
    # 4 times, 3 of them to inferred line boxes
    jpeg = raw("spacing", {24: 3}, "a", weak=2, lossy=True)
    jpeg += raw("spacing", {13: 4}, "a", inferred=3, lossy=True)
    values = collect(jpeg + raw("spacing", {24: 3}, "b"))
    assert (values[24.0].count, values[24.0].weak, values[24.0].lossy) == (6, 2, 1)
    assert (values[13.0].inferred, values[13.0].lossy) == (3, 1)


def test_dedup_keeps_what_the_base_model_reads() -> None:
    a = raw("spacing", {16: 5}, "a", inferred=2, slack=3.0, lossy=True)
    b = raw("spacing", {17: 2}, "b", inferred=1, slack=1.0, lossy=True)
    (m,) = dedup(collect(a + b), 0.1, lambda x, y: False)
    assert (m.value, m.count, m.inferred, m.slack, m.lossy) == (16.0, 7, 3, 7.0, 4)


def test_a_value_repeated_many_times_is_one_design_decision() -> None:
    # one 16 px padding repeated down a list does not outvote 12 and 20 seen twice each
    unit = infer_base_unit({16: 30, 8: 2, 12: 2, 20: 2})
    assert unit is not None and unit.base == 4.0


def test_the_coarser_base_needs_evidence_and_thin_evidence_gives_low_confidence() -> None:
    thin = infer_base_unit({16: 1})
    assert thin is not None and thin.base == 4.0 and thin.confidence < 0.3
    many = infer_base_unit({8: 3, 16: 4, 24: 2, 32: 2, 48: 2})
    assert many is not None and many.base == 8.0 and many.confidence > 0.5
    assert many.confidence > thin.confidence


def test_a_firm_value_below_the_coarser_grid_keeps_the_finer_base() -> None:
    counts = {8: 6, 16: 8, 24: 4, 32: 3}
    coarse = infer_base_unit(counts)
    assert coarse is not None and coarse.base == 8.0
    fine = infer_base_unit({**counts, 4: 3})  # a 4 px gap seen three times
    assert fine is not None and fine.base == 4.0
    loose = infer_base_unit({**counts, 4: 1}, inferred={4: 1})  # once, to an inferred line box
    assert loose is not None and loose.base == 8.0


def test_a_base_prior_given_as_json_keys_is_the_same_prior() -> None:
    """`--set` passes JSON, whose object keys are strings: "8" must weigh as 8 does."""
    counts = {8.0: 4, 16.0: 6, 24.0: 3, 32.0: 2}
    as_numbers = infer_base_unit(counts, {"base_prior": {4: 0.1, 8: 0.8}})
    as_json = infer_base_unit(counts, {"base_prior": {"4": 0.1, "8": 0.8}})
    flat = infer_base_unit(counts, {"base_prior": {}})
    assert as_json == as_numbers
    assert as_numbers is not None and flat is not None and as_numbers.confidence != flat.confidence
