"""The Redis Streams bus (`--bus redis://...`): the in-process bus, mirrored to Redis so other
processes and machines (the CLI's progress, the service's SSE) read the same events.

Streams: `{prefix}:job:{job_id}` per job and `{prefix}:all` for every job, each trimmed to
about `maxlen` entries (XADD MAXLEN ~); a job's stream expires `ttl` seconds after
job.completed/job.failed. Readers use consumer groups with explicit XACK; a dead consumer's
unacked entries are taken over with XAUTOCLAIM.

Redis going away never fails a job: publishing falls back to an outbox that is sent on
reconnection. Redis run without persistence forgets its streams on restart, so the
publisher keeps its last `replay` entries and re-adds them with their original ids when it
finds a new server run id; readers recreate their group at their last acked id. Together:
no event a reader has not acked is lost, none it acked is delivered again.
"""

from __future__ import annotations

import collections
import contextlib
import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from designlens.events import Event, EventBus, Subscriber
from designlens.store.repositories import StoredEvent

log = logging.getLogger(__name__)
ERRORS = (redis.ConnectionError, redis.TimeoutError)


def _client(url: str, on_connect: Callable[[Any], None] | None = None) -> redis.Redis:
    return redis.Redis.from_url(url, retry=Retry(NoBackoff(), 0), socket_timeout=5, socket_connect_timeout=2,
                                redis_connect_func=on_connect)


def _fields(event: Event) -> dict[str, str]:
    return {"name": event.name, "job_id": event.job_id, "seq": str(event.seq), "at": repr(event.at),
            "data": json.dumps(dict(event.data), sort_keys=True, default=str)}


def _event(fields: Mapping[bytes, bytes]) -> Event:
    f = {k.decode(): v.decode() for k, v in fields.items()}
    return Event(f["name"], f["job_id"], json.loads(f["data"]), int(f["seq"]), float(f["at"]))


class RedisBus:
    """Synchronous publish/subscribe like EventBus, plus a copy of every event in Redis streams."""

    def __init__(
        self, url: str, *, prefix: str = "designlens", local: EventBus | None = None,
        maxlen: int = 10_000, replay: int = 10_000, ttl: int = 86_400,
    ) -> None:
        self.url = url
        self.prefix = prefix
        self.local = local or EventBus()
        self.maxlen = maxlen
        self.ttl = ttl
        self.client = _client(url, self._on_connect)
        self._run_id: str | None = None
        self._sent: collections.deque[tuple[str, bytes, dict[str, str]]] = collections.deque(maxlen=replay)
        self._outbox: collections.deque[tuple[Event, float]] = collections.deque()
        self._down = False
        self.published = 0
        self.reconnects = 0
        self.restarts_seen = 0

    def stream(self, job_id: str | None) -> str:
        return f"{self.prefix}:job:{job_id}" if job_id else f"{self.prefix}:all"

    # -- the Bus interface -------------------------------------------------------------------

    def subscribe(self, callback: Subscriber, name: str | None = None) -> Callable[[], None]:
        return self.local.subscribe(callback, name)

    def publish(self, name: str, job_id: str, data: Mapping[str, Any] | None = None) -> Event:
        event = self.local.publish(name, job_id, data)
        self._outbox.append((event, time.monotonic()))
        self._drain()
        return event

    # -- sending -----------------------------------------------------------------------------

    def _drain(self) -> bool:
        """Send the outbox in order; False (and a warning, once per outage) if Redis is away."""
        if self._down and not self._reconnect():
            return False
        try:
            while self._outbox:
                event, _ = self._outbox[0]
                self._send(event)
                self._outbox.popleft()
        except ERRORS as exc:
            if not self._down:
                log.warning("event bus %s unreachable (%s); events wait in an outbox", self.url, exc)
            self._down = True
            return False
        return True

    def _send(self, event: Event) -> None:
        fields = _fields(event)
        pipe = self.client.pipeline(transaction=False)
        for stream in (self.stream(event.job_id), self.stream(None)):
            pipe.xadd(stream, fields, maxlen=self.maxlen, approximate=True)  # type: ignore[arg-type]
        if event.name in ("job.completed", "job.failed"):
            pipe.expire(self.stream(event.job_id), self.ttl)
        ids = pipe.execute()
        self._sent.append((self.stream(event.job_id), ids[0], fields))
        self.published += 1

    def _on_connect(self, conn: Any) -> None:
        """Every new connection (redis-py reconnects silently) asks the server's run id first;
        a new one means a restart that forgot the streams: re-add the last entries, same ids."""
        conn.on_connect()
        conn.send_command("INFO", "server")
        info = conn.read_response()
        text = info.decode() if isinstance(info, bytes) else str(info)
        run_id = next((line.split(":", 1)[1].strip() for line in text.splitlines()
                       if line.startswith("run_id:")), "")
        if self._run_id is not None and run_id != self._run_id:
            self.restarts_seen += 1
            log.warning("event bus %s restarted: re-adding %d recent events", self.url, len(self._sent))
            for stream, entry_id, fields in list(self._sent):
                conn.send_command("XADD", stream, entry_id, *(x for kv in fields.items() for x in kv))
                try:
                    conn.read_response()
                except redis.ResponseError:  # another publisher already wrote past this id
                    continue
        self._run_id = run_id

    def _reconnect(self) -> bool:
        try:
            self.client.ping()
        except ERRORS:
            return False
        self._down = False
        self.reconnects += 1
        log.warning("event bus %s reachable again", self.url)
        return True

    def announce_work(self) -> None:
        """Tell idle `designlens worker` processes that the queue has something (best effort)."""
        with contextlib.suppress(*ERRORS):  # workers still poll the store
            self.client.xadd(f"{self.prefix}:work", {"n": "1"}, maxlen=1000, approximate=True)

    def flush(self, timeout: float = 10.0) -> bool:
        """Try to send the outbox for up to `timeout` seconds; True when it is empty."""
        deadline = time.monotonic() + timeout
        while not self._drain():
            if time.monotonic() > deadline:
                log.warning("event bus %s: %d events not delivered", self.url, len(self._outbox))
                return False
            time.sleep(0.2)
        return True

    def close(self) -> None:
        self.flush()
        self.client.close()


