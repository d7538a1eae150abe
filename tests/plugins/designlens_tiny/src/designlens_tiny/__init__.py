"""A tiny third-party plugin: no designlens base classes, only the contracts' shape."""

from __future__ import annotations

from typing import Any


class CornerExtractor:
    """Reports the top-left pixel's color, as a raw token of the `color` group."""

    name = "corner"
    version = "0.3.1"
    token_type = "corner"

    def extract(self, image: Any, config: Any) -> list[Any]:
        from designlens.tokens import Color, Provenance, Token

        r, g, b = (int(v) for v in image.pixels[0, 0])
        pixels = image.width * image.height
        return [
            Token(
                name=f"color.corner{r:02x}{g:02x}{b:02x}",
                type="color",
                value=Color.from_rgb(r, g, b),
                provenance=(Provenance(image.id, image.source, 1, 1 / pixels),),
            )
        ]


class NamesExporter:
    """Writes one token name per line."""

    name = "names"
    file_name = "names.txt"

    def export(self, tokens: Any, graph: Any, options: Any) -> bytes:
        return "".join(f"{t.name}\n" for t in tokens).encode()
