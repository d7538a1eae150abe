"""Contrast pairs: APCA against the npm reference, WCAG 2.2 verdicts, observed vs inferred pairs."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from designlens.relate.contrast import ContrastAnalyzer, apca_lc, contrast_matrix
from designlens.tokens import Color, Token, TokenSet

PAIRS = [
    ("#000000", "#ffffff"),
    ("#ffffff", "#000000"),
    ("#888888", "#ffffff"),
    ("#ffffff", "#888888"),
    ("#111827", "#f9fafb"),
    ("#6b7280", "#ffffff"),
    ("#2563eb", "#ffffff"),
    ("#ffffff", "#2563eb"),
    ("#dc2626", "#fef2f2"),
    ("#facc15", "#111827"),
    ("#777777", "#787878"),
    ("#050505", "#0a0a0a"),
    ("#1d4ed8", "#e5e7eb"),
    ("#16a34a", "#000000"),
    ("#a855f7", "#faf5ff"),
    ("#123456", "#abcdef"),
]


def test_apca_lc_matches_the_npm_apca_w3_reference(tools_dir: Path) -> None:
    script = (
        "import { APCAcontrast, sRGBtoY } from 'apca-w3';"
        "const pairs = JSON.parse(process.argv[1]);"
        "const hex = h => [1, 3, 5].map(i => parseInt(h.slice(i, i + 2), 16));"
        "console.log(JSON.stringify(pairs.map(([t, b]) => APCAcontrast(sRGBtoY(hex(t)), sRGBtoY(hex(b))))));"
    )
    out = subprocess.run(
        ["node", "--input-type=module", "-e", script, json.dumps(PAIRS)],
        cwd=tools_dir,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    reference = json.loads(out)
    ours = [apca_lc(Color(t).rgb, Color(b).rgb) for t, b in PAIRS]
    assert ours == pytest.approx(reference, abs=1e-9)
    assert reference[0] == pytest.approx(106.04, abs=0.01)  # black on white: the documented Lc 106


def _c(name: str, hex_: str, share: float, **ext: object) -> Token:
    return Token(name, "color", Color(hex_), extensions={"share": share, **ext})


def test_wcag_verdicts_follow_the_aa_aaa_thresholds_for_normal_and_large_text() -> None:
    tokens = TokenSet(
        [
            _c("color.white", "#ffffff", 0.9),
            _c("color.gray.500", "#767676", 0.01),
            _c("color.gray.400", "#777777", 0.01),
            _c("color.gray.300", "#949494", 0.01),
        ]
    )
    rels = {r.source: r.attributes for r in ContrastAnalyzer().analyze(tokens)}
    assert rels["color.gray.500"]["wcag"] == 4.54
    assert (rels["color.gray.500"]["aa"], rels["color.gray.500"]["aaa"]) == (True, False)
    assert (rels["color.gray.400"]["aa"], rels["color.gray.400"]["aaLarge"]) == (False, True)
    assert (rels["color.gray.300"]["aaLarge"], rels["color.gray.300"]["aaaLarge"]) == (True, False)
    assert rels["color.gray.500"]["apca"] == pytest.approx(apca_lc((0x76,) * 3, (255,) * 3), abs=0.05)


def test_observed_backgrounds_from_the_on_extension_win_over_inference() -> None:
    tokens = TokenSet(
        [
            _c("color.white", "#ffffff", 0.7),
            _c("color.blue.600", "#2563eb", 0.1),
            _c("color.gray.900", "#111827", 0.05, on=[{"color": "#ffffff", "pixels": 900}]),
            _c("color.white-ish", "#fefefe", 0.01, on=[{"color": "#2563eb", "pixels": 100}]),
        ]
    )
    rels = ContrastAnalyzer().analyze(tokens)
    assert {(r.source, r.target) for r in rels} == {
        ("color.gray.900", "color.white"),
        ("color.white-ish", "color.blue.600"),
    }
    assert all(r.attributes["evidence"] == "observed" for r in rels)


def test_without_observations_text_candidates_pair_with_each_large_area_background() -> None:
    tokens = TokenSet(
        [
            _c("color.white", "#ffffff", 0.6),
            _c("color.gray.50", "#f9fafb", 0.25),
            _c("color.gray.900", "#111827", 0.04),
            _c("color.red.600", "#dc2626", 0.01),
            Token("color.scrim", "color", Color("#000000", 0.4), extensions={"share": 0.0}),
        ]
    )
    rels = ContrastAnalyzer().analyze(tokens)
    matrix = contrast_matrix(tokens, rels)
    assert matrix["backgrounds"] == ["color.gray.50", "color.white"]
    assert matrix["texts"] == ["color.gray.900", "color.red.600"]  # the translucent scrim is no text
    assert matrix["cells"]["color.gray.900"]["color.white"]["evidence"] == "inferred"
