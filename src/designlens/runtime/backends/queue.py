"""The queue backend: instances go to the shared store's queue; `designlens worker` processes
(on this machine or others) run them; this side waits for their results.

It keeps many instances in flight (workers, not this process, bound the parallelism) and
polls the store for finished ones in one query per tick, however many are waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

from designlens.pipeline import InstanceOutput
from designlens.runtime.codec import token_from_data
from designlens.runtime.instance import Instance, Outcome
from designlens.store.database import Store
from designlens.store.queue import Finished, WorkQueue

IN_FLIGHT = 256  # instances queued ahead of the workers (their bytes wait in the store)
POLL = 0.05


class QueueBackend:
    def __init__(
        self, store: Store, lease: float = 30.0, in_flight: int = IN_FLIGHT,
        announce: Callable[[], None] | None = None,
    ) -> None:
        """`announce` (the Redis bus's) wakes idle workers after each enqueue."""
        self.queue = WorkQueue(store, lease)
        self._announce = announce
        self._in_flight = in_flight
        self._waiting: dict[str, asyncio.Future[Finished]] = {}
        self._jobs: dict[str, set[str]] = {}  # job -> instances this side queued and still awaits
        self._poller: asyncio.Task[None] | None = None
        self.enqueued = 0
        self.finished = 0

    @property
    def concurrency(self) -> int:
        return self._in_flight

    @property
    def keeps_images(self) -> bool:
        return False  # instances land on any node's worker

    async def run(self, instance: Instance) -> Outcome:
        started = time.perf_counter()
        row = {
            "id": instance.id, "job_id": instance.job_id, "image_id": instance.image_id,
            "source": instance.source, "token_type": instance.token_type, "extractor": instance.extractor,
            "config_hash": instance.config_hash,
        }
        image = {"id": instance.image_id, "source": instance.source, "size": len(instance.data),
                 "data": instance.data}
        future: asyncio.Future[Finished] = asyncio.get_running_loop().create_future()
        self._waiting[instance.id] = future
        self._jobs.setdefault(instance.job_id, set()).add(instance.id)
        try:
            await asyncio.to_thread(self._enqueue, row, image)
            self.enqueued += 1
            if self._poller is None or self._poller.done():
                self._poller = asyncio.create_task(self._poll())
            done = await future
        finally:
            self._waiting.pop(instance.id, None)
        self._jobs[instance.job_id].discard(instance.id)  # a cancelled wait leaves it to `close`
        self.finished += 1
        seconds = done.seconds or time.perf_counter() - started
        if done.status != "complete":
            return Outcome(instance, None, done.error or "failed", seconds, done.attempts)
        try:
            output = InstanceOutput(
                instance.image_id, done.width, done.height, float(done.scale or 1.0),
                tuple(token_from_data(t) for t in done.tokens), done.warnings,
            )
        except (KeyError, TypeError, ValueError) as exc:
            return Outcome(instance, None, f"worker stored a malformed result: {exc}", seconds, done.attempts)
        return Outcome(instance, output, None, seconds, done.attempts)

    def _enqueue(self, row: dict[str, Any], image: dict[str, Any]) -> None:
        self.queue.enqueue(row, image)
        if self._announce is not None:
            self._announce()

    async def _poll(self) -> None:
        while self._waiting:
            ids = [i for i, f in self._waiting.items() if not f.done()]
            for done in await asyncio.to_thread(self.queue.finished, ids):
                future = self._waiting.get(done.id)
                if future is not None and not future.done():
                    future.set_result(done)
            await asyncio.sleep(POLL)

    def stats(self) -> dict[str, Any]:
        waiting = len(self._waiting)
        return {"queue": {"enqueued": self.enqueued, "finished": self.finished, "waiting": waiting}}

    async def close(self) -> None:
        """Stop waiting; instances still queued are withdrawn (a cancelled or interrupted job's
        work is not left for workers to pick up; resuming the job queues them again)."""
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
        for job_id, ids in self._jobs.items():
            if ids:
                with contextlib.suppress(Exception):  # the store is away: workers skip a cancelled job anyway
                    await asyncio.to_thread(self.queue.withdraw, job_id, sorted(ids))
        self._jobs.clear()
