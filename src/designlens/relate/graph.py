"""The relationship graph: a typed, weighted, directed multigraph over token names."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx


@dataclass(frozen=True, slots=True)
class Relationship:
    """One typed edge: `source` relates to `target` as `type` (e.g. contrast, alias, scale)."""

    source: str
    target: str
    type: str
    weight: float = 1.0
    attributes: Mapping[str, Any] = field(default_factory=dict)


class TokenGraph:
    """Relationships over token names; networkx does the graph work."""

    def __init__(self, relationships: Iterable[Relationship] = ()) -> None:
        self._graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
        for rel in relationships:
            self.add(rel)

    def add(self, rel: Relationship) -> None:
        self._graph.add_edge(rel.source, rel.target, key=rel.type, relationship=rel)

    def __iter__(self) -> Iterator[Relationship]:
        for _, _, data in self._graph.edges(data=True):
            yield data["relationship"]

    def __len__(self) -> int:
        return int(self._graph.number_of_edges())
