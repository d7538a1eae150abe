"""One repository per table, written against SQLAlchemy Core connections.

Each method takes the connection to run on, so a caller groups writes into one
transaction (an instance's status and its tokens commit together) and an async
caller can drive the same code through `AsyncConnection.run_sync`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, delete, func, insert, select, update

from designlens.store import schema

UNFINISHED = ("running", "interrupted", "cancelling")


def _insert_ignoring_duplicates(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING in the connection's dialect."""
    if not rows:
        return
    name = conn.dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        conn.execute(pg_insert(table).on_conflict_do_nothing(), list(rows))
    elif name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        conn.execute(sqlite_insert(table).on_conflict_do_nothing(), list(rows))
    else:  # a dialect without upsert: check first (fine for a single writer)
        for row in rows:
            key = {c.name: row[c.name] for c in table.primary_key.columns}
            found = conn.execute(
                select(func.count()).select_from(table).where(*[table.c[k] == v for k, v in key.items()])
            ).scalar_one()
            if not found:
                conn.execute(insert(table), [dict(row)])


@dataclass(frozen=True)
class JobRow:
    id: str
    key: str
    status: str
    spec: Mapping[str, Any]
    owner: str
    error: str | None
    created_at: float
    updated_at: float


class JobRepository:
    table = schema.jobs

    def create(self, conn: Connection, job_id: str, key: str, spec: Mapping[str, Any], owner: str) -> None:
        now = time.time()
        conn.execute(
            insert(self.table),
            [{"id": job_id, "key": key, "status": "running", "spec": dict(spec), "owner": owner,
              "error": None, "created_at": now, "updated_at": now}],
        )

    def get(self, conn: Connection, job_id: str) -> JobRow | None:
        row = conn.execute(select(self.table).where(self.table.c.id == job_id)).mappings().first()
        return JobRow(**row) if row else None

    def latest_unfinished(self, conn: Connection, key: str) -> JobRow | None:
        row = (
            conn.execute(
                select(self.table)
                .where(self.table.c.key == key, self.table.c.status.in_(UNFINISHED))
                .order_by(self.table.c.created_at.desc())
            )
            .mappings()
            .first()
        )
        return JobRow(**row) if row else None

    def set_status(
        self, conn: Connection, job_id: str, status: str, error: str | None = None, owner: str | None = None
    ) -> None:
        values: dict[str, Any] = {"status": status, "error": error, "updated_at": time.time()}
        if owner is not None:
            values["owner"] = owner
        conn.execute(update(self.table).where(self.table.c.id == job_id).values(**values))

    def request_cancel(self, conn: Connection, job_id: str) -> bool:
        """Ask a running job to stop; the runner sees it at its next flush. False if not running."""
        done = conn.execute(
            update(self.table)
            .where(self.table.c.id == job_id, self.table.c.status == "running")
            .values(status="cancelling", updated_at=time.time())
        )
        return bool(done.rowcount)

    def status(self, conn: Connection, job_id: str) -> str | None:
        value = conn.execute(select(self.table.c.status).where(self.table.c.id == job_id)).scalar()
        return str(value) if value is not None else None