class WorkSignal:
    """What an idle worker waits on: any entry added to `{prefix}:work` after it started waiting."""

    def __init__(self, url: str, prefix: str = "designlens") -> None:
        self.client = _client(url)
        self.stream = f"{prefix}:work"
        self._last: bytes | str = "$"
        with contextlib.suppress(*ERRORS):  # start from what is there now, so no announcement slips by
            newest: Any = self.client.xrevrange(self.stream, count=1)
            self._last = newest[0][0] if newest else "0-0"

    def wait(self, seconds: float) -> bool:
        """True when work was announced within `seconds` (False also when Redis is away)."""
        try:
            block = max(1, int(seconds * 1000))
            reply: Any = self.client.xread({self.stream: self._last}, count=100, block=block)
        except ERRORS:
            time.sleep(seconds)
            return False
        for _, entries in reply or []:
            if entries:
                self._last = entries[-1][0]
                return True
        return False


@dataclass(frozen=True)
class Delivery:
    id: bytes
    event: Event


class StreamReader:
    """One consumer in a consumer group on a job's stream (or the global one), with explicit ack.

    Survives Redis restarts: it reconnects with backoff and, when the group is gone, recreates
    it at the last id it acked, so it receives exactly what it has not acked yet.
    """

    def __init__(
        self, url: str, group: str, consumer: str, job_id: str | None = None, prefix: str = "designlens",
    ) -> None:
        self.client = _client(url)
        self.group = group
        self.consumer = consumer
        self.stream = f"{prefix}:job:{job_id}" if job_id else f"{prefix}:all"
        self.last_acked = b"0-0"
        self._ensure_group()

    def _ensure_group(self) -> None:
        try:
            self.client.xgroup_create(self.stream, self.group, id=self.last_acked, mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def _call(self, fn: Callable[[], Any], deadline: float) -> Any:
        delay = 0.05
        while True:
            try:
                return fn()
            except ERRORS:
                if time.monotonic() > deadline:
                    raise
            except redis.ResponseError as exc:
                if "NOGROUP" not in str(exc):
                    raise
                with contextlib.suppress(*ERRORS):
                    self._ensure_group()
                continue
            time.sleep(delay)
            delay = min(1.0, delay * 2)

    def read(self, count: int = 100, block_ms: int = 1000, patience: float = 60.0) -> list[Delivery]:
        """New entries for this consumer; waits up to `patience` seconds for an unreachable Redis."""

        def go() -> Any:
            return self.client.xreadgroup(self.group, self.consumer, {self.stream: ">"}, count, block_ms)

        reply = self._call(go, time.monotonic() + patience) or []
        return [Delivery(i, _event(f)) for _, entries in reply for i, f in entries if f]

    def ack(self, deliveries: list[Delivery], patience: float = 60.0) -> None:
        if not deliveries:
            return
        ids = [d.id for d in deliveries]
        self._call(lambda: self.client.xack(self.stream, self.group, *ids), time.monotonic() + patience)
        self.last_acked = max([self.last_acked, *ids], key=_id_key)

    def claim_stale(self, min_idle_ms: int, count: int = 100) -> list[Delivery]:
        """Take over the entries other consumers read but never acked (they died): XAUTOCLAIM, looped."""
        out: list[Delivery] = []
        cursor: bytes | str = "0-0"
        while True:
            reply = self.client.xautoclaim(
                self.stream, self.group, self.consumer, min_idle_ms, start_id=cursor, count=count
            )
            cursor, entries = reply[0], reply[1]
            out += [Delivery(i, _event(f)) for i, f in entries if f]
            if cursor in (b"0-0", "0-0"):
                return out

    def follow(self, stop: Callable[[Event], bool], block_ms: int = 500) -> Iterator[Event]:
        """Events in order, each acked after it is yielded, until `stop(event)` is true."""
        while True:
            batch = self.read(block_ms=block_ms)
            for d in batch:
                yield d.event
                self.ack([d])
                if stop(d.event):
                    return

    def close(self) -> None:
        self.client.close()


def _id_key(entry_id: bytes) -> tuple[int, int]:
    ms, _, seq = entry_id.decode().partition("-")
    return int(ms), int(seq or 0)


# -- the committed job log on Redis: what the service's SSE reads across API processes -------------

def log_stream(prefix: str, job_id: str) -> str:
    """`{prefix}:log:{job}`: the job's committed events, entry id `<store seq>-0`.

    Apart from the live `{prefix}:job:{job}` stream on purpose: that one carries events as they
    are published, before the job log commits them (a killed run's last ones never are),
    this one only what the store holds, with the store's ids, so `Last-Event-ID` means the
    same thing whichever API process (or the store itself) answers."""
    return f"{prefix}:log:{job_id}"


def _log_fields(event: StoredEvent) -> dict[str, str]:
    return {"name": event.name, "version": str(event.version), "at": repr(event.at),
            "data": json.dumps(dict(event.data), sort_keys=True, default=str)}


def _stored(job_id: str, entry_id: bytes, fields: Mapping[bytes, bytes]) -> StoredEvent:
    f = {k.decode(): v.decode() for k, v in fields.items()}
    seq = int(entry_id.decode().partition("-")[0])
    return StoredEvent(seq, job_id, int(f["version"]), f["name"], json.loads(f["data"]), float(f["at"]))


class LogRelay:
    """Copies a job's committed log from the store to its Redis log stream (the API process
    running the job does this). Explicit entry ids make it idempotent: an entry Redis already
    holds is refused, so a relay restarted, or two relays on one job, never duplicate one."""

    def __init__(
        self, url: str, read: Callable[[str, int], list[StoredEvent]], *, prefix: str = "designlens",
        maxlen: int = 100_000, ttl: int = 86_400,
    ) -> None:
        self.client = _client(url)
        self.url = url
        self.read = read
        self.prefix = prefix
        self.maxlen = maxlen
        self.ttl = ttl
        self._sent: dict[str, int] = {}  # job -> highest seq Redis is known to hold
        self._warned = False

    def last_seq(self, job_id: str) -> int:
        newest: Any = self.client.xrevrange(log_stream(self.prefix, job_id), count=1)
        return int(newest[0][0].decode().partition("-")[0]) if newest else 0

    def publish(self, job_id: str, events: list[StoredEvent]) -> None:
        stream = log_stream(self.prefix, job_id)
        pipe = self.client.pipeline(transaction=False)
        for event in events:
            pipe.xadd(stream, _log_fields(event), id=f"{event.seq}-0",  # type: ignore[arg-type]
                      maxlen=self.maxlen, approximate=True)
        if any(e.name in ("job.completed", "job.failed") for e in events):
            pipe.expire(stream, self.ttl)
        for reply in pipe.execute(raise_on_error=False):
            if isinstance(reply, redis.ResponseError) and "equal or smaller" not in str(reply):
                raise reply

    def relay(self, job_id: str) -> int:
        """Send what the store holds beyond what Redis holds; returns how many were sent.
        Never raises for an unreachable Redis (readers fall back to the store)."""
        try:
            last = self._sent.get(job_id)
            if last is None:
                last = self.last_seq(job_id)
            sent = 0
            while rows := self.read(job_id, last):
                self.publish(job_id, rows)
                last = rows[-1].seq
                sent += len(rows)
            self._sent[job_id] = last
            if self._warned:
                log.warning("event bus %s reachable again: job logs relayed", self.url)
                self._warned = False
            return sent
        except ERRORS as exc:
            self._sent.pop(job_id, None)  # after a Redis restart, ask it again what it holds
            if not self._warned:
                log.warning("event bus %s unreachable (%s); SSE reads the store", self.url, exc)
                self._warned = True
            return 0

    def forget(self, job_id: str) -> None:
        self._sent.pop(job_id, None)

    def close(self) -> None:
        self.client.close()


class LogSource:
    """`designlens.api.sse.EventSource` on the Redis log stream (redis.asyncio, blocking XREAD).

    The store stays the record: the first read of a job, any gap in the per-job versions (the
    stream was trimmed, expired or its relay started late) and every `fallback` seconds without
    news read the store instead, so a stream is complete even when Redis is not."""

    def __init__(
        self, url: str, read: Callable[[str, int], list[StoredEvent]], *, prefix: str = "designlens",
        block: float = 1.0, fallback: float = 2.0,
    ) -> None:
        import redis.asyncio as aioredis

        self.client = aioredis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=block + 5)
        self.read = read
        self.prefix = prefix
        self.block_ms = max(1, int(block * 1000))
        self.fallback = fallback
        self._quiet: dict[tuple[str, int], float] = {}
        self.store_reads = 0
        self.bus_reads = 0

    async def _from_store(self, job_id: str, after: int) -> list[StoredEvent]:
        import asyncio

        self.store_reads += 1
        return await asyncio.to_thread(self.read, job_id, after)

    async def batch(self, job_id: str, after: int, version: int) -> list[StoredEvent]:
        import asyncio

        stream = log_stream(self.prefix, job_id)
        key = (job_id, after)
        first = key not in self._quiet  # nothing read since `after`: look now, without waiting
        if first and len(self._quiet) > 10_000:  # feeds that ended without their terminal event
            self._quiet.clear()
        since = self._quiet.setdefault(key, time.monotonic())
        try:
            reply: Any = await self.client.xread(
                {stream: f"{after}-0"}, count=1000, block=None if first else self.block_ms
            )
        except ERRORS:
            await asyncio.sleep(0.5)
            return self._take(key, await self._from_store(job_id, after))
        rows = [_stored(job_id, i, f) for _, entries in reply or [] for i, f in entries if f]
        if rows:
            if rows[0].version != version + 1:  # the stream lacks some: the store has them all
                return self._take(key, await self._from_store(job_id, after))
            self.bus_reads += 1
            return self._take(key, rows)
        if first or time.monotonic() - since >= self.fallback:
            self._quiet[key] = time.monotonic()
            return self._take(key, await self._from_store(job_id, after))
        return []

    def _take(self, key: tuple[str, int], rows: list[StoredEvent]) -> list[StoredEvent]:
        if rows:  # the feed moves past `after`: its quiet clock starts again, and it waits on Redis
            self._quiet.pop(key, None)
            self._quiet[(key[0], rows[-1].seq)] = time.monotonic()
        return rows

    async def close(self) -> None:
        await self.client.aclose()
