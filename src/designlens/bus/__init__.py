"""Event buses beyond the in-process one (`designlens.events.EventBus`): Redis Streams.

`open_bus(url, local)` picks one by URL; importing this package is cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from designlens.errors import UsageError
from designlens.events import EventBus

if TYPE_CHECKING:
    from designlens.bus.redis import RedisBus


def open_bus(url: str, local: EventBus | None = None, prefix: str = "designlens") -> RedisBus:
    """A bus for `url` (redis:// or rediss://) that also calls `local`'s subscribers."""
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise UsageError(f"--bus takes a redis:// URL, got {url!r}")
    try:
        from designlens.bus.redis import RedisBus
    except ImportError:
        raise UsageError("--bus redis:// needs redis-py: pip install 'designlens[redis]'") from None
    return RedisBus(url, prefix=prefix, local=local)
