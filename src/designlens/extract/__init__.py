"""Extractors: pure functions of pixels, one module per token type."""
