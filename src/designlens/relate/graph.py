"""The relationship graph: a typed, weighted, directed multigraph over token names.

Every relationship is stored twice: as itself (`aliases`: semantic -> primitive) and as
its inverse (`aliased-by`: primitive -> semantic), so "what points at this token?" is as
cheap as "what does this token point at?". Iteration and JSON show forward edges only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

# forward type -> inverse type; a type not listed is its own inverse
INVERSE: dict[str, str] = {
    "aliases": "aliased-by",
    "composes": "composed-by",
    "contrast": "contrast-behind",  # text -> the background it sits on
    "ramp-darker": "ramp-lighter",  # one hue family, 50 (lightest) towards 950
    "multiple-of": "base-of",  # spacing.N -> the base unit
    "scale-up": "scale-down",  # one type-scale step to the next larger
}
_FORWARD_OF = {inv: fwd for fwd, inv in INVERSE.items()}


def inverse_type(rel_type: str) -> str:
    """The name of the edge stored in the opposite direction."""
    return INVERSE.get(rel_type) or _FORWARD_OF.get(rel_type) or rel_type


@dataclass(frozen=True, slots=True)
class Relationship:
    """One typed edge: `source` relates to `target` as `type` (e.g. contrast, alias, scale).

    `weight` is the strength of the evidence in 0..1; `attributes` are JSON-ready facts
    (contrast ratios, scale factors, the evidence for a role).
    """

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
        """Add an edge and its inverse; the same (source, target, type) replaces the old one."""
        back = Relationship(rel.target, rel.source, inverse_type(rel.type), rel.weight, rel.attributes)
        self._graph.add_edge(rel.source, rel.target, key=rel.type, relationship=rel, inverse=False)
        if rel.type != back.type or rel.source != rel.target:
            self._graph.add_edge(back.source, back.target, key=back.type, relationship=back, inverse=True)

    def __iter__(self) -> Iterator[Relationship]:
        for _, _, data in sorted(self._graph.edges(data=True), key=lambda e: _order(e[2]["relationship"])):
            if not data["inverse"]:
                yield data["relationship"]

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, name: object) -> bool:
        return name in self._graph

    def of_type(self, rel_type: str) -> list[Relationship]:
        """Forward relationships of one type, in a stable order."""
        return [r for r in self if r.type == rel_type]

    def edges(self, name: str, rel_type: str | None = None) -> list[Relationship]:
        """Every edge leaving `name` (forward and inverse), optionally of one type."""
        if name not in self._graph:
            return []
        out = [
            data["relationship"]
            for _, _, key, data in self._graph.out_edges(name, keys=True, data=True)
            if rel_type is None or key == rel_type
        ]
        return sorted(out, key=_order)

    def related(self, name: str, type: str | None = None, depth: int = 1) -> list[str]:
        """Token names reachable from `name` in at most `depth` hops over edges of `type`.

        Inverse edges count, so `related(primitive, "aliased-by")` finds its aliases.
        Nearest first, then by name; `name` itself is never in the answer.
        """
        if depth < 1:
            return []
        seen = {name: 0}
        frontier = [name]
        for hop in range(1, depth + 1):
            following = []
            for node in frontier:
                for rel in self.edges(node, type):
                    if rel.target not in seen:
                        seen[rel.target] = hop
                        following.append(rel.target)
            frontier = following
        return sorted((n for n in seen if n != name), key=lambda n: (seen[n], n))

    def strength(self, a: str, b: str) -> float:
        """The strongest direct evidence linking `a` and `b`, either way (0.0 if none)."""
        weights = [r.weight for r in self.edges(a) if r.target == b]
        return max(weights, default=0.0)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready, deterministic document: forward edges plus the inverse names."""
        edges = [
            {
                "source": r.source,
                "target": r.target,
                "type": r.type,
                "weight": round(r.weight, 4),
                "attributes": dict(r.attributes),
            }
            for r in self
        ]
        types = sorted({r.type for r in self})
        return {"types": {t: inverse_type(t) for t in types}, "relationships": edges}


def _order(rel: Relationship) -> tuple[str, str, str]:
    return rel.type, rel.source, rel.target
