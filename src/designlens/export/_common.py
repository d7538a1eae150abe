"""What every exporter does first: add the semantic aliases the graph found, check all aliases,
and order tokens so a reference never comes before the token it names."""

from __future__ import annotations

from designlens.relate.aliases import check_aliases, references
from designlens.relate.graph import TokenGraph
from designlens.relate.roles import semantic_tokens
from designlens.tokens import Token, TokenSet


def prepare(tokens: TokenSet, graph: TokenGraph) -> TokenSet:
    """The tokens plus the semantic alias tokens of `graph`; raises AliasError on a broken alias."""
    extra = semantic_tokens(tokens, graph)
    full = TokenSet(tokens) if extra else tokens
    if extra:
        full.extend(extra)
    check_aliases(full)
    return full


def dependency_order(tokens: TokenSet) -> list[Token]:
    """Tokens in their own order, except that each comes after every token it references.

    Formats that read top to bottom (SCSS variables) need this; aliases are already
    checked, so the walk always ends.
    """
    done: dict[str, Token] = {}

    def visit(token: Token) -> None:
        if token.name in done:
            return
        for _member, alias in references(token.value):
            visit(tokens[alias.path])
        done[token.name] = token

    for token in tokens:
        visit(token)
    return list(done.values())
