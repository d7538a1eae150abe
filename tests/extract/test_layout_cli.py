"""`designlens extract --types layout --overlay`: tokens exported and an overlay per image."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image
from typer.testing import CliRunner

from designlens.cli import app
from tests.extract.test_layout import card_screen


def test_extract_writes_layout_tokens_and_an_overlay_beside_the_exports(tmp_path: Path) -> None:
    src = tmp_path / "card.png"
    Image.fromarray(card_screen()).save(src)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        [
            "extract",
            str(src),
            "--types",
            "layout",
            "--overlay",
            "--no-cache",
            "--workers",
            "1",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    overlay = Image.open(out / "overlays" / "card.png")
    assert overlay.size == (900, 400)
    doc = json.loads((out / "tokens.json").read_text())
    assert doc["spacing"]["4"]["$value"] == {"value": 16.0, "unit": "px"}  # 16 px = 4 x the 4 px base
    assert doc["radius"]["8"]["$type"] == "dimension"
    assert doc["border"]["width"]["1"]["$value"] == {"value": 1.0, "unit": "px"}
    css = (out / "tokens.css").read_text()
    assert "--spacing-4: 16px;" in css and "--radius-8: 8px;" in css
