"""The result cache on Redis (`--cache redis://...`): the same content addresses as the disk
cache, shared by every process and machine of a deployment.

Entries live `ttl` seconds from their last use; the cache keeps an index (a sorted set by last use) and a byte
count, and evicts the least recently used entries once it holds more than `max_bytes`, all in
one Lua script so concurrent writers agree. A cache server that goes away degrades to no
cache with one warning (every get a miss, every put dropped) and is tried again after
`retry_after` seconds: a job never fails because of its cache.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

import msgspec
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from designlens.cache import decode_entry

log = logging.getLogger(__name__)
ERRORS = (redis.ConnectionError, redis.TimeoutError)

# KEYS: entry, index (zset key -> last use), sizes (hash key -> bytes), total (bytes held)
# ARGV: data, ttl, now, max_bytes
PUT = """
local function evict(k)
  local size = tonumber(redis.call('HGET', KEYS[3], k) or '0')
  redis.call('DEL', k)
  redis.call('ZREM', KEYS[2], k)
  redis.call('HDEL', KEYS[3], k)
  return redis.call('INCRBY', KEYS[4], -size)
end
local old = tonumber(redis.call('HGET', KEYS[3], KEYS[1]) or '0')
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], KEYS[1])
redis.call('HSET', KEYS[3], KEYS[1], #ARGV[1])
local total = redis.call('INCRBY', KEYS[4], #ARGV[1] - old)
for _, k in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', tonumber(ARGV[3]) - tonumber(ARGV[2]))) do
  total = evict(k)
end
while total > tonumber(ARGV[4]) do
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0)
  if #oldest == 0 then break end
  total = evict(oldest[1])
end
return total
"""


class RedisCache:
    def __init__(
        self, url: str, *, prefix: str = "designlens:cache", ttl: int = 30 * 86_400,
        max_bytes: int = 1 << 30, retry_after: float = 30.0,
    ) -> None:
        self.url = url
        self.prefix = prefix
        self.ttl = ttl
        self.max_bytes = max_bytes
        self.retry_after = retry_after
        self.client = redis.Redis.from_url(url, retry=Retry(NoBackoff(), 0), socket_timeout=2,
                                           socket_connect_timeout=1)
        self._put = self.client.register_script(PUT)
        self._away_until = 0.0
        self.hits = 0
        self.misses = 0
        self.degraded = 0  # calls answered as "no cache" because the server was away

    def _keys(self, key: str) -> list[str]:
        p = self.prefix
        return [f"{p}:e:{key}", f"{p}:index", f"{p}:sizes", f"{p}:bytes"]

    def _available(self) -> bool:
        if time.monotonic() < self._away_until:
            self.degraded += 1
            return False
        return True

    def _went_away(self, exc: Exception) -> None:
        if self._away_until == 0.0:
            log.warning("result cache %s unreachable (%s): running without a cache", self.url, exc)
        self._away_until = time.monotonic() + self.retry_after
        self.degraded += 1

    def get(self, key: str) -> dict[str, Any] | None:
        if not self._available():
            self.misses += 1
            return None
        entry, index, _, _ = self._keys(key)
        try:
            pipe = self.client.pipeline(transaction=False)
            pipe.get(entry)
            pipe.zadd(index, {entry: time.time()}, xx=True)  # last use, for eviction
            pipe.expire(entry, self.ttl)  # the TTL runs from the last use, like the index
            data = pipe.execute()[0]
        except ERRORS as exc:
            self._went_away(exc)
            self.misses += 1
            return None
        value = decode_entry(data)
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
        return value

    def put(self, key: str, value: Mapping[str, Any]) -> None:
        if not self._available():
            return
        try:
            self._put(keys=self._keys(key),
                      args=[msgspec.msgpack.encode(dict(value)), self.ttl, time.time(), self.max_bytes])
        except ERRORS as exc:
            self._went_away(exc)

    def size(self) -> int:
        """Bytes the cache holds, by its own count."""
        return int(self.client.get(f"{self.prefix}:bytes") or 0)
