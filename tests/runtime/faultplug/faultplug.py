"""A third-party plugin that misbehaves on purpose, chosen by the image's file name.

`raise` raises, `abort` kills its process, `hang` never returns, `hog` allocates without
bound, `garbage` writes junk to the worker's stdout; any other image gives one token.
The version comes from $FAULTPLUG_VERSION so tests can bump it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from designlens.tokens import Provenance, Token


class FaultExtractor:
    name = "faults"
    token_type = "faults"

    @property
    def version(self) -> str:
        return os.environ.get("FAULTPLUG_VERSION", "1.0")

    def extract(self, image: Any, config: Mapping[str, Any]) -> list[Token]:
        name = Path(image.source).name
        if "raise" in name:
            raise ValueError(f"boom on {name}")
        if "abort" in name:
            os.abort()
        if "hang" in name:
            time.sleep(3600)
        if "hog" in name:
            import numpy as np

            hog = []
            while True:  # address space, not touched pages: the cap trips fast on a busy machine
                hog.append(np.empty(256 << 20, dtype=np.uint8))
        if "garbage" in name:
            os.write(1, b"garbage from a chatty native library\n")
        return [
            Token(
                name=f"faults.img{image.id[:10]}",
                type="number",
                value=int(image.width) + int(config.get("add", 0)),
                provenance=(Provenance(image.id, name, image.width * image.height, 1.0),),
            )
        ]


class FaultAggregator:
    token_type = "faults"

    def aggregate(self, tokens: Sequence[Token], config: Mapping[str, Any]) -> list[Token]:
        merged: dict[str, Token] = {}
        for t in tokens:
            merged.setdefault(t.name, t)
        return sorted(merged.values(), key=lambda t: t.name)
