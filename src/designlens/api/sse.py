"""Live job events for Server-Sent Events: the committed job log, read from the store or the bus.

One `JobFeed` per watched job (per API process) reads the job's events after the last one it
holds and wakes every stream on that job; each event's SSE payload is rendered once per
feed, not once per stream. A stream starts from its client's `Last-Event-ID`, so a
reconnecting client gets exactly the events after it (the log's global sequence is the SSE
id, the same in every API process).

Where a feed reads from is its `source`:
- `StoreSource` (the embedded default) polls the job log in the store;
- `designlens.bus.redis.LogSource` (`--bus redis://`) follows the job's log stream on Redis,
  which the API process running the job fills with committed events (`LogRelay`), so several
  API processes serve one job's stream without polling the database; it falls back to the
  store for whatever the stream does not hold (trimmed, expired, a relay that died).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Protocol

from designlens.store.repositories import StoredEvent

TERMINAL = ("job.completed", "job.failed")
ReadAfter = Callable[[str, int], list[StoredEvent]]
Render = Callable[[StoredEvent], str]


class EventSource(Protocol):
    """Where a feed gets a job's committed events: `batch` waits a little for the next ones."""

    store_reads: int  # reads of the job log in the store (the /metrics figure)
    bus_reads: int  # batches that came from the bus

    async def batch(self, job_id: str, after: int, version: int) -> list[StoredEvent]:
        """Events of `job_id` with a sequence above `after` (the feed holds versions up to
        `version`), oldest first; may return [] after waiting a while."""

    async def close(self) -> None: ...


class StoreSource:
    """Polls the job log in the store every `interval` seconds while a job is watched."""

    def __init__(self, read: ReadAfter, interval: float) -> None:
        self.read = read
        self.interval = interval
        self.store_reads = 0
        self.bus_reads = 0

    async def batch(self, job_id: str, after: int, version: int) -> list[StoredEvent]:
        self.store_reads += 1
        rows = await asyncio.to_thread(self.read, job_id, after)
        if not rows:
            await asyncio.sleep(self.interval)
        return rows

    async def close(self) -> None:
        return None


@dataclass(frozen=True, slots=True)
class Item:
    """An event with its SSE payload, rendered once for every stream of the feed."""

    seq: int
    name: str
    data: str

    @property
    def wire(self) -> bytes:
        """The SSE frame: `event`, `id` (the log sequence), `data` (one line of JSON)."""
        return f"event: {self.name}\nid: {self.seq}\ndata: {self.data}\n\n".encode()


@dataclass(eq=False)
class JobFeed:
    job_id: str
    render: Render
    items: list[Item] = field(default_factory=list)
    done: bool = False  # the log holds the job's terminal event
    subscribers: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None

    def _publish(self) -> None:
        self.changed.set()
        self.changed = asyncio.Event()


class Feeds:
    """The feeds of the jobs someone is watching, each read by one task from `source`."""

    def __init__(self, source: EventSource) -> None:
        self.source = source
        self._feeds: dict[str, JobFeed] = {}

    def _acquire(self, job_id: str, render: Render) -> JobFeed:
        feed = self._feeds.get(job_id)
        if feed is None:
            feed = self._feeds[job_id] = JobFeed(job_id, render)
            feed.task = asyncio.create_task(self._read(feed))
        feed.subscribers += 1
        return feed

    def _release(self, feed: JobFeed) -> None:
        feed.subscribers -= 1
        if feed.subscribers <= 0 and self._feeds.get(feed.job_id) is feed:
            del self._feeds[feed.job_id]
            if feed.task is not None:
                feed.task.cancel()

    async def _read(self, feed: JobFeed) -> None:
        last, version = 0, 0
        while True:
            try:
                rows = await self.source.batch(feed.job_id, last, version)
            except asyncio.CancelledError:
                raise
            except Exception:  # store or bus briefly unreachable: try again shortly
                rows = []
                await asyncio.sleep(0.2)
            rows = [r for r in rows if r.seq > last]
            if not rows:
                continue
            feed.items.extend(Item(r.seq, r.name, feed.render(r)) for r in rows)
            last, version = rows[-1].seq, max(version, *(r.version for r in rows))
            feed.done = any(r.name in TERMINAL for r in rows)
            feed._publish()
            if feed.done:
                return

    async def stream(
        self, job_id: str, after: int, keepalive: float, render: Render
    ) -> AsyncIterator[list[Item] | None]:
        """The job's events after `after`, in batches (all that arrived since the last one, so a
        burst costs a stream one write), then None for each `keepalive` seconds of silence;
        ends after the terminal event (`job.completed`, `job.failed`)."""
        feed = self._acquire(job_id, render)
        try:
            index = 0
            while True:
                waiter = feed.changed
                batch: list[Item] = []
                ended = False
                while index < len(feed.items) and not ended:
                    item = feed.items[index]
                    index += 1
                    if item.seq > after:
                        batch.append(item)
                        ended = item.name in TERMINAL
                if batch:
                    yield batch
                if ended or feed.done:
                    return
                try:
                    await asyncio.wait_for(waiter.wait(), keepalive)
                except TimeoutError:
                    yield None
        finally:
            self._release(feed)

    async def close(self) -> None:
        tasks = [f.task for f in self._feeds.values() if f.task is not None]
        self._feeds.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.source.close()
