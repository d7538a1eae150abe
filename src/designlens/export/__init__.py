"""Exporters: each one a name, a file name and one function from tokens to bytes."""
