"""tokens.json: the canonical DTCG 2025.10 document; every other format derives from it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from designlens.export._common import prepare
from designlens.relate.graph import TokenGraph
from designlens.tokens import TokenSet
from designlens.tokens.dtcg import dumps


class DtcgExporter:
    name = "dtcg"
    file_name = "tokens.json"

    def export(self, tokens: TokenSet, graph: TokenGraph, options: Mapping[str, Any]) -> bytes:
        return dumps(prepare(tokens, graph)).encode("utf-8")
