"""The scheduler: streams images, turns them into instances and keeps the backend busy.

Images are read and hashed one at a time and instances wait in a bounded queue, so memory
does not grow with the batch; when the backend keeps decoded images, an image's instances
wait (and run) together, except the last images', split so no executor idles. An instance
already complete in the job log or present in the result cache is never dispatched. On
`stop` (SIGINT, SIGTERM, cancel) dispatch ends, running instances get `grace` seconds,
and whatever is left stays pending in the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol

from designlens import images
from designlens.cache import ResultCache, cache_key
from designlens.errors import InputError
from designlens.events import Event, EventBus
from designlens.pipeline import InstanceOutput
from designlens.runtime.backends import Backend
from designlens.runtime.codec import token_from_data, token_to_data
from designlens.runtime.instance import Instance, Outcome, instance_id
from designlens.sources import ImageRef

FLUSH_INTERVAL = 0.25


class Recorder(Protocol):
    """Where a run writes its progress (the job log); NullRecorder when there is no store."""

    def image_seen(self, image_id: str, source: str, size: int) -> None: ...
    def instance_queued(self, instance: Instance) -> None: ...
    def instance_finished(self, outcome: Outcome) -> None: ...
    def record(self, event: Event) -> None: ...
    def due(self) -> bool: ...
    def flush(self) -> str: ...


class NullRecorder:
    """Records nothing: library calls without a store keep no job log (each hook is a no-op)."""

    def image_seen(self, image_id: str, source: str, size: int) -> None:
        pass

    def instance_queued(self, instance: Instance) -> None:
        pass

    def instance_finished(self, outcome: Outcome) -> None:
        pass

    def record(self, event: Event) -> None:
        pass

    def due(self) -> bool:
        return False

    def flush(self) -> str:
        return "running"


@dataclass(frozen=True)
class Plan:
    """What to run: the job's images, token types and, per type, extractor id and config."""

    job_id: str
    refs: Sequence[ImageRef]
    types: Sequence[str]
    extractors: Mapping[str, str]  # token type -> name@version
    configs: Mapping[str, Mapping[str, Any]]
    config_hashes: Mapping[str, str]
    max_pixels: int
    scale: float | Literal["auto"]


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    read_errors: list[InputError] = field(default_factory=list)
    interrupted: bool = False
    pending: int = 0
    counts: dict[str, int] = field(
        default_factory=lambda: {"run": 0, "cached": 0, "resumed": 0, "failed": 0, "duplicates": 0}
    )


def _read(ref: ImageRef) -> tuple[bytes, str]:
    data = ref.read()
    return data, images.image_id(data)  # the id the worker's decode gives the image


def _small(ref: ImageRef, limit: int = 1 << 18) -> bool:
    try:
        return os.path.getsize(ref.path) < limit
    except OSError:
        return False  # let the read say what is wrong


def output_to_data(out: InstanceOutput) -> dict[str, Any]:
    return {"image_id": out.image_id, "width": out.width, "height": out.height, "scale": out.scale,
            "tokens": [token_to_data(t) for t in out.tokens], "warnings": list(out.warnings)}


def output_from_data(data: Mapping[str, Any]) -> InstanceOutput:
    return InstanceOutput(
        str(data["image_id"]), int(data["width"]), int(data["height"]), float(data["scale"]),
        tuple(token_from_data(t) for t in data["tokens"]),
        tuple(str(w) for w in data.get("warnings", ())),
    )


