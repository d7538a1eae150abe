"""Alias resolution: chains, composite members, and clear errors for dangling refs and cycles."""

from __future__ import annotations

import pytest

from designlens.errors import AliasError, TokenFormatError
from designlens.relate.aliases import AliasAnalyzer, check_aliases, resolve
from designlens.tokens import Alias, Color, Dimension, Shadow, ShadowLayer, Token, TokenSet, Typography


def test_resolve_follows_a_chain_of_aliases_to_the_value() -> None:
    tokens = TokenSet(
        [
            Token("color.gray.900", "color", Color("#111827")),
            Token("color.text.default", "color", Alias("color.gray.900")),
            Token("color.heading", "color", Alias("color.text.default")),
        ]
    )
    assert resolve(tokens, "color.heading") == Color("#111827")


def test_resolve_replaces_aliases_inside_typography_and_shadow_members() -> None:
    tokens = TokenSet(
        [
            Token("font.size.body", "dimension", Dimension(16)),
            Token("color.scrim", "color", Color("#000000", 0.5)),
            Token("typography.body", "typography", Typography("Inter", Alias("font.size.body"), 400, 1.5)),
            Token(
                "shadow.sm",
                "shadow",
                Shadow(
                    (
                        ShadowLayer(
                            Alias("color.scrim"), Dimension(0), Dimension(1), Dimension(2), Dimension(0)
                        ),
                    )
                ),
            ),
        ]
    )
    typo = resolve(tokens, "typography.body")
    assert isinstance(typo, Typography) and typo.font_size == Dimension(16)
    shadow = resolve(tokens, "shadow.sm")
    assert isinstance(shadow, Shadow) and shadow.layers[0].color == Color("#000000", 0.5)


def test_dangling_alias_error_names_the_whole_chain_and_the_missing_token() -> None:
    tokens = TokenSet(
        [
            Token("color.text.default", "color", Alias("color.neutral.900")),
            Token("color.heading", "color", Alias("color.text.default")),
        ]
    )
    with pytest.raises(AliasError) as info:
        resolve(tokens, "color.heading")
    message = str(info.value)
    assert "color.heading -> color.text.default -> {color.neutral.900}" in message
    assert "no token 'color.neutral.900' exists" in message
    assert info.value.chain == ("color.heading", "color.text.default", "color.neutral.900")
    assert isinstance(info.value, TokenFormatError)


def test_alias_cycle_error_names_every_token_in_the_loop() -> None:
    tokens = TokenSet(
        [
            Token("color.a", "color", Alias("color.b")),
            Token("color.b", "color", Alias("color.c")),
            Token("color.c", "color", Alias("color.a")),
        ]
    )
    with pytest.raises(AliasError, match=r"alias cycle: color\.a -> color\.b -> color\.c -> color\.a"):
        check_aliases(tokens)


def test_a_dangling_member_alias_inside_a_composite_is_reported() -> None:
    tokens = TokenSet(
        [Token("typography.body", "typography", Typography("Inter", Alias("font.size.missing"), 400, 1.5))]
    )
    with pytest.raises(AliasError, match=r"typography\.body -> \{font\.size\.missing\}"):
        check_aliases(tokens)


def test_alias_analyzer_links_each_whole_value_alias_to_its_target_and_keeps_the_evidence() -> None:
    tokens = TokenSet(
        [
            Token("color.gray.900", "color", Color("#111827")),
            Token(
                "color.text.default",
                "color",
                Alias("color.gray.900"),
                extensions={"role": "text.default", "evidence": "most-used neutral"},
            ),
        ]
    )
    (rel,) = AliasAnalyzer().analyze(tokens)
    assert (rel.source, rel.target, rel.type) == ("color.text.default", "color.gray.900", "aliases")
    assert rel.attributes == {"role": "text.default", "evidence": "most-used neutral"}
