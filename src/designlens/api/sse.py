"""Live job events for Server-Sent Events, read from the job log in the store.

One `JobFeed` per watched job polls the log for events after the last one it holds and
wakes every stream on that job; a stream starts from its client's `Last-Event-ID`, so a
reconnecting client gets exactly the events after it (the log's global sequence is the SSE
id). Reading the store, not this process's bus, is what lets any API process serve any
job (and a restarted one resume a stream).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from designlens.store.repositories import StoredEvent

TERMINAL = ("job.completed", "job.failed")
ReadAfter = Callable[[str, int], list[StoredEvent]]


@dataclass(eq=False)
class JobFeed:
    job_id: str
    events: list[StoredEvent] = field(default_factory=list)
    done: bool = False  # the log holds the job's terminal event
    subscribers: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None

    def _publish(self) -> None:
        self.changed.set()
        self.changed = asyncio.Event()


class Feeds:
    """The feeds of the jobs someone is watching, each polled by one task."""

    def __init__(self, read: ReadAfter, interval: float) -> None:
        self.read = read
        self.interval = interval
        self._feeds: dict[str, JobFeed] = {}

    def _acquire(self, job_id: str) -> JobFeed:
        feed = self._feeds.get(job_id)
        if feed is None:
            feed = self._feeds[job_id] = JobFeed(job_id)
            feed.task = asyncio.create_task(self._poll(feed))
        feed.subscribers += 1
        return feed

    def _release(self, feed: JobFeed) -> None:
        feed.subscribers -= 1
        if feed.subscribers <= 0 and self._feeds.get(feed.job_id) is feed:
            del self._feeds[feed.job_id]
            if feed.task is not None:
                feed.task.cancel()

    async def _poll(self, feed: JobFeed) -> None:
        last = 0
        while True:
            try:
                rows = await asyncio.to_thread(self.read, feed.job_id, last)
            except Exception:  # the store is briefly unreachable: try again next tick
                rows = []
            if rows:
                feed.events.extend(rows)
                last = rows[-1].seq
                feed.done = any(e.name in TERMINAL for e in rows)
                feed._publish()
                if feed.done:
                    return
            await asyncio.sleep(self.interval)

    async def stream(self, job_id: str, after: int, keepalive: float) -> AsyncIterator[StoredEvent | None]:
        """The job's events after `after`, then None for each `keepalive` seconds of silence;
        ends after the terminal event (`job.completed`, `job.failed`)."""
        feed = self._acquire(job_id)
        try:
            index = 0
            while True:
                waiter = feed.changed
                while index < len(feed.events):
                    event = feed.events[index]
                    index += 1
                    if event.seq <= after:
                        continue
                    yield event
                    if event.name in TERMINAL:
                        return
                if feed.done:
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