class Scheduler:
    def __init__(
        self,
        plan: Plan,
        backend: Backend,
        bus: EventBus,
        recorder: Recorder | None = None,
        cache: ResultCache | None = None,
        done: Mapping[str, InstanceOutput] | None = None,
        grace: float = 10.0,
    ) -> None:
        self.plan = plan
        self.backend = backend
        self.bus = bus
        self.recorder = recorder or NullRecorder()
        self.cache = cache
        self.done = dict(done or {})
        self.grace = grace
        self.stop = asyncio.Event()
        self.report = Report()
        waiting = 2 * max(1, backend.concurrency)  # batches: an image's instances, or one instance
        self._queue: asyncio.Queue[list[Instance] | None] = asyncio.Queue(maxsize=waiting)
        self._queued = 0
        self._finished = 0
        self._seen: set[str] = set()

    def _publish(self, name: str, data: Mapping[str, Any]) -> None:
        self.bus.publish(name, self.plan.job_id, data)

    def _finish(self, outcome: Outcome, record: bool = True) -> None:
        inst = outcome.instance
        self.report.outcomes.append(outcome)
        if record:
            self.recorder.instance_finished(outcome)
            self._finished += 1
        base = {"instance": inst.id, "source": inst.source, "token_type": inst.token_type}
        if outcome.error is None:
            kind = "cached" if outcome.cached else "resumed" if outcome.resumed else "run"
            self.report.counts[kind] += 1
            assert outcome.output is not None
            self._publish(
                "instance.completed",
                {**base, "tokens": len(outcome.output.tokens), "seconds": round(outcome.seconds, 6),
                 "cached": outcome.cached, "resumed": outcome.resumed},
            )
        else:
            self.report.counts["failed"] += 1
            self._publish("instance.failed", {**base, "error": outcome.error, "attempts": outcome.attempts})

    def _flush_if_due(self) -> None:
        if self.recorder.due() and self.recorder.flush() == "cancelling":
            self.stop.set()

    async def _produce(self) -> None:
        plan = self.plan
        for index, ref in enumerate(plan.refs):
            if self.stop.is_set():
                return
            try:
                # a small file is read at once: handing it to a thread costs more than the read
                data, image_id = _read(ref) if _small(ref) else await asyncio.to_thread(_read, ref)
            except InputError as exc:
                self.report.read_errors.append(exc)
                self._publish("instance.failed", {"source": exc.source, "error": exc.reason})
                continue
            if image_id in self._seen:  # the same bytes reached twice are one image
                self.report.counts["duplicates"] += 1
                continue
            self._seen.add(image_id)
            self.recorder.image_seen(image_id, ref.path, len(data))
            pending: list[Instance] = []
            for token_type in plan.types:
                inst = Instance(
                    id=instance_id(plan.job_id, image_id, token_type), job_id=plan.job_id, image_id=image_id,
                    source=ref.path, token_type=token_type, extractor=plan.extractors[token_type],
                    config=plan.configs.get(token_type, {}), config_hash=plan.config_hashes[token_type],
                    max_pixels=plan.max_pixels, scale=plan.scale, data=data,
                )
                stored = self.done.get(inst.id)
                if stored is not None:
                    self._finish(Outcome(replace(inst, data=b""), stored, resumed=True), record=False)
                    continue
                self.recorder.instance_queued(inst)
                self._queued += 1
                if self.cache is not None:
                    hit = self.cache.get(cache_key(image_id, inst.extractor, inst.config_hash))
                    if hit is not None:
                        with contextlib.suppress(Exception):  # a bad entry is a miss
                            self._finish(Outcome(replace(inst, data=b""), output_from_data(hit), cached=True))
                            continue
                pending.append(inst)
            # An image's instances go to one worker in a row when it keeps the decoded image,
            # while enough images remain to keep every executor busy; the last `concurrency`
            # images are split by instance so no worker idles at the end.
            whole = self.backend.keeps_images and len(plan.refs) - index > self.backend.concurrency
            for batch in [pending] if whole and pending else [[inst] for inst in pending]:
                await self._queue.put(batch)
            self._flush_if_due()
            del data

    async def _consume(self) -> None:
        while (batch := await self._queue.get()) is not None:
            for inst in batch:
                if self.stop.is_set():
                    break  # the rest stays pending in the log
                self._publish("instance.started", {"instance": inst.id, "source": inst.source,
                                                   "token_type": inst.token_type})
                outcome = await self.backend.run(inst)
                outcome = replace(outcome, instance=replace(inst, data=b""))
                if outcome.output is not None and self.cache is not None:
                    self.cache.put(cache_key(inst.image_id, inst.extractor, inst.config_hash),
                                   output_to_data(outcome.output))
                self._finish(outcome)
                self._flush_if_due()

    async def _flush_loop(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_INTERVAL)
            self._flush_if_due()

    async def run(self) -> Report:
        producer = asyncio.create_task(self._produce())
        consumers = [asyncio.create_task(self._consume()) for _ in range(max(1, self.backend.concurrency))]
        flusher = asyncio.create_task(self._flush_loop())

        async def feed_ends() -> None:
            await producer
            for _ in consumers:
                await self._queue.put(None)

        ends = asyncio.create_task(feed_ends())
        async def all_done() -> None:
            await asyncio.gather(ends, *consumers)

        async def stopped() -> None:
            await self.stop.wait()

        everything = asyncio.create_task(all_done())
        stopper = asyncio.create_task(stopped())
        try:
            await asyncio.wait([everything, stopper], return_when=asyncio.FIRST_COMPLETED)
            if not everything.done():  # stop asked: no new dispatch, running ones get `grace`
                producer.cancel()
                while not self._queue.empty():  # queued work stays pending
                    self._queue.get_nowait()
                for _ in consumers:
                    with contextlib.suppress(asyncio.QueueFull):
                        self._queue.put_nowait(None)
                _, still = await asyncio.wait(consumers, timeout=self.grace)
                for task in still:
                    task.cancel()
                await asyncio.gather(*consumers, ends, return_exceptions=True)
        finally:
            stopper.cancel()
            flusher.cancel()
            await asyncio.gather(stopper, flusher, everything, return_exceptions=True)
        self.report.pending = self._queued - self._finished
        self.report.interrupted = self.stop.is_set() and (
            self.report.pending > 0 or producer.cancelled()
        )
        return self.report
