"""The relationship graph: inverse edges, related(), strength(), forward-only listing."""

from __future__ import annotations

from designlens.relate.graph import Relationship, TokenGraph


def _graph() -> TokenGraph:
    return TokenGraph(
        [
            Relationship("color.text.default", "color.gray.900", "aliases"),
            Relationship("color.gray.900", "color.white", "contrast", 0.8, {"wcag": 17.7}),
            Relationship("color.gray.500", "color.gray.900", "ramp-darker", 1.0),
            Relationship("typography.body", "font.size.body", "composes", 0.5),
        ]
    )


def test_every_relationship_has_an_inverse_edge_queryable_from_the_target() -> None:
    graph = _graph()
    assert graph.related("color.gray.900", "aliased-by") == ["color.text.default"]
    assert graph.related("color.white", "contrast-behind") == ["color.gray.900"]
    assert graph.related("font.size.body", "composed-by") == ["typography.body"]
    assert graph.related("color.gray.900", "ramp-lighter") == ["color.gray.500"]


def test_related_follows_any_edge_type_up_to_the_requested_depth() -> None:
    graph = _graph()
    assert graph.related("color.text.default") == ["color.gray.900"]
    two = graph.related("color.text.default", depth=2)
    assert two == ["color.gray.900", "color.gray.500", "color.white"]
    assert graph.related("color.text.default", "aliases", depth=3) == ["color.gray.900"]
    assert graph.related("nowhere") == []


def test_strength_is_the_strongest_direct_edge_either_way_and_zero_when_unrelated() -> None:
    graph = _graph()
    assert graph.strength("color.gray.900", "color.white") == 0.8
    assert graph.strength("color.white", "color.gray.900") == 0.8
    assert graph.strength("typography.body", "font.size.body") == 0.5
    assert graph.strength("color.white", "font.size.body") == 0.0


def test_iteration_and_json_list_forward_edges_only_with_their_inverse_names() -> None:
    graph = _graph()
    assert len(graph) == 4
    assert {r.type for r in graph} == {"aliases", "contrast", "ramp-darker", "composes"}
    doc = graph.to_json()
    assert len(doc["relationships"]) == 4
    assert doc["types"]["aliases"] == "aliased-by"
    assert doc["relationships"][0]["attributes"] == {} or isinstance(
        doc["relationships"][0]["attributes"], dict
    )


def test_adding_the_same_edge_twice_replaces_it() -> None:
    graph = _graph()
    graph.add(Relationship("color.gray.900", "color.white", "contrast", 0.3))
    assert len(graph) == 4
    assert graph.strength("color.gray.900", "color.white") == 0.3
