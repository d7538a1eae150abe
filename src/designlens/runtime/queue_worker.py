"""`designlens worker --db URL`: pull instances from the shared queue and run them.

Each slot claims one instance at a time with an expiring lease, runs it on a supervised
worker process (the local backend: call timeouts, memory cap, restarts), renews the lease
while it runs and records the result only while it still holds the lease. Start and stop
workers at any time: SIGTERM/SIGINT finish what is running (its lease would expire anyway),
SIGKILL loses nothing, because another worker takes the lease over when it expires.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import uuid
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from designlens.images import DEFAULT_MAX_PIXELS
from designlens.runtime.codec import token_to_data
from designlens.runtime.instance import Instance
from designlens.runtime.options import RuntimeOptions
from designlens.store.queue import Claim, WorkQueue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerOptions:
    db: str
    bus: str | None = None
    slots: int = 1  # instances this process runs at once (one supervised worker process each)
    lease: float = 30.0  # seconds a claim lives without renewal
    poll: float | None = None  # seconds between claims when idle (None: 0.2, or 2 when the bus wakes us)
    idle_exit: float | None = None  # exit after this many idle seconds (None: run until stopped)
    runtime: RuntimeOptions = field(default_factory=RuntimeOptions)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class _Images:
    """A few recent images' bytes: the types of one image usually run back to back."""

    def __init__(self, queue: WorkQueue, size: int = 8) -> None:
        self.queue = queue
        self.size = size
        self._items: OrderedDict[str, bytes] = OrderedDict()

    def get(self, image_id: str) -> bytes | None:
        if image_id in self._items:
            self._items.move_to_end(image_id)
            return self._items[image_id]
        data = self.queue.image_data(image_id)
        if data is not None:
            self._items[image_id] = data
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return data


class QueueWorker:
    def __init__(self, options: WorkerOptions) -> None:
        from designlens.store import database_url
        from designlens.store.database import Store

        self.options = options
        self.owner = worker_id()
        self.store = Store(database_url(options.db))
        self.queue = WorkQueue(self.store, options.lease)
        self.stop = asyncio.Event()
        self.counts = {"complete": 0, "failed": 0, "lost": 0}
        self._images = _Images(self.queue)
        self._signal: Any = None
        if options.bus:  # idle slots sleep on the bus's work stream instead of polling the store
            from designlens.bus import open_bus
            from designlens.bus.redis import WorkSignal

            open_bus(options.bus)  # validates the URL
            self._signal = WorkSignal(options.bus)
        self._specs: dict[str, Mapping[str, Any]] = {}
        self._held: set[str] = set()

    def _instance(self, claim: Claim, data: bytes) -> Instance:
        spec = self._specs.get(claim.job_id)
        if spec is None:
            spec = self._specs[claim.job_id] = self.queue.job_spec(claim.job_id)
        config = dict(spec.get("config", {})).get(claim.token_type, {})
        scale = spec.get("scale", "auto")
        return Instance(
            id=claim.id, job_id=claim.job_id, image_id=claim.image_id, source=claim.source,
            token_type=claim.token_type, extractor=claim.extractor, config=dict(config),
            config_hash=claim.config_hash, max_pixels=int(spec.get("max_pixels") or DEFAULT_MAX_PIXELS),
            scale="auto" if scale == "auto" else float(scale), data=data,
        )

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(self.options.lease / 3)
            with contextlib.suppress(Exception):  # a missed renewal is retried next tick
                await asyncio.to_thread(self.queue.renew, self.owner, sorted(self._held))

    async def _slot(self, backend: Any) -> None:
        idle_since = asyncio.get_running_loop().time()
        while not self.stop.is_set():
            try:
                claims = await asyncio.to_thread(self.queue.claim, self.owner, 1)
            except Exception as exc:  # the store is away: wait and try again
                log.warning("claim failed: %s", exc)
                claims = []
            if not claims:
                loop_time = asyncio.get_running_loop().time()
                if self.options.idle_exit is not None and loop_time - idle_since > self.options.idle_exit:
                    return
                await self._idle()
                continue
            claim = claims[0]
            self._held.add(claim.id)
            try:
                await self._run(backend, claim)
            finally:
                self._held.discard(claim.id)
            idle_since = asyncio.get_running_loop().time()

    async def _idle(self) -> None:
        """Wait before the next claim: until stopped, the poll interval ends, or the bus says work came."""
        loop = asyncio.get_running_loop()
        if self._signal is None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), self.options.poll or 0.2)
            return
        deadline = loop.time() + (self.options.poll or 2.0)
        while not self.stop.is_set() and (left := deadline - loop.time()) > 0:
            if await asyncio.to_thread(self._signal.wait, min(1.0, left)):
                return

    async def _run(self, backend: Any, claim: Claim) -> None:
        data = await asyncio.to_thread(self._images.get, claim.image_id)
        if data is None:
            status, error, seconds, out = "failed", "image bytes missing from the store", 0.0, None
        else:
            inst = await asyncio.to_thread(self._instance, claim, data)
            outcome = await backend.run(inst)
            status, error, seconds, out = outcome.status, outcome.error, outcome.seconds, outcome.output
        tokens = [token_to_data(t) for t in out.tokens] if out is not None else []
        kept = await asyncio.to_thread(
            self.queue.complete, self.owner, claim, status, error, seconds,
            out.scale if out is not None else None, (out.width, out.height) if out is not None else None,
            tokens, out.warnings if out is not None else (),
        )
        self.counts[status if kept else "lost"] += 1

    async def run(self) -> dict[str, int]:
        from designlens.runtime.backends.local import LocalBackend

        slots = max(1, self.options.slots)
        backend = LocalBackend(*replace(self.options.runtime, workers=slots).pools())
        renewer = asyncio.create_task(self._renew())
        try:
            await asyncio.gather(*(self._slot(backend) for _ in range(slots)))
        finally:
            renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewer
            await backend.close()
            self.store.close()
        return self.counts


def main(options: WorkerOptions) -> int:
    """Run until SIGINT/SIGTERM (or `idle_exit`); returns the exit code."""

    async def go() -> dict[str, int]:
        worker = QueueWorker(options)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, worker.stop.set)
        return await worker.run()

    counts = asyncio.run(go())
    log.info("worker done: %s", counts)
    return 0
