"""The result cache: an instance's output, content-addressed by (image SHA-256, extractor
name@version, config hash). A second run over the same images does no pixel work; a new
extractor version or a changed config changes the key, so exactly those entries miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

import msgspec

CACHE_ENV = "DESIGNLENS_CACHE_DIR"


def decode_entry(data: bytes | None) -> dict[str, Any] | None:
    """A cached result from its stored bytes; None for a missing, torn or foreign entry (a miss)."""
    if data is None:
        return None
    try:
        value = msgspec.msgpack.decode(data)
    except msgspec.DecodeError:
        return None
    return value if isinstance(value, dict) else None


class ResultCache(Protocol):
    """What a cache back end provides (disk today; Redis later behind the same two calls)."""

    def get(self, key: str) -> dict[str, Any] | None: ...

    def put(self, key: str, value: Mapping[str, Any]) -> None: ...


def config_hash(config: Mapping[str, Any], **settings: Any) -> str:
    """A stable hash of one extractor's config plus the run settings that change its output."""
    text = json.dumps({"config": config, **settings}, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def cache_key(image_id: str, extractor: str, config_digest: str) -> str:
    """The content address of one instance's output; `extractor` is `name@version`."""
    return hashlib.sha256(f"{image_id}\0{extractor}\0{config_digest}".encode()).hexdigest()


class DiskCache:
    """One msgpack file per entry under `root/ab/abcdef...`; writes are atomic (temp + rename)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self._root = os.fspath(root)
        self.hits = 0
        self.misses = 0

    def _file(self, key: str) -> str:  # plain strings: a cached run reads thousands of these
        return os.path.join(self._root, key[:2], key + ".msgpack")

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            with open(self._file(key), "rb") as f:
                data: bytes | None = f.read()
        except OSError:  # missing: a miss, recomputed and rewritten
            data = None
        value = decode_entry(data)
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
        return value

    def put(self, key: str, value: Mapping[str, Any]) -> None:
        path = Path(self._file(key))
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(msgspec.msgpack.encode(dict(value)))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
