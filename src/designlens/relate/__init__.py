"""Relationships between tokens and the graph that holds them.

Analyzers (one module each, registered on the `designlens.analyzers` entry point):
aliases, composition, contrast, ramps, roles, scales.
"""

from designlens.relate.aliases import check_aliases, resolve, resolved
from designlens.relate.graph import Relationship, TokenGraph
from designlens.relate.roles import semantic_tokens

__all__ = ["Relationship", "TokenGraph", "check_aliases", "resolve", "resolved", "semantic_tokens"]
