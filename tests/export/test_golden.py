"""Golden files: every format of the fixed sample TokenSet, byte for byte.

Regenerate after an intended change with `DESIGNLENS_UPDATE_GOLDEN=1 pytest tests/export/test_golden.py`
and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from designlens.pipeline import render_exports
from designlens.plugins import exporters
from designlens.relate.graph import TokenGraph
from designlens.tokens import TokenSet

GOLDEN = Path(__file__).parent / "golden"
FORMATS = sorted(exporters())


def test_every_builtin_format_has_a_golden_file() -> None:
    assert set(FORMATS) >= {
        "dtcg",
        "css",
        "scss",
        "tailwind",
        "tailwind3",
        "ts",
        "tokens-studio",
        "style-dictionary",
        "relationships",
        "report",
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_matches_its_golden_file(fmt: str, tokens: TokenSet, graph: TokenGraph) -> None:
    ((name, data),) = render_exports(tokens, graph, [fmt]).items()
    golden = GOLDEN / name
    if os.environ.get("DESIGNLENS_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_bytes(data)
    assert data == golden.read_bytes(), f"{name} differs from {golden}"


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_is_deterministic(fmt: str, tokens: TokenSet, graph: TokenGraph) -> None:
    assert render_exports(tokens, graph, [fmt]) == render_exports(tokens, graph, [fmt])
