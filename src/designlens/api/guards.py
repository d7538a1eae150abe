"""Guards of a public service: bearer tokens and a per-token rate limit.

(Body size is capped by FastAPI's own limit; input limits live in uploads and fetch.)
"""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
import time
from collections.abc import Callable, Iterable


def token_matches(given: str, tokens: Iterable[str]) -> bool:
    """Constant-time comparison against every configured token."""
    return any(hmac.compare_digest(given.encode(), t.encode()) for t in tokens)


def bearer(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


class RateLimiter:
    """A token bucket per key (API token, else client address): `rate` per second, `burst` deep."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Spend one request for `key`; 0.0 when allowed, else seconds until the next one is."""
        if self.rate <= 0:
            return 0.0
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]  # keys are secrets: never kept as given
        now = self._clock()
        with self._lock:
            level, last = self._buckets.get(digest, (float(self.burst), now))
            level = min(float(self.burst), level + (now - last) * self.rate)
            if level >= 1.0:
                self._buckets[digest] = (level - 1.0, now)
                return 0.0
            self._buckets[digest] = (level, now)
            return (1.0 - level) / self.rate

    @staticmethod
    def retry_after(wait: float) -> str:
        return str(max(1, math.ceil(wait)))
