"""relationships.json: the relationship graph, forward edges with their inverse type names."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from designlens.export._common import prepare
from designlens.relate.graph import TokenGraph
from designlens.tokens import TokenSet


class RelationshipsExporter:
    name = "relationships"
    file_name = "relationships.json"

    def export(self, tokens: TokenSet, graph: TokenGraph, options: Mapping[str, Any]) -> bytes:
        full = prepare(tokens, graph)
        document = {"tokens": [t.name for t in full], **graph.to_json()}
        return (json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")
