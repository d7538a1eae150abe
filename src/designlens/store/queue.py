"""The shared job queue: instances in the store, claimed by `designlens worker` processes.

A coordinator (`extract --backend queue`) marks instances `queued` and stores their image's
bytes. A worker claims one with an expiring lease (`SELECT ... FOR UPDATE SKIP LOCKED` on
PostgreSQL; SQLite serialises writers, so the same statement is atomic there), renews the
lease while it works and finishes the instance only if it still holds the lease. A claim
held by a dead process is taken over once its lease expires. Results are keyed by the
instance id, so an instance run twice (at-least-once) still has one set of tokens.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, and_, or_, select, update
from sqlalchemy.exc import DBAPIError

from designlens.store import schema
from designlens.store.database import Store

QUEUED = "queued"  # waiting for a worker; local runs never use this status, so workers leave them alone
RUNNING = "running"
CANCELLED = "cancelled"  # withdrawn before a worker took it (the job was cancelled or interrupted)
STOPPED_JOBS = ("cancelling", "cancelled")  # workers claim nothing of these jobs
MAX_ATTEMPTS = 3  # claims of one instance before it fails (a plugin that kills every worker it meets)
T = TypeVar("T")


@dataclass(frozen=True)
class Claim:
    """One instance a worker holds, with what it needs to run it."""

    id: str
    job_id: str
    image_id: str
    source: str
    token_type: str
    extractor: str
    config_hash: str
    attempts: int


@dataclass(frozen=True)
class Finished:
    id: str
    status: str
    error: str | None
    seconds: float
    attempts: int
    scale: float | None
    width: int
    height: int
    tokens: list[Mapping[str, Any]]
    warnings: tuple[str, ...] = ()


def _claim(row: Any) -> Claim:
    i, job, image, source, token_type, extractor, config, attempts = row
    return Claim(str(i), str(job), str(image), str(source), str(token_type), str(extractor), str(config),
                 int(attempts))


def retrying(fn: Callable[[], T], tries: int = 5) -> T:
    """Run `fn` (one transaction), again on a dropped server connection: the pool hands a new one."""
    for attempt in range(tries):
        try:
            return fn()
        except DBAPIError as exc:
            if not exc.connection_invalidated or attempt == tries - 1:
                raise
            time.sleep(0.1 * (attempt + 1))
    raise AssertionError("unreachable")


class WorkQueue:
    """Queue operations on one store; every method is one short transaction."""

    def __init__(self, store: Store, lease: float = 30.0) -> None:
        self.store = store
        self.lease = lease
        self.instances = schema.instances
        self.images = schema.images

    # -- coordinator side --------------------------------------------------------------------

    def enqueue(self, row: Mapping[str, Any], image: Mapping[str, Any]) -> None:
        """Queue one instance (a dict of instances columns) with its image (id, source, size, data).

        An instance already queued, running or complete is left as it is, so a coordinator that
        restarts never double-queues; a pending or failed one is queued again.
        """

        def run() -> None:
            with self.store.transaction() as conn:
                self.store.images.add(conn, [{k: image[k] for k in ("id", "source", "size")}])
                conn.execute(
                    update(self.images).where(self.images.c.id == image["id"], self.images.c.data.is_(None))
                    .values(data=image["data"])
                )
                self.store.instances.add(conn, [row])
                t = self.instances
                conn.execute(
                    update(t).where(t.c.id == row["id"], t.c.status.in_(("pending", "failed", CANCELLED)))
                    .values(status=QUEUED, attempts=0, lease_owner=None, lease_expires=None, error=None,
                            warnings=None)
                )

        retrying(run)

    def finished(self, ids: Sequence[str]) -> list[Finished]:
        """Those of `ids` that are complete or failed, with their raw tokens."""
        if not ids:
            return []

        def run() -> list[Finished]:
            out: list[Finished] = []
            with self.store.transaction() as conn:
                t, im = self.instances, self.images
                rows = conn.execute(
                    select(t.c.id, t.c.status, t.c.error, t.c.seconds, t.c.attempts, t.c.scale,
                           im.c.width, im.c.height, t.c.warnings)
                    .join(im, im.c.id == t.c.image_id)
                    .where(t.c.id.in_(list(ids)), t.c.status.in_(("complete", "failed")))
                ).all()
                raw = self.store.tokens.raw_of_instances(conn, [str(r.id) for r in rows])
            for r in rows:
                out.append(Finished(
                    str(r.id), str(r.status), r.error, float(r.seconds or 0.0), int(r.attempts or 1),
                    r.scale, int(r.width or 0), int(r.height or 0), list(raw[str(r.id)]),
                    tuple(str(w) for w in r.warnings or ()),
                ))
            return out

        return retrying(run)

    # -- worker side -------------------------------------------------------------------------

    def claim(self, owner: str, limit: int = 1) -> list[Claim]:
        """Take up to `limit` queued instances (or ones whose lease expired) for `owner`."""

        def run() -> list[Claim]:
            t = self.instances
            now = time.time()
            with self.store.transaction() as conn:
                self._fail_exhausted(conn, now)
                stopped = select(schema.jobs.c.id).where(schema.jobs.c.status.in_(STOPPED_JOBS))
                free = (
                    select(t.c.id)
                    .where(or_(t.c.status == QUEUED, and_(t.c.status == RUNNING, t.c.lease_expires < now)))
                    .where(t.c.job_id.not_in(stopped))
                    .order_by(t.c.job_id, t.c.source, t.c.token_type)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
                rows = conn.execute(
                    update(t)
                    .where(t.c.id.in_(free.scalar_subquery()))
                    .values(status=RUNNING, lease_owner=owner, lease_expires=now + self.lease,
                            attempts=t.c.attempts + 1)
                    .returning(t.c.id, t.c.job_id, t.c.image_id, t.c.source, t.c.token_type, t.c.extractor,
                               t.c.config_hash, t.c.attempts)
                ).all()
            return [_claim(r) for r in rows]

        return retrying(run)

    def _fail_exhausted(self, conn: Connection, now: float) -> None:
        """An instance whose lease expired MAX_ATTEMPTS times killed every worker that took it."""
        t = self.instances
        conn.execute(
            update(t)
            .where(t.c.status == RUNNING, t.c.lease_expires < now, t.c.attempts >= MAX_ATTEMPTS)
            .values(status="failed", error=f"worker lost {MAX_ATTEMPTS} times (crashed or killed)",
                    lease_owner=None, lease_expires=None, finished_at=now)
        )

    def renew(self, owner: str, ids: Sequence[str]) -> None:
        """Extend the leases `owner` still holds."""
        if not ids:
            return

        def run() -> None:
            t = self.instances
            with self.store.transaction() as conn:
                conn.execute(
                    update(t).where(t.c.id.in_(list(ids)), t.c.lease_owner == owner, t.c.status == RUNNING)
                    .values(lease_expires=time.time() + self.lease)
                )

        retrying(run)

    def complete(
        self, owner: str, claim: Claim, status: str, error: str | None, seconds: float,
        scale: float | None, size: tuple[int, int] | None, tokens: Sequence[Mapping[str, Any]],
        warnings: Sequence[str] = (),
    ) -> bool:
        """Record the result if `owner` still holds the lease; False when another took it over."""

        def run() -> bool:
            t = self.instances
            with self.store.transaction() as conn:
                done = conn.execute(
                    update(t)
                    .where(t.c.id == claim.id, t.c.lease_owner == owner, t.c.status == RUNNING)
                    .values(status=status, error=error, seconds=seconds, scale=scale, finished_at=time.time(),
                            lease_owner=None, lease_expires=None, warnings=list(warnings) or None)
                )
                if not done.rowcount:
                    return False
                if size is not None:
                    self.store.images.set_size(conn, claim.image_id, *size)
                self.store.tokens.replace_raw(conn, claim.job_id, claim.id, tokens)
                return True

        return retrying(run)

    def withdraw(self, job_id: str, ids: Sequence[str] | None = None) -> int:
        """Take the job's queued instances (or those of `ids`) off the queue: `cancelled`, never
        claimed. Running ones finish (their result is kept); a resumed job queues them again."""

        def run() -> int:
            t = self.instances
            query = update(t).where(t.c.job_id == job_id, t.c.status == QUEUED)
            if ids is not None:
                query = query.where(t.c.id.in_(list(ids)))
            with self.store.transaction() as conn:
                return int(conn.execute(query.values(status=CANCELLED)).rowcount or 0)

        return retrying(run)

    def image_data(self, image_id: str) -> bytes | None:
        def run() -> bytes | None:
            with self.store.transaction() as conn:
                value = conn.execute(select(self.images.c.data).where(self.images.c.id == image_id)).scalar()
            return bytes(value) if value is not None else None

        return retrying(run)

    def job_spec(self, job_id: str) -> Mapping[str, Any]:
        def run() -> Mapping[str, Any]:
            with self.store.transaction() as conn:
                row = self.store.jobs.get(conn, job_id)
            return dict(row.spec) if row is not None else {}

        return retrying(run)

    def counts(self, job_id: str) -> dict[str, int]:
        with self.store.transaction() as conn:
            return self.store.instances.counts(conn, job_id)
