"""Opening a store: engine, migrations to head (run on first use), repositories."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from designlens.errors import DesignlensError
from designlens.store.repositories import (
    EventRepository,
    ImageRepository,
    InstanceRepository,
    JobRepository,
    RelationshipRepository,
    TokenRepository,
)

HEAD = "0003"  # the newest migration; opening a store at HEAD skips importing Alembic
MIGRATIONS = Path(__file__).parent / "migrations"


class StoreError(DesignlensError):
    """The store cannot be opened or migrated; the message names the URL."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")  # first: switching to WAL needs the lock too
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the job log's writer
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def alembic_config(engine_or_conn: Connection | None = None, url: str | None = None) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if engine_or_conn is not None:
        cfg.attributes["connection"] = engine_or_conn
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the schema to `revision` (Alembic)."""
    from alembic import command

    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    from alembic import command

    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        value = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return str(value) if value is not None else None


class Store:
    """An open store: an engine plus one repository per table."""

    def __init__(self, url: str, *, auto_migrate: bool = True) -> None:
        self.url = url
        try:
            if url.startswith("sqlite:///"):
                Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            # pre-ping: a pooled server connection that was dropped is replaced, not handed out
            self.engine = create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
            if self.engine.dialect.name == "sqlite":
                event.listen(self.engine, "connect", _sqlite_pragmas)
            if auto_migrate and current_revision(self.engine) != HEAD:
                try:
                    migrate(self.engine)
                except Exception:
                    # Two processes opening a new store at once: the loser waits for the winner.
                    if not _wait_for_head(self.engine):
                        raise
        except DesignlensError:
            raise
        except Exception as exc:
            raise StoreError(f"cannot open the store {_redact(url)}: {type(exc).__name__}: {exc}") from exc
        self.jobs = JobRepository()
        self.images = ImageRepository()
        self.instances = InstanceRepository()
        self.tokens = TokenRepository()
        self.relationships = RelationshipRepository()
        self.events = EventRepository()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def close(self) -> None:
        self.engine.dispose()


def _wait_for_head(engine: Engine, seconds: float = 30.0) -> bool:
    """True once another process has migrated the store to HEAD (SQLite commits DDL one statement
    at a time, so the loser of the race can see tables before the version row)."""
    import time

    deadline = time.monotonic() + seconds
    while True:
        try:
            if current_revision(engine) == HEAD:
                return True
        except SQLAlchemyError:  # the other process is mid-migration: tables half made; look again
            pass
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


def _redact(url: str) -> str:
    """The URL without its password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url
