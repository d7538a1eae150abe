"""Relationships between tokens and the graph that holds them."""
