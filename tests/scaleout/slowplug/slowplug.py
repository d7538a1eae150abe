"""A third-party plugin that takes $SLOWPLUG_SECONDS per image and appends `source pid` to
$SLOWPLUG_LOG for every run, so tests can kill a worker mid-instance and count executions.
An image whose name holds `slowest` sleeps $SLOWPLUG_SLOWEST seconds instead."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from designlens.tokens import Provenance, Token


class SlowExtractor:
    name = "slow"
    token_type = "slow"
    version = "1.0"

    def extract(self, image: Any, config: Mapping[str, Any]) -> list[Token]:
        name = Path(image.source).name
        log = os.environ.get("SLOWPLUG_LOG")
        if log:
            with open(log, "a") as f:
                f.write(f"{name} {os.getpid()}\n")
        key = "SLOWPLUG_SLOWEST" if "slowest" in name else "SLOWPLUG_SECONDS"
        time.sleep(float(os.environ.get(key, "0.2")))
        digest = hashlib.sha256(image.pixels.tobytes()).hexdigest()
        return [
            Token(
                name=f"slow.img{image.id[:10]}",
                type="number",
                value=int(digest[:6], 16),
                provenance=(Provenance(image.id, name, image.width * image.height, 1.0),),
            )
        ]


class SlowAggregator:
    token_type = "slow"

    def aggregate(self, tokens: Sequence[Token], config: Mapping[str, Any]) -> list[Token]:
        merged: dict[str, Token] = {}
        for t in tokens:
            merged.setdefault(t.name, t)
        return sorted(merged.values(), key=lambda t: t.name)
