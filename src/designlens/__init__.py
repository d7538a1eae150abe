"""designlens: turn UI screenshots into a design system.

The public API: `extract()` runs the whole job, `TokenSet` and friends are the domain.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("designlens")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

from designlens.errors import DesignlensError, InputError, PluginError, TokenFormatError, UsageError
from designlens.pipeline import ExtractionResult, extract, render_exports, write_exports
from designlens.tokens import Alias, Color, Dimension, Provenance, Shadow, Token, TokenSet, Typography

__all__ = [
    "Alias",
    "Color",
    "DesignlensError",
    "Dimension",
    "ExtractionResult",
    "InputError",
    "PluginError",
    "Provenance",
    "Shadow",
    "Token",
    "TokenFormatError",
    "TokenSet",
    "Typography",
    "UsageError",
    "__version__",
    "extract",
    "render_exports",
    "write_exports",
]
