"""The scheduler: bounded in-flight work, duplicates, unreadable inputs, per-instance failure."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from designlens.events import Event, EventBus
from designlens.pipeline import InstanceOutput
from designlens.runtime.instance import Instance, Outcome
from designlens.runtime.scheduler import Plan, Scheduler
from designlens.sources import ImageRef
from tests.runtime.rt_helpers import make_screens


class SlowBackend:
    """Answers every instance after a pause and records how much work was waiting at once."""

    def __init__(self, concurrency: int, keeps_images: bool = False) -> None:
        self.concurrency = concurrency
        self.keeps_images = keeps_images
        self.runs: list[tuple[str, str]] = []  # (consumer task, image id), in order
        self.scheduler: Scheduler | None = None
        self.running = 0
        self.most_running = 0
        self.most_waiting = 0

    async def run(self, instance: Instance) -> Outcome:
        assert self.scheduler is not None
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        self.most_waiting = max(self.most_waiting, self.scheduler._queue.qsize())
        task = asyncio.current_task()
        self.runs.append((task.get_name() if task else "", instance.image_id))
        await asyncio.sleep(0.005)
        self.running -= 1
        if "bad" in instance.source:
            return Outcome(instance, None, "it broke")
        return Outcome(instance, InstanceOutput(instance.image_id, 1, 1, 1.0, ()))

    def stats(self) -> dict[str, Any]:
        return {}

    async def close(self) -> None:
        pass


def _plan(refs: list[ImageRef], types: tuple[str, ...] = ("color",)) -> Plan:
    return Plan("job", refs, types, {t: f"{t}@1" for t in types}, {}, {t: "h" for t in types}, 10**8, 1.0)


def _run(plan: Plan, backend: SlowBackend, bus: EventBus | None = None) -> Any:
    async def body() -> Any:
        scheduler = Scheduler(plan, backend, bus or EventBus())
        backend.scheduler = scheduler
        return await scheduler.run()

    return asyncio.run(body())


def test_work_in_flight_stays_bounded_whatever_the_batch_size(tmp_path: Path) -> None:
    paths = make_screens(tmp_path, [f"{i}.png" for i in range(60)], size=(40, 30))
    backend = SlowBackend(concurrency=2)
    report = _run(_plan([ImageRef(str(p)) for p in paths], ("color", "faults")), backend)
    assert len(report.outcomes) == 120
    assert backend.most_running <= 2
    assert backend.most_waiting <= 4  # the queue holds twice the concurrency, never the batch


def test_duplicate_images_run_once_and_unreadable_inputs_fail_alone(tmp_path: Path) -> None:
    [a, b] = make_screens(tmp_path, ["a.png", "bad.png"], size=(40, 30))
    copy = tmp_path / "copy-of-a.png"
    copy.write_bytes(a.read_bytes())
    events: list[Event] = []
    bus = EventBus()
    bus.subscribe(events.append)
    refs = [ImageRef(str(p)) for p in (a, b, copy, tmp_path / "gone.png")]
    report = _run(_plan(refs), SlowBackend(concurrency=1), bus)
    assert report.counts["duplicates"] == 1
    outcomes = sorted(report.outcomes, key=lambda o: o.instance.source)
    assert [o.status for o in outcomes] == ["complete", "failed"]
    assert [e.source for e in report.read_errors] == [str(tmp_path / "gone.png")]
    failed = [e.data["source"] for e in events if e.name == "instance.failed"]
    assert sorted(failed) == sorted([str(b), str(tmp_path / "gone.png")])


def _in_threes(images: list[str]) -> bool:
    """Whether a consumer's runs come three at a time, each three of one image."""
    return all(len(set(images[i : i + 3])) == 1 for i in range(0, len(images), 3))


def _runs_by_consumer(runs: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for task, image in runs:
        out.setdefault(task, []).append(image)
    return out


TYPES = ("color", "layout", "typography")


def test_a_worker_that_keeps_images_gets_all_of_an_image_in_a_row(tmp_path: Path) -> None:
    """So the image is decoded once, not once per token type; the last images (as many as
    there are workers) are split by instance, so no worker idles at the end of the batch."""
    import hashlib

    paths = make_screens(tmp_path, [f"{i}.png" for i in range(8)], size=(40, 30))
    ids = [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]
    backend = SlowBackend(concurrency=2, keeps_images=True)
    report = _run(_plan([ImageRef(str(p)) for p in paths], TYPES), backend)
    assert report.counts["run"] == 24
    by_consumer = _runs_by_consumer(backend.runs)
    assert len(by_consumer) == 2  # both consumers worked
    for images in by_consumer.values():
        head = [i for i in images if i in ids[:6]]
        assert head and _in_threes(head) and images[: len(head)] == head
    tail = {task for task, image in backend.runs if image == ids[-1]}
    assert len(tail) == 2  # the last image's types ran on both


def test_images_are_split_by_instance_when_executors_do_not_keep_them(tmp_path: Path) -> None:
    """Also the images before the last `concurrency` ones, which a keeping executor gets whole."""
    import hashlib

    paths = make_screens(tmp_path, [f"{i}.png" for i in range(8)], size=(40, 30))
    head = {hashlib.sha256(p.read_bytes()).hexdigest() for p in paths[:6]}
    backend = SlowBackend(concurrency=2, keeps_images=False)
    _run(_plan([ImageRef(str(p)) for p in paths], TYPES), backend)
    consumers: dict[str, set[str]] = {}
    for task, image in backend.runs:
        consumers.setdefault(image, set()).add(task)
    assert any(len(consumers[image]) == 2 for image in head)  # an early image's types on both


def test_fewer_images_than_workers_are_split_by_instance(tmp_path: Path) -> None:
    """One image on two workers: its token types run side by side, not one after another."""
    [path] = make_screens(tmp_path, ["one.png"], size=(40, 30))
    backend = SlowBackend(concurrency=2, keeps_images=True)
    _run(_plan([ImageRef(str(path))], ("color", "layout")), backend)
    assert backend.most_running == 2


class StoppingBackend(SlowBackend):
    """Asks the scheduler to stop (as SIGTERM would) once `after` instances have started."""

    def __init__(self, after: int) -> None:
        super().__init__(concurrency=2, keeps_images=True)
        self.after = after
        self.started_after_stop = 0

    async def run(self, instance: Instance) -> Outcome:
        assert self.scheduler is not None
        if self.scheduler.stop.is_set():
            self.started_after_stop += 1
        if len(self.runs) + 1 == self.after:
            self.scheduler.stop.set()
        return await super().run(instance)


def test_a_stop_in_the_middle_of_an_image_leaves_its_other_types_pending(tmp_path: Path) -> None:
    paths = make_screens(tmp_path, [f"{i}.png" for i in range(10)], size=(40, 30))
    backend = StoppingBackend(after=4)
    report = _run(_plan([ImageRef(str(p)) for p in paths], TYPES), backend)
    assert report.interrupted
    assert backend.started_after_stop <= 1  # only the other consumer's call already under way
    queued = report.counts["run"] + report.pending
    assert report.counts["run"] == len(backend.runs) <= 5
    assert report.pending >= 1 and queued <= 30
    assert report.pending == backend.scheduler._queued - backend.scheduler._finished  # type: ignore[union-attr]