class ImageRepository:
    table = schema.images

    def add(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Record images (id, source, size); an image seen before is left as it is."""
        _insert_ignoring_duplicates(conn, self.table, rows)

    def set_size(self, conn: Connection, image_id: str, width: int, height: int) -> None:
        conn.execute(update(self.table).where(self.table.c.id == image_id).values(width=width, height=height))

    def get(self, conn: Connection, image_id: str) -> dict[str, Any] | None:
        row = conn.execute(select(self.table).where(self.table.c.id == image_id)).mappings().first()
        return dict(row) if row else None


class InstanceRepository:
    table = schema.instances

    def add(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Record instances as pending; one already there (a resumed job) keeps its state."""
        _insert_ignoring_duplicates(
            conn, self.table,
            [{"status": "pending", "attempts": 0, "error": None, "seconds": None, "scale": None,
              "finished_at": None, "lease_owner": None, "lease_expires": None, "warnings": None, **r}
             for r in rows],
        )

    def finish(
        self, conn: Connection, instance_id: str, status: str, error: str | None, seconds: float,
        attempts: int, scale: float | None = None, warnings: Sequence[str] = (),
    ) -> None:
        conn.execute(
            update(self.table)
            .where(self.table.c.id == instance_id)
            .values(status=status, error=error, seconds=seconds, finished_at=time.time(), attempts=attempts,
                    scale=scale, warnings=list(warnings) or None)
        )

    def set_status(self, conn: Connection, instance_ids: Iterable[str], status: str) -> None:
        ids = list(instance_ids)
        if ids:
            conn.execute(update(self.table).where(self.table.c.id.in_(ids)).values(status=status))

    def of_job(self, conn: Connection, job_id: str, status: str | None = None) -> list[Mapping[str, Any]]:
        query = select(self.table).where(self.table.c.job_id == job_id)
        if status is not None:
            query = query.where(self.table.c.status == status)
        rows = conn.execute(query.order_by(self.table.c.source, self.table.c.token_type)).mappings()
        return [dict(r) for r in rows]

    def counts(self, conn: Connection, job_id: str) -> dict[str, int]:
        rows = conn.execute(
            select(self.table.c.status, func.count())
            .where(self.table.c.job_id == job_id)
            .group_by(self.table.c.status)
        )
        return {str(status): int(n) for status, n in rows}


class TokenRepository:
    table = schema.tokens

    def replace_raw(
        self, conn: Connection, job_id: str, instance_id: str, tokens: Sequence[Mapping[str, Any]]
    ) -> None:
        """An instance's raw tokens, replacing any from an earlier attempt: at-least-once never duplicates."""
        conn.execute(delete(self.table).where(self.table.c.instance_id == instance_id))
        if tokens:
            conn.execute(
                insert(self.table),
                [{"job_id": job_id, "instance_id": instance_id, "stage": "raw", "ordinal": i,
                  "name": t["name"], "type": t["type"], "data": dict(t)} for i, t in enumerate(tokens)],
            )

    def raw_of_instances(
        self, conn: Connection, instance_ids: Sequence[str]
    ) -> dict[str, list[Mapping[str, Any]]]:
        out: dict[str, list[Mapping[str, Any]]] = {i: [] for i in instance_ids}
        for start in range(0, len(instance_ids), 500):
            chunk = list(instance_ids[start : start + 500])
            rows = conn.execute(
                select(self.table.c.instance_id, self.table.c.data)
                .where(self.table.c.instance_id.in_(chunk))
                .order_by(self.table.c.instance_id, self.table.c.ordinal)
            )
            for instance_id, data in rows:
                out[str(instance_id)].append(data)
        return out

    def replace_merged(self, conn: Connection, job_id: str, tokens: Sequence[Mapping[str, Any]]) -> None:
        conn.execute(delete(self.table).where(self.table.c.job_id == job_id, self.table.c.stage == "merged"))
        if tokens:
            conn.execute(
                insert(self.table),
                [{"job_id": job_id, "instance_id": None, "stage": "merged", "ordinal": i,
                  "name": t["name"], "type": t["type"], "data": dict(t)} for i, t in enumerate(tokens)],
            )

    def merged(self, conn: Connection, job_id: str) -> list[Mapping[str, Any]]:
        rows = conn.execute(
            select(self.table.c.data)
            .where(self.table.c.job_id == job_id, self.table.c.stage == "merged")
            .order_by(self.table.c.ordinal)
        )
        return [r[0] for r in rows]

    def count(self, conn: Connection, job_id: str, stage: str) -> int:
        return int(
            conn.execute(
                select(func.count()).select_from(self.table)
                .where(self.table.c.job_id == job_id, self.table.c.stage == stage)
            ).scalar_one()
        )


class RelationshipRepository:
    table = schema.relationships

    def replace(self, conn: Connection, job_id: str, rows: Sequence[Mapping[str, Any]]) -> None:
        conn.execute(delete(self.table).where(self.table.c.job_id == job_id))
        if rows:
            conn.execute(insert(self.table), [{"job_id": job_id, **r} for r in rows])

    def of_job(self, conn: Connection, job_id: str) -> list[Mapping[str, Any]]:
        rows = conn.execute(select(self.table).where(self.table.c.job_id == job_id)).mappings()
        return [dict(r) for r in rows]


@dataclass(frozen=True)
class StoredEvent:
    seq: int
    job_id: str
    version: int
    name: str
    data: Mapping[str, Any]
    at: float


class EventRepository:
    """The append-only job log: UNIQUE(job_id, version) per job, a global `seq` across jobs."""

    table = schema.events

    def append(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Append events (job_id, version, name, data, at); Core executemany, not the ORM."""
        if rows:
            conn.execute(insert(self.table), list(rows))

    def last_version(self, conn: Connection, job_id: str) -> int:
        query = select(func.max(self.table.c.version)).where(self.table.c.job_id == job_id)
        value = conn.execute(query).scalar()
        return int(value or 0)

    def after(self, conn: Connection, job_id: str, seq: int = 0, limit: int = 1000) -> list[StoredEvent]:
        """Events of one job with a sequence above `seq`, oldest first (SSE resume: Last-Event-ID)."""
        rows = conn.execute(
            select(self.table)
            .where(self.table.c.job_id == job_id, self.table.c.seq > seq)
            .order_by(self.table.c.seq)
            .limit(limit)
        ).mappings()
        return [StoredEvent(**r) for r in rows]
