"""Roles, ramps, scales and composition on small token sets."""

from __future__ import annotations

import pytest

from designlens.colorspace import oklch
from designlens.relate.composition import CompositionAnalyzer
from designlens.relate.ramps import RampAnalyzer
from designlens.relate.roles import RoleAnalyzer, infer_roles
from designlens.relate.scales import ScaleAnalyzer, fit_type_ratio, infer_base_unit
from designlens.tokens import Alias, Color, Dimension, Token, TokenSet, Typography


def _color(name: str, hex_: str, share: float) -> Token:
    return Token(
        name, "color", Color(hex_), extensions={"share": share, "oklch": list(oklch(Color(hex_).rgb))}
    )


def _ui() -> TokenSet:
    return TokenSet(
        [
            _color("color.white", "#ffffff", 0.6),
            _color("color.gray.50", "#f9fafb", 0.2),
            _color("color.gray.200", "#e5e7eb", 0.02),
            _color("color.gray.500", "#6b7280", 0.01),
            _color("color.gray.900", "#111827", 0.05),
            _color("color.blue.600", "#2563eb", 0.03),
            _color("color.purple.500", "#a855f7", 0.004),
            _color("color.red.600", "#dc2626", 0.002),
            _color("color.yellow.400", "#facc15", 0.001),
            _color("color.green.600", "#16a34a", 0.002),
        ]
    )


def test_roles_are_found_with_their_evidence_on_a_typical_light_ui() -> None:
    roles = {role: token.name for role, (token, _) in infer_roles(list(_ui())).items()}
    assert roles == {
        "background": "color.white",
        "surface": "color.gray.50",
        "text.default": "color.gray.900",
        "text.muted": "color.gray.500",
        "border": "color.gray.200",
        "primary": "color.blue.600",
        "accent": "color.purple.500",
        "success": "color.green.600",
        "warning": "color.yellow.400",
        "danger": "color.red.600",
    }
    rels = RoleAnalyzer().analyze(_ui())
    text = next(r for r in rels if r.source == "color.text.default")
    assert text.type == "aliases" and text.target == "color.gray.900"
    assert "WCAG 17.7:1" in text.attributes["evidence"]


def test_the_border_role_goes_to_a_faint_neutral_seen_painting_borders() -> None:
    # a pale tinted panel outweighs the hairlines, but only the hairline colour draws borders
    tinted = _color("color.indigo.100", "#e0e7ff", 0.05)
    hairline = _color("color.gray.300", "#d1d5db", 0.004)
    assert infer_roles([*_ui(), tinted, hairline])["border"][0].name == "color.indigo.100"
    hairline.extensions["kinds"] = ["border"]
    token, evidence = infer_roles([*_ui(), tinted, hairline])["border"]
    assert token.name == "color.gray.300" and "seen painting borders" in evidence


def test_no_chromatic_color_means_no_primary_accent_or_status_role() -> None:
    greys = [t for t in _ui() if t.name.startswith(("color.white", "color.gray"))]
    roles = infer_roles(greys)
    assert not {"primary", "accent", "success", "warning", "danger"} & set(roles)


def test_a_role_already_present_as_a_token_is_not_inferred_again() -> None:
    tokens = _ui()
    tokens.add(Token("color.background", "color", Alias("color.gray.50")))
    assert "color.background" not in {r.source for r in RoleAnalyzer().analyze(tokens)}


def test_ramps_order_one_hue_family_from_lightest_to_darkest() -> None:
    tokens = TokenSet(
        [
            _color("color.gray.900", "#111827", 0.1),
            _color("color.gray.50", "#f9fafb", 0.1),
            _color("color.gray.500", "#6b7280", 0.1),
            _color("color.blue.600", "#2563eb", 0.1),
        ]
    )
    rels = RampAnalyzer().analyze(tokens)
    assert [(r.source, r.target) for r in rels] == [
        ("color.gray.50", "color.gray.500"),
        ("color.gray.500", "color.gray.900"),
    ]
    assert all(r.type == "ramp-darker" and r.attributes["deltaL"] > 0 for r in rels)


@pytest.mark.parametrize(
    ("values", "base"),
    [
        ([4, 8, 12, 16, 24, 32], 4.0),
        ([8, 16, 24, 48], 8.0),
        ([6, 12, 18], 6.0),
        ([5, 7, 11], 1.0),
        ([], None),
    ],
)
def test_base_unit_is_the_largest_grid_most_spacing_values_sit_on(
    values: list[float], base: float | None
) -> None:
    assert infer_base_unit(values) == base


def test_spacing_tokens_are_multiples_of_the_base_unit_token() -> None:
    tokens = TokenSet([Token(f"spacing.{n}", "dimension", Dimension(4.0 * n)) for n in (1, 2, 4, 6)])
    rels = ScaleAnalyzer().analyze(tokens)
    assert {r.source: r.attributes["factor"] for r in rels} == {
        "spacing.2": 2,
        "spacing.4": 4,
        "spacing.6": 6,
    }
    assert all(r.target == "spacing.1" and r.attributes["multipleOf"] == 4.0 for r in rels)


def test_type_scale_ratio_is_fitted_and_named() -> None:
    ratio, name = fit_type_ratio([12, 15, 18.75, 23.4375])
    assert ratio == pytest.approx(1.25) and name == "major third"
    assert fit_type_ratio([12, 13, 31])[1] is None
    tokens = TokenSet(
        [
            Token("font.size.sm", "dimension", Dimension(12)),
            Token("font.size.md", "dimension", Dimension(0.9375, "rem")),
            Token("font.size.lg", "dimension", Dimension(18.75)),
        ]
    )
    rels = ScaleAnalyzer().analyze(tokens)
    assert [(r.source, r.target, r.type) for r in rels] == [
        ("font.size.sm", "font.size.md", "scale-up"),
        ("font.size.md", "font.size.lg", "scale-up"),
    ]
    assert rels[0].attributes["scale"] == "major third"


def test_typography_composes_its_member_tokens_by_alias_and_by_equal_value() -> None:
    tokens = TokenSet(
        [
            Token("font.size.body", "dimension", Dimension(16)),
            Token("font.weight.bold", "fontWeight", 700),
            Token("typography.heading", "typography", Typography("Inter", Alias("font.size.body"), 700, 1.2)),
        ]
    )
    rels = {(r.target, r.attributes["by"]): r.weight for r in CompositionAnalyzer().analyze(tokens)}
    assert rels == {("font.size.body", "alias"): 1.0, ("font.weight.bold", "value"): 0.5}
