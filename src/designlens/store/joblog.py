"""The job log: a job's events and instance results, appended to the store in batches.

Everything a run learns is buffered and committed in one transaction per flush (every
quarter second or few hundred writes): an instance's status and its tokens always commit
together, so a killed run loses at most the last batch, which the resumed run redoes;
tokens are keyed by instance, so redoing never duplicates them.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

from designlens.events import Event
from designlens.pipeline import InstanceOutput
from designlens.runtime.codec import token_from_data, token_to_data
from designlens.runtime.instance import Instance, Outcome
from designlens.store.database import Store
from designlens.store.queue import retrying
from designlens.store.repositories import JobRow

FLUSH_SECONDS = 0.25
FLUSH_OPS = 500


def owner_id() -> str:
    """host:pid of the process answerable for a job: $DESIGNLENS_OWNER when a service runs the
    job in a child process (the API process is the one whose death frees the job)."""
    return os.environ.get("DESIGNLENS_OWNER") or f"{socket.gethostname()}:{os.getpid()}"


def _alive_here(owner: str) -> bool:
    """True when `owner` is another live process on this host (its job is not ours to resume)."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class JobLog:
    """Writes one job's log; `begin` creates the job or reopens an interrupted one."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.job_id = ""
        self._ops: list[Callable[[Connection], None]] = []
        self._events: list[dict[str, Any]] = []
        self._version = 0
        self._last_flush = time.monotonic()
        self.status = "running"

    def find(self, job_id: str) -> JobRow | None:
        with self.store.transaction() as conn:
            return self.store.jobs.get(conn, job_id)

    def resumable(self, key: str) -> JobRow | None:
        """The newest unfinished job asked with the same key, unless a live process still runs it."""
        with self.store.transaction() as conn:
            row = self.store.jobs.latest_unfinished(conn, key)
        if row is None or _alive_here(row.owner):
            return None
        return row

    def begin(
        self, job_id: str, key: str, spec: Mapping[str, Any], resume: bool
    ) -> dict[str, InstanceOutput]:
        """Start (or reopen) the job; returns the outputs of instances already complete."""
        self.job_id = job_id
        with self.store.transaction() as conn:
            if resume:
                self.store.jobs.set_status(conn, job_id, "running", owner=owner_id())
                self._version = self.store.events.last_version(conn, job_id)
                done = self.store.instances.of_job(conn, job_id, status="complete")
                raw = self.store.tokens.raw_of_instances(conn, [str(r["id"]) for r in done])
                sizes = {
                    str(r["image_id"]): self.store.images.get(conn, str(r["image_id"])) for r in done
                }
            else:
                self.store.jobs.create(conn, job_id, key, spec, owner_id())
                return {}
        outputs: dict[str, InstanceOutput] = {}
        for row in done:
            image = sizes.get(str(row["image_id"])) or {}
            outputs[str(row["id"])] = InstanceOutput(
                image_id=str(row["image_id"]),
                width=int(image.get("width") or 0),
                height=int(image.get("height") or 0),
                scale=float(row["scale"] or 1.0),
                tokens=tuple(token_from_data(t) for t in raw[str(row["id"])]),
                warnings=tuple(str(w) for w in row.get("warnings") or ()),
            )
        return outputs

    def image_seen(self, image_id: str, source: str, size: int) -> None:
        row = {"id": image_id, "source": source, "size": size, "width": None, "height": None}
        self._ops.append(lambda conn: self.store.images.add(conn, [row]))

    def instance_queued(self, instance: Instance) -> None:
        row = {
            "id": instance.id, "job_id": instance.job_id, "image_id": instance.image_id,
            "source": instance.source, "token_type": instance.token_type, "extractor": instance.extractor,
            "config_hash": instance.config_hash,
        }
        self._ops.append(lambda conn: self.store.instances.add(conn, [row]))

    def instance_finished(self, outcome: Outcome) -> None:
        inst, out = outcome.instance, outcome.output
        tokens = [token_to_data(t) for t in out.tokens] if out is not None else []

        def write(conn: Connection) -> None:
            self.store.instances.finish(
                conn, inst.id, outcome.status, outcome.error, outcome.seconds, outcome.attempts,
                out.scale if out is not None else None, out.warnings if out is not None else (),
            )
            if out is not None:
                self.store.images.set_size(conn, inst.image_id, out.width, out.height)
                self.store.tokens.replace_raw(conn, inst.job_id, inst.id, tokens)

        self._ops.append(write)

    def record(self, event: Event) -> None:
        """Bus subscriber: append this job's events to the log."""
        if event.job_id != self.job_id:
            return
        self._version += 1
        self._events.append(
            {"job_id": event.job_id, "version": self._version, "name": event.name,
             "data": dict(event.data), "at": event.at}
        )

    def due(self) -> bool:
        return len(self._ops) + len(self._events) >= FLUSH_OPS or (
            time.monotonic() - self._last_flush >= FLUSH_SECONDS
        )

    def flush(self) -> str:
        """Commit what is buffered; returns the job's status (`cancelling` asks the run to stop)."""
        ops, events = self._ops, self._events
        self._ops, self._events = [], []

        def write() -> str:
            with self.store.transaction() as conn:
                for op in ops:
                    op(conn)
                self.store.events.append(conn, events)
                return self.store.jobs.status(conn, self.job_id) or self.status

        self.status = retrying(write)  # a dropped server connection rolled back: write it all again
        self._last_flush = time.monotonic()
        return self.status

    def finish(
        self, status: str, tokens: Sequence[Mapping[str, Any]] = (),
        relationships: Sequence[Mapping[str, Any]] = (), error: str | None = None,
    ) -> None:
        """Flush, store the merged token set and graph, and set the final status."""
        self.flush()
        with self.store.transaction() as conn:
            if status == "completed":
                self.store.tokens.replace_merged(conn, self.job_id, tokens)
                self.store.relationships.replace(conn, self.job_id, relationships)
            self.store.jobs.set_status(conn, self.job_id, status, error)
