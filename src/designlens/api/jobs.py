"""Jobs of the service: created from uploads, run on the runtime, read back from the store.

A job is a row in the store before it runs (status `queued`), so its id can be answered at
once; a runner thread then runs it in a child process (`designlens.api.runner`) through
`pipeline.extract(resume=id)`, the same path the CLI takes to finish an interrupted job.
Everything a client reads (status, events, tokens, exports) comes from the store, never from
this process's memory, so a restarted server, or another API process on a shared store,
answers the same.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import queue
import threading
import time
import uuid
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update

from designlens import plugins
from designlens.api.metrics import ServiceMetrics
from designlens.api.problems import Problem
from designlens.api.settings import ServiceSettings
from designlens.api.uploads import ImageStore, Upload
from designlens.errors import UsageError
from designlens.events import Event
from designlens.relate.graph import Relationship, TokenGraph
from designlens.store.database import Store
from designlens.store.repositories import JobRow, StoredEvent
from designlens.tokens import TokenSet

if TYPE_CHECKING:
    from designlens.bus.redis import LogRelay

log = logging.getLogger(__name__)

QUEUED = "queued"
FINAL = ("completed", "failed", "cancelled")
RESUMABLE = (QUEUED, "running", "interrupted", "cancelling")
TERMINAL_EVENTS = ("job.completed", "job.failed")
CANCELLED = "cancelled by request"  # also marks a user's cancel in the row (a shutdown's is unmarked)
STATUS_TTL = 0.2  # seconds a running job's status is reused: the job log itself flushes every 0.25 s
ZIP_NAME = "exports.zip"
NICE_ENV = "DESIGNLENS_WORKER_NICE"


@dataclass(frozen=True)
class NewJob:
    id: str
    status: str


def _owner_alive_elsewhere(owner: str) -> bool:
    """True when `owner` (host:pid) is another live process, here or on another host."""
    import socket

    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname():
        return bool(host)  # another machine's job: its own server resumes it
    if not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def worker_argv() -> tuple[str, ...]:
    """The built-in worker, niced (DESIGNLENS_WORKER_NICE, default 10; 0 turns it off): extraction
    takes the idle CPU and the API stays responsive. Only local workers: queue and Ray workers
    are other processes' (or machines') business."""
    import shutil

    from designlens.runtime.options import default_worker_argv

    level = worker_nice()
    nice = shutil.which("nice")
    return (nice, "-n", str(level), *default_worker_argv()) if nice and level else default_worker_argv()


def worker_nice() -> int:
    value = os.environ.get(NICE_ENV, "10")
    try:
        level = int(value)
    except ValueError:
        raise UsageError(f"{NICE_ENV} must be a niceness from 0 to 19, got {value!r}") from None
    if not 0 <= level <= 19:
        raise UsageError(f"{NICE_ENV} must be a niceness from 0 to 19, got {value!r}")
    return level


class JobService:
    """Creates, runs, cancels and reads jobs; `start` resumes what a dead server left."""

    def __init__(self, settings: ServiceSettings, metrics: ServiceMetrics, relay: bool = True) -> None:
        self.settings = settings
        self.metrics = metrics
        self.store = Store(settings.db)
        self.images = ImageStore(settings.data_dir)
        self.exports_root = settings.data_dir / "exports"
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._running: set[str] = set()
        self._lock = threading.Lock()
        self._render_locks: dict[str, threading.Lock] = {}
        self.stopping = threading.Event()
        self._status_cache: dict[str, tuple[float, bytes]] = {}
        self._inflight: dict[str, asyncio.Future[bytes]] = {}
        self._cancels: set[str] = set()  # jobs a user cancelled through this process
        self._finishing: dict[str, threading.Event] = {}  # jobs whose process still runs (exports)
        worker_nice()  # a bad DESIGNLENS_WORKER_NICE stops the server at start, not each job
        self.relay: LogRelay | None = None
        self._relaying: set[str] = set()  # running jobs whose committed log goes to the bus
        if settings.bus and relay:
            from designlens.bus import open_bus
            from designlens.bus.redis import LogRelay

            open_bus(settings.bus)  # UsageError for a URL that is not redis://
            self.relay = LogRelay(settings.bus, self.events_after, prefix=settings.bus_prefix)
        # Plugin discovery costs tens of ms a call: do it once per process.
        self.extractors = plugins.extractors()
        self.exporters = plugins.exporters()
        self.plugin_rows = plugin_rows()

    # --- lifecycle -------------------------------------------------------------------

    def start(self) -> list[str]:
        """Start the runner threads and queue the unfinished jobs of dead servers; returns their ids."""
        for i in range(max(1, self.settings.max_running_jobs)):
            thread = threading.Thread(target=self._runner, name=f"designlens-job-{i}", daemon=True)
            thread.start()
            self._threads.append(thread)
        if self.relay is not None:
            relay = threading.Thread(target=self._relay_loop, name="designlens-relay", daemon=True)
            relay.start()
        return self.resume_orphans()

    def stop(self, timeout: float = 10.0) -> None:
        """Interrupt running jobs (they stay resumable) and stop the runners.

        The store's cancel request is the one lever that stops a run from outside; the runner
        then records the job as interrupted, not cancelled, so the next server resumes it."""
        self.stopping.set()
        with self._lock:
            running = list(self._running)
        with self.store.transaction() as conn:
            for job_id in running:
                self.store.jobs.request_cancel(conn, job_id)
        for _ in self._threads:
            self._queue.put(None)
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        if self.relay is not None:
            for job_id in list(self._relaying):
                self._relay_now(job_id)
            self.relay.close()
        self.store.close()

    def resume_orphans(self) -> list[str]:
        table = self.store.jobs.table
        with self.store.transaction() as conn:
            rows = conn.execute(
                select(table.c.id, table.c.status, table.c.owner, table.c.spec, table.c.error)
                .where(table.c.status.in_(RESUMABLE))
                .order_by(table.c.created_at)
            ).all()
        resumed = []
        for job_id, status, owner, spec, error in rows:
            if not (spec or {}).get("service") or _owner_alive_elsewhere(str(owner)):
                continue
            if status == "cancelling" and error == CANCELLED:  # a user's cancel: honour it
                self._end(job_id, "cancelled", CANCELLED)
                continue
            resumed.append(job_id)
            self._enqueue(job_id)
        return resumed

    # --- creating and cancelling -----------------------------------------------------

    def create(self, uploads: Sequence[Upload], types: Sequence[str], formats: Sequence[str]) -> NewJob:
        """Store the images and queue a job over them. Problem 422 names an unknown type or format."""
        known = self.extractors
        unknown = [t for t in types if t not in known]
        if unknown:
            have = ", ".join(sorted(known))
            raise Problem(422, f"unknown token type(s): {', '.join(unknown)} (have: {have})")
        exporters = self.exporters
        bad = [f for f in formats if f not in exporters]
        if bad:
            raise Problem(422, f"unknown format(s): {', '.join(bad)} (have: {', '.join(sorted(exporters))})")
        if not uploads:
            raise Problem(422, "no images: upload `files` (images or a zip of images) or give `urls`")
        names: dict[str, str] = {}
        for upload in uploads:
            path = str(self.images.put(upload))
            names.setdefault(path, upload.name)
        job_id = uuid.uuid4().hex[:12]
        paths = list(names)
        spec = {
            "paths": paths, "inputs": paths, "cwd": "", "types": list(types), "config": {},
            "scale": "auto", "max_pixels": self.settings.limits.max_pixels,
            "service": job_id, "formats": list(formats), "names": names,
        }
        from designlens.pipeline import job_key
        from designlens.store.joblog import owner_id

        with self.store.transaction() as conn:
            self.store.jobs.create(conn, job_id, job_key(spec), spec, owner_id())
            self.store.jobs.set_status(conn, job_id, QUEUED)
        self.metrics.jobs_created.inc()
        self._enqueue(job_id)
        return NewJob(job_id, QUEUED)

    def cancel(self, job_id: str) -> str:
        """Stop a job: a queued one ends at once, a running one at its next log flush."""
        row = self.job(job_id)
        if row.status in FINAL:
            raise Problem(409, f"job {job_id} is already {row.status}; nothing to cancel")
        if row.status in (QUEUED, "interrupted"):
            self._end(job_id, "cancelled", CANCELLED)
            return "cancelled"
        table = self.store.jobs.table
        self._cancels.add(job_id)
        with self.store.transaction() as conn:
            self.store.jobs.request_cancel(conn, job_id)
            conn.execute(  # tells a restarted server this stop was asked for, not a shutdown
                update(table)
                .where(table.c.id == job_id, table.c.status == "cancelling")
                .values(error=CANCELLED)
            )
        from designlens.store.queue import WorkQueue

        WorkQueue(self.store).withdraw(job_id)  # queue-backend instances no worker took yet
        self._status_cache.pop(job_id, None)
        return "cancelling"

    # --- running -----------------------------------------------------------------------

    def _relay_loop(self) -> None:
        """With a bus: copy each running job's newly committed events to its Redis log stream,
        every `poll_interval`; one thread however many jobs run."""
        while not self.stopping.wait(self.settings.poll_interval):
            for job_id in list(self._relaying):
                self._relay_now(job_id)

    def _relay_now(self, job_id: str) -> None:
        if self.relay is not None:
            try:
                self.relay.relay(job_id)
            except Exception:  # the store is briefly away: the next tick sends it
                log.debug("job %s: relaying its log failed", job_id, exc_info=True)

    def _enqueue(self, job_id: str) -> None:
        self._queue.put(job_id)
        self.metrics.queue_depth.set(self._queue.qsize())

    def _runner(self) -> None:
        while (job_id := self._queue.get()) is not None:
            self.metrics.queue_depth.set(self._queue.qsize())
            if self.stopping.is_set():
                continue
            try:
                self._run(job_id)
            except Exception:  # a runner thread must outlive any one job
                log.exception("job %s: runner failed", job_id)

    def _run(self, job_id: str) -> None:
        """Run the job in a child process (`designlens.api.runner`) and keep the books here."""
        import multiprocessing

        from designlens.api.runner import run_job
        from designlens.store.joblog import owner_id

        with self.store.transaction() as conn:
            status = self.store.jobs.status(conn, job_id)
        if status is None or status in FINAL:
            return
        if status == "cancelling" and self.job(job_id).error == CANCELLED:
            self._end(job_id, "cancelled", CANCELLED)
            return
        counts = {"started": 0, "ended": 0}

        def on_event(event: Event) -> None:
            self.metrics.on_event(event)
            if event.name == "instance.started":
                counts["started"] += 1
            elif (
                event.name in ("instance.completed", "instance.failed") and "instance" in event.data
                and not (event.data.get("cached") or event.data.get("resumed"))
            ):
                counts["ended"] += 1

        ctx = multiprocessing.get_context("spawn")
        events_in, events_out = ctx.Pipe(duplex=False)
        lifeline_in, lifeline_out = ctx.Pipe(duplex=False)
        child = ctx.Process(
            target=run_job, name=f"designlens-job-{job_id}",
            args=(job_id, self.settings, worker_argv(), owner_id(), events_out, lifeline_in),
        )
        finishing = threading.Event()
        with self._lock:
            self._running.add(job_id)
            self._finishing[job_id] = finishing
        self._relaying.add(job_id)
        self.metrics.jobs_running.inc()
        outcome: tuple[Any, ...] = ("failed", "the job's process exited before it reported")
        try:
            child.start()
            events_out.close()  # ours closed: EOF when the child is gone
            lifeline_in.close()
            while True:
                try:
                    message = events_in.recv()
                except (EOFError, OSError):
                    break
                if message[0] == "event":
                    on_event(Event(message[1], message[2], message[3]))
                else:
                    outcome = message
            child.join()
            if outcome[0] == "failed" and len(outcome) == 2:
                outcome = ("failed", f"the job's process exited with code {child.exitcode}")
        finally:
            lifeline_out.close()
            events_in.close()
            self.metrics.running.dec(max(0, counts["started"] - counts["ended"]))
            self.metrics.jobs_running.dec()
            with self._lock:
                self._running.discard(job_id)
                self._finishing.pop(job_id, None)
            finishing.set()
            self._relaying.discard(job_id)
        if outcome[0] == "interrupted":
            if job_id in self._cancels or not self.stopping.is_set():  # a user's cancel
                self._end(job_id, "cancelled", CANCELLED)
                self.metrics.job_finished("cancelled")
            else:  # our shutdown stopped it through the same lever: it stays resumable
                with self.store.transaction() as conn:
                    self.store.jobs.set_status(conn, job_id, "interrupted")
        elif outcome[0] == "failed":
            log.error("job %s failed: %s", job_id, outcome[-1])
            self._end(job_id, "failed", outcome[1])
            self.metrics.job_finished("failed")
        else:
            self.metrics.job_finished("completed", outcome[1])
        self._relay_now(job_id)  # the last events (job.completed, or _end's job.failed)

    def _end(self, job_id: str, status: str, error: str) -> None:
        """Record a final status with a closing `job.failed` event (which ends SSE streams)."""
        self._status_cache.pop(job_id, None)
        with self.store.transaction() as conn:
            version = self.store.events.last_version(conn, job_id) + 1
            self.store.events.append(
                conn, [{"job_id": job_id, "version": version, "name": "job.failed",
                        "data": {"status": status, "error": error}, "at": time.time()}],
            )
            self.store.jobs.set_status(conn, job_id, status, error)
        self._relay_now(job_id)

    # --- reading ------------------------------------------------------------------------

    def job(self, job_id: str) -> JobRow:
        with self.store.transaction() as conn:
            row = self.store.jobs.get(conn, job_id)
        if row is None or not row.spec.get("service"):
            raise Problem(404, f"no job {job_id!r}")
        return row

    def cached_status(self, job_id: str) -> bytes | None:
        """The job's status document if read in the last STATUS_TTL seconds (forever once final)."""
        hit = self._status_cache.get(job_id)
        return hit[1] if hit is not None and hit[0] > time.monotonic() else None

    def status(self, job_id: str) -> bytes:
        """`describe` as JSON bytes, cached briefly: many clients polling one job cost one read."""
        import json

        body = self.describe(self.job(job_id))
        data = json.dumps(body).encode()
        ttl = float("inf") if body["status"] in FINAL else STATUS_TTL
        if len(self._status_cache) > 10_000:
            self._status_cache.clear()
        self._status_cache[job_id] = (time.monotonic() + ttl, data)
        return data

    async def status_async(self, job_id: str) -> bytes:
        """`status` for the event loop: concurrent misses on one job share a single read."""
        cached = self.cached_status(job_id)
        if cached is not None:
            return cached
        task = self._inflight.get(job_id)
        if task is None:
            task = asyncio.ensure_future(asyncio.to_thread(self.status, job_id))
            self._inflight[job_id] = task
            task.add_done_callback(lambda _: self._inflight.pop(job_id, None))
        return await asyncio.shield(task)

    def page(self, limit: int, offset: int) -> tuple[list[JobRow], int]:
        table = self.store.jobs.table
        with self.store.transaction() as conn:
            total = int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            rows = conn.execute(
                select(table).order_by(table.c.created_at.desc(), table.c.id).limit(limit).offset(offset)
            ).mappings().all()
        return [JobRow(**r) for r in rows], total

    def events_after(self, job_id: str, seq: int) -> list[StoredEvent]:
        """Every event of the job with a sequence above `seq`, oldest first."""
        out: list[StoredEvent] = []
        with self.store.transaction() as conn:
            while True:
                batch = self.store.events.after(conn, job_id, seq, limit=1000)
                out.extend(batch)
                if len(batch) < 1000:
                    return out
                seq = batch[-1].seq

    def describe(self, row: JobRow) -> dict[str, Any]:
        """One job as the API shows it: status, counts per instance state, errors, timings."""
        names: Mapping[str, str] = row.spec.get("names") or {}
        with self.store.transaction() as conn:
            instances = self.store.instances.of_job(conn, row.id)
            first = self.store.events.after(conn, row.id, 0, limit=1)
        total = len(row.spec.get("paths", [])) * len(row.spec.get("types", []))
        if first and first[0].name == "job.created":
            total = int(first[0].data.get("instances", total))
        counts = {"complete": 0, "failed": 0}
        images: dict[str, dict[str, Any]] = {}
        for inst in instances:
            state = str(inst["status"])
            if state in counts:
                counts[state] += 1
            name = names.get(str(inst["source"]), self.images.display_name(str(inst["source"])))
            image = images.setdefault(
                str(inst["image_id"]),
                {"id": inst["image_id"], "name": name, "status": "complete", "errors": {}, "warnings": [],
                 "seconds": 0.0},
            )
            image["warnings"] += [str(w) for w in inst.get("warnings") or ()]  # why an extractor gave up
            if state == "failed":
                image["status"] = "failed"
                image["errors"][inst["token_type"]] = inst["error"]
            elif state != "complete" and image["status"] == "complete":
                image["status"] = "pending"
            image["seconds"] = round(image["seconds"] + float(inst["seconds"] or 0.0), 6)
        counts["pending"] = max(0, total - counts["complete"] - counts["failed"])
        errors = [
            {"image": i["name"], "image_id": i["id"], "token_type": t, "error": e}
            for i in images.values() for t, e in i["errors"].items()
        ]
        seconds = [float(i["seconds"] or 0.0) for i in instances]
        base = f"/api/v1/jobs/{row.id}"
        end = row.updated_at if row.status in FINAL else time.time()
        out: dict[str, Any] = {
            "id": row.id,
            "status": row.status,
            "error": row.error,
            "types": list(row.spec.get("types", [])),
            "formats": list(row.spec.get("formats", [])),
            "inputs": sorted(set(names.values())),
            "counts": {**counts, "total": total},
            "images": sorted(images.values(), key=lambda i: str(i["name"])),
            "errors": errors,
            "timings": {
                "created_at": row.created_at,
                "updated_at": row.updated_at,
                "elapsed_seconds": round(end - row.created_at, 3),
                "extraction_seconds": round(sum(seconds), 6),
            },
            "events_url": f"{base}/events",
        }
        if row.status == "completed":
            out["tokens_url"] = f"{base}/tokens"
            out["relationships_url"] = f"{base}/relationships"
            out["exports"] = {name: f"{base}/exports/{name}" for name in self.export_names(row)}
        return out

    def public_event(self, row: JobRow, event: StoredEvent) -> dict[str, Any]:
        """An event's data with server paths replaced by the names the user uploaded.

        The service starts every job through resume-by-id, so the runtime marks each
        `job.created` as resumed; here it is resumed only if an earlier run logged events."""
        data = dict(event.data)
        if event.name == "job.created":
            data["resumed"] = event.version > 1
        source = data.get("source")
        if isinstance(source, str):
            names: Mapping[str, str] = row.spec.get("names") or {}
            data["source"] = names.get(source, self.images.display_name(source))
        return data

    def _completed(self, job_id: str) -> JobRow:
        row = self.job(job_id)
        if row.status != "completed":
            raise Problem(409, f"job {job_id} is {row.status}: its results exist once it has completed")
        return row

    def token_set(self, job_id: str) -> TokenSet:
        from designlens.runtime.codec import token_from_data

        self._completed(job_id)
        with self.store.transaction() as conn:
            return TokenSet(token_from_data(t) for t in self.store.tokens.merged(conn, job_id))

    def graph(self, job_id: str) -> TokenGraph:
        self._completed(job_id)
        with self.store.transaction() as conn:
            rows = self.store.relationships.of_job(conn, job_id)
        return TokenGraph(
            Relationship(str(r["source"]), str(r["target"]), str(r["type"]), float(r["weight"]),
                         dict(r["attributes"] or {}))
            for r in rows
        )

    def export_names(self, row: JobRow) -> list[str]:
        found = self.exporters
        chosen = row.spec.get("formats") or sorted(found)
        return [found[f].file_name for f in chosen if f in found] + [ZIP_NAME]

    def exports(self, job_id: str) -> Path:
        """The directory of the job's rendered exports (every format, plus exports.zip), made once."""
        row = self._completed(job_id)
        folder = self.exports_root / job_id
        finishing = self._finishing.get(job_id)
        if finishing is not None:  # the job's process renders them as its last step
            finishing.wait(120)
        if (folder / ZIP_NAME).is_file():
            return folder
        with self._lock:
            lock = self._render_locks.setdefault(job_id, threading.Lock())
        with lock:
            if (folder / ZIP_NAME).is_file():
                return folder
            from designlens.pipeline import render_exports, write_exports

            tokens, graph = self.token_set(job_id), self.graph(job_id)
            options = {"thumbnails": self._thumbnails(row), "title": f"designlens job {job_id}"}
            files = render_exports(tokens, graph, sorted(self.exporters), options)
            wanted = set(self.export_names(row))
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
                for name in sorted(files):
                    if name in wanted:
                        archive.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), files[name])
            files[ZIP_NAME] = buf.getvalue()
            self.exports_root.mkdir(parents=True, exist_ok=True)
            write_exports(files, folder)
        return folder

    def overlay(self, row: JobRow, image_id: str) -> Path:
        """The image with its layout analysis drawn on it (boxes, spacing, radii), made once."""
        path = self.images.image_path(image_id)
        if path is None or str(path) not in row.spec.get("paths", []):
            raise Problem(404, f"job {row.id} has no image {image_id!r}")
        with self.store.transaction() as conn:
            scales = [r["scale"] for r in self.store.instances.of_job(conn, row.id)
                      if r["image_id"] == image_id and r["scale"]]
        scale = float(scales[0]) if scales else 1.0
        target = self.settings.data_dir / "overlays" / f"{image_id}@{scale:g}.png"
        if target.is_file():
            return target
        import warnings

        from PIL import Image

        from designlens.errors import InputError
        from designlens.extract.layout import analyze_layout
        from designlens.images import decode
        from designlens.overlay import draw_overlay

        try:
            image = decode(path.read_bytes(), path.name, max_pixels=self.settings.limits.max_pixels)
        except InputError as exc:
            raise Problem(422, f"{exc.source}: {exc.reason}") from None
        with warnings.catch_warnings():  # "no boxes found" was reported when the job ran
            warnings.simplefilter("ignore")
            drawn = draw_overlay(image.pixels, analyze_layout(image.pixels, scale))
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}")
        Image.fromarray(drawn).save(tmp, format="PNG")
        os.replace(tmp, target)
        return target

    def _thumbnails(self, row: JobRow) -> dict[str, bytes]:
        from PIL import Image

        out: dict[str, bytes] = {}
        for path in row.spec.get("paths", []):
            image_id = Path(path).parent.name
            try:
                with Image.open(path) as img:
                    img.thumbnail((320, 320))
                    buf = io.BytesIO()
                    img.convert("RGB").save(buf, format="JPEG", quality=80)
            except Exception:  # an image that does not decode has no thumbnail
                continue
            out[image_id] = buf.getvalue()
        return out


def plugin_rows() -> list[dict[str, str]]:
    """Every plugin this process loaded (and any that failed to load), for GET /plugins."""
    from designlens.plugins import GROUPS, discover

    rows: list[dict[str, str]] = []
    for kind in GROUPS:
        loaded, broken = discover(kind)
        rows += [{"kind": kind, "name": p.entry_name, "version": p.version,
                  "package": f"{p.package} {p.package_version}", "status": "ok"} for p in loaded]
        rows += [{"kind": kind, "name": b.entry_name, "version": "", "package": "",
                  "status": f"broken: {b.error}"} for b in broken]
    return rows


def normalize_list(values: Sequence[str] | None, default: Sequence[str]) -> list[str]:
    """Comma-separated or repeated values; `all` in formats means every exporter."""
    items = [v.strip() for item in (values or []) for v in item.split(",") if v.strip()]
    return items or list(default)


def all_formats(formats: list[str], exporters: Mapping[str, object]) -> list[str]:
    return sorted(exporters) if "all" in formats else formats


__all__ = ["JobService", "NewJob", "all_formats", "normalize_list"]
