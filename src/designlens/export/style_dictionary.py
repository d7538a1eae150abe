"""style-dictionary.config.json: builds CSS, SCSS and JS from our tokens.json with Style Dictionary 5.

Warnings are errors (Style Dictionary otherwise lets a bad value or a name collision
pass with a log line), and CSS keeps aliases as var() references.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from designlens.export._common import prepare
from designlens.relate.graph import TokenGraph
from designlens.tokens import TokenSet


def config(source: str = "tokens.json", build_path: str = "build/") -> dict[str, Any]:
    """The Style Dictionary config: `source` relative to where `style-dictionary build` runs."""
    return {
        "source": [source],
        "log": {"warnings": "error", "verbosity": "verbose"},
        # CSS `font` shorthand has no letter-spacing: expand typography into one token per member
        "expand": {"include": ["typography"]},
        "platforms": {
            "css": {
                "transformGroup": "css",
                "buildPath": f"{build_path}css/",
                "files": [
                    {
                        "destination": "variables.css",
                        "format": "css/variables",
                        "options": {"outputReferences": True},
                    }
                ],
            },
            "scss": {
                "transformGroup": "scss",
                "buildPath": f"{build_path}scss/",
                "files": [
                    {
                        "destination": "_variables.scss",
                        "format": "scss/variables",
                        "options": {"outputReferences": True},
                    }
                ],
            },
            "js": {
                "transformGroup": "js",
                "buildPath": f"{build_path}js/",
                "files": [{"destination": "tokens.js", "format": "javascript/es6"}],
            },
        },
    }


class StyleDictionaryExporter:
    """Needs tokens.json beside it (the `dtcg` format); options: `source`, `buildPath`."""

    name = "style-dictionary"
    file_name = "style-dictionary.config.json"

    def export(self, tokens: TokenSet, graph: TokenGraph, options: Mapping[str, Any]) -> bytes:
        prepare(tokens, graph)  # the config is only as good as the tokens.json it builds
        document = config(str(options.get("source", "tokens.json")), str(options.get("buildPath", "build/")))
        return (json.dumps(document, indent=2) + "\n").encode("utf-8")
